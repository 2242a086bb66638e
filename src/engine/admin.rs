//! The engine's admin calls: webhooks, test sends, the delivery log, statistics and pruning.
//! They work from any PHP process in either delivery mode: they go to the store directly.

use crate::engine::error::{Error, Result};
use crate::engine::model::*;
use crate::engine::now_ms;
use crate::engine::runtime::{Engine, TestResult, WorkReport};
use crate::engine::signing;
use crate::engine::store::{PersistItem, StoreHealth};
use crate::engine::validate;
use crate::engine::writer::Control;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Rotated-out secrets keep signing for this long, so receivers can switch without a gap.
pub const ROTATION_GRACE: Duration = Duration::from_secs(24 * 3600);
/// A test send waits this long past the attempt timeout for its result to be recorded (an
/// agent looks for tests at least once a second).
const TEST_GRACE: Duration = Duration::from_secs(5);
const TEST_POLL: Duration = Duration::from_millis(5);
const WORK_POLL: Duration = Duration::from_millis(20);
/// Finished deliveries removed per transaction when pruning.
pub const PRUNE_BATCH: usize = 500;

impl Engine {
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
            .store()?
            .lock()
            .insert_webhook(&input, &secret, now_ms())?;
        self.wake_writer();
        Ok(id)
    }

    pub fn webhook(&self, id: i64) -> Result<Option<Webhook>> {
        Ok(self.store()?.lock().get_webhook(id)?)
    }

    pub fn webhooks(&self, filter: &WebhookFilter) -> Result<Vec<Webhook>> {
        Ok(self.store()?.lock().list_webhooks(filter)?)
    }

    pub fn update_webhook(&self, id: i64, input: WebhookInput) -> Result<Option<Webhook>> {
        let input = validate::input(input, &self.settings.policy)?;
        let updated = self.store()?.lock().update_webhook(id, &input, now_ms())?;
        self.wake_writer();
        Ok(updated)
    }

    pub fn delete_webhook(&self, id: i64) -> Result<bool> {
        let deleted = self.store()?.lock().delete_webhook(id)?;
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
            .store()?
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
        // Attempted by this process's loop when it has one; otherwise the host's agent claims it
        // (tests first) from the store.
        let background = self.background_for_test()?;
        let lease_until = now + self.settings.lease().as_millis() as i64;
        self.store()?.lock().persist(
            &[PersistItem {
                message: &message,
                deliveries: vec![(delivery_id.clone(), webhook.id, background.is_some())],
                is_test: true,
            }],
            &self.owner,
            lease_until,
            now,
        )?;
        if let Some(background) = background {
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
            background
                .control
                .send(Control::Dispatch { jobs: vec![job] })
                .map_err(|_| Error::Runtime("the delivery loop has stopped".into()))?;
        }
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
            let found = self.store()?.lock().delivery(delivery_id, now_ms())?;
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
        // In agent mode too: `umw_work` is this process delivering in the foreground.
        self.fall_back("umw_work runs this process's own delivery loop")?;
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
                let counts = self.store()?.lock().counts()?;
                if !busy && counts.pending + counts.retrying == 0 {
                    break;
                }
            } else if !busy {
                let now = now_ms();
                let next = self.store()?.lock().next_due(now)?;
                // Nothing due now (only later retries, or others' claims): done.
                if next.is_none_or(|t| t > now) && started.elapsed() >= WORK_POLL * 5 {
                    break;
                }
            }
        }
        let counts = self.store()?.lock().counts()?;
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
        Ok(self.store()?.lock().deliveries(filter, now_ms())?)
    }

    pub fn count_deliveries(&self, filter: &DeliveryFilter) -> Result<i64> {
        Ok(self.store()?.lock().count_deliveries(filter)?)
    }

    pub fn delivery(&self, id: &str) -> Result<Option<DeliveryView>> {
        Ok(self.store()?.lock().delivery(id, now_ms())?)
    }

    pub fn delivery_stats(&self, query: &StatsQuery) -> Result<Vec<StatsBucket>> {
        Ok(self.store()?.lock().delivery_stats(query)?)
    }

    /// Remove finished deliveries older than `older_than` in small batches (other processes
    /// keep writing in between); space is given back afterwards.
    pub fn prune(&self, older_than: Duration) -> Result<PruneReport> {
        let before = now_ms() - older_than.as_millis() as i64;
        let mut total = PruneReport::default();
        loop {
            let step = self.store()?.lock().prune(before, PRUNE_BATCH)?;
            total.add(step);
            if step.deliveries < PRUNE_BATCH as u64 {
                break;
            }
        }
        self.store()?.lock().reclaim_space()?;
        Ok(total)
    }

    pub fn spool_status(&self) -> crate::engine::spool::SpoolStatus {
        crate::engine::spool::status(self.spool.dir())
    }

    pub fn redeliver(&self, id: &str) -> Result<bool> {
        let done = self.store()?.lock().redeliver(id, now_ms())?;
        self.wake_writer();
        Ok(done)
    }

    /// Re-queue failed deliveries of a live webhook (a disabled one would fail them again).
    pub fn replay(&self, webhook_id: i64, since_ms: i64) -> Result<i64> {
        let shared = self.store()?;
        let mut store = shared.lock();
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
        self.wake_writer();
        Ok(n)
    }

    pub fn counts(&self) -> Result<StoreCounts> {
        Ok(self.store()?.lock().counts()?)
    }

    pub fn store_health(&self) -> StoreHealth {
        match self.store() {
            Ok(store) => store.lock().health(),
            Err(e) => StoreHealth {
                backend: self.settings.store.backend(),
                location: self.settings.store.to_string(),
                warnings: vec![e.to_string()],
                ..Default::default()
            },
        }
    }
}
