//! 11–14. One network, two web servers, one MariaDB: two PHP-FPM pools ("hosts", each with its
//! own processes, spool directory and port on 127.0.0.1) share a MySQL/MariaDB store.
//! The database is the private one the README's test command starts (tests/mysql/server.sh,
//! `UMW_TEST_MYSQL_URL`); each scenario has its own table prefix.

use crate::common::{extension, Php, Receiver, Reply, TempDir};
use crate::fpm::{get, spawn_group, wait_until};
use crate::support::*;
use std::path::PathBuf;
use std::process::Command;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// The shared store for a scenario (tables of its own, whatever earlier runs left in the
/// database), or None (skipped) when no database is configured.
fn store_url(prefix: &str) -> Option<String> {
    match std::env::var("UMW_TEST_MYSQL_URL") {
        Ok(url) if !url.is_empty() => {
            let sep = if url.contains('?') { '&' } else { '?' };
            let run = random_u64() % 1_000_000;
            Some(format!("{url}{sep}prefix={prefix}{run}_"))
        }
        _ => {
            assert!(
                std::env::var("UMW_REQUIRE_MYSQL").as_deref() != Ok("1"),
                "UMW_REQUIRE_MYSQL=1 but UMW_TEST_MYSQL_URL is not set"
            );
            println!("multihost: no MariaDB configured (UMW_TEST_MYSQL_URL), skipped");
            None
        }
    }
}

