//! The delivery agent: one process per host (`umw-agent`) that reads every PHP process's spool
//! segments, persists them in large transactions and delivers — the same writer loop and
//! dispatcher the embedded mode runs in each PHP process, fed by the spool instead of a channel.
//!
//! It says it is alive with a heartbeat file in the spool directory (`agent.json`, rewritten
//! every second), which PHP processes read to report on it and to fall back to embedded
//! delivery when it is gone.

use crate::engine::config::Settings;
use crate::engine::counters::Counters;
use crate::engine::directory::{Directory, SharedStore};
use crate::engine::error::{Error, Result};
use crate::engine::ids::IdGenerator;
use crate::engine::now_ms;
use crate::engine::spool::{self, Consumer, Spool, Tailer};
use crate::engine::store;
use crate::engine::writer::{control_channel, emit_channel, Control, LoopParts, Writer};
use parking_lot::Mutex;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

pub const HEARTBEAT_FILE: &str = "agent.json";
/// How often the heartbeat is written.
pub const BEAT_EVERY: Duration = Duration::from_secs(1);

/// What the heartbeat says.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct AgentStatus {
    pub pid: u32,
    pub host: String,
    pub version: String,
    pub started_at: i64,
    pub heartbeat_at: i64,
    /// Segments followed and record bytes not yet persisted.
    pub spool_segments: usize,
    pub spool_backlog_bytes: u64,
    pub ingested: u64,
    pub delivered: u64,
    pub failed: u64,
    pub in_flight: u64,
    pub store: String,
}

impl AgentStatus {
    /// Seconds since the last beat (by the heartbeat's own clock, the host's).
    pub fn age(&self, now_ms: i64) -> Duration {
        Duration::from_millis(now_ms.saturating_sub(self.heartbeat_at).max(0) as u64)
    }
}

/// The agent of this spool directory, as its heartbeat file last said.
pub fn status(spool_dir: &Path) -> Option<AgentStatus> {
    let text = std::fs::read_to_string(spool_dir.join(HEARTBEAT_FILE)).ok()?;
    serde_json::from_str(&text).ok()
}

/// When the heartbeat was last written (a stat, no read): for the check on the emit path.
pub fn last_beat(spool_dir: &Path) -> Option<std::time::SystemTime> {
    std::fs::metadata(spool_dir.join(HEARTBEAT_FILE))
        .and_then(|m| m.modified())
        .ok()
}

/// Writes the heartbeat.
pub struct Heartbeat {
    path: PathBuf,
    status: AgentStatus,
    next: Instant,
}

impl Heartbeat {
    pub fn new(spool_dir: &Path, store: String) -> Heartbeat {
        let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
            .map(|h| h.trim().to_string())
            .unwrap_or_default();
        Heartbeat {
            path: spool_dir.join(HEARTBEAT_FILE),
            status: AgentStatus {
                pid: std::process::id(),
                host,
                version: env!("CARGO_PKG_VERSION").into(),
                started_at: now_ms(),
                store,
                ..Default::default()
            },
            next: Instant::now(),
        }
    }

    /// Rewrite the file when a beat is due (atomically: readers never see half of it).
    pub fn beat(&mut self, tailer: &Tailer, counters: &Counters, ingested: u64) {
        if Instant::now() < self.next {
            return;
        }
        self.next = Instant::now() + BEAT_EVERY;
        let (segments, bytes) = tailer.backlog();
        let s = &mut self.status;
        s.heartbeat_at = now_ms();
        s.spool_segments = segments;
        s.spool_backlog_bytes = bytes;
        s.ingested = ingested;
        s.delivered = counters.delivered.load(Ordering::Relaxed);
        s.failed = counters.failed.load(Ordering::Relaxed);
        s.in_flight = counters.in_flight.load(Ordering::Relaxed);
        let Ok(text) = serde_json::to_vec(s) else {
            return;
        };
        let tmp = self.path.with_extension("json.tmp");
        if write_private(&tmp, &text).is_ok() {
            let _ = std::fs::rename(&tmp, &self.path);
        }
    }
}

fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(path)?;
    f.write_all(bytes)
}

/// What `umw-agent --check` found.
pub struct Check {
    pub lines: Vec<(bool, String)>,
}

impl Check {
    pub fn ok(&self) -> bool {
        self.lines.iter().all(|(ok, _)| *ok)
    }
}

