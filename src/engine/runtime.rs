//! The per-process engine: started lazily on first use, keyed on the process id.
//!
//! PHP-FPM and Apache prefork run module startup in the master and then fork. A runtime
//! inherited across `fork()` has no threads, and its SQLite connections belong to the parent,
//! so a child abandons (forgets — never drops, dropping would close the parent's locks and
//! join threads that do not exist) what it inherited and starts its own.

use crate::engine::catalog::Catalog;
use crate::engine::config::Settings;
use crate::engine::counters::Counters;
use crate::engine::directory::{Directory, SharedStore};
use crate::engine::dispatch::{Dispatcher, TaskContext};
use crate::engine::error::{Error, Result};
use crate::engine::http;
use crate::engine::ids::IdGenerator;
use crate::engine::model::*;
use crate::engine::now_ms;
use crate::engine::signing;
use crate::engine::spool::Spool;
use crate::engine::store::{self, PersistItem, StoreHealth};
use crate::engine::validate;
use crate::engine::writer::{
    control_channel, emit_channel, unleased_deliveries, Control, Writer, RECYCLED_BUFFERS,
};
use crossbeam_channel::{Receiver, SendTimeoutError, Sender, TrySendError};
use parking_lot::Mutex;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::Semaphore;

/// Rotated-out secrets keep signing for this long, so receivers can switch without a gap.
pub const ROTATION_GRACE: Duration = Duration::from_secs(24 * 3600);
/// A test send waits this long past the attempt timeout for its result to be recorded.
const TEST_GRACE: Duration = Duration::from_secs(5);
const TEST_POLL: Duration = Duration::from_millis(5);
const WORK_POLL: Duration = Duration::from_millis(20);
/// Finished deliveries removed per transaction when pruning.
pub const PRUNE_BATCH: usize = 500;
/// How long a durable emit waits for room in a full queue before writing the store itself.
const SPOOLED_HANDOFF: Duration = Duration::from_secs(5);

pub struct Engine {
    pub pid: u32,
    pub settings: Arc<Settings>,
    pub ids: Arc<IdGenerator>,
    pub counters: Arc<Counters>,
    pub owner: String,
    emits: Sender<NewMessage>,
    control: Sender<Control>,
    /// Payload buffers the writer is done with (see `Writer::recycle`).
    payload_buffers: Receiver<Vec<u8>>,
    /// Where durable emits are made durable before they return.
    spool: Arc<Spool>,
    runtime: Mutex<Option<tokio::runtime::Runtime>>,
    /// The PHP thread's own connection: admin calls, durable emits, test events; the directory
    /// reads through it too.
    store: SharedStore,
    directory: Arc<Directory>,
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

impl Engine {
    pub fn start(settings: Settings) -> Result<Engine> {
        crate::engine::fork::install_fork_guard();
        let settings = Arc::new(settings);
        let store: SharedStore = Arc::new(Mutex::new(store::open(&settings.store)?));
        let writer_store = store::open(&settings.store)?;
        let directory = Arc::new(Directory::new(store.clone()));
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("umw-worker")
            .on_thread_start(yield_to_requests)
            .enable_all()
            .build()
            .map_err(|e| Error::Runtime(format!("cannot start the delivery runtime: {e}")))?;
        let handle = runtime.handle().clone();
        let client = http::client(
            &settings.policy,
            settings.timeout,
            settings.max_in_flight_per_webhook,
        )?;
        let ids = Arc::new(IdGenerator::new());
        let counters = Arc::new(Counters::default());
        let pid = crate::engine::fork::pid();
        let owner = ids.next(&format!("p{pid}_"), now_ms());
        let (emits, emit_rx) = emit_channel(settings.queue_capacity);
        let (control, control_rx) = control_channel();
        let (recycle, payload_buffers) = crossbeam_channel::bounded(RECYCLED_BUFFERS);
        let spool = Arc::new(Spool::new(settings.spool_dir.clone()));
        let done = control.clone();
        let tasks = Arc::new(TaskContext {
            client,
            settings: settings.clone(),
            global: Arc::new(Semaphore::new(settings.max_in_flight)),
            counters: counters.clone(),
            directory: directory.clone(),
            done: Box::new(move |job, result| {
                let _ = done.send(Control::Outcome {
                    job: Box::new(job),
                    result: Box::new(result),
                });
            }),
        });
        let writer = Writer {
            store: writer_store,
            settings: settings.clone(),
            counters: counters.clone(),
            ids: ids.clone(),
            emits: emit_rx,
            control: control_rx,
            directory: directory.clone(),
            dispatcher: Dispatcher::new(
                settings.clone(),
                counters.clone(),
                owner.clone(),
                handle,
                tasks,
            ),
            recycle,
            spool: spool.clone(),
        };
        std::thread::Builder::new()
            .name("umw-writer".into())
            .spawn(move || {
                yield_to_requests();
                writer.run()
            })
            .map_err(|e| Error::Runtime(format!("cannot start the writer thread: {e}")))?;
        Ok(Engine {
            pid,
            settings,
            ids,
            counters,
            owner,
            emits,
            control,
            payload_buffers,
            spool,
            runtime: Mutex::new(Some(runtime)),
            store,
            directory,
            started_at: Instant::now(),
        })
    }

