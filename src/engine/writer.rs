//! The background loop of a process that delivers: the one place it writes the store.
//!
//! It takes emitted messages (from the PHP thread over the bounded crossbeam channel, or from
//! the host's spool segments in the agent) and control messages (finished attempts, wake-ups,
//! drain/finish at shutdown), persists messages in batches with their deliveries fanned out to
//! the webhooks that take them, and drives the [`Dispatcher`] (claim → attempt → record).
//! Batching is what lets one store take tens of thousands of events per second; a single loop
//! per process means the HTTP tasks never wait on the store.

use crate::engine::agent::Heartbeat;
use crate::engine::config::Settings;
use crate::engine::counters::Counters;
use crate::engine::directory::{Directory, Snapshot};
use crate::engine::dispatch::{Dispatcher, TaskContext, TaskResult, POLL_EVERY};
use crate::engine::ids::IdGenerator;
use crate::engine::model::{Job, NewMessage, Target};
use crate::engine::now_ms;
use crate::engine::spool::{self, replay::Marks, Spool, Tailer};
use crate::engine::store::{Fanout, PersistItem, Store};
use crossbeam_channel::{Receiver, Sender};
use parking_lot::Mutex;
use std::collections::HashMap;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::Semaphore;

const BATCH: usize = 1024;
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
/// How often tracked deliveries are checked for first attempts made by other processes.
const SETTLE_CHECK_FLUSHING: Duration = Duration::from_millis(250);
const SETTLE_CHECK_IDLE: Duration = Duration::from_secs(30);
/// How often the spool directory is checked for segments left by dead processes.
const RECOVER_EVERY: Duration = Duration::from_secs(10);
/// How often old finished deliveries are pruned (umw.retention_days), and how many per step.
const PRUNE_EVERY: Duration = Duration::from_secs(3600);
const PRUNE_STEP: usize = 500;

