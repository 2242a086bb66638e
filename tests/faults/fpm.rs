//! 3. PHP-FPM recycling under load: php-fpm (pm.max_requests=5, so workers exit and respawn
//! all the time) behind nginx, a page that emits one event and prints its id, driven by
//! concurrent HTTP clients. Every 200 response's event must be delivered.

use crate::common::{Php, Receiver};
use crate::multihost::Host;
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
    let mut ini = php.ini.clone();
    ini.retain(|(k, _)| k != "umw.spool_dir");
    let mut host = Host::start_with(
        "fpm-recycling",
        &ini,
        "pm = dynamic\npm.max_children = 4\npm.start_servers = 2\npm.min_spare_servers = 1\n\
         pm.max_spare_servers = 3\npm.max_requests = 5",
    );
    let port = host.port;
    let (status, body) = get(port, "/emit.php").expect("first request");
    assert_eq!(status, 200, "warm-up request: {body}\n{}", host.log());

    let ids = Arc::new(Mutex::new(ids_in(&body)));
    let statuses = Arc::new(Mutex::new(std::collections::BTreeMap::<u16, usize>::new()));
    let stop = Arc::new(AtomicBool::new(false));
    let workers: Vec<_> = (0..clients)
        .map(|_| {
            let (ids, statuses, stop) = (ids.clone(), statuses.clone(), stop.clone());
            std::thread::spawn(move || {
                while !stop.load(Ordering::Relaxed) {
                    match get(port, "/emit.php") {
                        Ok((status, body)) => {
                            *statuses.lock().unwrap().entry(status).or_default() += 1;
                            if status == 200 {
                                ids.lock().unwrap().extend(ids_in(&body));
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
    // Then stop FPM gracefully and let a CLI process pick up whatever a recycled worker left.
    let graceful = host.stop_gracefully();
    let log = host.log();
    let worker_starts = host.worker_starts();
    drop(host);
    let counts = sweep(&php, 60.0);
    let tally = wait_delivered(&ids, &[&receiver], Duration::from_secs(10));
    let locked = log.contains("database is locked") || log.contains("RuntimeException");
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
    assert!(
        ids.len() > 50,
        "too few successful requests: {statuses:?}\n{log}"
    );
    assert!(!locked, "PHP errors in the FPM log:\n{log}");
    assert_eq!(
        tally.lost,
        0,
        "lost ids under FPM recycling, e.g. {:?}\n{log}",
        &tally.lost_ids[..tally.lost_ids.len().min(10)]
    );
}