    pub fn uptime(&self) -> Duration {
        self.started_at.elapsed()
    }

    /// An empty buffer to encode the next payload into, reused when the writer has one spare.
    pub fn payload_buffer(&self) -> Vec<u8> {
        self.payload_buffers.try_recv().unwrap_or_default()
    }

    /// Hand an event to the background. Falls back to writing the store itself when the queue
    /// is full (or the writer is gone) — an accepted event is never dropped.
    pub fn emit(&self, mut message: NewMessage) -> Result<()> {
        if !self.settings.durable_emit {
            self.hand_over(message, None)?;
        } else if self.subscribed(&message)? {
            // Durable before returning: one append to this process's spool segment. The writer
            // then persists it like any emit; if this process dies first, another replays it.
            message.spooled = self.spool.append(&message)?;
            self.hand_over(message, Some(SPOOLED_HANDOFF))?;
        } else {
            self.counters.settle(1);
        }
        self.counters.emitted.fetch_add(1, Ordering::AcqRel);
        Ok(())
    }

    /// Queue for the writer (waiting up to `wait` for room); if the queue stays full or the
    /// writer is gone, persist here.
    fn hand_over(&self, message: NewMessage, wait: Option<Duration>) -> Result<()> {
        let refused = match wait {
            None => self
                .emits
                .try_send(message)
                .err()
                .map(TrySendError::into_inner),
            Some(wait) => self
                .emits
                .send_timeout(message, wait)
                .err()
                .map(SendTimeoutError::into_inner),
        };
        match refused {
            None => {
                self.nudge_writer_if_filling();
                Ok(())
            }
            Some(message) => self.persist_now(message),
        }
    }

    /// The writer looks at a busy queue on a timer instead of being woken by each emit; when a
    /// burst fills a quarter of it before then, wake it once (checked every 64 emits).
    fn nudge_writer_if_filling(&self) {
        let n = self.counters.emitted.load(Ordering::Relaxed);
        if n % 64 == 0
            && self.emits.len() >= self.settings.queue_capacity / 4
            && !self.counters.writer_nudged.swap(true, Ordering::AcqRel)
        {
            let _ = self.control.send(Control::Wake);
        }
    }

    /// Whether any live webhook takes this event (events nobody takes cost no disk write).
    /// Asked of a remote store only now and then: a round trip per emit would cost more than
    /// spooling an event nobody takes (the writer drops those).
    fn subscribed(&self, message: &NewMessage) -> Result<bool> {
        if !self.store.lock().version_is_local() {
            return Ok(true);
        }
        let snapshot = self.directory.fresh(Instant::now())?;
        Ok(snapshot.takes_any(message.network_id, &message.event))
    }

