//! The per-process writer thread: the one place this process writes deliveries.
//!
//! It receives emitted messages over the bounded crossbeam channel and control messages
//! (attempt outcomes, drain/finish at shutdown) over an unbounded one, batches them into one
//! SQLite transaction, and hands claimed deliveries to the tokio runtime. Batching is what lets
//! one SQLite file take tens of thousands of events per second; a single writer per process
//! means the HTTP tasks never wait on SQLite.

use crate::engine::config::Settings;
use crate::engine::delivery::{attempt, decide};
use crate::engine::ids::IdGenerator;
use crate::engine::model::{AttemptResult, Job, NewMessage, Target, Webhook};
use crate::engine::now_ms;
use crate::engine::spool::{self, Spool};
use crate::engine::store::{Outcome, PersistItem, Store, WebhooksVersion};
use crossbeam_channel::{Receiver, Sender};
use parking_lot::{Condvar, Mutex};
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::Semaphore;

const BATCH: usize = 1024;
const POLL_EVERY: Duration = Duration::from_secs(1);
/// After an idle writer is woken by an emit, it waits this long before taking the batch: a
/// blocked receiver costs every `send` a futex wake-up (more than the emit itself), while a
/// sleeping one costs nothing, so a burst of emits wakes the writer once instead of per event.
const LINGER: Duration = Duration::from_micros(500);
/// While emits keep coming (one within `ACTIVE_FOR` of the last), the writer does not block on
/// the emit queue at all but looks at it every `EMIT_TICK`: then `umw_emit` never has a blocked
/// receiver to wake, and waking a thread parked on another CPU costs tens of µs on a VM — ten
/// times the emit itself, on the request's critical path. After a quiet spell it blocks again.
const EMIT_TICK: Duration = Duration::from_millis(10);
const ACTIVE_FOR: Duration = Duration::from_millis(500);
/// Attempt outcomes are written in batches of this many, or once the oldest waited this long:
/// a transaction per handful of outcomes would spend the writer on commits.
const RECORD_BATCH: usize = 32;
const RECORD_WITHIN: Duration = Duration::from_millis(2);
/// How often tracked deliveries are checked for first attempts made by other processes.
const SETTLE_CHECK_FLUSHING: Duration = Duration::from_millis(250);
const SETTLE_CHECK_IDLE: Duration = Duration::from_secs(30);
/// How often the spool directory is checked for segments left by dead processes.
const RECOVER_EVERY: Duration = Duration::from_secs(10);

/// An atomic on a cache line of its own.
#[derive(Default)]
#[repr(align(128))]
pub struct OwnLine(AtomicU64);

impl std::ops::Deref for OwnLine {
    type Target = AtomicU64;
    fn deref(&self) -> &AtomicU64 {
        &self.0
    }
}

/// Counters shared by the PHP thread, the writer and the delivery tasks.
#[derive(Default)]
pub struct Counters {
    /// Bumped by every emit: apart from the counters the writer and tasks update, so the PHP
    /// thread does not pull that cache line across CPUs on each event.
    pub emitted: OwnLine,
    /// Set by the PHP thread when it woke the writer for a filling queue; cleared on drain.
    pub writer_nudged: std::sync::atomic::AtomicBool,
    /// Messages whose deliveries have all had a first attempt (or that matched nothing).
    pub settled: AtomicU64,
    pub outstanding: AtomicU64,
    pub in_flight: AtomicU64,
    pub delivered: AtomicU64,
    pub retrying: AtomicU64,
    pub failed: AtomicU64,
    pub store_errors: AtomicU64,
    /// Threads inside `wait_settled` (an `umw_flush`).
    pub flush_waiters: AtomicU64,
    pub last_error: Mutex<Option<String>>,
    settled_lock: Mutex<()>,
    settled_changed: Condvar,
}

impl Counters {
    pub fn settle(&self, n: u64) {
        if n == 0 {
            return;
        }
        self.settled.fetch_add(n, Ordering::AcqRel);
        let _guard = self.settled_lock.lock();
        self.settled_changed.notify_all();
    }

    /// Wait until `settled >= target` or the deadline; true when reached.
    pub fn wait_settled(&self, target: u64, deadline: Instant) -> bool {
        self.flush_waiters.fetch_add(1, Ordering::AcqRel);
        let reached = self.wait_settled_inner(target, deadline);
        self.flush_waiters.fetch_sub(1, Ordering::AcqRel);
        reached
    }

