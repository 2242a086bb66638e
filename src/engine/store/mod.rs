//! The durable store: webhooks, messages, deliveries and attempts.
//!
//! `Store` is the seam. The backend is chosen once, from `umw.store`, by [`open`]: a path is an
//! SQLite file shared by the host's PHP processes (the embedded default); a `mysql://` URL is a
//! MySQL/MariaDB database shared by every web server of a network. Callers only ever hold a
//! `Box<dyn Store>`; every backend passes the contract suite in `contract` (plain Rust tests).
//!
//! Times are milliseconds since the epoch, passed in by the caller (`now`), so the rules are
//! testable; a backend whose clock differs from the caller's (MySQL, shared by hosts whose clocks
//! differ) moves them onto its own clock, so leases and due times compare on one clock.

pub mod location;
pub mod mysql;
mod mysql_claim;
mod mysql_log;
mod mysql_queue;
mod mysql_schema;
mod mysql_sql;
mod mysql_transfer;
mod mysql_webhooks;
mod shared;
pub mod sqlite;
mod sqlite_schema;
pub mod transfer;

#[cfg(test)]
mod contract;
#[cfg(test)]
mod contract_transfer;
#[cfg(test)]
mod mysql_bench;
#[cfg(test)]
mod mysql_tests;

use crate::engine::model::*;
pub use location::StoreLocation;
use thiserror::Error;

/// How an attempt changes its delivery.
#[derive(Debug, Clone, PartialEq)]
pub enum Transition {
    Delivered,
    Retry { next_attempt_at: i64 },
    Failed,
}

/// A finished attempt, ready to be written.
#[derive(Debug, Clone)]
pub struct Outcome {
    pub delivery_id: String,
    pub webhook_id: i64,
    pub attempt: AttemptResult,
    pub transition: Transition,
    /// Disable the webhook with this reason (410 Gone, or failing for too long).
    pub disable: Option<String>,
    /// A test send: logged, but kept out of the delivery statistics.
    pub is_test: bool,
}

/// The deliveries of one message: (delivery id, webhook id, leased to the persisting loop?).
pub type Fanout = Vec<(String, i64, bool)>;

/// One message to persist with the deliveries it fans out to.
#[derive(Debug, Clone)]
pub struct PersistItem<'a> {
    pub message: &'a NewMessage,
    pub deliveries: Fanout,
    pub is_test: bool,
}

/// What kind of trouble the store is in; the message says the rest.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StoreErrorKind {
    /// Cannot reach or open it now (connection lost, server down, directory missing): may pass.
    Unavailable,
    /// Opened, but it cannot be written (read-only file or file system, no privileges).
    ReadOnly,
    /// Disk or quota full.
    Full,
    /// The data is damaged or not a umw store.
    Corrupt,
    /// A schema this version of umw does not know (newer), or a server too old to run it.
    Incompatible,
    /// A value the store refuses (a duplicate `external_id`, …).
    Conflict,
    /// Anything else the backend reported.
    Other,
}

/// A store failure, the same for every backend: where (with no password in it) and what.
#[derive(Debug, Clone, Error)]
#[error("umw store {location}: {message}")]
pub struct StoreError {
    pub location: String,
    pub kind: StoreErrorKind,
    pub message: String,
}

impl StoreError {
    pub fn new(
        location: impl Into<String>,
        kind: StoreErrorKind,
        message: impl Into<String>,
    ) -> Self {
        StoreError {
            location: location.into(),
            kind,
            message: message.into(),
        }
    }
}

impl StoreError {
    /// A uniqueness conflict on a webhook write, said in the caller's terms.
    pub fn explain_conflict(mut self, input: &WebhookInput) -> StoreError {
        if self.kind == StoreErrorKind::Conflict {
            if let Some(Some(external)) = &input.external_id {
                self.message =
                    format!("external_id {external:?} is already used by another webhook");
            }
        }
        self
    }
}

pub type StoreResult<T> = std::result::Result<T, StoreError>;

/// Opaque: equal versions mean no webhook changed in between, by any process.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WebhooksVersion(pub i64, pub u64);

/// What `Store::health` reports for the admin and `php --ri`.
#[derive(Debug, Clone, Default)]
pub struct StoreHealth {
    pub backend: &'static str,
    pub location: String,
    pub schema_version: i64,
    /// Files (or credentials) readable by nobody but the PHP user.
    pub private: bool,
    pub warnings: Vec<String>,
}

