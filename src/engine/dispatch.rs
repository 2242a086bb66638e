//! The one delivery loop: claim due deliveries, attempt them on the runtime under a global and a
//! per-webhook cap, and record the outcomes in batches. The embedded writer thread, the agent and
//! `umw_work` all drive it; none of them attempts deliveries any other way.
//!
//! Every attempt passes the directory's gate just before it goes on the wire: a webhook deleted,
//! switched off or disabled since the claim gets nothing more (the claim is given back); one whose
//! URL, headers or secret changed is sent with the new ones; one that no longer takes the event
//! has the delivery cancelled.

use crate::engine::config::Settings;
use crate::engine::counters::Counters;
use crate::engine::delivery::{attempt, decide};
use crate::engine::directory::Directory;
use crate::engine::model::{AttemptResult, Job};
use crate::engine::now_ms;
use crate::engine::store::{Outcome, Store, Transition};
use std::collections::HashMap;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::Semaphore;

/// Claimed per poll at most.
pub const CLAIM_BATCH: usize = 1024;
/// How often due work is looked for when nothing says sooner.
pub const POLL_EVERY: Duration = Duration::from_secs(1);
/// Outcomes are written in batches of this many, or once the oldest waited this long: a
/// transaction per handful of outcomes would spend the loop on commits.
const RECORD_BATCH: usize = 32;
const RECORD_WITHIN: Duration = Duration::from_millis(2);

/// What became of one claimed delivery.
#[derive(Debug)]
pub enum TaskResult {
    Attempted(AttemptResult),
    /// Not sent: its webhook is gone, switched off or disabled. The claim is given back.
    Withheld,
    /// Not sent, and never will be: its webhook no longer takes this event.
    Cancelled(String),
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

/// What the attempt tasks share.
pub struct TaskContext {
    pub client: reqwest::Client,
    pub settings: Arc<Settings>,
    pub global: Arc<Semaphore>,
    pub counters: Arc<Counters>,
    pub directory: Arc<Directory>,
    /// Hands a finished task back to the loop that dispatched it.
    pub done: Box<dyn Fn(Job, TaskResult) + Send + Sync>,
}

enum Gate {
    Send,
    Withhold,
    Cancel(String),
}

/// Checked as late as possible: after the permits, right before the request.
fn gate(directory: &Directory, job: &mut Job) -> Gate {
    // A test goes to the webhook as it was when the admin asked (it may be switched off).
    if job.is_test {
        return Gate::Send;
    }
    // With the store unreachable, the last known state is the best there is.
    let snapshot = directory
        .fresh(Instant::now())
        .unwrap_or_else(|_| directory.last());
    let Some(webhook) = snapshot.get(job.target.webhook_id) else {
        return Gate::Withhold;
    };
    if !webhook.takes(job.network_id, &job.event) {
        return Gate::Cancel(format!(
            "not sent: webhook {} no longer takes {} events",
            webhook.id, job.event
        ));
    }
    if webhook.revision != job.target.revision {
        job.target = Arc::new(webhook.target(now_ms()));
    }
    Gate::Send
}

async fn run_job(mut job: Job, per_webhook: Option<Arc<Semaphore>>, ctx: Arc<TaskContext>) {
    // Per-webhook permit first: a slow endpoint queues on its own semaphore without holding
    // one of the global slots the healthy endpoints need. Tests skip the queue: an admin waits.
    let _webhook_permit = match per_webhook {
        Some(semaphore) => semaphore.acquire_owned().await.ok(),
        None => None,
    };
    let _global_permit = ctx.global.acquire().await;
    let result = match gate(&ctx.directory, &mut job) {
        Gate::Withhold => TaskResult::Withheld,
        Gate::Cancel(reason) => TaskResult::Cancelled(reason),
        Gate::Send => {
            ctx.counters.in_flight.fetch_add(1, Ordering::Relaxed);
            let result = attempt(
                &ctx.client,
                &ctx.settings.policy,
                &job,
                ctx.settings.timeout,
                now_ms(),
            )
            .await;
            ctx.counters.in_flight.fetch_sub(1, Ordering::Relaxed);
            if result.status_code == Some(410) {
                // Nothing more from this process, even before the disable is recorded.
                ctx.directory
                    .mark_dead(job.target.webhook_id, job.target.revision);
            }
            TaskResult::Attempted(result)
        }
    };
    (ctx.done)(job, result);
}

/// Deliveries claimed by this loop and not yet recorded, and the caps on them.
pub struct Dispatcher {
    pub settings: Arc<Settings>,
    pub counters: Arc<Counters>,
    pub owner: String,
    runtime: tokio::runtime::Handle,
    tasks: Arc<TaskContext>,
    outstanding: HashMap<String, i64>,
    per_webhook: HashMap<i64, usize>,
    semaphores: HashMap<i64, Arc<Semaphore>>,
    unrecorded: Vec<Outcome>,
    unrecorded_jobs: Vec<Job>,
    unrecorded_since: Option<Instant>,
    /// Claims to give back (their webhook went away before the attempt).
    withheld: Vec<String>,
    pub next_poll: Instant,
}

impl Dispatcher {
    pub fn new(
        settings: Arc<Settings>,
        counters: Arc<Counters>,
        owner: String,
        runtime: tokio::runtime::Handle,
        tasks: Arc<TaskContext>,
    ) -> Dispatcher {
        Dispatcher {
            settings,
            counters,
            owner,
            runtime,
            tasks,
            outstanding: HashMap::new(),
            per_webhook: HashMap::new(),
            semaphores: HashMap::new(),
            unrecorded: Vec::new(),
            unrecorded_jobs: Vec::new(),
            unrecorded_since: None,
            withheld: Vec::new(),
            next_poll: Instant::now(),
        }
    }