    fn wait_settled_inner(&self, target: u64, deadline: Instant) -> bool {
        let mut guard = self.settled_lock.lock();
        loop {
            if self.settled.load(Ordering::Acquire) >= target {
                return true;
            }
            if Instant::now() >= deadline {
                return false;
            }
            // Bounded waits: a notify between the check and the wait must not cost the deadline.
            let wait = deadline
                .saturating_duration_since(Instant::now())
                .min(Duration::from_millis(20));
            self.settled_changed.wait_for(&mut guard, wait);
        }
    }

    pub fn note_error(&self, message: String) {
        self.store_errors.fetch_add(1, Ordering::Relaxed);
        *self.last_error.lock() = Some(message);
    }

    pub fn count_outcome(&self, outcome: &Outcome) {
        let counter = match outcome.transition {
            crate::engine::store::Transition::Delivered => &self.delivered,
            crate::engine::store::Transition::Retry { .. } => &self.retrying,
            crate::engine::store::Transition::Failed => &self.failed,
        };
        counter.fetch_add(1, Ordering::Relaxed);
    }
}

pub enum Control {
    Outcome {
        job: Box<Job>,
        result: Box<AttemptResult>,
    },
    /// Deliveries the PHP thread persisted itself (durable emit, full queue): track their first
    /// attempt for `umw_flush` and poll for them now.
    Track {
        deliveries: Vec<String>,
    },
    Wake,
    /// Persist everything queued and stop claiming; acknowledge when persisted.
    Drain {
        ack: Sender<()>,
    },
    /// Record what finished, give back claims on what did not, and stop.
    Finish {
        ack: Sender<()>,
    },
}

/// Turn an attempt into the store write it causes.
pub fn outcome_for(settings: &Settings, job: &Job, result: AttemptResult, now: i64) -> Outcome {
    let jitter: f64 = rand::random();
    let (transition, disable) = decide(
        &settings.retry_schedule,
        job.attempts_made,
        &result,
        job.is_test,
        now,
        jitter,
    );
    Outcome {
        delivery_id: job.delivery_id.clone(),
        webhook_id: job.target.webhook_id,
        attempt: result,
        transition,
        disable,
        is_test: job.is_test,
    }
}

/// The cutoff for auto-disable: webhooks failing since before this are disabled.
pub fn disable_cutoff(settings: &Settings, now: i64) -> i64 {
    if settings.disable_after.is_zero() {
        i64::MIN
    } else {
        now - settings.disable_after.as_millis() as i64
    }
}

/// Live webhooks, reloaded only when the store's webhooks version moved.
pub struct SubscriptionCache {
    version: Option<WebhooksVersion>,
    webhooks: Arc<Vec<Webhook>>,
}

impl SubscriptionCache {
    pub fn new() -> Self {
        SubscriptionCache {
            version: None,
            webhooks: Arc::new(Vec::new()),
        }
    }

    /// The current live webhooks (a shared snapshot: cheap to hold across store writes).
    pub fn refresh(&mut self, store: &mut dyn Store) -> crate::engine::Result<Arc<Vec<Webhook>>> {
        let version = store.webhooks_version()?;
        if self.version != Some(version) {
            self.webhooks = Arc::new(store.live_webhooks()?);
            self.version = Some(version);
        }
        Ok(self.webhooks.clone())
    }
}

impl Default for SubscriptionCache {
    fn default() -> Self {
        Self::new()
    }
}

struct MessageTracker {
    remaining: usize,
}

pub struct TaskContext {
    pub client: reqwest::Client,
    pub policy: crate::engine::address_policy::AddressPolicy,
    pub timeout: Duration,
    pub global: Arc<Semaphore>,
    pub ctl: Sender<Control>,
    pub counters: Arc<Counters>,
}