/// Settings both hosts share (the same php.ini on every web server, like a real fleet).
fn settings(url: &str, durable: bool) -> Vec<(String, String)> {
    [
        // Quoted: the URL has characters php.ini treats as operators.
        ("umw.store", format!("\"{url}\"")),
        ("umw.allow_private_networks", "1".into()),
        ("umw.retry_schedule", "0.5,1,2".into()),
        ("umw.timeout_ms", "1000".into()),
        ("umw.max_in_flight", "8".into()),
        ("umw.max_in_flight_per_webhook", "8".into()),
        ("umw.durable_emit", if durable { "1" } else { "0" }.into()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect()
}

/// One web server: its own PHP-FPM pool and nginx on its own port, its own spool.
pub struct Host {
    name: &'static str,
    pub port: u16,
    dir: TempDir,
    fpm: Option<Group>,
    nginx: Option<Group>,
}

impl Host {
    pub fn start(name: &'static str, ini: &[(String, String)]) -> Host {
        Host::start_with(name, ini, "pm = static\npm.max_children = 3")
    }

    /// With this process manager configuration (the `pm…` lines of the pool).
    pub fn start_with(name: &'static str, ini: &[(String, String)], pm: &str) -> Host {
        let dir = TempDir::new(name);
        let d = dir.0.clone();
        for sub in ["www", "tmp"] {
            std::fs::create_dir_all(d.join(sub)).unwrap();
        }
        std::fs::write(
            d.join("www/emit.php"),
            "<?php $n = max(1, (int) ($_GET['n'] ?? 1)); for ($i = 0; $i < $n; $i++) echo umw_emit('payment_received', ['host' => gethostname(), 'pid' => getmypid(), 'i' => $i]), \"\\n\";\n",
        )
        .unwrap();
        std::fs::write(
            d.join("www/admin.php"),
            "<?php header('content-type: application/json');\n\
             if (($_GET['op'] ?? '') === 'register') { echo json_encode(['id' => umw_register_webhook(['name' => $_GET['name'], 'url' => $_GET['url'], 'events' => '*'])]); }\n\
             else { echo json_encode(umw_list_webhooks()); }\n",
        )
        .unwrap();
        std::fs::write(
            d.join("www/stats.php"),
            "<?php $s = umw_stats(); echo json_encode([$s['pid'], $s['queued'], $s['store_errors'], $s['last_error'], $s['emitted']]);\n",
        )
        .unwrap();
        let mut php_ini = format!("extension={}\n", extension().display());
        for (k, v) in ini {
            php_ini.push_str(&format!("{k}={v}\n"));
        }
        php_ini.push_str(&format!(
            "umw.spool_dir={}\ndisplay_errors=stderr\nlog_errors=1\n",
            d.join("spool").display()
        ));
        std::fs::write(d.join("php.ini"), php_ini).unwrap();
        let sock = d.join("fpm.sock");
        std::fs::write(
            d.join("php-fpm.conf"),
            format!(
                "[global]\npid = {d}/fpm.pid\nerror_log = {d}/fpm.log\ndaemonize = no\n\n\
                 [{name}]\nuser = root\ngroup = root\nlisten = {sock}\n{pm}\n\
                 catch_workers_output = yes\nclear_env = no\n",
                d = d.display(),
                sock = sock.display()
            ),
        )
        .unwrap();
        let port = free_port();
        std::fs::write(
            d.join("nginx.conf"),
            format!(
                "daemon off;\nmaster_process on;\nuser root;\nworker_processes 1;\npid {d}/nginx.pid;\n\
                 error_log {d}/nginx-error.log;\nevents {{ worker_connections 512; }}\nhttp {{\n\
                 access_log off;\nclient_body_temp_path {d}/tmp/body;\nfastcgi_temp_path {d}/tmp/fastcgi;\n\
                 proxy_temp_path {d}/tmp/proxy;\nuwsgi_temp_path {d}/tmp/uwsgi;\nscgi_temp_path {d}/tmp/scgi;\n\
                 server {{\n listen 127.0.0.1:{port};\n root {d}/www;\n location ~ \\.php$ {{\n\
                 include /etc/nginx/fastcgi_params;\n fastcgi_param SCRIPT_FILENAME $document_root$fastcgi_script_name;\n\
                 fastcgi_pass unix:{sock};\n }}\n}}\n}}\n",
                d = d.display(),
                sock = sock.display()
            ),
        )
        .unwrap();
        let fpm = spawn_group(
            "php-fpm",
            Command::new("php-fpm8.2")
                .arg("-F")
                .arg("-R")
                .arg("-c")
                .arg(d.join("php.ini"))
                .arg("-y")
                .arg(d.join("php-fpm.conf")),
            &d,
        );
        let nginx = spawn_group(
            "nginx",
            Command::new("nginx")
                .arg("-c")
                .arg(d.join("nginx.conf"))
                .arg("-p")
                .arg(&d)
                .arg("-e")
                .arg(d.join("nginx-startup.log")),
            &d,
        );
        wait_until("php-fpm socket", Duration::from_secs(10), || sock.exists());
        wait_until("nginx", Duration::from_secs(10), || {
            std::net::TcpStream::connect(("127.0.0.1", port)).is_ok()
        });
        Host {
            name,
            port,
            dir,
            fpm: Some(fpm),
            nginx: Some(nginx),
        }
    }

    fn get(&self, path: &str) -> (u16, String) {
        get(self.port, path).unwrap_or((0, String::new()))
    }

    /// Ids of the events one request emitted (empty unless it answered 200).
    fn emit(&self, n: usize) -> Vec<String> {
        match self.get(&format!("/emit.php?n={n}")) {
            (200, body) => ids_in(&body),
            _ => Vec::new(),
        }
    }

    /// Every process of the host, at once, with no chance to clean up.
    fn kill(&mut self) {
        if let Some(fpm) = self.fpm.take() {
            fpm.signal("-KILL");
            drop(fpm);
        }
        self.nginx.take();
    }

    /// SIGKILL the pool's workers (the master stays and starts new ones).
    pub fn kill_workers(&self) {
        if let Some(fpm) = &self.fpm {
            let _ = Command::new("pkill")
                .args(["-KILL", "-P", &fpm.pid().to_string()])
                .status();
        }
    }

    pub fn log(&self) -> String {
        ["fpm.log", "php-fpm.out", "nginx.out", "nginx-error.log"]
            .iter()
            .map(|f| {
                format!(
                    "--- {f}\n{}",
                    std::fs::read_to_string(self.dir.path(f)).unwrap_or_default()
                )
            })
            .collect()
    }

    /// Stop PHP-FPM gracefully (SIGQUIT: workers finish their request and run module shutdown).
    pub fn stop_gracefully(&mut self) -> bool {
        self.fpm
            .as_mut()
            .is_some_and(|fpm| fpm.stop_gracefully("-QUIT", Duration::from_secs(15)))
    }

    /// How many worker processes the pool has started.
    pub fn worker_starts(&self) -> usize {
        std::fs::read_to_string(self.dir.path("fpm.log"))
            .unwrap_or_default()
            .matches("started")
            .count()
    }

    pub fn spool(&self) -> PathBuf {
        self.dir.path("spool")
    }
}

/// A CLI process on neither host, with the fleet's settings (to register, sweep, inspect).
fn cli(name: &str, ini: &[(String, String)], spool: &std::path::Path) -> Php {
    let mut php = Php::new(name);
    for (k, v) in ini {
        php = php.set(k, v);
    }
    php.set("umw.spool_dir", &spool.display().to_string())
}

/// Load: `clients` threads, alternating hosts, each request emitting one event, for `secs`.
fn load(
    hosts: &[&Host],
    clients: usize,
    secs: Duration,
    stop_early: Arc<AtomicBool>,
) -> Vec<String> {
    let ports: Vec<u16> = hosts.iter().map(|h| h.port).collect();
    let ids = Arc::new(Mutex::new(Vec::new()));
    let deadline = Instant::now() + secs;
    let threads: Vec<_> = (0..clients)
        .map(|c| {
            let (ids, stop, port) = (ids.clone(), stop_early.clone(), ports[c % ports.len()]);
            std::thread::spawn(move || {
                while Instant::now() < deadline && !stop.load(Ordering::Relaxed) {
                    if let Ok((200, body)) = get(port, "/emit.php?n=1") {
                        ids.lock().unwrap().extend(ids_in(&body));
                    }
                }
            })
        })
        .collect();
    for t in threads {
        let _ = t.join();
    }
    let out = ids.lock().unwrap().clone();
    out
}

pub fn webhooks_are_shared() {
    let Some(url) = store_url("mh_share_") else {
        return;
    };
    let ini = settings(&url, false);
    let rx = Receiver::ok();
    let a = Host::start("host-a", &ini);
    let b = Host::start("host-b", &ini);
    // Created on A…
    let (status, body) = a.get(&format!(
        "/admin.php?op=register&name=fleet&url={}",
        rx.url("/in")
    ));
    assert_eq!(status, 200, "{body}\n{}", a.log());
    let id = serde_json::from_str::<serde_json::Value>(&body).unwrap()["id"]
        .as_i64()
        .unwrap();
    // …listed by B on its next request, and B's events reach it.
    let (_, list) = b.get("/admin.php");
    assert!(
        list.contains(&format!("\"id\":{id}")),
        "B does not list A's webhook: {list}"
    );
    let ids = b.emit(5);
    let t = wait_delivered(&ids, &[&rx], Duration::from_secs(20));
    report(
        "two hosts: shared webhooks",
        "a webhook created through host A is listed and delivered by host B on its next request",
        &t,
        if t.lost == 0 { "ok" } else { "LOST" },
    );
    assert_eq!(t.lost, 0);
    assert!(
        rx.requests().iter().all(|r| r.json()["host"].is_string()),
        "delivered from host B's events"
    );
}

pub fn writers_on_both_hosts() {
    let Some(url) = store_url("mh_writers_") else {
        return;
    };
    let ini = settings(&url, false);
    let rx = Receiver::ok();
    let a = Host::start("host-a", &ini);
    let b = Host::start("host-b", &ini);
    let control = cli("mh-writers", &ini, &a.spool());
    crate::common::register(&control, &rx.url("/in"), "'*'");
    let ids = load(
        &[&a, &b],
        8,
        Duration::from_secs(size(6, 30)),
        Arc::new(AtomicBool::new(false)),
    );
    let t = wait_delivered(&ids, &[&rx], Duration::from_secs(60));
    if t.lost > 0 {
        println!(
            "store: {}\nA stats: {}\nB stats: {}\nA: {}\nB: {}",
            control.ok("<?php echo json_encode(umw_stats()['store_counts']);"),
            a.get("/stats.php").1,
            b.get("/stats.php").1,
            a.log(),
            b.log()
        );
    }
    report(
        "two hosts: 8 writers",
        "8 clients split across two PHP-FPM hosts, one event per request, one MariaDB store",
        &t,
        if t.lost == 0 && t.duplicates == 0 {
            "ok"
        } else {
            "FAIL"
        },
    );
    assert!(
        ids.len() > 100,
        "too few requests succeeded: {}\n{}",
        ids.len(),
        a.log()
    );
    assert_eq!(t.lost, 0, "lost e.g. {:?}", &t.lost_ids[..t.lost.min(5)]);
    // Nothing was killed, so no lease ran out: no delivery may have been attempted twice.
    assert_eq!(
        t.duplicates, 0,
        "a delivery was attempted twice while its lease was held"
    );
}

pub fn host_killed_for_good() {
    let Some(url) = store_url("mh_kill_") else {
        return;
    };
    let ini = settings(&url, true);
    // Slow enough that host A has deliveries in flight when it dies.
    let rx = Receiver::start(|_, _| Reply::Delay(Duration::from_millis(30), 200));
    let mut a = Host::start("host-a", &ini);
    let b = Host::start("host-b", &ini);
    let control = cli("mh-kill", &ini, &b.spool());
    crate::common::register(&control, &rx.url("/in"), "'*'");
    let stop = Arc::new(AtomicBool::new(false));
    let loader = {
        let stop = stop.clone();
        let a_port = a.port;
        std::thread::spawn(move || {
            let mut ids = Vec::new();
            while !stop.load(Ordering::Relaxed) {
                if let Ok((200, body)) = get(a_port, "/emit.php?n=5") {
                    ids.extend(ids_in(&body));
                }
            }
            ids
        })
    };
    std::thread::sleep(Duration::from_millis(size(1500, 5000)));
    // Every process of host A, at once; it never runs again.
    a.kill();
    stop.store(true, Ordering::Relaxed);
    let ids = loader.join().unwrap();
    let at_kill = rx.count();
    // Host B keeps serving its own traffic (a PHP process starts delivering with its first
    // umw_* call) and delivers everything A acknowledged, A's claims once their leases run out.
    let serving = Arc::new(AtomicBool::new(true));
    let traffic = {
        let (serving, port) = (serving.clone(), b.port);
        std::thread::spawn(move || {
            while serving.load(Ordering::Relaxed) {
                let _ = get(port, "/admin.php");
                std::thread::sleep(Duration::from_millis(100));
            }
        })
    };
    let t = wait_delivered(&ids, &[&rx], Duration::from_secs(90));
    serving.store(false, Ordering::Relaxed);
    let _ = traffic.join();
    report(
        "two hosts: one killed for good",
        &format!(
            "durable_emit=1; every process of host A SIGKILLed mid-burst ({} acknowledged, {at_kill} delivered at the kill), never restarted; host B delivers",
            ids.len()
        ),
        &t,
        if t.lost == 0 { "ok" } else { "LOST" },
    );
    assert!(!ids.is_empty());
    assert_eq!(t.lost, 0, "lost e.g. {:?}", &t.lost_ids[..t.lost.min(5)]);
    drop(b);
}

pub fn database_restarted() {
    let Some(url) = store_url("mh_restart_") else {
        return;
    };
    let Ok(state) = std::env::var("UMW_MYSQL_STATE") else {
        println!("multihost: UMW_MYSQL_STATE unknown, cannot restart the database: skipped");
        return;
    };
    let ini = settings(&url, true);
    let rx = Receiver::ok();
    let a = Host::start("host-a", &ini);
    let b = Host::start("host-b", &ini);
    let control = cli("mh-restart", &ini, &a.spool());
    crate::common::register(&control, &rx.url("/in"), "'*'");
    let stop = Arc::new(AtomicBool::new(false));
    let loader = {
        let (a, b) = (a.port, b.port);
        let stop = stop.clone();
        std::thread::spawn(move || {
            let mut ids = Vec::new();
            let mut errors = 0;
            let mut n = 0usize;
            while !stop.load(Ordering::Relaxed) {
                n += 1;
                match get(if n % 2 == 0 { a } else { b }, "/emit.php?n=2") {
                    Ok((200, body)) => ids.extend(ids_in(&body)),
                    _ => errors += 1,
                }
            }
            (ids, errors)
        })
    };
    std::thread::sleep(Duration::from_millis(800));
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let restarted = Command::new("bash")
        .arg(root.join("tests/mysql/server.sh"))
        .arg("restart")
        .env("UMW_MYSQL_STATE", &state)
        .status()
        .map(|s| s.success())
        .unwrap_or(false);
    std::thread::sleep(Duration::from_millis(800));
    stop.store(true, Ordering::Relaxed);
    let (ids, errors) = loader.join().unwrap();
    let t = wait_delivered(&ids, &[&rx], Duration::from_secs(60));
    report(
        "two hosts: MariaDB restarted",
        &format!(
            "durable_emit=1 on both hosts; the database restarted mid-burst ({errors} requests failed while it was away)"
        ),
        &t,
        if t.lost == 0 { "ok" } else { "LOST" },
    );
    assert!(restarted, "tests/mysql/server.sh restart failed");
    assert!(!ids.is_empty());
    assert_eq!(t.lost, 0, "lost e.g. {:?}", &t.lost_ids[..t.lost.min(5)]);
    drop((a, b));
}