pub enum Control {
    Outcome {
        job: Box<Job>,
        result: Box<TaskResult>,
    },
    /// Deliveries the PHP thread persisted itself (durable emit, full queue): track their first
    /// attempt for `umw_flush` and poll for them now.
    Track {
        deliveries: Vec<String>,
    },
    /// Deliveries the PHP thread persisted leased to this loop (test sends): attempt them now.
    Dispatch {
        jobs: Vec<Job>,
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

struct MessageTracker {
    remaining: usize,
}

/// Buffers handed back for reuse; more would only hold memory.
pub const RECYCLED_BUFFERS: usize = 256;
/// Buffers larger than this are freed rather than kept.
const RECYCLE_MAX_BYTES: usize = 64 * 1024;

pub struct Writer {
    store: Box<dyn Store>,
    settings: Arc<Settings>,
    counters: Arc<Counters>,
    ids: Arc<IdGenerator>,
    emits: Receiver<NewMessage>,
    control: Receiver<Control>,
    directory: Arc<Directory>,
    dispatcher: Dispatcher,
    /// Persisted payload buffers go back to the PHP thread for its next emit: freeing them here
    /// would make this thread and the PHP thread contend for the allocator's arena lock.
    recycle: Sender<Vec<u8>>,
    spool: Arc<Spool>,
    /// The agent: messages come from the host's spool segments instead of the emit channel.
    tailer: Option<Tailer>,
    heartbeat: Option<Heartbeat>,
}

/// How often the agent looks at the spool: soon after it found something, less when idle.
const TAIL_BUSY: Duration = Duration::from_millis(2);
const TAIL_IDLE: Duration = Duration::from_millis(20);

/// What a delivery loop is made of besides where its messages come from.
pub struct LoopParts {
    pub settings: Arc<Settings>,
    pub counters: Arc<Counters>,
    pub ids: Arc<IdGenerator>,
    /// Names this loop's claims (leases) in the store.
    pub owner: String,
    /// The loop's own store connection.
    pub store: Box<dyn Store>,
    pub directory: Arc<Directory>,
    pub runtime: tokio::runtime::Handle,
    pub client: reqwest::Client,
    pub spool: Arc<Spool>,
}

impl Writer {
    /// A loop fed by `emits` (embedded) or by `tailer` (the agent); attempts report back on
    /// `control`.
    pub fn new(
        parts: LoopParts,
        emits: Receiver<NewMessage>,
        control: (Sender<Control>, Receiver<Control>),
        recycle: Sender<Vec<u8>>,
        tailer: Option<Tailer>,
        heartbeat: Option<Heartbeat>,
    ) -> Writer {
        let (control, control_rx) = control;
        let tasks = Arc::new(TaskContext {
            client: parts.client,
            settings: parts.settings.clone(),
            global: Arc::new(Semaphore::new(parts.settings.max_in_flight)),
            counters: parts.counters.clone(),
            directory: parts.directory.clone(),
            done: Box::new(move |job, result| {
                let _ = control.send(Control::Outcome {
                    job: Box::new(job),
                    result: Box::new(result),
                });
            }),
        });
        Writer {
            store: parts.store,
            settings: parts.settings.clone(),
            counters: parts.counters.clone(),
            ids: parts.ids,
            emits,
            control: control_rx,
            directory: parts.directory,
            dispatcher: Dispatcher::new(
                parts.settings,
                parts.counters,
                parts.owner,
                parts.runtime,
                tasks,
            ),
            recycle,
            spool: parts.spool,
            tailer,
            heartbeat,
        }
    }
}

struct State {
    trackers: HashMap<String, Arc<Mutex<MessageTracker>>>,
    unpersisted: Vec<NewMessage>,
    /// When tracked deliveries were last checked for attempts made by other processes.
    last_settle_check: Instant,
    next_recover: Instant,
    next_prune: Instant,
    /// When the last emit arrived (see `ACTIVE_FOR`).
    last_emit: Option<Instant>,
    draining: bool,
    drain_acks: Vec<Sender<()>>,
    finish_ack: Option<Sender<()>>,
    /// Where the unpersisted messages end in the spool segments they came from (agent).
    marks: Option<Marks>,
    /// When the spool last had something new (agent).
    last_tailed: Instant,
    /// Messages taken from the spool and persisted (agent).
    ingested: u64,
}

impl Writer {
    /// The thread body. Returns when told to finish or when every sender is gone.
    pub fn run(mut self) {
        let mut state = State {
            trackers: HashMap::new(),
            unpersisted: Vec::new(),
            last_settle_check: Instant::now(),
            next_recover: Instant::now(),
            // Not at start: a burst of short-lived processes must not each scan for old rows.
            next_prune: Instant::now() + Duration::from_secs(60),
            last_emit: None,
            draining: false,
            drain_acks: Vec::new(),
            finish_ack: None,
            marks: None,
            last_tailed: Instant::now(),
            ingested: 0,
        };
        let no_emits = crossbeam_channel::never::<NewMessage>();
        loop {
            let mut wait = self
                .dispatcher
                .wake_at()
                .saturating_duration_since(Instant::now());
            if self.tailer.is_some() {
                let tick = if state.last_tailed.elapsed() < ACTIVE_FOR {
                    TAIL_BUSY
                } else {
                    TAIL_IDLE
                };
                wait = wait.min(tick);
            }
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
            // Keep going even if a bug panics one iteration: the process must not lose its writer.
            let step = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                let _gate = crate::engine::fork::store_in_use();
                self.step(&mut state)
            }));
            if step.is_err() {
                self.counters.note_error(
                    "umw writer: internal error (panic) in one batch; continuing".into(),
                );
                self.dispatcher.next_poll = Instant::now() + POLL_EVERY;
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

    fn on_control(&mut self, state: &mut State, control: Control) {
        match control {
            Control::Outcome { job, result } => self.dispatcher.finished(*job, *result),
            Control::Track { deliveries } => {
                track(state, deliveries);
                self.dispatcher.next_poll = Instant::now();
            }
            Control::Dispatch { jobs } => self.dispatcher.dispatch(jobs),
            Control::Wake => self.dispatcher.next_poll = Instant::now(),
            Control::Drain { ack } => {
                state.draining = true;
                state.drain_acks.push(ack);
            }
            Control::Finish { ack } => state.finish_ack = Some(ack),
        }
    }

    fn step(&mut self, state: &mut State) {
        self.tail(state);
        let now = now_ms();
        if !state.unpersisted.is_empty() {
            let batch = state.unpersisted.len() as u64;
            match self.persist(state, now) {
                Ok(jobs) => {
                    if let (Some(tailer), Some(marks)) = (self.tailer.as_mut(), state.marks.take())
                    {
                        tailer.ack(marks);
                        state.ingested += batch;
                    }
                    self.dispatcher.dispatch(jobs)
                }
                Err(e) => {
                    self.counters.note_error(e.to_string());
                    // Keep the batch and try again shortly; never drop an accepted event.
                    self.dispatcher.next_poll = Instant::now() + Duration::from_millis(200);
                    std::thread::sleep(Duration::from_millis(50));
                }
            }
        }
        match self.dispatcher.record(self.store.as_mut(), state.draining) {
            Ok(done) => {
                for job in done {
                    first_attempt_done(&self.counters, state, &job.delivery_id);
                }
            }
            Err(e) => self.counters.note_error(e.to_string()),
        }
        if let (Some(heartbeat), Some(tailer)) = (self.heartbeat.as_mut(), self.tailer.as_ref()) {
            heartbeat.beat(tailer, &self.counters, state.ingested);
        }
        if !state.draining && Instant::now() >= self.dispatcher.next_poll {
            if let Some(tailer) = self.tailer.as_mut() {
                tailer.collect();
            }
            self.settle_elsewhere(state);
            self.recover_spool(state);
            self.prune(state);
            self.dispatcher.poll(self.store.as_mut());
        }
    }

    /// The agent: take what the host's PHP processes appended since the last look (never
    /// while a batch waits to be persisted, so nothing is taken twice).
    fn tail(&mut self, state: &mut State) {
        let Some(tailer) = self.tailer.as_mut() else {
            return;
        };
        if state.draining || !state.unpersisted.is_empty() {
            return;
        }
        let (messages, marks) = tailer.poll(BATCH * 4);
        if !messages.is_empty() {
            state.last_tailed = Instant::now();
            state.unpersisted = messages;
            state.marks = Some(marks);
        }
    }

    fn persist(&mut self, state: &mut State, now: i64) -> crate::engine::Result<Vec<Job>> {
        let snapshot = self.directory.fresh(Instant::now())?;
        let lease_until = self.dispatcher.lease_until(now);
        let planned = plan(
            &snapshot,
            &state.unpersisted,
            &self.ids,
            now,
            |webhook_id, per, total| self.dispatcher.can_lease(webhook_id, per, total),
        );
        if planned.waiting {
            // No room for all of them now: the rest wait in the store until room frees up.
            self.dispatcher.next_poll = self.dispatcher.next_poll.min(Instant::now() + POLL_EVERY);
        }
        let items: Vec<PersistItem> = planned
            .fanned
            .iter()
            .map(|(index, deliveries)| PersistItem {
                message: &state.unpersisted[*index],
                deliveries: deliveries.clone(),
                is_test: false,
            })
            .collect();
        // Events nobody subscribed to cost no disk write.
        self.store
            .persist(&items, &self.dispatcher.owner, lease_until, now)?;
        drop(items);
        let spooled = state.unpersisted.iter().map(|m| m.spooled).max();
        self.spool.committed(spooled.unwrap_or(0));
        let mut jobs = Vec::new();
        let mut targets: HashMap<i64, Arc<Target>> = HashMap::new();
        for (index, deliveries) in &planned.fanned {
            let message = &state.unpersisted[*index];
            let payload = Arc::new(message.payload.clone());
            let ids: Vec<String> = deliveries.iter().map(|(id, _, _)| id.clone()).collect();
            for (delivery_id, webhook_id, leased) in deliveries {
                let Some(webhook) = snapshot.get(*webhook_id).filter(|_| *leased) else {
                    continue;
                };
                jobs.push(Job {
                    delivery_id: delivery_id.clone(),
                    message_id: message.id.clone(),
                    network_id: message.network_id,
                    event: message.event.clone(),
                    payload: payload.clone(),
                    message_created_at: message.created_at,
                    attempts_made: 0,
                    is_test: false,
                    target: targets
                        .entry(*webhook_id)
                        .or_insert_with(|| Arc::new(webhook.target(now)))
                        .clone(),
                });
            }
            track(state, ids);
        }
        self.counters.settle(planned.unmatched);
        for message in state.unpersisted.drain(..) {
            if message.payload.capacity() <= RECYCLE_MAX_BYTES {
                let _ = self.recycle.try_send(message.payload);
            }
        }
        Ok(jobs)
    }

    /// Deliveries this process persisted but another process (or `umw_work`) attempted never
    /// come back through the dispatcher here: settle them from the store, or `umw_flush` would
    /// wait its whole timeout and the trackers would pile up in a long-lived worker.
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
            .filter(|id| !self.dispatcher.is_outstanding(id))
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
                    first_attempt_done(&self.counters, state, id);
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
        match recover_into(
            self.store.as_mut(),
            &self.directory,
            &self.ids,
            self.spool.dir(),
        ) {
            Ok(0) => {}
            Ok(_) => self.dispatcher.next_poll = Instant::now(),
            Err(e) => self.counters.note_error(e.to_string()),
        }
    }

    /// Retention: one small batch of old finished deliveries per step until none are left,
    /// then rest an hour; space is given back as it goes.
    fn prune(&mut self, state: &mut State) {
        let Some(retention) = self.settings.retention else {
            return;
        };
        if Instant::now() < state.next_prune {
            return;
        }
        let before = now_ms() - retention.as_millis() as i64;
        match self.store.prune(before, PRUNE_STEP) {
            Ok(report) if report.deliveries as usize >= PRUNE_STEP => {
                // More to do: soon, between other work.
                state.next_prune = Instant::now() + Duration::from_millis(200);
            }
            Ok(report) => {
                if report.deliveries > 0 {
                    let _ = self.store.reclaim_space();
                }
                state.next_prune = Instant::now() + PRUNE_EVERY;
            }
            Err(e) => {
                self.counters.note_error(e.to_string());
                state.next_prune = Instant::now() + PRUNE_EVERY;
            }
        }
    }

    fn finish(&mut self, state: &mut State) {
        let now = now_ms();
        if !state.unpersisted.is_empty() {
            // Last chance: persist without leasing, so any process can deliver them later.
            let owner = self.dispatcher.owner.clone();
            if let Ok(jobs) = self.persist(state, now) {
                let ids: Vec<String> = jobs.iter().map(|j| j.delivery_id.clone()).collect();
                let _ = self.store.release(&owner, &ids, now);
            }
        }
        while let Ok(control) = self.control.try_recv() {
            if let Control::Outcome { job, result } = control {
                self.dispatcher.finished(*job, *result);
            }
        }
        for job in self.dispatcher.finish(self.store.as_mut()) {
            first_attempt_done(&self.counters, state, &job.delivery_id);
        }
    }
}

fn track(state: &mut State, deliveries: Vec<String>) {
    let tracker = Arc::new(Mutex::new(MessageTracker {
        remaining: deliveries.len(),
    }));
    for id in deliveries {
        state.trackers.insert(id, tracker.clone());
    }
}

/// A tracked delivery had its first attempt (here or elsewhere); its message settles once all
/// of its deliveries have.
fn first_attempt_done(counters: &Counters, state: &mut State, delivery_id: &str) {
    if let Some(tracker) = state.trackers.remove(delivery_id) {
        let mut t = tracker.lock();
        t.remaining = t.remaining.saturating_sub(1);
        if t.remaining == 0 {
            counters.settle(1);
        }
    }
}

/// How a batch of messages fans out.
struct Plan {
    /// (index into the batch, [(delivery id, webhook id, leased here?)]) for matched messages.
    fanned: Vec<(usize, Fanout)>,
    unmatched: u64,
    /// Some deliveries could not be leased here (caps): they wait in the store.
    waiting: bool,
}

fn plan(
    snapshot: &Snapshot,
    messages: &[NewMessage],
    ids: &IdGenerator,
    now: i64,
    can_lease: impl Fn(i64, usize, usize) -> bool,
) -> Plan {
    let mut out = Plan {
        fanned: Vec::new(),
        unmatched: 0,
        waiting: false,
    };
    let mut planned: HashMap<i64, usize> = HashMap::new();
    let mut planned_total = 0usize;
    for (index, message) in messages.iter().enumerate() {
        let takers = snapshot.takers(message.network_id, &message.event);
        if takers.is_empty() {
            out.unmatched += 1;
            continue;
        }
        let mut deliveries = Vec::with_capacity(takers.len());
        for webhook in takers {
            let per = planned.get(&webhook.id).copied().unwrap_or(0);
            let leased = can_lease(webhook.id, per, planned_total);
            if leased {
                *planned.entry(webhook.id).or_default() += 1;
                planned_total += 1;
            } else {
                out.waiting = true;
            }
            deliveries.push((ids.next("dlv_", now), webhook.id, leased));
        }
        out.fanned.push((index, deliveries));
    }
    out
}

/// Deliveries of a message to every live webhook that takes it, not leased: whichever process
/// polls first claims them.
pub fn unleased_deliveries(
    snapshot: &Snapshot,
    message: &NewMessage,
    ids: &IdGenerator,
    now: i64,
) -> Fanout {
    snapshot
        .takers(message.network_id, &message.event)
        .iter()
        .map(|w| (ids.next("dlv_", now), w.id, false))
        .collect()
}

/// Persist the messages of orphaned spool segments, unleased, for whichever process claims them
/// first; messages already stored are skipped by `Store::persist`.
pub fn recover_into(
    store: &mut dyn Store,
    directory: &Directory,
    ids: &IdGenerator,
    dir: &std::path::Path,
) -> crate::engine::Result<usize> {
    spool::recover(dir, |batch| {
        let now = now_ms();
        let snapshot = directory.fresh(Instant::now())?;
        let items: Vec<PersistItem> = batch
            .iter()
            .filter_map(|message| {
                let deliveries = unleased_deliveries(&snapshot, message, ids, now);
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