async fn run_job(job: Job, per_webhook: Arc<Semaphore>, ctx: Arc<TaskContext>) {
    // Per-webhook permit first: a slow endpoint queues on its own semaphore without holding
    // one of the global slots the healthy endpoints need.
    let _webhook_permit = per_webhook.acquire_owned().await;
    let _global_permit = ctx.global.acquire().await;
    ctx.counters.in_flight.fetch_add(1, Ordering::Relaxed);
    let result = attempt(&ctx.client, &ctx.policy, &job, ctx.timeout, now_ms()).await;
    ctx.counters.in_flight.fetch_sub(1, Ordering::Relaxed);
    let _ = ctx.ctl.send(Control::Outcome {
        job: Box::new(job),
        result: Box::new(result),
    });
}

pub struct Writer {
    pub store: Box<dyn Store>,
    pub settings: Arc<Settings>,
    pub counters: Arc<Counters>,
    pub ids: Arc<IdGenerator>,
    pub owner: String,
    pub emits: Receiver<NewMessage>,
    pub control: Receiver<Control>,
    pub runtime: tokio::runtime::Handle,
    pub tasks: Arc<TaskContext>,
    /// Persisted payload buffers go back to the PHP thread for its next emit: freeing them here
    /// would make this thread and the PHP thread contend for the allocator's arena lock.
    pub recycle: Sender<Vec<u8>>,
    pub spool: Arc<Spool>,
}

/// Buffers handed back for reuse; more would only hold memory.
pub const RECYCLED_BUFFERS: usize = 256;
/// Buffers larger than this are freed rather than kept.
const RECYCLE_MAX_BYTES: usize = 64 * 1024;

struct State {
    cache: SubscriptionCache,
    trackers: HashMap<String, Arc<Mutex<MessageTracker>>>,
    outstanding: HashMap<String, i64>,
    per_webhook_outstanding: HashMap<i64, usize>,
    per_webhook_semaphores: HashMap<i64, Arc<Semaphore>>,
    unpersisted: Vec<NewMessage>,
    /// Outcomes waiting to be written, and their jobs (same order).
    unrecorded: Vec<Outcome>,
    unrecorded_jobs: Vec<Job>,
    /// When the oldest unrecorded outcome arrived.
    unrecorded_since: Option<Instant>,
    next_poll: Instant,
    /// When tracked deliveries were last checked for attempts made by other processes.
    last_settle_check: Instant,
    next_recover: Instant,
    /// When the last emit arrived (see `ACTIVE_FOR`).
    last_emit: Option<Instant>,
    draining: bool,
    drain_acks: Vec<Sender<()>>,
    finish_ack: Option<Sender<()>>,
}

impl Writer {
    fn per_webhook_cap(&self) -> usize {
        // Enough claimed work queued behind the per-webhook semaphore that it never idles
        // between two writer cycles (claims and records are batched per cycle).
        // Never more rounds of attempts queued than the lease covers (Settings::lease).
        let per = self.settings.max_in_flight_per_webhook.max(1);
        per * (self.settings.max_in_flight / per + 2).min(8)
    }

    fn total_cap(&self) -> usize {
        self.settings.max_in_flight * 2
    }

    fn lease_until(&self, now: i64) -> i64 {
        now + self.settings.lease().as_millis() as i64
    }

