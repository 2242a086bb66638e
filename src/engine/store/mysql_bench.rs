//! Not a test: persist, claim and record rates of both backends side by side, printed
//! (`cargo test --release --lib throughput -- --ignored --nocapture`, with the test MariaDB's
//! `UMW_TEST_MYSQL_URL` set).

use crate::engine::model::*;
use crate::engine::store::mysql_tests::{all_room, hook, messages, open_for_test, persist, T0};
use crate::engine::store::{Store, Transition};
use std::time::Instant;

#[test]
#[ignore]
fn throughput_sqlite_vs_mysql() {
    fn run(name: &str, store: &mut dyn Store) {
        let webhook = hook(store, "bench");
        let total = 20_000;
        let batch = 200;
        let all = messages(0, total);
        let started = Instant::now();
        for (i, chunk) in all.chunks(batch).enumerate() {
            persist(store, webhook, chunk, &format!("b{i}"), T0).unwrap();
        }
        let persist_rate = total as f64 / started.elapsed().as_secs_f64();
        let started = Instant::now();
        let mut jobs = Vec::new();
        loop {
            let one = Instant::now();
            let got = store
                .claim_due("bench", T0 + 1, T0 + 60_000, batch, &all_room)
                .unwrap();
            if std::env::var("UMW_BENCH_VERBOSE").is_ok() && jobs.len() % 4000 == 0 {
                println!("{name} claim at {}: {:?}", jobs.len(), one.elapsed());
            }
            if got.is_empty() {
                break;
            }
            jobs.extend(got);
        }
        let claim_rate = jobs.len() as f64 / started.elapsed().as_secs_f64();
        assert_eq!(jobs.len(), total);
        let started = Instant::now();
        for chunk in jobs.chunks(batch) {
            let outcomes: Vec<crate::engine::store::Outcome> = chunk
                .iter()
                .map(|j| crate::engine::store::Outcome {
                    delivery_id: j.delivery_id.clone(),
                    webhook_id: webhook,
                    attempt: AttemptResult {
                        time_ms: T0 + 2,
                        url: j.target.url.clone(),
                        status_code: Some(200),
                        duration_ms: 3.0,
                        response_body: "ok".into(),
                        ..Default::default()
                    },
                    transition: Transition::Delivered,
                    disable: None,
                    is_test: false,
                })
                .collect();
            store.record(&outcomes, T0 + 3, i64::MIN).unwrap();
        }
        let record_rate = total as f64 / started.elapsed().as_secs_f64();
        println!(
            "{name:>7}: persist {persist_rate:>8.0}/s  claim {claim_rate:>8.0}/s  record {record_rate:>8.0}/s  (batches of {batch})"
        );
    }
    let dir = std::env::temp_dir().join(format!("umw-bench-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let mut sqlite =
        crate::engine::store::sqlite::SqliteStore::open(&dir.join("umw.sqlite")).unwrap();
    run("sqlite", &mut sqlite);
    if let Some(mut mysql) = open_for_test("bench") {
        run("mariadb", &mut mysql);
    }
    // Moving over: 20 000 waiting deliveries (with their messages) from SQLite into MariaDB.
    let mut from =
        crate::engine::store::sqlite::SqliteStore::open(&dir.join("copy.sqlite")).unwrap();
    let webhook = hook(&mut from, "copy");
    for (i, chunk) in messages(0, 20_000).chunks(500).enumerate() {
        persist(&mut from, webhook, chunk, &format!("c{i}"), T0).unwrap();
    }
    if let Some(mut into) = open_for_test("benchcopy") {
        let options = crate::engine::store::transfer::CopyOptions::default();
        let started = Instant::now();
        let mut cursor = None;
        loop {
            let step = crate::engine::store::transfer::copy_step(
                &mut from,
                &mut into,
                cursor.as_ref(),
                &options,
            )
            .unwrap();
            match step.cursor {
                Some(next) => cursor = Some(next),
                None => break,
            }
        }
        let rate = 20_000.0 / started.elapsed().as_secs_f64();
        println!(
            "   copy: sqlite -> mariadb {rate:>8.0} deliveries/s (batches of {})",
            options.batch
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}
