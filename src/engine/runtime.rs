//! The per-process engine: started lazily on first use, keyed on the process id.
//!
//! PHP-FPM and Apache prefork run module startup in the master and then fork. A runtime
//! inherited across `fork()` has no threads, and its SQLite connections belong to the parent,
//! so a child abandons (forgets — never drops, dropping would close the parent's locks and
//! join threads that do not exist) what it inherited and starts its own.

use crate::engine::catalog::Catalog;
use crate::engine::config::Settings;
use crate::engine::delivery::attempt;
use crate::engine::error::{Error, Result};
use crate::engine::http;
use crate::engine::ids::IdGenerator;
use crate::engine::model::*;
use crate::engine::now_ms;
use crate::engine::signing;
use crate::engine::spool::Spool;
use crate::engine::store::{self, PersistItem, Store, StoreHealth, Transition};
use crate::engine::validate;
use crate::engine::writer::{
    control_channel, disable_cutoff, emit_channel, outcome_for, recover_into, unleased_deliveries,
    Control, Counters, SubscriptionCache, TaskContext, Writer, RECYCLED_BUFFERS,
};
use crossbeam_channel::{Receiver, SendTimeoutError, Sender, TrySendError};
use parking_lot::Mutex;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::Semaphore;

/// Rotated-out secrets keep signing for this long, so receivers can switch without a gap.
pub const ROTATION_GRACE: Duration = Duration::from_secs(24 * 3600);
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
    handle: tokio::runtime::Handle,
    client: reqwest::Client,
    /// The PHP thread's own connection: admin calls, durable emits, test events.
    store: Mutex<Box<dyn Store>>,
    cache: Mutex<SubscriptionCache>,
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
        let store = store::open(&settings.store)?;
        let writer_store = store::open(&settings.store)?;
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
        let writer = Writer {
            store: writer_store,
            settings: settings.clone(),
            counters: counters.clone(),
            ids: ids.clone(),
            owner: owner.clone(),
            emits: emit_rx,
            control: control_rx,
            runtime: handle.clone(),
            tasks: Arc::new(TaskContext {
                client: client.clone(),
                policy: settings.policy.clone(),
                timeout: settings.timeout,
                global: Arc::new(Semaphore::new(settings.max_in_flight)),
                ctl: control.clone(),
                counters: counters.clone(),
            }),
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
            handle,
            client,
            store: Mutex::new(store),
            cache: Mutex::new(SubscriptionCache::new()),
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
        let mut store = self.store.lock();
        if !store.version_is_local() {
            return Ok(true);
        }
        let webhooks = self.cache.lock().refresh(store.as_mut())?;
        Ok(webhooks
            .iter()
            .any(|w| w.takes(message.network_id, &message.event)))
    }

    fn persist_now(&self, message: NewMessage) -> Result<()> {
        let now = now_ms();
        let mut store = self.store.lock();
        let webhooks = self.cache.lock().refresh(store.as_mut())?;
        let deliveries = unleased_deliveries(&webhooks, &message, &self.ids, now);
        if deliveries.is_empty() {
            self.counters.settle(1);
            return Ok(());
        }
        let tracked = deliveries.iter().map(|(id, _, _)| id.clone()).collect();
        store.persist(
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

    fn block_on<F: std::future::Future>(&self, f: F) -> F::Output {
        self.handle.block_on(f)
    }

    /// Deliver once, now, synchronously; recorded in the log as a test.
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
            event,
            payload: Arc::new(payload),
            message_created_at: now,
            attempts_made: 0,
            is_test: true,
            target: Arc::new(webhook.target(now)),
        };
        let result = self.block_on(attempt(
            &self.client,
            &self.settings.policy,
            &job,
            self.settings.timeout,
            now_ms(),
        ));
        let outcome = outcome_for(&self.settings, &job, result.clone(), now_ms());
        let now = now_ms();
        self.store
            .lock()
            .record(&[outcome], now, disable_cutoff(&self.settings, now))?;
        Ok(TestResult {
            result,
            delivery_id,
            message_id,
        })
    }

    /// Run due deliveries in the foreground until none are due or the time is up.
    pub fn work(&self, limit: Option<Duration>) -> Result<WorkReport> {
        let started = Instant::now();
        let mut report = WorkReport {
            attempted: 0,
            delivered: 0,
            retrying: 0,
            failed: 0,
            remaining: 0,
        };
        let owner = format!("{}_fg", self.owner);
        let batch = self.settings.max_in_flight.max(1);
        recover_into(self.store.lock().as_mut(), &self.ids, self.spool.dir())?;
        loop {
            if limit.is_some_and(|l| started.elapsed() >= l) {
                break;
            }
            let now = now_ms();
            let lease_until = now + self.settings.lease().as_millis() as i64;
            let jobs = self
                .store
                .lock()
                .claim_due(&owner, now, lease_until, batch, &|_| batch)?;
            if jobs.is_empty() {
                // Without a time limit: done once nothing is due. With one: wait for what is
                // scheduled (retries, other processes' claims) until the queue is empty.
                let Some(limit) = limit else { break };
                let mut store = self.store.lock();
                let counts = store.counts()?;
                if counts.pending + counts.retrying == 0 {
                    break;
                }
                let next = store.next_due(now)?.unwrap_or(now + 1000);
                drop(store);
                let left = limit.saturating_sub(started.elapsed());
                let wait = Duration::from_millis((next - now).clamp(20, 1000) as u64).min(left);
                std::thread::sleep(wait);
                continue;
            }
            let client = self.client.clone();
            let policy = self.settings.policy.clone();
            let timeout = self.settings.timeout;
            let per_webhook = self.settings.max_in_flight_per_webhook;
            let results = self.block_on(async move {
                let mut semaphores: std::collections::HashMap<i64, Arc<Semaphore>> =
                    Default::default();
                let mut set = tokio::task::JoinSet::new();
                for job in jobs {
                    let semaphore = semaphores
                        .entry(job.target.webhook_id)
                        .or_insert_with(|| Arc::new(Semaphore::new(per_webhook)))
                        .clone();
                    let client = client.clone();
                    let policy = policy.clone();
                    set.spawn(async move {
                        let _permit = semaphore.acquire_owned().await;
                        let result = attempt(&client, &policy, &job, timeout, now_ms()).await;
                        (job, result)
                    });
                }
                let mut out = Vec::new();
                while let Some(joined) = set.join_next().await {
                    if let Ok(pair) = joined {
                        out.push(pair);
                    }
                }
                out
            });
            let now = now_ms();
            let outcomes: Vec<_> = results
                .into_iter()
                .map(|(job, result)| outcome_for(&self.settings, &job, result, now))
                .collect();
            for o in &outcomes {
                report.attempted += 1;
                match o.transition {
                    Transition::Delivered => report.delivered += 1,
                    Transition::Retry { .. } => report.retrying += 1,
                    Transition::Failed => report.failed += 1,
                }
            }
            self.store
                .lock()
                .record(&outcomes, now, disable_cutoff(&self.settings, now))?;
        }
        let counts = self.store.lock().counts()?;
        report.remaining = counts.pending + counts.retrying;
        Ok(report)
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
