//! 4. Endpoint outage and flapping: one endpoint answers 503, another is not listening at all;
//! then both fail every other request; then both are healthy. Every event is delivered, the
//! attempts follow the retry schedule, and inactive webhooks get nothing.

use crate::common::{Php, Receiver, Reply};
use crate::support::*;
use std::io::{BufRead, BufReader};
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

fn register(php: &Php, name: &str, url: &str, active: bool) -> i64 {
    php.ok(&format!(
        "<?php echo umw_register_webhook(['name' => '{name}', 'url' => '{url}', 'events' => ['*'], 'active' => {}]);",
        if active { "true" } else { "false" }
    ))
    .trim()
    .parse()
    .expect("webhook id")
}

pub fn scenario() {
    let (outage, flapping, n) = if crate::support::soak() {
        (Duration::from_secs(20), Duration::from_secs(20), 3_000)
    } else {
        (Duration::from_secs(4), Duration::from_secs(4), 300)
    };
    let schedule: Vec<f64> = if soak() {
        vec![2.0, 2.0, 4.0, 4.0, 8.0, 8.0, 8.0, 8.0, 8.0, 8.0]
    } else {
        vec![1.0, 1.0, 1.0, 2.0, 2.0, 2.0, 3.0, 3.0, 3.0]
    };
    let schedule_ini = schedule
        .iter()
        .map(|s| s.to_string())
        .collect::<Vec<_>>()
        .join(",");
    let t0 = Arc::new(Mutex::new(Instant::now()));
    let phase = {
        let t0 = t0.clone();
        move || {
            let e = t0.lock().unwrap().elapsed();
            if e < outage {
                0
            } else if e < outage + flapping {
                1
            } else {
                2
            }
        }
    };
    // W1: 503 during the outage, every other request 503 while flapping.
    let p1 = phase.clone();
    let (a1, a2) = (Accepted::default(), Accepted::default());
    let r1 = Receiver::start(a1.script(move |i, _| match p1() {
        0 => Reply::Status(503),
        1 if i % 2 == 0 => Reply::Status(503),
        _ => Reply::Status(200),
    }));
    // W2: nothing listens on its port during the outage (connection refused).
    let port2 = free_port();
    // W3: inactive from the start. W4: active, failing, switched off during the outage.
    let r3 = Receiver::ok();
    let r4 = Receiver::start(|_, _| Reply::Status(500));

    let php = Php::new("outage")
        .set("umw.retry_schedule", &schedule_ini)
        .set("umw.timeout_ms", "2000");
    let w1 = register(&php, "w1", &r1.url("/hook"), true);
    let w2 = register(&php, "w2", &format!("http://127.0.0.1:{port2}/hook"), true);
    let w3 = register(&php, "w3", &r3.url("/hook"), false);
    let w4 = register(&php, "w4", &r4.url("/hook"), true);
    let flag = php.dir.path("done.flag");

    let code = format!(
        r#"<?php
$t0 = microtime(true);
for ($i = 0; $i < {half}; $i++) echo umw_emit('payment_received', ['i' => $i]), "\n";
// The second half arrives while the endpoints flap.
while (microtime(true) - $t0 < {flap_at}) usleep(50000);
for ($i = {half}; $i < {n}; $i++) {{ echo umw_emit('payment_received', ['i' => $i]), "\n"; if ($i % 10 == 0) usleep(20000); }}
echo "emitted-all\n";
while (!file_exists('{flag}') && microtime(true) - $t0 < {limit}) usleep(100000);
"#,
        half = n / 2,
        flap_at = outage.as_secs_f64() + 0.5,
        flag = flag.display(),
        limit = (outage + flapping).as_secs_f64() + schedule.iter().sum::<f64>() * 1.3 + 30.0,
    );
    *t0.lock().unwrap() = Instant::now();
    let mut child = php
        .command(&code)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let ids = Arc::new(Mutex::new(Vec::<String>::new()));
    let all_emitted = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let reader = {
        let (ids, all) = (ids.clone(), all_emitted.clone());
        let stdout = child.stdout.take().unwrap();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if line.starts_with("msg_") {
                    ids.lock().unwrap().push(line);
                } else if line == "emitted-all" {
                    all.store(true, std::sync::atomic::Ordering::SeqCst);
                }
            }
        })
    };

    // Mid-outage: switch W4 off while its deliveries are retrying.
    std::thread::sleep(outage / 2);
    php.ok(&format!(
        "<?php umw_update_webhook({w4}, ['active' => false]);"
    ));
    let w4_off_at = Instant::now();
    // Outage over for W2: start listening, flapping first.
    let remaining = outage.saturating_sub(t0.lock().unwrap().elapsed());
    std::thread::sleep(remaining);
    let p2 = phase.clone();
    let _r2 = Receiver::start_on(
        &format!("127.0.0.1:{port2}"),
        a2.script(move |i, _| match p2() {
            1 if i % 2 == 0 => Reply::Status(503),
            _ => Reply::Status(200),
        }),
    );

    let deadline = Instant::now() + outage + flapping + Duration::from_secs(60);
    while !all_emitted.load(std::sync::atomic::Ordering::SeqCst) && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
    }
    let emitted = ids.lock().unwrap().clone();
    let budget = deadline.saturating_duration_since(Instant::now());
    let t1 = wait_tally(budget, || Tally::of_ids(&emitted, &a1.ids()));
    let t2 = wait_tally(Duration::from_secs(20), || {
        Tally::of_ids(&emitted, &a2.ids())
    });
    std::fs::write(&flag, "done").unwrap();
    let out = child.wait_with_output().unwrap();
    reader.join().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();

    // Attempts against the schedule: gap(k -> k+1) ≈ schedule[k] × jitter [0.8, 1.2]
    // (plus the attempt's own duration and the writer's poll latency).
    let rows = deliveries(&php);
    let slack = 1.5;
    let mut early = Vec::new();
    let mut late = Vec::new();
    let mut gaps = 0;
    let mut max_attempts = 0;
    let mut w4_after_off = 0;
    for d in &rows {
        let wid = d["webhook_id"].as_i64().unwrap();
        let attempts = d["attempts"].as_array().unwrap();
        if wid == w4 {
            continue;
        }
        if wid != w1 && wid != w2 {
            continue;
        }
        max_attempts = max_attempts.max(attempts.len());
        for (k, pair) in attempts.windows(2).enumerate() {
            let (a, b) = (&pair[0], &pair[1]);
            let gap = b[0].as_f64().unwrap() - a[0].as_f64().unwrap();
            let took = a[2].as_f64().unwrap() / 1000.0;
            let s = schedule[k];
            gaps += 1;
            if gap < 0.8 * s - 0.02 {
                early.push((d["id"].clone(), k, gap, s));
            } else if gap > 1.2 * s + took + slack {
                late.push((d["id"].clone(), k, gap, s));
            }
        }
    }
    // W4: requests that arrived after it was switched off (one in-flight round allowed: 250 ms).
    for req in r4.requests() {
        if req.at > w4_off_at + Duration::from_millis(250) {
            w4_after_off += 1;
        }
    }
    let w4_total = r4.count();
    let w4_views = rows
        .iter()
        .filter(|d| d["webhook_id"].as_i64() == Some(w4))
        .count();
    let _ = w3;
    println!(
        "outage: W1 (503 then flapping) delivered={} lost={} duplicates={}; {} requests in all\n\
         W2 (refused then flapping) delivered={} lost={}\n\
         {gaps} retry gaps checked: {} early, {} later than 1.2 x schedule + {slack}s; max attempts {max_attempts}; \
         inactive W3 got {} requests; W4 got {w4_total} before being switched off, {w4_after_off} after ({w4_views} deliveries stay parked)",
        t1.delivered,
        t1.lost,
        t1.duplicates,
        r1.count(),
        t2.delivered,
        t2.lost,
        early.len(),
        late.len(),
        r3.count()
    );
    if !early.is_empty() || !late.is_empty() {
        println!(
            "early: {:?}\nlate: {:?}",
            &early[..early.len().min(5)],
            &late[..late.len().min(5)]
        );
    }
    let combined = Tally {
        emitted: t1.emitted,
        delivered: t1.delivered.min(t2.delivered),
        duplicates: t1.duplicates + t2.duplicates,
        lost: t1.lost.max(t2.lost),
        unexpected: t1.unexpected + t2.unexpected,
        lost_ids: t1.lost_ids.iter().chain(&t2.lost_ids).cloned().collect(),
    };
    let ok = combined.lost == 0
        && early.is_empty()
        && late.is_empty()
        && r3.count() == 0
        && w4_after_off == 0
        && stderr.trim().is_empty();
    report(
        "outage-flapping",
        &format!(
            "2 endpoints (503 / connection refused) down {:.0}s, then failing every other request {:.0}s, then healthy; schedule {schedule_ini}; {gaps} retry gaps within schedule x [0.8,1.2] (+{slack}s); inactive webhook 0 requests, webhook switched off mid-outage {w4_after_off} after",
            outage.as_secs_f64(),
            flapping.as_secs_f64()
        ),
        &combined,
        if ok { "pass" } else { "FAIL" },
    );
    assert!(stderr.trim().is_empty(), "stderr: {stderr}");
    assert_eq!(
        combined.lost,
        0,
        "lost: {:?}",
        &combined.lost_ids[..combined.lost_ids.len().min(10)]
    );
    assert!(
        early.is_empty(),
        "attempts earlier than the schedule allows: {early:?}"
    );
    assert!(
        late.is_empty(),
        "attempts later than the schedule allows: {late:?}"
    );
    assert_eq!(r3.count(), 0, "an inactive webhook received requests");
    assert_eq!(
        w4_after_off, 0,
        "a webhook switched off kept receiving requests"
    );
}
