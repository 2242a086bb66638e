//! The per-process engine: started lazily on first use, keyed on the process id.
//!
//! PHP-FPM and Apache prefork run module startup in the master and then fork. A runtime
//! inherited across `fork()` has no threads, and its store connections belong to the parent,
//! so a child abandons (forgets — never drops, dropping would close the parent's locks and
//! join threads that do not exist) what it inherited and starts its own.
//!
//! Two ways to deliver (`umw.delivery`):
//! - embedded: this process runs a writer thread and a delivery runtime (`Background`);
//! - agent: this process starts no threads: an emit is a copy into the host's spool, and the
//!   host's `umw-agent` persists and delivers it. When no agent has been alive for
//!   `umw.agent_fallback_seconds`, the process falls back to embedded delivery.
//!
//! Admin calls (`admin.rs`) work in both: they use the store directly, opened on first use.

use crate::engine::agent;
use crate::engine::catalog::Catalog;
use crate::engine::config::{Delivery, Settings};
use crate::engine::counters::Counters;
use crate::engine::directory::{Directory, SharedStore};
use crate::engine::error::{Error, Result};
use crate::engine::http;
use crate::engine::ids::IdGenerator;
use crate::engine::model::*;
use crate::engine::now_ms;
use crate::engine::spool::{Consumer, Spool};
use crate::engine::store::{self, PersistItem, StoreErrorKind};
use crate::engine::writer::{
    control_channel, emit_channel, unleased_deliveries, Control, LoopParts, Writer,
    RECYCLED_BUFFERS,
};
use crossbeam_channel::{Receiver, SendTimeoutError, Sender, TrySendError};
use parking_lot::Mutex;
use std::sync::atomic::Ordering;
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

/// How long a durable emit waits for room in a full queue before writing the store itself.
const SPOOLED_HANDOFF: Duration = Duration::from_secs(5);
/// How often an agent-mode process looks at the agent's heartbeat.
const AGENT_CHECK_EVERY: Duration = Duration::from_secs(1);

/// The store connection of the PHP thread and the directory that reads through it.
#[derive(Clone)]
pub struct Shared {
    pub store: SharedStore,
    pub directory: Arc<Directory>,
}

/// A writer thread and a delivery runtime in this process.
pub struct Background {
    emits: Sender<NewMessage>,
    pub control: Sender<Control>,
    /// Payload buffers the writer is done with (see `Writer::recycle`).
    payload_buffers: Receiver<Vec<u8>>,
    runtime: Mutex<Option<tokio::runtime::Runtime>>,
}

pub struct Engine {
    pub pid: u32,
    pub settings: Arc<Settings>,
    pub ids: Arc<IdGenerator>,
    pub counters: Arc<Counters>,
    pub owner: String,
    /// Where emits are made durable before they return (durable emit, agent mode).
    pub spool: Arc<Spool>,
    /// Opened on first use: a process in agent mode that only emits never connects.
    shared: Mutex<Option<Shared>>,
    /// From the start in embedded mode; in agent mode only after falling back.
    background: OnceLock<Background>,
    next_agent_check: Mutex<Instant>,
    /// Why an agent-mode process delivers itself.
    fallback: Mutex<Option<String>>,
    /// Emits made before falling back (they reach the store through the spool, not the queue).
    emitted_before_fallback: std::sync::atomic::AtomicU64,
    started_at: Instant,
}

pub struct TestResult {
    pub result: AttemptResult,
    pub delivery_id: String,
    pub message_id: String,
}

pub struct WorkReport {
    pub attempted: u64,
    pub delivered: u64,
    pub retrying: u64,
    pub failed: u64,
    pub remaining: i64,
}

/// How this process delivers right now.
pub struct DeliveryState {
    pub mode: Delivery,
    /// Agent mode, but this process delivers itself: why.
    pub fallback: Option<String>,
    pub agent: Option<agent::AgentStatus>,
    pub agent_alive: bool,
}

