//! 1. SIGKILL mid-flight: a PHP process emits a burst, printing each id, and is killed at a
//! random moment; a second process delivers what is left.

use crate::common::{register, Php, Receiver};
use crate::support::*;
use std::io::{BufRead, BufReader, Read};
use std::process::Stdio;
use std::time::{Duration, Instant};

pub struct KillRun {
    pub tally: Tally,
    /// Lost ids were all the newest ones; how many ms of emits they span up to the last printed id.
    pub lost_tail: bool,
    pub window_ms: i64,
    pub killed_after: usize,
    pub lease_wait: Duration,
    pub delivered_before_sweep: usize,
    pub persisted_at_kill: i64,
}

/// Emit `n` events (paced a little so the kill lands mid-burst), kill at a random line.
pub fn run(durable: bool, n: usize) -> KillRun {
    let receiver = Receiver::ok();
    // Short timeout and few in-flight slots: the lease of the killed process is
    // timeout * (max_in_flight / per_webhook + 2) + 30 s = 0.5 * 3 + 30 = 31.5 s.
    let php = Php::new(if durable {
        "kill-durable"
    } else {
        "kill-async"
    })
    .set("umw.durable_emit", if durable { "1" } else { "0" })
    .set("umw.timeout_ms", "500")
    .set("umw.max_in_flight", "2")
    .set("umw.max_in_flight_per_webhook", "2");
    register(&php, &receiver.url("/hook"), "['*']");

    let code = format!(
        r#"<?php
for ($i = 0; $i < {n}; $i++) {{
    echo umw_emit('payment_received', ['i' => $i, 'pad' => str_repeat('x', 200)]), "\n";
    if ($i % 50 == 49) usleep(2000);
}}
echo "done\n";
sleep(60);
"#
    );
    let mut child = php
        .command(&code)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn php");
    let mut stderr = child.stderr.take().unwrap();
    let err_thread = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = stderr.read_to_string(&mut s);
        s
    });
    let kill_at = (n / 20) + (random_u64() as usize % (n - n / 20));
    let mut reader = BufReader::new(child.stdout.take().unwrap());
    let mut ids = Vec::new();
    let mut killed = false;
    let mut line = String::new();
    loop {
        line.clear();
        if reader.read_line(&mut line).unwrap_or(0) == 0 {
            break;
        }
        let l = line.trim();
        if l.starts_with("msg_") {
            ids.push(l.to_string());
        }
        if !killed && (ids.len() >= kill_at || l == "done") {
            child.kill().expect("SIGKILL"); // Child::kill is SIGKILL on Unix
            killed = true;
        }
    }
    let status = child.wait().unwrap();
    let stderr = err_thread.join().unwrap();
    assert!(killed, "never reached the kill point; stderr: {stderr}");
    assert!(
        !status.success(),
        "the process should have died of SIGKILL: {status:?}"
    );
    let killed_after = ids.len();

    let delivered_before_sweep = Tally::of(&ids, &[&receiver]).delivered;
    // What made it to disk before the kill.
    let persisted: i64 = php
        .ok("<?php $c = umw_stats()['store_counts']; echo $c['pending'] + $c['retrying'] + $c['delivered'] + $c['failed'];")
        .trim()
        .parse()
        .unwrap_or(-1);

    let started = Instant::now();
    let counts = sweep(&php, 75.0);
    let lease_wait = started.elapsed();
    let tally = wait_delivered(&ids, &[&receiver], Duration::from_secs(10));
    println!(
        "sigkill(durable={durable}): killed after {killed_after} printed ids (kill point {kill_at}); \
         persisted at kill {persisted}; delivered by the dead process {delivered_before_sweep}; \
         sweeper took {:.1}s, store after: {counts}",
        lease_wait.as_secs_f64()
    );
    let first_lost = ids.iter().position(|id| tally.lost_ids.contains(id));
    let lost_tail = first_lost.is_none_or(|i| ids.len() - i == tally.lost);
    let window_ms = match (first_lost, ids.last()) {
        (Some(i), Some(last)) => id_ms(last) - id_ms(&ids[i]),
        _ => 0,
    };
    KillRun {
        tally,
        lost_tail,
        window_ms,
        killed_after,
        lease_wait,
        delivered_before_sweep,
        persisted_at_kill: persisted,
    }
}

pub fn scenario() {
    let n = size(2_000, 10_000);
    // The two halves wait out the same lease: run them side by side.
    let durable = std::thread::spawn(move || run(true, n));
    let fast = run(false, n);
    let durable = durable.join().expect("durable half");

    let lost_async = fast.tally.lost;
    report(
        "sigkill-durable",
        &format!(
            "umw.durable_emit=1; {n}-event burst SIGKILLed after {} ids; next process delivers leftovers (lease wait {:.0}s)",
            durable.killed_after,
            durable.lease_wait.as_secs_f64()
        ),
        &durable.tally,
        if durable.tally.lost == 0 { "pass" } else { "FAIL" },
    );
    report(
        "sigkill-async",
        &format!(
            "umw.durable_emit=0 (default); {n}-event burst SIGKILLed after {} ids; next process delivers leftovers",
            fast.killed_after
        ),
        &fast.tally,
        if lost_async == 0 {
            "pass (no loss this run)"
        } else {
            "expected: documented window"
        },
    );
    note(&format!(
        "SIGKILL, umw.durable_emit=0: {lost_async} of {} printed ids were lost ({} were on disk at the kill); \
         the lost ones {} the newest, emitted in the last {} before the kill: accepted into the in-memory \
         queue but not yet committed by the writer thread. The window is the writer's batch latency \
         (normally milliseconds; at most what the queue holds, umw.queue_capacity, if the store is slow). \
         With umw.durable_emit=1 each umw_emit commits before returning: {} lost.",
        fast.tally.emitted,
        fast.persisted_at_kill,
        if fast.lost_tail { "were exactly" } else { "were NOT only" },
        if fast.window_ms == 0 { "millisecond".to_string() } else { format!("{} ms", fast.window_ms) },
        durable.tally.lost
    ));
    note(&format!(
        "SIGKILL: deliveries the dead process had claimed wait for its lease to expire \
         (umw.timeout_ms x (umw.max_in_flight / umw.max_in_flight_per_webhook + 2) + 30 s; 31.5 s here, \
         {} s with the defaults); the next process took {:.0} s to finish them. Duplicates ({} durable, {} async) \
         are requests the dead process sent whose outcome it never recorded.",
        15 * (64 / 8 + 2) + 30,
        durable.lease_wait.max(fast.lease_wait).as_secs_f64(),
        durable.tally.duplicates,
        fast.tally.duplicates
    ));
    assert_eq!(
        durable.tally.lost,
        0,
        "durable_emit=1 lost ids: {:?}",
        &durable.tally.lost_ids[..durable.tally.lost_ids.len().min(10)]
    );
}