    fn persist_now(&self, message: NewMessage) -> Result<()> {
        let now = now_ms();
        let snapshot = self.directory.fresh(Instant::now())?;
        let deliveries = unleased_deliveries(&snapshot, &message, &self.ids, now);
        if deliveries.is_empty() {
            self.counters.settle(1);
            return Ok(());
        }
        let tracked = deliveries.iter().map(|(id, _, _)| id.clone()).collect();
        self.store.lock().persist(
            &[PersistItem {
                message: &message,
                deliveries,
                is_test: false,
            }],
            &self.owner,
            0,
            now,
        )?;
        let _ = self.control.send(Control::Track {
            deliveries: tracked,
        });
        Ok(())
    }

    /// Wait until everything emitted so far is persisted and had its first attempt.
    pub fn flush(&self, timeout: Duration) -> bool {
        let target = self.counters.emitted.load(Ordering::Acquire);
        let _ = self.control.send(Control::Wake);
        self.counters.wait_settled(target, Instant::now() + timeout)
    }

    /// A webhook changed: let the writer poll now, so re-enabled webhooks resume at once.
    fn wake_writer(&self) {
        let _ = self.control.send(Control::Wake);
    }

    pub fn register_webhook(&self, input: WebhookInput) -> Result<i64> {
        let input = validate::input(input, &self.settings.policy)?;
        if input.name.is_none() {
            return Err(Error::invalid("name", "is required"));
        }
        if input.url.is_none() {
            return Err(Error::invalid("url", "is required"));
        }
        let secret = match &input.secret {
            Some(s) => s.clone(),
            None => signing::try_generate_secret()
                .map_err(|e| Error::Runtime(format!("no randomness for a secret: {e}")))?,
        };
        let id = self
            .store
            .lock()
            .insert_webhook(&input, &secret, now_ms())?;
        self.wake_writer();
        Ok(id)
    }

    pub fn webhook(&self, id: i64) -> Result<Option<Webhook>> {
        Ok(self.store.lock().get_webhook(id)?)
    }

    pub fn webhooks(&self, filter: &WebhookFilter) -> Result<Vec<Webhook>> {
        Ok(self.store.lock().list_webhooks(filter)?)
    }

    pub fn update_webhook(&self, id: i64, input: WebhookInput) -> Result<Option<Webhook>> {
        let input = validate::input(input, &self.settings.policy)?;
        let updated = self.store.lock().update_webhook(id, &input, now_ms())?;
        self.wake_writer();
        Ok(updated)
    }

    pub fn delete_webhook(&self, id: i64) -> Result<bool> {
        let deleted = self.store.lock().delete_webhook(id)?;
        self.wake_writer();
        Ok(deleted)
    }

    pub fn rotate_secret(&self, id: i64, new_secret: Option<String>) -> Result<Option<String>> {
        let secret = match new_secret {
            Some(s) => validate::secret(&s)?,
            None => signing::try_generate_secret()
                .map_err(|e| Error::Runtime(format!("no randomness for a secret: {e}")))?,
        };
        let now = now_ms();
        let grace_until = now + ROTATION_GRACE.as_millis() as i64;
        let rotated = self
            .store
            .lock()
            .rotate_secret(id, &secret, grace_until, now)?;
        self.wake_writer();
        Ok(rotated.then_some(secret))
    }