impl Engine {
    pub fn start(settings: Settings) -> Result<Engine> {
        crate::engine::fork::install_fork_guard();
        let settings = Arc::new(settings);
        let ids = Arc::new(IdGenerator::new());
        let pid = crate::engine::fork::pid();
        let owner = ids.next(&format!("p{pid}_"), now_ms());
        let consumer = match settings.delivery {
            Delivery::Embedded => Consumer::Writer,
            Delivery::Agent => Consumer::Agent,
        };
        let engine = Engine {
            pid,
            spool: Arc::new(Spool::new(settings.spool_dir.clone(), consumer)),
            settings,
            ids,
            counters: Arc::new(Counters::default()),
            owner,
            shared: Mutex::new(None),
            background: OnceLock::new(),
            next_agent_check: Mutex::new(Instant::now()),
            fallback: Mutex::new(None),
            emitted_before_fallback: std::sync::atomic::AtomicU64::new(0),
            started_at: Instant::now(),
        };
        match engine.settings.delivery {
            Delivery::Embedded => {
                let background = engine.start_background()?;
                let _ = engine.background.set(background);
            }
            Delivery::Agent => {
                // Refuse what cannot work before the first event is accepted.
                crate::engine::store::sqlite::create_private_dir(engine.spool.dir()).map_err(
                    |e| {
                        Error::Spool(crate::engine::spool::SpoolError::Io {
                            path: engine.spool.dir().display().to_string(),
                            source: e,
                        })
                    },
                )?;
            }
        }
        Ok(engine)
    }

    /// The PHP thread's store connection and directory, opened on first use.
    pub fn shared(&self) -> Result<Shared> {
        let mut guard = self.shared.lock();
        if let Some(shared) = guard.as_ref() {
            return Ok(shared.clone());
        }
        let store: SharedStore = Arc::new(Mutex::new(store::open(&self.settings.store)?));
        let shared = Shared {
            directory: Arc::new(Directory::new(store.clone())),
            store,
        };
        *guard = Some(shared.clone());
        Ok(shared)
    }

    pub fn store(&self) -> Result<SharedStore> {
        Ok(self.shared()?.store)
    }

    fn start_background(&self) -> Result<Background> {
        let settings = &self.settings;
        let shared = self.shared()?;
        let writer_store = store::open(&settings.store)?;
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("umw-worker")
            .on_thread_start(yield_to_requests)
            .enable_all()
            .build()
            .map_err(|e| Error::Runtime(format!("cannot start the delivery runtime: {e}")))?;
        let client = http::client(
            &settings.policy,
            settings.timeout,
            settings.max_in_flight_per_webhook,
        )?;
        let (emits, emit_rx) = emit_channel(settings.queue_capacity);
        let (control, control_rx) = control_channel();
        let (recycle, payload_buffers) = crossbeam_channel::bounded(RECYCLED_BUFFERS);
        let writer = Writer::new(
            LoopParts {
                settings: settings.clone(),
                counters: self.counters.clone(),
                ids: self.ids.clone(),
                owner: self.owner.clone(),
                store: writer_store,
                directory: shared.directory,
                runtime: runtime.handle().clone(),
                client,
                spool: self.spool.clone(),
            },
            emit_rx,
            (control.clone(), control_rx),
            recycle,
            None,
            None,
        );
        std::thread::Builder::new()
            .name("umw-writer".into())
            .spawn(move || {
                yield_to_requests();
                writer.run()
            })
            .map_err(|e| Error::Runtime(format!("cannot start the writer thread: {e}")))?;
        Ok(Background {
            emits,
            control,
            payload_buffers,
            runtime: Mutex::new(Some(runtime)),
        })
    }

