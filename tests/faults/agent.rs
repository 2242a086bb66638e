//! 8–10. The delivery agent (`umw.delivery=agent`): SIGKILLed mid-drain and restarted; PHP
//! processes SIGKILLed mid-burst while the agent runs; no agent at all, and an agent that dies
//! while PHP keeps emitting (PHP processes fall back to delivering themselves).

use crate::common::{register, Php, Receiver, Reply, TempDir};
use crate::support::*;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

fn agent_binary() -> PathBuf {
    let ext = crate::common::extension();
    let dir = ext.parent().unwrap().to_path_buf();
    let bin = dir.join("umw-agent");
    assert!(
        bin.exists(),
        "{} is missing: cargo build --release builds it",
        bin.display()
    );
    bin
}

/// Agent mode with a short lease, so a killed agent's claims come back within the test.
fn php(name: &str) -> Php {
    Php::new(name)
        .set("umw.delivery", "agent")
        .set("umw.agent_fallback_seconds", "60")
        .set("umw.timeout_ms", "1000")
        .set("umw.max_in_flight", "16")
        .set("umw.max_in_flight_per_webhook", "8")
}

pub struct Agent {
    child: Child,
}

impl Agent {
    fn start(php: &Php, log: &TempDir) -> Agent {
        let spool = PathBuf::from(format!("{}.spool", php.store().display()));
        Agent::start_with(&php.ini, &spool, log)
    }

    /// An agent with these settings, alive once it beats in `spool`.
    pub fn start_with(ini: &[(String, String)], spool: &std::path::Path, log: &TempDir) -> Agent {
        let mut cmd = Command::new(agent_binary());
        for (k, v) in ini {
            cmd.arg("-d").arg(format!("{k}={v}"));
        }
        let out = std::fs::File::create(log.path("agent.log")).unwrap();
        let child = cmd
            .stdin(Stdio::null())
            .stdout(out.try_clone().unwrap())
            .stderr(out)
            .spawn()
            .unwrap();
        let agent = Agent { child };
        // Alive once it beats.
        let beat = spool.join("agent.json");
        let deadline = Instant::now() + Duration::from_secs(10);
        while !beat.exists() {
            assert!(
                Instant::now() < deadline,
                "the agent never wrote its heartbeat"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        agent
    }

    fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    fn terminate(mut self) -> bool {
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        let deadline = Instant::now() + Duration::from_secs(20);
        while Instant::now() < deadline {
            if let Ok(Some(status)) = self.child.try_wait() {
                return status.success();
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        self.kill();
        false
    }
}

impl Drop for Agent {
    fn drop(&mut self) {
        self.kill();
    }
}

fn emit_code(n: usize, then: &str) -> String {
    format!(
        "<?php for ($i = 0; $i < {n}; $i++) echo umw_emit('payment_received', ['i' => $i]), \"\\n\"; {then}"
    )
}

pub fn killed_mid_drain() {
    let n = size(1500, 6000);
    let rx = Receiver::start(|_, _| Reply::Delay(Duration::from_millis(2), 200));
    let php = php("agent-kill");
    let logs = TempDir::new("agent-kill-logs");
    register(&php, &rx.url("/"), "'*'");
    let mut agent = Agent::start(&php, &logs);
    let ids = ids_in(&php.ok(&emit_code(n, "")));
    assert_eq!(ids.len(), n);
    // Kill it while it drains.
    let deadline = Instant::now() + Duration::from_secs(20);
    while rx.count() < n / 3 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(5));
    }
    agent.kill();
    let at_kill = rx.count();
    std::thread::sleep(Duration::from_millis(300));
    let agent = Agent::start(&php, &logs);
    // What the killed agent had claimed comes back when its leases expire.
    let t = wait_delivered(&ids, &[&rx], Duration::from_secs(90));
    let stopped = agent.terminate();
    report(
        "agent SIGKILL mid-drain",
        &format!("the agent killed after {at_kill} of {n} deliveries, then restarted"),
        &t,
        if t.lost == 0 { "ok" } else { "LOST" },
    );
    assert_eq!(t.lost, 0, "lost: {:?}", &t.lost_ids[..t.lost.min(5)]);
    assert!(stopped, "SIGTERM must end the agent cleanly");
    note(&format!(
        "agent SIGKILL: {} duplicates (attempts in flight at the kill, re-sent after their lease)",
        t.duplicates
    ));
}

pub fn php_killed_mid_burst() {
    let bursts = size(4, 12);
    let rx = Receiver::ok();
    let php = php("agent-php-kill");
    let logs = TempDir::new("agent-php-kill-logs");
    register(&php, &rx.url("/"), "'*'");
    let agent = Agent::start(&php, &logs);
    let mut ids = Vec::new();
    for _ in 0..bursts {
        // Each process emits as fast as it can and is killed mid-burst: every id it printed
        // (umw_emit returned) must arrive.
        let out = php
            .command(&emit_code(100_000, ""))
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(150 + (random_u64() % 100)));
        let _ = Command::new("kill")
            .args(["-KILL", &out.id().to_string()])
            .status();
        let got = out.wait_with_output().unwrap();
        ids.extend(ids_in(&String::from_utf8_lossy(&got.stdout)));
    }
    let t = wait_delivered(&ids, &[&rx], Duration::from_secs(60));
    drop(agent);
    report(
        "agent mode, PHP SIGKILLed",
        &format!("{bursts} PHP processes emitting into the spool, each SIGKILLed mid-burst; the agent runs"),
        &t,
        if t.lost == 0 { "ok" } else { "LOST" },
    );
    assert!(t.emitted > 0);
    assert_eq!(t.lost, 0, "lost: {:?}", &t.lost_ids[..t.lost.min(5)]);
}

pub fn fpm_workers_killed_mid_burst() {
    use crate::multihost::Host;
    let rx = Receiver::ok();
    let php = php("agent-fpm-kill");
    register(&php, &rx.url("/"), "'*'");
    let mut ini = php.ini.clone();
    ini.retain(|(k, _)| k != "umw.spool_dir");
    let host = Host::start("agent-fpm", &ini);
    ini.push(("umw.spool_dir".into(), host.spool().display().to_string()));
    let logs = TempDir::new("agent-fpm-logs");
    let agent = Agent::start_with(&ini, &host.spool(), &logs);
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let loader = {
        let (stop, port) = (stop.clone(), host.port);
        std::thread::spawn(move || {
            let mut ids = Vec::new();
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                if let Ok((200, body)) = crate::fpm::get(port, "/emit.php?n=20") {
                    ids.extend(ids_in(&body));
                }
            }
            ids
        })
    };
    // SIGKILL every worker (not the master, which starts new ones) a few times mid-burst.
    let rounds = size(3, 10);
    for _ in 0..rounds {
        std::thread::sleep(Duration::from_millis(400));
        host.kill_workers();
    }
    std::thread::sleep(Duration::from_millis(400));
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let ids = loader.join().unwrap();
    let t = wait_delivered(&ids, &[&rx], Duration::from_secs(60));
    drop(agent);
    report(
        "agent mode, FPM workers SIGKILLed",
        &format!("php-fpm in agent mode under load; every worker SIGKILLed {rounds} times mid-burst; the agent delivers"),
        &t,
        if t.lost == 0 { "ok" } else { "LOST" },
    );
    assert!(
        ids.len() > 100,
        "too few events acknowledged: {}",
        ids.len()
    );
    assert_eq!(t.lost, 0, "lost e.g. {:?}", &t.lost_ids[..t.lost.min(5)]);
}