    /// The thread body. Returns when told to finish or when every sender is gone.
    pub fn run(mut self) {
        let mut state = State {
            cache: SubscriptionCache::new(),
            trackers: HashMap::new(),
            outstanding: HashMap::new(),
            per_webhook_outstanding: HashMap::new(),
            per_webhook_semaphores: HashMap::new(),
            unpersisted: Vec::new(),
            unrecorded: Vec::new(),
            unrecorded_jobs: Vec::new(),
            unrecorded_since: None,
            next_poll: Instant::now(),
            last_settle_check: Instant::now(),
            next_recover: Instant::now(),
            last_emit: None,
            draining: false,
            drain_acks: Vec::new(),
            finish_ack: None,
        };
        let no_emits = crossbeam_channel::never::<NewMessage>();
        loop {
            let due = match state.unrecorded_since {
                Some(since) => state.next_poll.min(since + RECORD_WITHIN),
                None => state.next_poll,
            };
            let wait = due.saturating_duration_since(Instant::now());
            let mut disconnected = false;
            let idle = self.emits.is_empty() && self.control.is_empty();
            let active = state.last_emit.is_some_and(|t| t.elapsed() < ACTIVE_FOR);
            // Active: the emit queue is looked at on the tick, never blocked on (see EMIT_TICK).
            let (emits, wait) = if active {
                (&no_emits, wait.min(EMIT_TICK))
            } else {
                (&self.emits, wait)
            };
            let queued_before = state.unpersisted.len();
            let mut woken_by_work = false;
            crossbeam_channel::select! {
                recv(emits) -> m => match m {
                    Ok(m) => {
                        state.unpersisted.push(m);
                        woken_by_work = true;
                    }
                    Err(_) => disconnected = true,
                },
                recv(self.control) -> c => match c {
                    Ok(c) => {
                        // Outcomes come one per finished request: gather a batch of them too.
                        woken_by_work = matches!(c, Control::Outcome { .. });
                        self.on_control(&mut state, c);
                    }
                    Err(_) => disconnected = true,
                },
                default(wait) => {},
            }
            if idle && woken_by_work && !active && !state.draining {
                std::thread::sleep(LINGER);
            }
            while state.unpersisted.len() < BATCH {
                match self.emits.try_recv() {
                    Ok(m) => state.unpersisted.push(m),
                    Err(_) => break,
                }
            }
            if state.unpersisted.len() > queued_before {
                state.last_emit = Some(Instant::now());
            }
            self.counters.writer_nudged.store(false, Ordering::Release);
            for _ in 0..BATCH {
                match self.control.try_recv() {
                    Ok(c) => self.on_control(&mut state, c),
                    Err(_) => break,
                }
            }
            // Keep going even if a bug panics one iteration: the PHP process must not lose its writer.
            let step = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                let _gate = crate::engine::fork::store_in_use();
                self.step(&mut state)
            }));
            if step.is_err() {
                self.counters.note_error(
                    "umw writer: internal error (panic) in one batch; continuing".into(),
                );
                state.next_poll = Instant::now() + POLL_EVERY;
            }
            if state.draining && state.unpersisted.is_empty() && self.emits.is_empty() {
                for ack in state.drain_acks.drain(..) {
                    let _ = ack.send(());
                }
            }
            if let Some(ack) = state.finish_ack.take() {
                let _gate = crate::engine::fork::store_in_use();
                self.finish(&mut state);
                let _ = ack.send(());
                return;
            }
            if disconnected && self.emits.is_empty() && state.unpersisted.is_empty() {
                let _gate = crate::engine::fork::store_in_use();
                self.finish(&mut state);
                return;
            }
        }
    }

    fn on_control(&self, state: &mut State, control: Control) {
        match control {
            Control::Outcome { job, result } => {
                let now = now_ms();
                let outcome = outcome_for(&self.settings, &job, *result, now);
                state.unrecorded.push(outcome);
                state.unrecorded_jobs.push(*job);
                state.unrecorded_since.get_or_insert_with(Instant::now);
            }
            Control::Track { deliveries } => {
                let tracker = Arc::new(Mutex::new(MessageTracker {
                    remaining: deliveries.len(),
                }));
                for id in deliveries {
                    state.trackers.insert(id, tracker.clone());
                }
                state.next_poll = Instant::now();
            }
            Control::Wake => state.next_poll = Instant::now(),
            Control::Drain { ack } => {
                state.draining = true;
                state.drain_acks.push(ack);
            }
            Control::Finish { ack } => state.finish_ack = Some(ack),
        }
    }

    fn step(&mut self, state: &mut State) {
        let now = now_ms();
        if !state.unpersisted.is_empty() {
            match self.persist(state, now) {
                Ok(jobs) => self.dispatch(state, jobs),
                Err(e) => {
                    self.counters.note_error(e.to_string());
                    // Keep the batch and try again shortly; never drop an accepted event.
                    state.next_poll = Instant::now() + Duration::from_millis(200);
                    std::thread::sleep(Duration::from_millis(50));
                }
            }
        }
        let record_now = state.unrecorded.len() >= RECORD_BATCH
            || state.draining
            || state
                .unrecorded_since
                .is_some_and(|since| since.elapsed() >= RECORD_WITHIN);
        if record_now && !state.unrecorded.is_empty() {
            state.unrecorded_since = None;
            match self
                .store
                .record(&state.unrecorded, now, disable_cutoff(&self.settings, now))
            {
                Ok(()) => {
                    let cap = self.per_webhook_cap();
                    let mut refill = state.outstanding.len() <= self.total_cap() / 4;
                    let outcomes = std::mem::take(&mut state.unrecorded);
                    let jobs = std::mem::take(&mut state.unrecorded_jobs);
                    for (outcome, job) in outcomes.into_iter().zip(jobs) {
                        self.counters.count_outcome(&outcome);
                        self.finished(state, &job);
                        let left = state.per_webhook_outstanding.get(&outcome.webhook_id);
                        refill |= left.is_none_or(|n| *n <= cap / 2);
                    }
                    // Room was freed: claim due work now once a webhook's queue is half empty
                    // (claiming a handful per cycle would spend the writer on transactions).
                    if refill {
                        state.next_poll = state.next_poll.min(Instant::now());
                    }
                }
                Err(e) => {
                    self.counters.note_error(e.to_string());
                    state.unrecorded_since = Some(Instant::now());
                }
            }
        }
        if !state.draining && Instant::now() >= state.next_poll {
            self.poll(state);
        }
    }

    fn finished(&self, state: &mut State, job: &Job) {
        if state.outstanding.remove(&job.delivery_id).is_some() {
            self.counters.outstanding.fetch_sub(1, Ordering::AcqRel);
            if let Some(n) = state
                .per_webhook_outstanding
                .get_mut(&job.target.webhook_id)
            {
                *n = n.saturating_sub(1);
            }
        }
        self.first_attempt_done(state, &job.delivery_id);
    }

    /// A tracked delivery had its first attempt (here or elsewhere); its message settles once
    /// all of its deliveries have.
    fn first_attempt_done(&self, state: &mut State, delivery_id: &str) {
        if let Some(tracker) = state.trackers.remove(delivery_id) {
            let mut t = tracker.lock();
            t.remaining = t.remaining.saturating_sub(1);
            if t.remaining == 0 {
                self.counters.settle(1);
            }
        }
    }

    fn persist(&mut self, state: &mut State, now: i64) -> crate::engine::Result<Vec<Job>> {
        let webhooks = state.cache.refresh(self.store.as_mut())?;
        let mut targets: HashMap<i64, Arc<Target>> = HashMap::new();
        let lease_until = self.lease_until(now);
        let mut items = Vec::new();
        let mut jobs = Vec::new();
        let mut unmatched = 0u64;
        let mut trackers = Vec::new();
        let mut planned: HashMap<i64, usize> = HashMap::new();
        let mut planned_total = 0usize;
        for message in &state.unpersisted {
            let matching: Vec<&Webhook> = webhooks
                .iter()
                .filter(|w| w.takes(message.network_id, &message.event))
                .collect();
            if matching.is_empty() {
                unmatched += 1;
                continue;
            }
            let payload = Arc::new(message.payload.clone());
            let mut deliveries = Vec::with_capacity(matching.len());
            let mut ids = Vec::with_capacity(matching.len());
            for webhook in matching {
                let delivery_id = self.ids.next("dlv_", now);
                let already = state
                    .per_webhook_outstanding
                    .get(&webhook.id)
                    .copied()
                    .unwrap_or(0)
                    + planned.get(&webhook.id).copied().unwrap_or(0);
                let leased = already < self.per_webhook_cap()
                    && state.outstanding.len() + planned_total < self.total_cap();
                if leased {
                    *planned.entry(webhook.id).or_default() += 1;
                    planned_total += 1;
                    jobs.push(Job {
                        delivery_id: delivery_id.clone(),
                        message_id: message.id.clone(),
                        event: message.event.clone(),
                        payload: payload.clone(),
                        message_created_at: message.created_at,
                        attempts_made: 0,
                        is_test: false,
                        target: targets
                            .entry(webhook.id)
                            .or_insert_with(|| Arc::new(webhook.target(now)))
                            .clone(),
                    });
                } else {
                    // No room now: it waits in the store and is claimed when room frees up.
                    state.next_poll = state.next_poll.min(Instant::now() + POLL_EVERY);
                }
                ids.push(delivery_id.clone());
                deliveries.push((delivery_id, webhook.id, leased));
            }
            trackers.push(ids);
            items.push(PersistItem {
                message,
                deliveries,
                is_test: false,
            });
        }
        // Events nobody subscribed to cost no disk write.
        self.store_persist(&items, lease_until, now)?;
        drop(items);
        let spooled = state.unpersisted.iter().map(|m| m.spooled).max();
        self.spool.committed(spooled.unwrap_or(0));
        for message in state.unpersisted.drain(..) {
            if message.payload.capacity() <= RECYCLE_MAX_BYTES {
                let _ = self.recycle.try_send(message.payload);
            }
        }
        self.counters.settle(unmatched);
        for ids in trackers {
            let tracker = Arc::new(Mutex::new(MessageTracker {
                remaining: ids.len(),
            }));
            for id in ids {
                state.trackers.insert(id, tracker.clone());
            }
        }
        Ok(jobs)
    }

    fn store_persist(
        &mut self,
        items: &[PersistItem],
        lease_until: i64,
        now: i64,
    ) -> crate::engine::Result<()> {
        Ok(self.store.persist(items, &self.owner, lease_until, now)?)
    }

    /// Deliveries this process persisted but another process (or `umw_work`) attempted never
    /// come back through `finished` here: settle them from the store, or `umw_flush` would wait
    /// its whole timeout and the trackers would pile up in a long-lived worker.
    fn settle_elsewhere(&mut self, state: &mut State) {
        // Often while an `umw_flush` waits; otherwise only now and then, to keep the map from
        // growing in a long-lived worker (each check is a store query over thousands of ids).
        let every = if self.counters.flush_waiters.load(Ordering::Acquire) > 0 {
            SETTLE_CHECK_FLUSHING
        } else {
            SETTLE_CHECK_IDLE
        };
        if state.last_settle_check.elapsed() < every {
            return;
        }
        state.last_settle_check = Instant::now();
        let waiting: Vec<String> = state
            .trackers
            .keys()
            .filter(|id| !state.outstanding.contains_key(*id))
            .take(4 * BATCH)
            .cloned()
            .collect();
        if waiting.is_empty() {
            return;
        }
        match self.store.unattempted(&waiting) {
            Ok(still) => {
                let still: std::collections::HashSet<String> = still.into_iter().collect();
                for id in waiting.iter().filter(|id| !still.contains(*id)) {
                    self.first_attempt_done(state, id);
                }
            }
            Err(e) => self.counters.note_error(e.to_string()),
        }
    }

    /// Replay spool segments of processes that died before their writer committed them.
    fn recover_spool(&mut self, state: &mut State) {
        if Instant::now() < state.next_recover {
            return;
        }
        state.next_recover = Instant::now() + RECOVER_EVERY;
        match recover_into(self.store.as_mut(), &self.ids, self.spool.dir()) {
            Ok(0) => {}
            Ok(_) => state.next_poll = Instant::now(),
            Err(e) => self.counters.note_error(e.to_string()),
        }
    }

    fn poll(&mut self, state: &mut State) {
        self.settle_elsewhere(state);
        self.recover_spool(state);
        let now = now_ms();
        let room = self.total_cap().saturating_sub(state.outstanding.len());
        let cap = self.per_webhook_cap();
        let outstanding = &state.per_webhook_outstanding;
        let webhook_room = |id: i64| cap.saturating_sub(outstanding.get(&id).copied().unwrap_or(0));
        let any_full = outstanding.values().any(|n| *n >= cap);
        let claimed = if room == 0 {
            Ok(Vec::new())
        } else {
            self.store.claim_due(
                &self.owner,
                now,
                self.lease_until(now),
                room.min(BATCH),
                &webhook_room,
            )
        };
        match claimed {
            Ok(jobs) => {
                let got_all_room = !jobs.is_empty() && jobs.len() >= room.min(BATCH);
                self.dispatch(state, jobs);
                // No room, or a webhook at its cap: outcomes wake the poll, so skip next_due.
                // (`now` when nothing is due: matching Ok(Some(t)) directly instead of comparing an
                // Option keeps optimized code from reading the None's payload, which valgrind reports.)
                let next = if got_all_room || room == 0 || any_full {
                    now
                } else {
                    match self.store.next_due(now) {
                        Ok(Some(t)) => t,
                        _ => now,
                    }
                };
                let delay = if next > now {
                    Duration::from_millis((next - now) as u64).min(POLL_EVERY)
                } else {
                    // Due now but not claimable (no room): outcomes will wake the poll.
                    POLL_EVERY
                };
                state.next_poll = Instant::now() + delay;
            }
            Err(e) => {
                self.counters.note_error(e.to_string());
                state.next_poll = Instant::now() + POLL_EVERY;
            }
        }
    }

    fn dispatch(&mut self, state: &mut State, jobs: Vec<Job>) {
        for job in jobs {
            let webhook_id = job.target.webhook_id;
            if state.outstanding.contains_key(&job.delivery_id) {
                continue;
            }
            state
                .outstanding
                .insert(job.delivery_id.clone(), webhook_id);
            self.counters.outstanding.fetch_add(1, Ordering::AcqRel);
            *state.per_webhook_outstanding.entry(webhook_id).or_default() += 1;
            let semaphore = state
                .per_webhook_semaphores
                .entry(webhook_id)
                .or_insert_with(|| {
                    Arc::new(Semaphore::new(self.settings.max_in_flight_per_webhook))
                })
                .clone();
            self.runtime
                .spawn(run_job(job, semaphore, self.tasks.clone()));
        }
    }

    fn finish(&mut self, state: &mut State) {
        let now = now_ms();
        if !state.unpersisted.is_empty() {
            // Last chance: persist without leasing, so any process can deliver them later.
            let _ = self.persist(state, now).map(|jobs| {
                let ids: Vec<String> = jobs.iter().map(|j| j.delivery_id.clone()).collect();
                let _ = self.store.release(&self.owner, &ids, now);
            });
        }
        while let Ok(Control::Outcome { job, result }) = self.control.try_recv() {
            let outcome = outcome_for(&self.settings, &job, *result, now);
            state.unrecorded.push(outcome);
            state.unrecorded_jobs.push(*job);
        }
        if !state.unrecorded.is_empty()
            && self
                .store
                .record(&state.unrecorded, now, disable_cutoff(&self.settings, now))
                .is_ok()
        {
            state.unrecorded.clear();
            for job in std::mem::take(&mut state.unrecorded_jobs) {
                self.finished(state, &job);
            }
        }
        let unfinished: Vec<String> = state.outstanding.keys().cloned().collect();
        if !unfinished.is_empty() {
            let _ = self.store.release(&self.owner, &unfinished, now);
        }
    }
}