    /// Claimed work queued per webhook: enough that it never idles between two loop cycles
    /// (claims and records are batched per cycle), never more rounds than a lease covers.
    pub fn per_webhook_cap(&self) -> usize {
        let per = self.settings.max_in_flight_per_webhook.max(1);
        per * (self.settings.max_in_flight / per + 2).min(8)
    }

    pub fn total_cap(&self) -> usize {
        self.settings.max_in_flight * 2
    }

    pub fn lease_until(&self, now: i64) -> i64 {
        now + self.settings.lease().as_millis() as i64
    }

    pub fn outstanding(&self) -> usize {
        self.outstanding.len()
    }

    pub fn is_outstanding(&self, delivery_id: &str) -> bool {
        self.outstanding.contains_key(delivery_id)
    }

    /// When the loop must look again: the next poll, or the moment the oldest unrecorded
    /// outcome has waited long enough.
    pub fn wake_at(&self) -> Instant {
        match self.unrecorded_since {
            Some(since) => self.next_poll.min(since + RECORD_WITHIN),
            None => self.next_poll,
        }
    }

    /// Whether one more delivery to this webhook may be leased now, with `planned_for_webhook`
    /// and `planned_total` already planned in the same batch.
    pub fn can_lease(
        &self,
        webhook_id: i64,
        planned_for_webhook: usize,
        planned_total: usize,
    ) -> bool {
        let already = self.per_webhook.get(&webhook_id).copied().unwrap_or(0);
        already + planned_for_webhook < self.per_webhook_cap()
            && self.outstanding.len() + planned_total < self.total_cap()
    }

    /// Attempt these claimed deliveries.
    pub fn dispatch(&mut self, jobs: Vec<Job>) {
        for job in jobs {
            let webhook_id = job.target.webhook_id;
            if self.outstanding.contains_key(&job.delivery_id) {
                continue;
            }
            self.outstanding.insert(job.delivery_id.clone(), webhook_id);
            self.counters.outstanding.fetch_add(1, Ordering::AcqRel);
            *self.per_webhook.entry(webhook_id).or_default() += 1;
            let semaphore = (!job.is_test).then(|| {
                self.semaphores
                    .entry(webhook_id)
                    .or_insert_with(|| {
                        Arc::new(Semaphore::new(self.settings.max_in_flight_per_webhook))
                    })
                    .clone()
            });
            self.runtime
                .spawn(run_job(job, semaphore, self.tasks.clone()));
        }
    }

    /// A task finished: queue what it means for the store.
    pub fn finished(&mut self, job: Job, result: TaskResult) {
        let now = now_ms();
        let outcome = match result {
            TaskResult::Attempted(result) => outcome_for(&self.settings, &job, result, now),
            TaskResult::Withheld => {
                self.withheld.push(job.delivery_id.clone());
                self.unrecorded_jobs.push(job);
                self.unrecorded_since.get_or_insert_with(Instant::now);
                return;
            }
            TaskResult::Cancelled(reason) => Outcome {
                delivery_id: job.delivery_id.clone(),
                webhook_id: job.target.webhook_id,
                attempt: AttemptResult {
                    time_ms: now,
                    error: Some(reason),
                    ..Default::default()
                },
                transition: Transition::Failed,
                disable: None,
                is_test: job.is_test,
            },
        };
        self.unrecorded.push(outcome);
        self.unrecorded_jobs.push(job);
        self.unrecorded_since.get_or_insert_with(Instant::now);
    }