    /// Deliver once, now, through this process's own delivery loop, and wait for the recorded
    /// result; logged as a test.
    pub fn send_test(
        &self,
        webhook: &Webhook,
        event: String,
        payload: Vec<u8>,
    ) -> Result<TestResult> {
        let now = now_ms();
        let message_id = self.ids.next("msg_", now);
        let delivery_id = self.ids.next("dlv_", now);
        let message = NewMessage {
            id: message_id.clone(),
            network_id: webhook.network_id,
            event: event.clone(),
            payload: payload.clone(),
            created_at: now,
            spooled: 0,
        };
        let lease_until = now + self.settings.lease().as_millis() as i64;
        self.store.lock().persist(
            &[PersistItem {
                message: &message,
                deliveries: vec![(delivery_id.clone(), webhook.id, true)],
                is_test: true,
            }],
            &self.owner,
            lease_until,
            now,
        )?;
        let job = Job {
            delivery_id: delivery_id.clone(),
            message_id: message_id.clone(),
            network_id: webhook.network_id,
            event,
            payload: Arc::new(payload),
            message_created_at: now,
            attempts_made: 0,
            is_test: true,
            target: Arc::new(webhook.target(now)),
        };
        self.control
            .send(Control::Dispatch { jobs: vec![job] })
            .map_err(|_| Error::Runtime("the delivery loop has stopped".into()))?;
        let result = self.await_first_attempt(&delivery_id)?;
        Ok(TestResult {
            result,
            delivery_id,
            message_id,
        })
    }

    /// Wait until a delivery's first attempt is recorded, and read it back.
    fn await_first_attempt(&self, delivery_id: &str) -> Result<AttemptResult> {
        let deadline = Instant::now() + self.settings.timeout + TEST_GRACE;
        loop {
            let found = self.store.lock().delivery(delivery_id, now_ms())?;
            if let Some(attempt) = found.and_then(|d| d.attempts.into_iter().next()) {
                return Ok(AttemptResult {
                    time_ms: attempt.time_ms,
                    url: attempt.url.unwrap_or_default(),
                    request_headers: attempt.request_headers,
                    status_code: attempt.status_code.map(|c| c as u16),
                    duration_ms: attempt.duration_ms,
                    error: attempt.error,
                    response_body: attempt.response_body,
                    response_headers: attempt.response_headers,
                    retry_after: None,
                });
            }
            if Instant::now() >= deadline {
                return Err(Error::Runtime(format!(
                    "no attempt of {delivery_id} was recorded within the timeout; it stays in the log"
                )));
            }
            std::thread::sleep(TEST_POLL);
        }
    }

    /// Let this process's delivery loop work in the foreground until nothing is due (or the
    /// time is up, waiting for scheduled retries meanwhile); report what it did.
    pub fn work(&self, limit: Option<Duration>) -> Result<WorkReport> {
        let started = Instant::now();
        let load = |a: &std::sync::atomic::AtomicU64| a.load(Ordering::Acquire);
        let before = (
            load(&self.counters.delivered),
            load(&self.counters.retrying),
            load(&self.counters.failed),
        );
        let mut last_wake = None::<Instant>;
        loop {
            if last_wake.is_none_or(|t| t.elapsed() >= Duration::from_millis(200)) {
                self.wake_writer();
                last_wake = Some(Instant::now());
            }
            std::thread::sleep(WORK_POLL);
            let busy = self.counters.outstanding.load(Ordering::Acquire) > 0;
            if let Some(limit) = limit {
                if started.elapsed() >= limit {
                    break;
                }
                let counts = self.store.lock().counts()?;
                if !busy && counts.pending + counts.retrying == 0 {
                    break;
                }
            } else if !busy {
                let now = now_ms();
                let next = self.store.lock().next_due(now)?;
                // Nothing due now (only later retries, or others' claims): done.
                if next.is_none_or(|t| t > now) && started.elapsed() >= WORK_POLL * 5 {
                    break;
                }
            }
        }
        let counts = self.store.lock().counts()?;
        let delivered = load(&self.counters.delivered) - before.0;
        let retrying = load(&self.counters.retrying) - before.1;
        let failed = load(&self.counters.failed) - before.2;
        Ok(WorkReport {
            attempted: delivered + retrying + failed,
            delivered,
            retrying,
            failed,
            remaining: counts.pending + counts.retrying,
        })
    }

    pub fn deliveries(&self, filter: &DeliveryFilter) -> Result<Vec<DeliveryView>> {
        Ok(self.store.lock().deliveries(filter, now_ms())?)
    }