pub fn no_agent_falls_back() {
    // No agent has ever run: the first check falls back at once.
    let rx = Receiver::ok();
    let php = php("agent-none").set("umw.agent_fallback_seconds", "1");
    register(&php, &rx.url("/"), "'*'");
    let out = php.ok(&emit_code(
        200,
        "var_export(umw_flush(10)); echo \"\\n\", json_encode(umw_stats()['delivery']['fallback']);",
    ));
    let ids = ids_in(&out);
    assert!(
        out.contains("true\n\"no umw-agent has run on this host"),
        "{out}"
    );
    let t1 = wait_delivered(&ids, &[&rx], Duration::from_secs(20));
    // An agent that dies while a long-lived process keeps emitting: after the fallback time,
    // the process delivers itself, the spooled events included.
    let logs = TempDir::new("agent-died-logs");
    let mut agent = Agent::start(&php, &logs);
    let code = r#"<?php
        $deadline = microtime(true) + 4;
        while (microtime(true) < $deadline) { echo umw_emit('payment_received', ['t' => microtime(true)]), "\n"; usleep(20000); }
        var_export(umw_flush(10)); echo "\n", json_encode(umw_stats()['delivery']['fallback']), "\n";"#;
    let child = php.command(code).stdout(Stdio::piped()).spawn().unwrap();
    std::thread::sleep(Duration::from_millis(500));
    agent.kill();
    let got = child.wait_with_output().unwrap();
    let stdout = String::from_utf8_lossy(&got.stdout).into_owned();
    let later = ids_in(&stdout);
    assert!(stdout.contains("no umw-agent heartbeat for"), "{stdout}");
    let t2 = wait_delivered(&later, &[&rx], Duration::from_secs(20));
    let all: Vec<String> = ids.iter().chain(later.iter()).cloned().collect();
    let t = Tally::of(&all, &[&rx]);
    report(
        "agent absent",
        "no agent ever; then the agent SIGKILLed while a process keeps emitting (fallback after 1 s)",
        &t,
        if t.lost == 0 { "ok" } else { "LOST" },
    );
    assert_eq!(t1.lost + t2.lost, 0);
}