    /// Deliver from this process from now on (agent mode without an agent, `umw_work`): start
    /// the background and let its writer replay what this process spooled for the agent.
    pub fn fall_back(&self, reason: &str) -> Result<()> {
        if self.background.get().is_some() {
            return Ok(());
        }
        let mut why = self.fallback.lock();
        if self.background.get().is_some() {
            return Ok(());
        }
        // Let the spooled segment go first, so the new writer's first replay finds it.
        self.spool.switch_to_writer();
        let background = match self.start_background() {
            Ok(background) => background,
            Err(e) => {
                self.spool.switch_to_agent();
                return Err(e);
            }
        };
        self.emitted_before_fallback.store(
            self.counters.emitted.load(Ordering::Acquire),
            Ordering::Release,
        );
        let _ = self.background.set(background);
        *why = Some(reason.to_string());
        Ok(())
    }

    /// The background, for a test send: agent mode with no live agent falls back first.
    pub(crate) fn background_for_test(&self) -> Result<Option<&Background>> {
        if self.background.get().is_none() && !self.delivery_state().agent_alive {
            self.fall_back("no agent alive to send a test event")?;
        }
        Ok(self.background.get())
    }

    pub fn uptime(&self) -> Duration {
        self.started_at.elapsed()
    }

    /// An empty buffer to encode the next payload into, reused when the writer has one spare.
    pub fn payload_buffer(&self) -> Vec<u8> {
        self.background
            .get()
            .and_then(|b| b.payload_buffers.try_recv().ok())
            .unwrap_or_default()
    }

    /// Accept an event. Embedded: handed to the background (through the spool first when
    /// durable); falls back to writing the store itself when the queue is full — an accepted
    /// event is never dropped. Agent: a copy into the spool, nothing else.
    pub fn emit(&self, mut message: NewMessage) -> Result<()> {
        if self.settings.durable_emit && self.settings.store.is_shared() {
            // Durable beyond this host: in the shared store before returning, so any web server
            // delivers it even if this one never runs again. While the store is unreachable,
            // durable on this host instead (the spool), persisted when it is back.
            match self.persist_now(&message) {
                Ok(()) => {
                    self.counters.emitted.fetch_add(1, Ordering::AcqRel);
                    return Ok(());
                }
                Err(Error::Store(e)) if e.kind == StoreErrorKind::Unavailable => {
                    self.counters.note_error(e.to_string());
                }
                Err(e) => return Err(e),
            }
        }
        match self.background.get() {
            Some(background) if self.durable() => {
                // Durable before returning: a copy into this process's mapped spool segment (no
                // store access on the request path; the writer drops events nobody takes). If
                // this process dies first, another replays it.
                message.spooled = self.spool.append(&message)?;
                self.hand_over(background, message, Some(SPOOLED_HANDOFF))?;
            }
            Some(background) => self.hand_over(background, message, None)?,
            None => {
                self.spool.append(&message)?;
                // Counted before a fallback may start, so the fallback knows it was spooled.
                self.counters.emitted.fetch_add(1, Ordering::AcqRel);
                self.watch_agent();
                return Ok(());
            }
        }
        self.counters.emitted.fetch_add(1, Ordering::AcqRel);
        Ok(())
    }

    /// Agent mode always spools; so does a process that fell back from it.
    fn durable(&self) -> bool {
        self.settings.durable_emit || self.settings.delivery == Delivery::Agent
    }

    /// Agent mode: now and then, make sure someone is delivering what this process spools.
    fn watch_agent(&self) {
        {
            let mut next = self.next_agent_check.lock();
            if Instant::now() < *next {
                return;
            }
            *next = Instant::now() + AGENT_CHECK_EVERY;
        }
        let silent_for = agent::last_beat(self.spool.dir())
            .and_then(|t| t.elapsed().ok())
            .unwrap_or(Duration::MAX);
        if silent_for > self.settings.agent_fallback {
            let reason = if silent_for == Duration::MAX {
                "no umw-agent has run on this host (no heartbeat)".to_string()
            } else {
                format!("no umw-agent heartbeat for {} s", silent_for.as_secs())
            };
            if let Err(e) = self.fall_back(&reason) {
                // Events stay safe in the spool; whoever runs next delivers them.
                self.counters.note_error(e.to_string());
            }
        }
    }

