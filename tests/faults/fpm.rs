//! 3. PHP-FPM recycling under load: php-fpm (pm.max_requests=5, so workers exit and respawn
//! all the time) behind nginx, a page that emits one event and prints its id, driven by
//! concurrent HTTP clients. Every 200 response's event must be delivered.

use crate::common::{extension, Php, Receiver, TempDir};
use crate::support::*;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

pub(crate) fn wait_until(what: &str, timeout: Duration, mut f: impl FnMut() -> bool) {
    let deadline = Instant::now() + timeout;
    while !f() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

pub(crate) fn spawn_group(name: &'static str, cmd: &mut Command, dir: &Path) -> Group {
    use std::os::unix::process::CommandExt;
    let log = std::fs::File::create(dir.join(format!("{name}.out"))).unwrap();
    let child = cmd
        .process_group(0)
        .stdin(Stdio::null())
        .stdout(log.try_clone().unwrap())
        .stderr(log)
        .spawn()
        .unwrap_or_else(|e| panic!("spawn {name}: {e}"));
    Group { name, child }
}

/// One GET over a fresh connection (HTTP/1.0, read to close): (status, body).
pub(crate) fn get(port: u16, path: &str) -> std::io::Result<(u16, String)> {
    let mut s = TcpStream::connect(("127.0.0.1", port))?;
    s.set_read_timeout(Some(Duration::from_secs(30)))?;
    write!(
        s,
        "GET {path} HTTP/1.0\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
    )?;
    let mut buf = Vec::new();
    s.read_to_end(&mut buf)?;
    let text = String::from_utf8_lossy(&buf);
    let status = text
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    let body = text
        .split_once("\r\n\r\n")
        .map(|(_, b)| b)
        .unwrap_or("")
        .trim()
        .to_string();
    Ok((status, body))
}

pub fn scenario() {
    let load_for = Duration::from_secs(size(8, 30));
    let clients = 8;
    let receiver = Receiver::ok();
    // The CLI runs share the FPM pool's store and settings.
    let php = Php::new("fpm");
    crate::common::register(&php, &receiver.url("/hook"), "['*']");

    let dir = TempDir::new("fpm-nginx");
    let d = dir.0.clone();
    for sub in ["www", "tmp"] {
        std::fs::create_dir_all(d.join(sub)).unwrap();
    }
    std::fs::write(
        d.join("www/emit.php"),
        "<?php echo umw_emit('payment_received', ['n' => (int)($_GET['n'] ?? 0), 'pid' => getmypid()]), \"\\n\";\n",
    )
    .unwrap();
    let mut ini = format!("extension={}\n", extension().display());
    for (k, v) in &php.ini {
        ini.push_str(&format!("{k}={v}\n"));
    }
    ini.push_str("display_errors=stderr\nlog_errors=1\n");
    std::fs::write(d.join("php.ini"), ini).unwrap();
    let sock = d.join("fpm.sock");
    std::fs::write(
        d.join("php-fpm.conf"),
        format!(
            "[global]\npid = {d}/fpm.pid\nerror_log = {d}/fpm.log\ndaemonize = no\nlog_level = notice\n\n\
             [pool]\nuser = root\ngroup = root\nlisten = {sock}\npm = dynamic\npm.max_children = 4\n\
             pm.start_servers = 2\npm.min_spare_servers = 1\npm.max_spare_servers = 3\npm.max_requests = 5\n\
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
            "daemon off;\nmaster_process on;\nuser root;\nworker_processes 2;\npid {d}/nginx.pid;\n\
             error_log {d}/nginx-error.log;\nevents {{ worker_connections 1024; }}\nhttp {{\n\
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

    let mut fpm = spawn_group(
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
    let logs = |d: &Path| {
        ["php-fpm.out", "fpm.log", "nginx.out", "nginx-error.log"]
            .iter()
            .map(|f| {
                format!(
                    "--- {f}\n{}",
                    std::fs::read_to_string(d.join(f)).unwrap_or_default()
                )
            })
            .collect::<String>()
    };
    wait_until("php-fpm socket", Duration::from_secs(10), || sock.exists());
    wait_until("nginx", Duration::from_secs(10), || {
        TcpStream::connect(("127.0.0.1", port)).is_ok()
    });
    let (status, body) = get(port, "/emit.php?n=-1").expect("first request");
    assert_eq!(status, 200, "warm-up request: {body}\n{}", logs(&d));

    let ids = Arc::new(Mutex::new(vec![body]));
    let statuses = Arc::new(Mutex::new(std::collections::BTreeMap::<u16, usize>::new()));
    let stop = Arc::new(AtomicBool::new(false));
    let workers: Vec<_> = (0..clients)
        .map(|c| {
            let (ids, statuses, stop) = (ids.clone(), statuses.clone(), stop.clone());
            std::thread::spawn(move || {
                let mut n = 0;
                while !stop.load(Ordering::Relaxed) {
                    n += 1;
                    match get(port, &format!("/emit.php?n={}", c * 1_000_000 + n)) {
                        Ok((status, body)) => {
                            *statuses.lock().unwrap().entry(status).or_default() += 1;
                            if status == 200 && body.starts_with("msg_") {
                                ids.lock().unwrap().push(body);
                            }
                        }
                        Err(_) => *statuses.lock().unwrap().entry(0).or_default() += 1,
                    }
                }
            })
        })
        .collect();
    std::thread::sleep(load_for);
    stop.store(true, Ordering::Relaxed);
    for w in workers {
        w.join().unwrap();
    }
    let ids = ids.lock().unwrap().clone();
    let statuses = statuses.lock().unwrap().clone();

    // The live pool delivers (workers recycle every 5 requests; idle ones keep polling).
    let live = wait_delivered(&ids, &[&receiver], Duration::from_secs(20));
    // Then stop FPM gracefully (SIGQUIT: workers finish and run module shutdown), and let a
    // CLI process pick up whatever a recycled worker left behind.
    let graceful = fpm.stop_gracefully("-QUIT", Duration::from_secs(15));
    drop(nginx);
    let counts = sweep(&php, 60.0);
    let tally = wait_delivered(&ids, &[&receiver], Duration::from_secs(10));
    let worker_starts = std::fs::read_to_string(d.join("fpm.log"))
        .unwrap_or_default()
        .matches("started")
        .count();
    let fpm_log = std::fs::read_to_string(d.join("fpm.log")).unwrap_or_default();
    let locked = fpm_log.contains("database is locked") || fpm_log.contains("RuntimeException");
    println!(
        "fpm: {:.0}s of load, {clients} clients, statuses {statuses:?}; {} of {} delivered while FPM ran; \
         fpm stopped gracefully: {graceful}; store after sweep: {counts}; fpm.log 'started' lines: {worker_starts}",
        load_for.as_secs_f64(),
        live.delivered,
        ids.len()
    );
    let non200: usize = statuses
        .iter()
        .filter(|(s, _)| **s != 200)
        .map(|(_, n)| n)
        .sum();
    report(
        "fpm-recycling",
        &format!(
            "php-fpm (dynamic, 4 children, pm.max_requests=5) + nginx, {clients} clients for {:.0}s, one emit per request; {} non-200; {} delivered while the pool ran, rest after a graceful stop",
            load_for.as_secs_f64(),
            non200,
            live.delivered
        ),
        &tally,
        if tally.lost == 0 && !locked { "pass" } else { "FAIL" },
    );
    drop(fpm);
    assert!(
        ids.len() > 50,
        "too few successful requests: {statuses:?}\n{}",
        logs(&d)
    );
    assert!(!locked, "PHP errors in the FPM log:\n{}", logs(&d));
    assert_eq!(
        tally.lost,
        0,
        "lost ids under FPM recycling, e.g. {:?}\n{}",
        &tally.lost_ids[..tally.lost_ids.len().min(10)],
        logs(&d)
    );
}