    /// Write what finished, when a batch is full or has waited long enough (or `now` says
    /// so). Returns the jobs that are done with (recorded, or their claim given back).
    pub fn record(
        &mut self,
        store: &mut dyn Store,
        force: bool,
    ) -> crate::engine::Result<Vec<Job>> {
        let due = force
            || self.unrecorded.len() + self.withheld.len() >= RECORD_BATCH
            || self
                .unrecorded_since
                .is_some_and(|since| since.elapsed() >= RECORD_WITHIN);
        if !due || self.unrecorded_jobs.is_empty() {
            return Ok(Vec::new());
        }
        let now = now_ms();
        let written = store
            .record(&self.unrecorded, now, disable_cutoff(&self.settings, now))
            .and_then(|_| store.release(&self.owner, &self.withheld, now));
        if let Err(e) = written {
            self.unrecorded_since = Some(Instant::now());
            return Err(e.into());
        }
        self.unrecorded_since = None;
        self.withheld.clear();
        let cap = self.per_webhook_cap();
        let mut refill = self.outstanding.len() <= self.total_cap() / 4;
        for outcome in std::mem::take(&mut self.unrecorded) {
            self.counters.count_outcome(&outcome);
        }
        let jobs = std::mem::take(&mut self.unrecorded_jobs);
        for job in &jobs {
            self.forget(job);
            let left = self.per_webhook.get(&job.target.webhook_id);
            refill |= left.is_none_or(|n| *n <= cap / 2);
        }
        // Room was freed: claim due work now once a webhook's queue is half empty (claiming a
        // handful per cycle would spend the loop on transactions).
        if refill {
            self.next_poll = self.next_poll.min(Instant::now());
        }
        Ok(jobs)
    }

    fn forget(&mut self, job: &Job) {
        if self.outstanding.remove(&job.delivery_id).is_some() {
            self.counters.outstanding.fetch_sub(1, Ordering::AcqRel);
            if let Some(n) = self.per_webhook.get_mut(&job.target.webhook_id) {
                *n = n.saturating_sub(1);
            }
        }
    }

    /// Claim what is due, within the caps, and attempt it; schedule the next poll.
    pub fn poll(&mut self, store: &mut dyn Store) {
        let now = now_ms();
        let room = self.total_cap().saturating_sub(self.outstanding.len());
        let cap = self.per_webhook_cap();
        let any_full = self.per_webhook.values().any(|n| *n >= cap);
        let claimed = if room == 0 {
            Ok(Vec::new())
        } else {
            let per_webhook = &self.per_webhook;
            let webhook_room =
                |id: i64| cap.saturating_sub(per_webhook.get(&id).copied().unwrap_or(0));
            store.claim_due(
                &self.owner,
                now,
                self.lease_until(now),
                room.min(CLAIM_BATCH),
                &webhook_room,
            )
        };
        match claimed {
            Ok(jobs) => {
                let got_all_room = !jobs.is_empty() && jobs.len() >= room.min(CLAIM_BATCH);
                self.dispatch(jobs);
                // No room, or a webhook at its cap: outcomes wake the poll, so skip next_due.
                // (`now` when nothing is due: matching Ok(Some(t)) directly instead of comparing
                // an Option keeps optimized code from reading the None's payload, which
                // valgrind reports.)
                let next = if got_all_room || room == 0 || any_full {
                    now
                } else {
                    match store.next_due(now) {
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
                self.next_poll = Instant::now() + delay;
            }
            Err(e) => {
                self.counters.note_error(e.to_string());
                self.next_poll = Instant::now() + POLL_EVERY;
            }
        }
    }

    /// The loop is ending: write what finished, give back the claims on what did not.
    pub fn finish(&mut self, store: &mut dyn Store) -> Vec<Job> {
        let done = self.record(store, true).unwrap_or_default();
        let unfinished: Vec<String> = self.outstanding.keys().cloned().collect();
        if !unfinished.is_empty() {
            let _ = store.release(&self.owner, &unfinished, now_ms());
        }
        done
    }
}