    /// How this process delivers, and what the agent's heartbeat says.
    pub fn delivery_state(&self) -> DeliveryState {
        let agent = agent::status(self.spool.dir());
        let alive = agent::last_beat(self.spool.dir())
            .and_then(|t| t.elapsed().ok())
            .is_some_and(|age| age <= self.settings.agent_fallback);
        DeliveryState {
            mode: self.settings.delivery,
            fallback: self.fallback.lock().clone(),
            agent,
            agent_alive: alive,
        }
    }

    /// Queue for the writer (waiting up to `wait` for room); if the queue stays full or the
    /// writer is gone, persist here.
    fn hand_over(
        &self,
        background: &Background,
        message: NewMessage,
        wait: Option<Duration>,
    ) -> Result<()> {
        let refused = match wait {
            None => background
                .emits
                .try_send(message)
                .err()
                .map(TrySendError::into_inner),
            Some(wait) => background
                .emits
                .send_timeout(message, wait)
                .err()
                .map(SendTimeoutError::into_inner),
        };
        match refused {
            None => {
                self.nudge_writer_if_filling(background);
                Ok(())
            }
            Some(message) => self.persist_now(&message),
        }
    }

    /// The writer looks at a busy queue on a timer instead of being woken by each emit; when a
    /// burst fills a quarter of it before then, wake it once (checked every 64 emits).
    fn nudge_writer_if_filling(&self, background: &Background) {
        let n = self.counters.emitted.load(Ordering::Relaxed);
        if n % 64 == 0
            && background.emits.len() >= self.settings.queue_capacity / 4
            && !self.counters.writer_nudged.swap(true, Ordering::AcqRel)
        {
            let _ = background.control.send(Control::Wake);
        }
    }

    /// Write one message and its deliveries (unleased: any process or host claims them) to the
    /// store from this thread.
    fn persist_now(&self, message: &NewMessage) -> Result<()> {
        let now = now_ms();
        let shared = self.shared()?;
        let snapshot = shared.directory.fresh(Instant::now())?;
        let deliveries = unleased_deliveries(&snapshot, message, &self.ids, now);
        if deliveries.is_empty() {
            self.counters.settle(1);
            return Ok(());
        }
        let tracked = deliveries.iter().map(|(id, _, _)| id.clone()).collect();
        shared.store.lock().persist(
            &[PersistItem {
                message,
                deliveries,
                is_test: false,
            }],
            &self.owner,
            0,
            now,
        )?;
        match self.background.get() {
            // Tracked for umw_flush, and claimed now rather than at the next poll.
            Some(background) => {
                let _ = background.control.send(Control::Track {
                    deliveries: tracked,
                });
            }
            None => self.counters.settle(1),
        }
        Ok(())
    }

    /// Wait until everything emitted so far is persisted and had its first attempt (embedded),
    /// or is persisted by the agent (agent mode).
    pub fn flush(&self, timeout: Duration) -> bool {
        let deadline = Instant::now() + timeout;
        match self.background.get() {
            Some(background) => self.flush_background(background, deadline),
            None => loop {
                if self.spool.agent_caught_up() {
                    return true;
                }
                if Instant::now() >= deadline {
                    return false;
                }
                self.watch_agent();
                if let Some(background) = self.background.get() {
                    // Fell back meanwhile: the writer replays the spool; wait for it.
                    return self.flush_background(background, deadline);
                }
                std::thread::sleep(Duration::from_millis(5));
            },
        }
    }

    /// Everything queued settled; after a fallback, also what was spooled for the agent before
    /// it (replayed by the writer).
    fn flush_background(&self, background: &Background, deadline: Instant) -> bool {
        let before = self.emitted_before_fallback.load(Ordering::Acquire);
        let target = self.counters.emitted.load(Ordering::Acquire) - before;
        let _ = background.control.send(Control::Wake);
        if !self.counters.wait_settled(target, deadline) {
            return false;
        }
        while !self.spool.let_go_done() {
            if Instant::now() >= deadline {
                return false;
            }
            std::thread::sleep(Duration::from_millis(5));
        }
        true
    }