/// Whether the settings, the store and the spool are usable, without starting anything.
pub fn check(settings: &Settings) -> Check {
    let mut lines = Vec::new();
    lines.push((
        true,
        format!(
            "settings: delivery={}, store={}",
            settings.delivery.as_str(),
            settings.store
        ),
    ));
    match store::open(&settings.store) {
        Ok(mut s) => {
            let health = s.health();
            let counts = s.counts();
            lines.push((
                true,
                format!(
                    "store: {} ({}), schema version {}",
                    health.location, health.backend, health.schema_version
                ),
            ));
            for w in health.warnings {
                lines.push((false, format!("store: {w}: readable by other users")));
            }
            match counts {
                Ok(c) => lines.push((
                    true,
                    format!(
                        "store: {} webhooks, {} waiting",
                        c.webhooks,
                        c.pending + c.retrying
                    ),
                )),
                Err(e) => lines.push((false, format!("store: {e}"))),
            }
        }
        Err(e) => lines.push((false, format!("store: {e}"))),
    }
    let dir = &settings.spool_dir;
    match crate::engine::store::sqlite::create_private_dir(dir) {
        Ok(()) => {
            let probe = dir.join(format!(".check-{}", std::process::id()));
            match write_private(&probe, b"ok") {
                Ok(()) => {
                    let _ = std::fs::remove_file(&probe);
                    let st = spool::status(dir);
                    lines.push((
                        true,
                        format!(
                            "spool: {} writable, {} segments, {} bytes waiting",
                            st.dir, st.segments, st.bytes
                        ),
                    ));
                    for w in st.warnings {
                        lines.push((false, format!("spool: {w}: readable by other users")));
                    }
                }
                Err(e) => lines.push((
                    false,
                    format!("spool: {} is not writable: {e}", dir.display()),
                )),
            }
        }
        Err(e) => lines.push((
            false,
            format!("spool: cannot create {}: {e}", dir.display()),
        )),
    }
    if let Some(other) = status(dir) {
        let age = other.age(now_ms());
        let alive = age < Duration::from_secs(5) && other.pid != std::process::id();
        lines.push((
            !alive,
            if alive {
                format!(
                    "agent: another agent (pid {}) is running on this spool",
                    other.pid
                )
            } else {
                format!(
                    "agent: last heartbeat {} s ago (pid {})",
                    age.as_secs(),
                    other.pid
                )
            },
        ));
    }
    Check { lines }
}

/// Run the agent until `stop` is set (SIGTERM), then drain like an FPM worker's graceful end:
/// persist everything read, give attempts in flight the shutdown time, give back the rest.
///
/// Like the embedded background threads, the agent runs 10 nice levels below the PHP workers
/// (set here, before any thread starts, so every thread inherits it): on a saturated host the
/// request comes first and deliveries catch up after — measured in bench/README.md.
pub fn run(settings: Settings, stop: &AtomicBool) -> Result<()> {
    crate::engine::runtime::yield_to_requests();
    let settings = Arc::new(settings);
    let shared: SharedStore = Arc::new(Mutex::new(store::open(&settings.store)?));
    let writer_store = store::open(&settings.store)?;
    let directory = Arc::new(Directory::new(shared));
    crate::engine::store::sqlite::create_private_dir(&settings.spool_dir).map_err(|e| {
        Error::Runtime(format!(
            "cannot create the spool {}: {e}",
            settings.spool_dir.display()
        ))
    })?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name("umw-agent-worker")
        .enable_all()
        .build()
        .map_err(|e| Error::Runtime(format!("cannot start the delivery runtime: {e}")))?;
    let client = crate::engine::http::client(
        &settings.policy,
        settings.timeout,
        settings.max_in_flight_per_webhook,
    )?;
    let ids = Arc::new(IdGenerator::new());
    let counters = Arc::new(Counters::default());
    let owner = ids.next(&format!("agent{}_", std::process::id()), now_ms());
    // The agent takes no emits of its own: the channel stays empty, its sender alive.
    let (_emits, emit_rx) = emit_channel(1);
    let (control, control_rx) = control_channel();
    let (recycle, _buffers) = crossbeam_channel::bounded(1);
    let writer = Writer::new(
        LoopParts {
            settings: settings.clone(),
            counters: counters.clone(),
            ids,
            owner,
            store: writer_store,
            directory,
            runtime: runtime.handle().clone(),
            client,
            spool: Arc::new(Spool::new(settings.spool_dir.clone(), Consumer::Agent)),
        },
        emit_rx,
        (control.clone(), control_rx),
        recycle,
        Some(Tailer::new(settings.spool_dir.clone())),
        Some(Heartbeat::new(
            &settings.spool_dir,
            settings.store.to_string(),
        )),
    );
    let loop_thread = std::thread::Builder::new()
        .name("umw-agent".into())
        .spawn(move || writer.run())
        .map_err(|e| Error::Runtime(format!("cannot start the agent loop: {e}")))?;
    while !stop.load(Ordering::Acquire) {
        std::thread::sleep(Duration::from_millis(50));
    }
    // Graceful end: persist what was read, let attempts in flight finish, give back the rest.
    let (ack, drained) = crossbeam_channel::bounded(1);
    if control.send(Control::Drain { ack }).is_ok() {
        let _ = drained.recv_timeout(Duration::from_secs(30));
    }
    let deadline = Instant::now() + settings.shutdown_timeout;
    while counters.outstanding.load(Ordering::Acquire) > 0 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(5));
    }
    let (ack, finished) = crossbeam_channel::bounded(1);
    if control.send(Control::Finish { ack }).is_ok() {
        let _ = finished.recv_timeout(Duration::from_secs(10));
    }
    let _ = loop_thread.join();
    runtime.shutdown_timeout(Duration::from_secs(1));
    Ok(())
}