    pub fn count_deliveries(&self, filter: &DeliveryFilter) -> Result<i64> {
        Ok(self.store.lock().count_deliveries(filter)?)
    }

    pub fn delivery(&self, id: &str) -> Result<Option<DeliveryView>> {
        Ok(self.store.lock().delivery(id, now_ms())?)
    }

    pub fn delivery_stats(&self, query: &StatsQuery) -> Result<Vec<StatsBucket>> {
        Ok(self.store.lock().delivery_stats(query)?)
    }

    /// Remove finished deliveries older than `older_than` in small batches (other processes
    /// keep writing in between); space is given back afterwards.
    pub fn prune(&self, older_than: Duration) -> Result<PruneReport> {
        let before = now_ms() - older_than.as_millis() as i64;
        let mut total = PruneReport::default();
        loop {
            let step = self.store.lock().prune(before, PRUNE_BATCH)?;
            total.add(step);
            if step.deliveries < PRUNE_BATCH as u64 {
                break;
            }
        }
        self.store.lock().reclaim_space()?;
        Ok(total)
    }

    pub fn spool_status(&self) -> crate::engine::spool::SpoolStatus {
        crate::engine::spool::status(self.spool.dir())
    }

    pub fn store_health(&self) -> StoreHealth {
        self.store.lock().health()
    }

    pub fn redeliver(&self, id: &str) -> Result<bool> {
        let done = self.store.lock().redeliver(id, now_ms())?;
        let _ = self.control.send(Control::Wake);
        Ok(done)
    }

    /// Re-queue failed deliveries of a live webhook (a disabled one would fail them again).
    pub fn replay(&self, webhook_id: i64, since_ms: i64) -> Result<i64> {
        let mut store = self.store.lock();
        match store.get_webhook(webhook_id)? {
            None => return Err(Error::invalid("webhook_id", format!("no webhook with id {webhook_id}"))),
            Some(w) if w.disabled_at.is_some() => {
                return Err(Error::invalid(
                    "webhook_id",
                    format!(
                        "webhook {webhook_id} is disabled ({}); enable it first (set active to true), then replay",
                        w.disabled_reason.as_deref().unwrap_or("no reason given")
                    ),
                ))
            }
            Some(w) if !w.active => {
                return Err(Error::invalid(
                    "webhook_id",
                    format!("webhook {webhook_id} is inactive; activate it first, then replay"),
                ))
            }
            Some(_) => {}
        }
        let n = store.replay(webhook_id, since_ms, now_ms())?;
        drop(store);
        let _ = self.control.send(Control::Wake);
        Ok(n)
    }

    pub fn counts(&self) -> Result<StoreCounts> {
        Ok(self.store.lock().counts()?)
    }

    pub fn queued(&self) -> usize {
        self.emits.len()
    }

    /// Process end: persist everything queued, give in-flight deliveries up to the shutdown
    /// timeout, hand back the claims on the rest, stop the runtime without waiting on it.
    pub fn shutdown(&self) {
        let (ack, done) = crossbeam_channel::bounded(1);
        if self.control.send(Control::Drain { ack }).is_ok() {
            let _ = done.recv_timeout(Duration::from_secs(30));
        }
        let deadline = Instant::now() + self.settings.shutdown_timeout;
        while self.counters.outstanding.load(Ordering::Acquire) > 0 && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(2));
        }
        let (ack, done) = crossbeam_channel::bounded(1);
        if self.control.send(Control::Finish { ack }).is_ok() {
            let _ = done.recv_timeout(Duration::from_secs(10));
        }
        if let Some(runtime) = self.runtime.lock().take() {
            runtime.shutdown_background();
        }
        self.spool.close();
    }
}

/// Background threads run at a lower scheduling priority than the PHP thread that serves the
/// request: on a saturated host, the request comes first and deliveries catch up after (nothing
/// is lost meanwhile — a full queue spills to the store). Linux applies nice per thread.
fn yield_to_requests() {
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
