//! Shared helpers for the fault-injection scenarios: counting by `webhook-id`, reporting one
//! line per scenario, a foreground "sweeper" PHP run that delivers leftovers, process groups.

use crate::common::{Php, Receiver};
use std::collections::{HashMap, HashSet};
use std::io::Write;
use std::process::Command;
use std::time::{Duration, Instant};

/// `UMW_SOAK=1`: the long versions.
pub fn soak() -> bool {
    std::env::var("UMW_SOAK").map(|v| v == "1").unwrap_or(false)
}

/// Pick the short or the long value.
pub fn size<T>(short: T, long: T) -> T {
    if soak() {
        long
    } else {
        short
    }
}

/// A random number without a rand dependency (RandomState is seeded from the OS).
pub fn random_u64() -> u64 {
    use std::hash::{BuildHasher, Hasher};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u128(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos(),
    );
    h.finish()
}

/// Message ids (the lines of PHP output that look like ids).
pub fn ids_in(stdout: &str) -> Vec<String> {
    stdout
        .lines()
        .map(str::trim)
        .filter(|l| l.starts_with("msg_") && l.len() == 30)
        .map(str::to_string)
        .collect()
}

/// The millisecond timestamp inside a `msg_…` id (48 bits of ms, then nonce and counter, in
/// Crockford base32).
pub fn id_ms(id: &str) -> i64 {
    const ALPHABET: &[u8] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    let mut v: u128 = 0;
    for c in id.trim_start_matches("msg_").bytes() {
        let d = ALPHABET.iter().position(|a| *a == c).unwrap_or(0) as u128;
        v = (v << 5) | d;
    }
    (v >> 80) as i64
}

#[derive(Debug, Clone, Default)]
pub struct Tally {
    pub emitted: usize,
    /// Emitted ids received at least once.
    pub delivered: usize,
    /// Extra requests for emitted ids beyond the first.
    pub duplicates: usize,
    pub lost: usize,
    /// Requests whose id was not in the emitted set (events emitted but never reported to us).
    pub unexpected: usize,
    pub lost_ids: Vec<String>,
}

impl Tally {
    /// Every request counts (for receivers that always answer 2xx).
    pub fn of(emitted: &[String], receivers: &[&Receiver]) -> Tally {
        let received: Vec<String> = receivers
            .iter()
            .flat_map(|r| r.requests())
            .map(|req| req.header("webhook-id").unwrap_or("").to_string())
            .collect();
        Tally::of_ids(emitted, &received)
    }

    /// Only the given ids count as delivered (e.g. the ones a flapping receiver answered 2xx).
    pub fn of_ids(emitted: &[String], received: &[String]) -> Tally {
        let want: HashSet<&str> = emitted.iter().map(String::as_str).collect();
        let mut seen: HashMap<String, usize> = HashMap::new();
        let mut unexpected = 0;
        {
            for id in received {
                let id = id.clone();
                if want.contains(id.as_str()) {
                    *seen.entry(id).or_default() += 1;
                } else {
                    unexpected += 1;
                }
            }
        }
        let lost_ids: Vec<String> = emitted
            .iter()
            .filter(|id| !seen.contains_key(*id))
            .cloned()
            .collect();
        Tally {
            emitted: want.len(),
            delivered: seen.len(),
            duplicates: seen.values().map(|n| n - 1).sum(),
            lost: lost_ids.len(),
            unexpected,
            lost_ids,
        }
    }

    pub fn duplicate_rate(&self) -> f64 {
        if self.emitted == 0 {
            0.0
        } else {
            self.duplicates as f64 / self.emitted as f64
        }
    }
}

/// Ids a receiver answered with 2xx: wrap its script with [`Accepted::script`].
#[derive(Clone, Default)]
pub struct Accepted(pub std::sync::Arc<std::sync::Mutex<Vec<String>>>);

impl Accepted {
    pub fn script(
        &self,
        script: impl Fn(usize, &crate::common::Received) -> crate::common::Reply + Send + Sync + 'static,
    ) -> impl Fn(usize, &crate::common::Received) -> crate::common::Reply + Send + Sync + 'static
    {
        let log = self.0.clone();
        move |i, req| {
            let reply = script(i, req);
            let ok = match &reply {
                crate::common::Reply::Status(c)
                | crate::common::Reply::StatusWithHeaders(c, _, _)
                | crate::common::Reply::Delay(_, c) => (200..300).contains(c),
                _ => false,
            };
            if ok {
                log.lock()
                    .unwrap()
                    .push(req.header("webhook-id").unwrap_or("").to_string());
            }
            reply
        }
    }
    pub fn ids(&self) -> Vec<String> {
        self.0.lock().unwrap().clone()
    }
}