/// Deliveries of an `event` to every webhook that takes it, not leased: whichever process
/// polls first claims them.
pub fn unleased_deliveries(
    webhooks: &[Webhook],
    message: &NewMessage,
    ids: &IdGenerator,
    now: i64,
) -> Vec<(String, i64, bool)> {
    webhooks
        .iter()
        .filter(|w| w.takes(message.network_id, &message.event))
        .map(|w| (ids.next("dlv_", now), w.id, false))
        .collect()
}

/// Persist the messages of orphaned spool segments, unleased, for whichever process claims them
/// first; messages already stored are skipped by `Store::persist`.
pub fn recover_into(
    store: &mut dyn Store,
    ids: &IdGenerator,
    dir: &std::path::Path,
) -> crate::engine::Result<usize> {
    spool::recover(dir, |batch| {
        let now = now_ms();
        let webhooks = store.live_webhooks()?;
        let items: Vec<PersistItem> = batch
            .iter()
            .filter_map(|message| {
                let deliveries = unleased_deliveries(&webhooks, message, ids, now);
                (!deliveries.is_empty()).then_some(PersistItem {
                    message,
                    deliveries,
                    is_test: false,
                })
            })
            .collect();
        Ok(store.persist(&items, "", 0, now)?)
    })
}

pub fn emit_channel(capacity: usize) -> (Sender<NewMessage>, Receiver<NewMessage>) {
    crossbeam_channel::bounded(capacity)
}

pub fn control_channel() -> (Sender<Control>, Receiver<Control>) {
    crossbeam_channel::unbounded()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wait_settled_reaches_target_or_times_out() {
        let c = Arc::new(Counters::default());
        assert!(c.wait_settled(0, Instant::now()));
        assert!(!c.wait_settled(1, Instant::now() + Duration::from_millis(30)));
        let c2 = c.clone();
        let t = std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(20));
            c2.settle(2);
        });
        assert!(c.wait_settled(2, Instant::now() + Duration::from_secs(5)));
        t.join().unwrap();
    }
}