    /// A webhook changed: let the writer poll now, so re-enabled webhooks resume at once.
    pub(crate) fn wake_writer(&self) {
        if let Some(background) = self.background.get() {
            let _ = background.control.send(Control::Wake);
        }
    }

    pub fn queued(&self) -> usize {
        self.background.get().map_or(0, |b| b.emits.len())
    }

    /// Process end: persist everything queued, give in-flight deliveries up to the shutdown
    /// timeout, hand back the claims on the rest, stop the runtime without waiting on it.
    pub fn shutdown(&self) {
        if let Some(background) = self.background.get() {
            let (ack, done) = crossbeam_channel::bounded(1);
            if background.control.send(Control::Drain { ack }).is_ok() {
                let _ = done.recv_timeout(Duration::from_secs(30));
            }
            let deadline = Instant::now() + self.settings.shutdown_timeout;
            while self.counters.outstanding.load(Ordering::Acquire) > 0 && Instant::now() < deadline
            {
                std::thread::sleep(Duration::from_millis(2));
            }
            let (ack, done) = crossbeam_channel::bounded(1);
            if background.control.send(Control::Finish { ack }).is_ok() {
                let _ = done.recv_timeout(Duration::from_secs(10));
            }
            if let Some(runtime) = background.runtime.lock().take() {
                runtime.shutdown_background();
            }
        }
        self.spool.close();
    }
}

/// Background threads run at a lower scheduling priority than the PHP thread that serves the
/// request: on a saturated host, the request comes first and deliveries catch up after (nothing
/// is lost meanwhile — a full queue spills to the store). Linux applies nice per thread; threads
/// inherit it from the thread that creates them.
pub(crate) fn yield_to_requests() {
    // SAFETY: plain system calls on this thread's own id; failure leaves the priority unchanged.
    unsafe {
        let tid = libc::syscall(libc::SYS_gettid) as libc::id_t;
        let current = libc::getpriority(libc::PRIO_PROCESS, tid);
        libc::setpriority(libc::PRIO_PROCESS, tid, (current + BACKGROUND_NICE).min(19));
    }
}

/// How much lower (on nice's 0..19 scale) the background threads run than the PHP thread.
const BACKGROUND_NICE: libc::c_int = 10;

/// The catalog of event types, per process: built-ins plus what plugins registered.
pub static CATALOG: Mutex<Option<Catalog>> = Mutex::new(None);

pub fn with_catalog<T>(f: impl FnOnce(&mut Catalog) -> T) -> T {
    let mut guard = CATALOG.lock();
    f(guard.get_or_insert_with(Catalog::with_builtins))
}

/// This process's engine. Only the PHP thread calls this (PHP is single-threaded here), so
/// the lock is never held across a fork.
static CURRENT: Mutex<Option<Arc<Engine>>> = Mutex::new(None);

pub fn current(load_settings: impl FnOnce() -> Result<Settings>) -> Result<Arc<Engine>> {
    let pid = crate::engine::fork::pid();
    let mut guard = CURRENT.lock();
    if let Some(engine) = guard.as_ref() {
        if engine.pid == pid {
            return Ok(engine.clone());
        }
        if let Some(inherited) = guard.take() {
            inherited.spool.forget_inherited();
            std::mem::forget(inherited);
        }
    }
    let engine = Arc::new(Engine::start(load_settings()?)?);
    *guard = Some(engine.clone());
    Ok(engine)
}

/// The running engine of this process, without starting one.
pub fn running() -> Option<Arc<Engine>> {
    let guard = CURRENT.lock();
    guard
        .as_ref()
        .filter(|e| e.pid == crate::engine::fork::pid())
        .cloned()
}

/// Shut down this process's engine (module shutdown). An inherited one is forgotten.
pub fn shutdown_current() {
    let taken = CURRENT.lock().take();
    if let Some(engine) = taken {
        if engine.pid == crate::engine::fork::pid() {
            engine.shutdown();
        }
        // Threads may still hold clones; the process is ending, so never run destructors that
        // could block on them.
        std::mem::forget(engine);
    }
}