pub trait Store: Send {
    fn insert_webhook(&mut self, input: &WebhookInput, secret: &str, now: i64) -> StoreResult<i64>;
    fn get_webhook(&mut self, id: i64) -> StoreResult<Option<Webhook>>;
    fn list_webhooks(&mut self, filter: &WebhookFilter) -> StoreResult<Vec<Webhook>>;
    /// Change only the fields given, in one transaction; the updated webhook, or None if gone.
    /// Switching `active` on clears a disable.
    fn update_webhook(
        &mut self,
        id: i64,
        input: &WebhookInput,
        now: i64,
    ) -> StoreResult<Option<Webhook>>;
    /// Delete a webhook with its deliveries, their attempts, and the payloads no other delivery uses.
    fn delete_webhook(&mut self, id: i64) -> StoreResult<bool>;
    fn rotate_secret(
        &mut self,
        id: i64,
        new_secret: &str,
        grace_until: i64,
        now: i64,
    ) -> StoreResult<bool>;
    /// Webhooks that receive deliveries now (active and not disabled).
    fn live_webhooks(&mut self) -> StoreResult<Vec<Webhook>>;
    /// Changes whenever any webhook may have changed, by any process or host (including
    /// disables while recording); cheap to poll, so caches key on it.
    fn webhooks_version(&mut self) -> StoreResult<WebhooksVersion>;
    /// Whether `webhooks_version` is cheap enough to ask on the request path (a local file: yes;
    /// a database round trip: no).
    fn version_is_local(&self) -> bool;
    /// Persist messages and one delivery per (message, webhook) pair. Deliveries marked leased
    /// are claimed by `owner` until `lease_until`; the rest wait for any process. A message
    /// already stored is skipped with its deliveries (spool replays are idempotent).
    fn persist(
        &mut self,
        batch: &[PersistItem<'_>],
        owner: &str,
        lease_until: i64,
        now: i64,
    ) -> StoreResult<()>;
    /// Claim up to `limit` due deliveries for `owner`: test sends first (of any webhook that
    /// exists, switched on or not: an admin is waiting), then at most `room(webhook_id)` per
    /// live webhook (0 skips a webhook at its cap), oldest due first within each webhook.
    fn claim_due(
        &mut self,
        owner: &str,
        now: i64,
        lease_until: i64,
        limit: usize,
        room: &dyn Fn(i64) -> usize,
    ) -> StoreResult<Vec<Job>>;
    /// The earliest time any delivery of a live webhook becomes due, if any.
    fn next_due(&mut self, now: i64) -> StoreResult<Option<i64>>;
    /// Write attempts and transitions; a webhook whose deliveries have all failed since before
    /// `disable_failing_since_before` is disabled.
    fn record(
        &mut self,
        outcomes: &[Outcome],
        now: i64,
        disable_failing_since_before: i64,
    ) -> StoreResult<()>;
    /// Give back this owner's claims on deliveries that did not finish; they are due at `now`.
    fn release(&mut self, owner: &str, delivery_ids: &[String], now: i64) -> StoreResult<()>;
    /// Of these deliveries, the ones still waiting for their first attempt.
    fn unattempted(&mut self, delivery_ids: &[String]) -> StoreResult<Vec<String>>;
    /// Newest first; payloads only when the filter asks for them.
    fn deliveries(&mut self, filter: &DeliveryFilter, now: i64) -> StoreResult<Vec<DeliveryView>>;
    fn count_deliveries(&mut self, filter: &DeliveryFilter) -> StoreResult<i64>;
    /// One delivery with its attempts and payload.
    fn delivery(&mut self, id: &str, now: i64) -> StoreResult<Option<DeliveryView>>;
    fn redeliver(&mut self, id: &str, now: i64) -> StoreResult<bool>;
    /// Re-queue a webhook's failed deliveries created since `since` (never test sends).
    fn replay(&mut self, webhook_id: i64, since: i64, now: i64) -> StoreResult<i64>;
    fn counts(&mut self) -> StoreResult<StoreCounts>;
    /// Attempts per bucket of time, oldest bucket first, only buckets with attempts.
    fn delivery_stats(&mut self, query: &StatsQuery) -> StoreResult<Vec<StatsBucket>>;
    /// Remove up to `limit` finished deliveries created before `before`, their attempts, and
    /// payloads nothing refers to any more. Small batches: callers loop.
    fn prune(&mut self, before: i64, limit: usize) -> StoreResult<PruneReport>;
    /// Give freed space back (a bounded step; SQLite's incremental vacuum).
    fn reclaim_space(&mut self) -> StoreResult<()>;
    fn health(&mut self) -> StoreHealth;
    /// One page of `section` in key order after `after` (`""`: from the start), for copying into
    /// another store (`transfer`); times on the caller's clock, no leases.
    fn export(
        &mut self,
        section: transfer::Section,
        after: &str,
        limit: usize,
    ) -> StoreResult<transfer::Export>;
    /// Write a page another store exported, in one transaction. Idempotent: messages, deliveries
    /// (with their attempts) already here are skipped; a webhook already here (same id, same
    /// creation time) is replaced by the incoming row; a different webhook under the same id is
    /// a Conflict.
    fn import(&mut self, page: &transfer::Export) -> StoreResult<transfer::Imported>;
    /// How many rows `export` yields for `section` (a progress bar's total).
    fn export_total(&mut self, section: transfer::Section) -> StoreResult<i64>;
}

/// Open the store `umw.store` names: the one place a backend is chosen.
pub fn open(location: &StoreLocation) -> crate::engine::Result<Box<dyn Store>> {
    match location {
        StoreLocation::Sqlite { path } => Ok(Box::new(sqlite::SqliteStore::open(path)?)),
        StoreLocation::Mysql(m) => Ok(Box::new(mysql::MysqlStore::open(m)?)),
    }
}
