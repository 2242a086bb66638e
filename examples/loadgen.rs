//! Open-loop HTTP load generator for the benchmark (`bench/run.sh`, section 2).
//!
//! wrk keeps N connections busy back to back (closed loop): on a saturated 2-core machine its
//! latencies measure the run queue, not the page. This sends GETs at a fixed rate on a schedule
//! and times each request from the moment it was released — before it waits for a free
//! connection, so a slower server shows up as queueing in the percentiles instead of as a lower
//! send rate (no coordinated omission). Release times follow tokio's millisecond timer; how late
//! they ran behind the schedule is reported as `behind_ms` (the generator's own lag).
//!
//!   loadgen <url> <requests/s> <seconds> [max concurrent] [Host header]
//!
//! The Host header lets a site that must see its own domain (the WordPress multisite of the
//! benchmark, 127.0.0.6) be reached through another listener.
//!
//! Prints key=value lines: sent, ok, errors, rate, p50_ms, p90_ms, p99_ms, p999_ms, max_ms,
//! behind_ms.

use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::{Mutex, Semaphore};

fn arg<T: std::str::FromStr>(args: &[String], i: usize, default: Option<T>) -> T {
    match args.get(i).map(|s| s.parse::<T>()) {
        Some(Ok(v)) => v,
        _ => match default {
            Some(v) => v,
            None => {
                eprintln!(
                    "usage: loadgen <url> <requests/s> <seconds> [max concurrent] [Host header]"
                );
                std::process::exit(2);
            }
        },
    }
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1].as_secs_f64() * 1000.0
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let url: String = arg(&args, 1, None);
    let rate: f64 = arg(&args, 2, None);
    let seconds: f64 = arg(&args, 3, None);
    let concurrency: usize = arg(&args, 4, Some(64));
    let host: Option<String> = args.get(5).cloned();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("tokio runtime");
    runtime.block_on(run(url, host, rate, seconds, concurrency));
}

async fn run(url: String, host: Option<String>, rate: f64, seconds: f64, concurrency: usize) {
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(concurrency)
        .timeout(Duration::from_secs(30))
        .no_proxy()
        .build()
        .expect("http client");
    let slots = Arc::new(Semaphore::new(concurrency));
    let latencies = Arc::new(Mutex::new(Vec::<Duration>::new()));
    let errors = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let total = (rate * seconds).round() as usize;
    let interval = Duration::from_secs_f64(1.0 / rate);
    let start = Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    let mut behind = Duration::ZERO;
    for i in 0..total {
        let due = start + interval.mul_f64(i as f64);
        tokio::time::sleep_until(due.into()).await;
        let (client, url, host, slots, latencies, errors) = (
            client.clone(),
            url.clone(),
            host.clone(),
            slots.clone(),
            latencies.clone(),
            errors.clone(),
        );
        let released = Instant::now();
        behind = behind.max(released.saturating_duration_since(due));
        tasks.spawn(async move {
            let Ok(_slot) = slots.acquire_owned().await else {
                return;
            };
            let mut request = client.get(&url);
            if let Some(host) = host {
                request = request.header(reqwest::header::HOST, host);
            }
            let ok = match request.send().await {
                Ok(response) => response.status().is_success() && response.bytes().await.is_ok(),
                Err(_) => false,
            };
            if ok {
                latencies.lock().await.push(released.elapsed());
            } else {
                errors.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            }
        });
    }
    while tasks.join_next().await.is_some() {}
    let elapsed = start.elapsed().as_secs_f64();
    let mut all = latencies.lock().await.clone();
    all.sort();
    println!("sent={total}");
    println!("ok={}", all.len());
    println!(
        "errors={}",
        errors.load(std::sync::atomic::Ordering::Relaxed)
    );
    println!("rate={:.1}", all.len() as f64 / elapsed);
    for (key, p) in [("p50", 50.0), ("p90", 90.0), ("p99", 99.0), ("p999", 99.9)] {
        println!("{key}_ms={:.3}", percentile(&all, p));
    }
    println!("max_ms={:.3}", percentile(&all, 100.0));
    println!("behind_ms={:.3}", behind.as_secs_f64() * 1000.0);
}
