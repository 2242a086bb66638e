//! 7. Slow-loris receivers: one endpoint trickles a byte per second, one sends an endless
//! body. Attempts end at umw.timeout_ms and at the 16 KiB body cap; a healthy webhook next to
//! them gets its events promptly.

use crate::common::{Php, Receiver, Reply};
use crate::support::*;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

fn register(php: &Php, name: &str, url: &str, event: &str) -> i64 {
    php.ok(&format!(
        "<?php echo umw_register_webhook(['name' => '{name}', 'url' => '{url}', 'events' => ['{event}', 'all_three']]);"
    ))
    .trim()
    .parse()
    .unwrap()
}

pub fn scenario() {
    let n = size(24, 120);
    let timeout_ms = 2000u64;
    let trickle = Receiver::start(|_, _| Reply::Trickle(Duration::from_secs(1)));
    let endless = Receiver::start(|_, _| Reply::Endless);
    let healthy = Receiver::ok();
    let php = Php::new("slowloris")
        .set("umw.timeout_ms", &timeout_ms.to_string())
        .set("umw.retry_schedule", "")
        .set("umw.max_in_flight_per_webhook", "4");
    let wt = register(&php, "trickle", &trickle.url("/t"), "slow_event");
    let we = register(&php, "endless", &endless.url("/e"), "big_event");
    let wh = register(&php, "healthy", &healthy.url("/h"), "ok_event");
    // Wall clock ↔ Instant, to compare the receiver's arrival times with emit times.
    let (wall0, inst0) = (SystemTime::now(), Instant::now());
    let wall = |at: Instant| {
        (wall0 + at.duration_since(inst0))
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_secs_f64()
    };
    let out = php.ok(&format!(
        r#"<?php
for ($i = 0; $i < {n}; $i++) {{
    echo umw_emit('all_three', ['i' => $i, 't' => microtime(true)]), "\n";
    usleep(50000);
}}
umw_flush(150.0);
"#
    ));
    let ids = ids_in(&out);
    let rows = deliveries(&php);
    // Healthy: latency from emit to arrival.
    let mut latencies: Vec<f64> = healthy
        .requests()
        .iter()
        .map(|r| wall(r.at) - r.json()["t"].as_f64().unwrap())
        .collect();
    latencies.sort_by(|a, b| a.partial_cmp(b).unwrap());
    let max_latency = latencies.last().copied().unwrap_or(f64::INFINITY);
    let th = wait_delivered(&ids, &[&healthy], Duration::from_secs(5));
    // Trickle: every attempt is a timeout at ~timeout_ms.
    let mut problems = Vec::new();
    let (mut t_attempts, mut e_attempts, mut t_max, mut e_max, mut e_body) =
        (0, 0, 0.0f64, 0.0f64, 0usize);
    for d in &rows {
        let wid = d["webhook_id"].as_i64().unwrap();
        for a in d["attempts"].as_array().unwrap() {
            let took = a[2].as_f64().unwrap();
            let error = a[3].as_str().unwrap_or("");
            let body_len = a[4].as_u64().unwrap() as usize;
            if wid == wt {
                t_attempts += 1;
                t_max = t_max.max(took);
                if !error.starts_with("timeout")
                    || took < timeout_ms as f64 - 50.0
                    || took > timeout_ms as f64 + 1000.0
                {
                    problems.push(format!("trickle attempt: {took:.0} ms, {error:?}"));
                }
            } else if wid == we {
                e_attempts += 1;
                e_max = e_max.max(took);
                e_body = e_body.max(body_len);
                if body_len != 16 * 1024 || took > timeout_ms as f64 {
                    problems.push(format!(
                        "endless attempt: {took:.0} ms, body {body_len} bytes, {error:?}"
                    ));
                }
            } else if wid == wh && d["status"] != "delivered" {
                problems.push(format!("healthy delivery {}: {}", d["id"], d["status"]));
            }
        }
    }
    if t_attempts != n || e_attempts != n {
        problems.push(format!(
            "attempts: trickle {t_attempts}, endless {e_attempts}, expected {n} each"
        ));
    }
    if max_latency > 1.0 {
        problems.push(format!(
            "healthy webhook was slowed down: max latency {max_latency:.3}s"
        ));
    }
    println!(
        "slowloris: trickle {t_attempts} attempts, longest {t_max:.0} ms (timeout {timeout_ms}); endless {e_attempts} attempts, \
         longest {e_max:.0} ms, body kept {e_body} bytes; healthy: {} of {} delivered, latency median {:.3}s max {max_latency:.3}s",
        th.delivered,
        th.emitted,
        latencies.get(latencies.len() / 2).copied().unwrap_or(0.0)
    );
    let ok = problems.is_empty() && th.lost == 0;
    report(
        "slow-loris",
        &format!(
            "{n} events to 3 webhooks: 1-byte-per-second trickle (attempts end at umw.timeout_ms={timeout_ms}: longest {t_max:.0} ms), endless 200 body (ends at the 16 KiB cap, {e_max:.0} ms), healthy (max emit-to-arrival {:.0} ms); counts are the healthy webhook's",
            max_latency * 1000.0
        ),
        &th,
        if ok { "pass" } else { "FAIL" },
    );
    assert!(problems.is_empty(), "{problems:#?}");
    assert_eq!(th.lost, 0);
}
