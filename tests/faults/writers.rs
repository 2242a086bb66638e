//! 5. Many writers: concurrent PHP processes emitting into one store. No loss, no
//! "database is locked" reaching PHP, duplicates counted.

use crate::common::{register, Php, Receiver};
use crate::support::*;
use std::time::{Duration, Instant};

pub fn scenario() {
    let (procs, each) = size((8, 1_000), (16, 5_000));
    let receiver = Receiver::ok();
    let php = Php::new("writers");
    register(&php, &receiver.url("/hook"), "['*']");
    let code = format!(
        r#"<?php
for ($i = 0; $i < {each}; $i++) echo umw_emit('payment_received', ['i' => $i, 'pid' => getmypid()]), "\n";
// Stay and deliver, racing the other processes for due deliveries.
$t = microtime(true);
$ok = umw_flush(FLUSH);
printf("flush %d %.2f\n", $ok, microtime(true) - $t);
"#
    );
    let flush_timeout = 15.0;
    let code = code.replace("FLUSH", &format!("{flush_timeout:.1}"));
    let started = Instant::now();
    // One reader per child: a child blocked on a full stdout pipe would stall the burst.
    let children: Vec<_> = (0..procs)
        .map(|_| {
            let child = php
                .command(&code)
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .expect("spawn php");
            std::thread::spawn(move || child.wait_with_output().unwrap())
        })
        .collect();
    let mut ids = Vec::new();
    let mut problems = Vec::new();
    let mut flushes = Vec::new();
    for child in children {
        let out = child.join().unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        let stderr = String::from_utf8_lossy(&out.stderr);
        let mine = ids_in(&stdout);
        if !out.status.success() || !stderr.trim().is_empty() || mine.len() != each {
            problems.push(format!(
                "exit {:?}, {} ids, stderr: {}",
                out.status.code(),
                mine.len(),
                &stderr[..stderr.len().min(500)]
            ));
        }
        ids.extend(mine);
        for line in stdout.lines().filter(|l| l.starts_with("flush ")) {
            let mut parts = line.split_whitespace().skip(1);
            let ok = parts.next() == Some("1");
            let took: f64 = parts.next().and_then(|t| t.parse().ok()).unwrap_or(-1.0);
            flushes.push((ok, took));
        }
    }
    let flush_failed = flushes.iter().filter(|(ok, _)| !ok).count();
    let flush_max = flushes.iter().map(|(_, t)| *t).fold(0.0, f64::max);
    println!(
        "writers: umw_flush({flush_timeout}) returned false in {flush_failed} of {} processes; longest {flush_max:.2}s",
        flushes.len()
    );
    let emitting = started.elapsed();
    let live = wait_delivered(&ids, &[&receiver], Duration::from_secs(5));
    let counts = sweep(&php, 60.0);
    let tally = wait_delivered(&ids, &[&receiver], Duration::from_secs(30));
    let rate = tally.duplicate_rate() * 100.0;
    println!(
        "writers: {procs} processes x {each} events, emitted and flushed in {:.1}s; {} delivered by the writers themselves, \
         the rest by a sweeper; duplicates {:.3}%; store after: {counts}",
        emitting.as_secs_f64(),
        live.delivered,
        rate
    );
    report(
        "many-writers",
        &format!(
            "{procs} PHP processes x {each} events at once into one store, each then umw_flush(); exit 0 and empty stderr in all; duplicate rate {rate:.3}% (target <= 0.1%)"
        ),
        &tally,
        if tally.lost == 0 && problems.is_empty() {
            if rate <= 0.1 { "pass" } else { "pass (duplicates above target)" }
        } else {
            "FAIL"
        },
    );
    assert!(problems.is_empty(), "writers failed: {problems:#?}");
    assert_eq!(
        tally.lost,
        0,
        "lost: {:?}",
        &tally.lost_ids[..tally.lost_ids.len().min(10)]
    );
}