/// Poll `tally` until nothing is lost or the timeout.
pub fn wait_tally(timeout: Duration, tally: impl Fn() -> Tally) -> Tally {
    let deadline = Instant::now() + timeout;
    loop {
        let t = tally();
        if t.lost == 0 || Instant::now() >= deadline {
            return t;
        }
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// Wait until every id arrived at the receivers (or the timeout); returns the final tally.
pub fn wait_delivered(emitted: &[String], receivers: &[&Receiver], timeout: Duration) -> Tally {
    let deadline = Instant::now() + timeout;
    loop {
        let total: usize = receivers.iter().map(|r| r.count()).sum();
        if total >= emitted.len() || Instant::now() >= deadline {
            let t = Tally::of(emitted, receivers);
            if t.lost == 0 || Instant::now() >= deadline {
                return t;
            }
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// Print the scenario line and, when `UMW_FAULTS_TABLE` names a file, append a markdown row.
pub fn report(scenario: &str, what: &str, t: &Tally, verdict: &str) {
    println!(
        "{scenario}: emitted={} delivered={} duplicates={} lost={}",
        t.emitted, t.delivered, t.duplicates, t.lost
    );
    if let Ok(path) = std::env::var("UMW_FAULTS_TABLE") {
        if let Ok(mut f) = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
        {
            let _ = writeln!(
                f,
                "| {scenario} | {what} | {} | {} | {} | {} | {verdict} |",
                t.emitted, t.delivered, t.duplicates, t.lost
            );
        }
    }
}

/// A note for the README (printed, and appended to `UMW_FAULTS_NOTES` when set).
pub fn note(text: &str) {
    println!("note: {text}");
    if let Ok(path) = std::env::var("UMW_FAULTS_NOTES") {
        if let Ok(mut f) = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
        {
            let _ = writeln!(f, "- {text}");
        }
    }
}

/// PHP that delivers what is left in the store in the foreground: `umw_work()` until nothing
/// is pending or retrying (leases of dead processes expire meanwhile), up to `seconds`.
/// Prints the final store counts as JSON.
pub fn sweeper_code(seconds: f64) -> String {
    format!(
        r#"<?php
$deadline = microtime(true) + {seconds};
do {{
    umw_work(1.0);
    $c = umw_stats()['store_counts'];
    if ($c['pending'] + $c['retrying'] == 0) break;
    usleep(200000);
}} while (microtime(true) < $deadline);
umw_flush(5.0);
echo json_encode(umw_stats()['store_counts']), "\n";
"#
    )
}

/// Run the sweeper; returns its JSON line (store counts).
pub fn sweep(php: &Php, seconds: f64) -> String {
    php.ok(&sweeper_code(seconds)).trim().to_string()
}

/// The deliveries of the store as compact JSON rows (id, message_id, webhook_id, status,
/// attempts: [time, status_code, duration_ms, error, body_len]).
pub fn deliveries_code() -> &'static str {
    r#"<?php
$out = [];
for ($offset = 0; ; $offset += 1000) {
    $page = umw_deliveries(['limit' => 1000, 'offset' => $offset]);
    foreach ($page as $d) {
        $out[] = [
            'id' => $d['id'], 'message_id' => $d['message_id'], 'webhook_id' => $d['webhook_id'],
            'status' => $d['status'],
            'attempts' => array_map(fn($a) => [$a['time'], $a['status_code'], $a['duration_ms'], $a['error'], strlen($a['response_body'])], $d['attempts']),
        ];
    }
    if (count($page) < 1000) break;
}
echo json_encode($out);
"#
}

pub fn deliveries(php: &Php) -> Vec<serde_json::Value> {
    let out = php.ok(deliveries_code());
    serde_json::from_str::<Vec<serde_json::Value>>(out.trim()).expect("deliveries JSON")
}

/// Kills a whole process group on drop (SIGTERM, then SIGKILL).
pub struct Group {
    pub name: &'static str,
    pub child: std::process::Child,
}

impl Group {
    pub fn pid(&self) -> u32 {
        self.child.id()
    }
    pub fn signal(&self, sig: &str) {
        let _ = Command::new("kill")
            .args([sig, "--", &format!("-{}", self.pid())])
            .stderr(std::process::Stdio::null())
            .status();
    }
    /// Send `sig` to the group leader only and wait up to `timeout` for it to exit.
    pub fn stop_gracefully(&mut self, sig: &str, timeout: Duration) -> bool {
        let _ = Command::new("kill")
            .args([sig, &self.pid().to_string()])
            .status();
        let deadline = Instant::now() + timeout;
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return true;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        false
    }
}

impl Drop for Group {
    fn drop(&mut self) {
        if let Ok(Some(_)) = self.child.try_wait() {
            // The leader is gone; stragglers of its group still get the signal below.
        }
        self.signal("-TERM");
        std::thread::sleep(Duration::from_millis(200));
        self.signal("-KILL");
        let _ = self.child.wait();
    }
}

/// A free loopback port (bound and released).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// stderr lines that are not expected noise.
pub fn stderr_problems(stderr: &str) -> Vec<String> {
    stderr
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(str::to_string)
        .collect()
}
