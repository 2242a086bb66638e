//! The durable store: webhooks, messages, deliveries and attempts in one SQLite file shared by
//! every PHP process of the host (WAL mode, so readers never block the writer).
//!
//! `Store` is the boundary a MySQL/MariaDB backend will implement for multi-server networks.
//! Every write that several processes race on runs in an IMMEDIATE transaction: a deferred one
//! would fail with SQLITE_BUSY on lock upgrade instead of waiting in the busy handler.

use crate::engine::error::{Error, Result};
use crate::engine::model::*;
use rusqlite::{params, params_from_iter, Connection, OptionalExtension, TransactionBehavior};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

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
}

pub trait Store {
    fn insert_webhook(&mut self, input: &WebhookInput, secret: &str, now: i64) -> Result<i64>;
    fn get_webhook(&self, id: i64) -> Result<Option<Webhook>>;
    fn list_webhooks(&self, filter: &WebhookFilter) -> Result<Vec<Webhook>>;
    fn update_webhook(&mut self, id: i64, input: &WebhookInput, now: i64) -> Result<bool>;
    fn delete_webhook(&mut self, id: i64) -> Result<bool>;
    fn rotate_secret(
        &mut self,
        id: i64,
        new_secret: &str,
        grace_until: i64,
        now: i64,
    ) -> Result<bool>;
    /// Webhooks that receive deliveries now (active and not disabled).
    fn live_webhooks(&self) -> Result<Vec<Webhook>>;
    /// Changes whenever the set of webhooks may have changed — by another connection's commit
    /// or by this connection's own webhook writes (including disables while recording); cheap
    /// to poll, so caches key on it instead of being invalidated by hand at each call site.
    fn webhooks_version(&self) -> Result<(i64, u64)>;
    /// Persist messages and one delivery per (message, webhook) pair. Deliveries whose id is in
    /// `leased` are claimed by `owner` until `lease_until`; the rest wait for any process.
    fn persist(
        &mut self,
        batch: &[PersistItem<'_>],
        owner: &str,
        lease_until: i64,
        now: i64,
    ) -> Result<()>;
    /// Claim up to `limit` due deliveries for `owner`, at most `room(webhook_id)` per live
    /// webhook (0 skips a webhook at its cap), oldest due first within each webhook.
    fn claim_due(
        &mut self,
        owner: &str,
        now: i64,
        lease_until: i64,
        limit: usize,
        room: &dyn Fn(i64) -> usize,
    ) -> Result<Vec<Job>>;
    /// The earliest time any delivery becomes due (claimable), if any. A leased delivery's
    /// `next_attempt_at` is its lease expiry, so claims and this read one index, never the rows
    /// in flight.
    fn next_due(&self) -> Result<Option<i64>>;
    /// Write attempts and transitions; a webhook whose deliveries have all failed since before
    /// `disable_failing_since_before` is disabled.
    fn record(
        &mut self,
        outcomes: &[Outcome],
        now: i64,
        disable_failing_since_before: i64,
    ) -> Result<()>;
    /// Give back this owner's claims on deliveries that did not finish; they are due at `now`.
    fn release(&mut self, owner: &str, delivery_ids: &[String], now: i64) -> Result<()>;
    /// Of these deliveries, the ones still waiting for their first attempt (pending, never
    /// attempted). The others were attempted by some process, or are gone.
    fn unattempted(&self, delivery_ids: &[String]) -> Result<Vec<String>>;
    fn deliveries(&self, filter: &DeliveryFilter) -> Result<Vec<DeliveryView>>;
    fn delivery(&self, id: &str) -> Result<Option<DeliveryView>>;
    fn redeliver(&mut self, id: &str, now: i64) -> Result<bool>;
    fn replay(&mut self, webhook_id: i64, since: i64, now: i64) -> Result<i64>;
    fn counts(&self) -> Result<StoreCounts>;
}

/// One message to persist with the deliveries it fans out to.
#[derive(Debug, Clone)]
pub struct PersistItem<'a> {
    pub message: &'a NewMessage,
    /// (delivery id, webhook id, leased to this process?)
    pub deliveries: Vec<(String, i64, bool)>,
    pub is_test: bool,
}

pub struct SqliteStore {
    conn: Connection,
    path: PathBuf,
    /// Webhook writes made through this connection: SQLite's data_version only moves for
    /// other connections' commits.
    own_webhook_changes: u64,
}

const SCHEMA: &str = r#"
CREATE TABLE IF NOT EXISTS webhooks (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL,
    url TEXT NOT NULL,
    events TEXT NOT NULL,
    active INTEGER NOT NULL DEFAULT 1,
    format TEXT NOT NULL DEFAULT 'flat',
    headers TEXT NOT NULL DEFAULT '[]',
    secret TEXT NOT NULL,
    previous_secret TEXT,
    previous_secret_until INTEGER,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    disabled_at INTEGER,
    disabled_reason TEXT,
    failing_since INTEGER,
    delivered_count INTEGER NOT NULL DEFAULT 0,
    failed_count INTEGER NOT NULL DEFAULT 0,
    last_delivery_at INTEGER,
    last_status TEXT,
    last_status_code INTEGER
);
CREATE TABLE IF NOT EXISTS messages (
    id TEXT PRIMARY KEY,
    event TEXT NOT NULL,
    payload BLOB NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS deliveries (
    id TEXT PRIMARY KEY,
    message_id TEXT NOT NULL,
    webhook_id INTEGER NOT NULL,
    event TEXT NOT NULL,
    status TEXT NOT NULL,
    is_test INTEGER NOT NULL DEFAULT 0,
    attempt_count INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER,
    lease_owner TEXT,
    lease_until INTEGER,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
DROP INDEX IF EXISTS deliveries_due;
CREATE INDEX IF NOT EXISTS deliveries_due_by_webhook ON deliveries(webhook_id, next_attempt_at) WHERE status IN ('pending', 'retrying');
CREATE INDEX IF NOT EXISTS deliveries_by_webhook ON deliveries(webhook_id, created_at);
CREATE INDEX IF NOT EXISTS deliveries_by_message ON deliveries(message_id);
CREATE INDEX IF NOT EXISTS deliveries_by_time ON deliveries(created_at);
CREATE TABLE IF NOT EXISTS attempts (
    id INTEGER PRIMARY KEY,
    delivery_id TEXT NOT NULL,
    time INTEGER NOT NULL,
    status_code INTEGER,
    duration_ms REAL NOT NULL,
    error TEXT,
    response_body TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS attempts_by_delivery ON attempts(delivery_id);
"#;

const WEBHOOK_COLUMNS: &str =
    "id, name, url, events, active, format, headers, secret, previous_secret, \
     previous_secret_until, created_at, updated_at, disabled_at, disabled_reason, failing_since, \
     delivered_count, failed_count, last_delivery_at, last_status, last_status_code";

fn webhook_from_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<Webhook> {
    OffsetRow { row, offset: 0 }.webhook()
}

fn to_json<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_else(|_| "[]".to_string())
}

impl SqliteStore {
    /// Open (creating the file, its directory and the schema when missing).
    pub fn open(path: &Path) -> Result<SqliteStore> {
        let err = |source| Error::Store {
            path: path.display().to_string(),
            source,
        };
        if let Some(dir) = path.parent() {
            if !dir.as_os_str().is_empty() && !dir.exists() {
                std::fs::create_dir_all(dir).map_err(|e| Error::Store {
                    path: path.display().to_string(),
                    source: rusqlite::Error::InvalidPath(PathBuf::from(format!(
                        "cannot create directory {}: {e}",
                        dir.display()
                    ))),
                })?;
            }
        }
        let conn = Connection::open(path).map_err(err)?;
        // SQLite falls back to read-only when the file or its file system is not writable; then
        // emits would be accepted and never persisted. Refuse it like an unwritable directory.
        if conn
            .is_readonly(rusqlite::DatabaseName::Main)
            .unwrap_or(false)
        {
            return Err(Error::Store {
                path: path.display().to_string(),
                source: rusqlite::Error::InvalidPath(PathBuf::from(format!(
                    "{} is read-only (the file or its file system is not writable)",
                    path.display()
                ))),
            });
        }
        conn.busy_timeout(Duration::from_secs(10)).map_err(err)?;
        // WAL + NORMAL: a commit survives a killed process (the WAL is in the OS page cache);
        // only power loss can take the last commits, which is the usual trade for queues.
        conn.pragma_update(None, "journal_mode", "WAL")
            .map_err(err)?;
        conn.pragma_update(None, "synchronous", "NORMAL")
            .map_err(err)?;
        conn.pragma_update(None, "foreign_keys", "OFF")
            .map_err(err)?;
        let mut store = SqliteStore {
            conn,
            path: path.to_path_buf(),
            own_webhook_changes: 0,
        };
        store.with_tx(|tx| tx.execute_batch(SCHEMA))?;
        Ok(store)
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    fn err(&self, source: rusqlite::Error) -> Error {
        Error::Store {
            path: self.path.display().to_string(),
            source,
        }
    }

    fn with_tx<T>(
        &mut self,
        f: impl FnOnce(&rusqlite::Transaction<'_>) -> rusqlite::Result<T>,
    ) -> Result<T> {
        let path = self.path.display().to_string();
        let wrap = |source| Error::Store {
            path: path.clone(),
            source,
        };
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(wrap)?;
        let value = f(&tx).map_err(wrap)?;
        tx.commit().map_err(wrap)?;
        Ok(value)
    }

    fn attempts_for(&self, delivery_id: &str) -> Result<Vec<AttemptView>> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT time, status_code, duration_ms, error, response_body FROM attempts \
                 WHERE delivery_id = ?1 ORDER BY id",
            )
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map([delivery_id], |r| {
                Ok(AttemptView {
                    time_ms: r.get(0)?,
                    status_code: r.get(1)?,
                    duration_ms: r.get(2)?,
                    error: r.get(3)?,
                    response_body: r.get(4)?,
                })
            })
            .and_then(|rows| rows.collect::<rusqlite::Result<Vec<_>>>())
            .map_err(|e| self.err(e))?;
        Ok(rows)
    }

    fn delivery_rows(
        &self,
        sql_where: &str,
        args: Vec<rusqlite::types::Value>,
        limit: usize,
        offset: usize,
    ) -> Result<Vec<DeliveryView>> {
        let sql = format!(
            "SELECT d.id, d.message_id, d.webhook_id, d.event, d.status, d.is_test, d.next_attempt_at, \
             d.created_at, m.payload, d.lease_until FROM deliveries d LEFT JOIN messages m ON m.id = d.message_id \
             {sql_where} ORDER BY d.created_at DESC, d.id DESC LIMIT {limit} OFFSET {offset}"
        );
        let mut stmt = self.conn.prepare(&sql).map_err(|e| self.err(e))?;
        let now = crate::engine::now_ms();
        let rows = stmt
            .query_map(params_from_iter(args), |r| {
                let payload: Option<Vec<u8>> = r.get(8)?;
                // A claim's `next_attempt_at` is its lease expiry (the retry should the
                // attempt be lost); while the lease runs the delivery is being sent.
                let in_flight = r.get::<_, Option<i64>>(9)?.is_some_and(|until| until > now);
                let status: String = r.get(4)?;
                let waiting = !in_flight && (status == "pending" || status == "retrying");
                Ok(DeliveryView {
                    id: r.get(0)?,
                    message_id: r.get(1)?,
                    webhook_id: r.get(2)?,
                    event: r.get(3)?,
                    status,
                    is_test: r.get::<_, i64>(5)? != 0,
                    attempts: Vec::new(),
                    next_attempt_at: if waiting { r.get(6)? } else { None },
                    in_flight,
                    created_at: r.get(7)?,
                    payload: String::from_utf8_lossy(&payload.unwrap_or_default()).into_owned(),
                })
            })
            .and_then(|rows| rows.collect::<rusqlite::Result<Vec<_>>>())
            .map_err(|e| self.err(e))?;
        let mut out = rows;
        for view in &mut out {
            view.attempts = self.attempts_for(&view.id)?;
        }
        Ok(out)
    }
}

impl Store for SqliteStore {
    fn insert_webhook(&mut self, input: &WebhookInput, secret: &str, now: i64) -> Result<i64> {
        let events = input
            .events
            .clone()
            .unwrap_or_else(|| vec![WILDCARD.to_string()]);
        let headers = input.headers.clone().unwrap_or_default();
        self.own_webhook_changes += 1;
        self.with_tx(|tx| {
            tx.execute(
                "INSERT INTO webhooks (name, url, events, active, format, headers, secret, created_at, updated_at) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8)",
                params![
                    input.name.as_deref().unwrap_or_default(),
                    input.url.as_deref().unwrap_or_default(),
                    to_json(&events),
                    input.active.unwrap_or(true) as i64,
                    input.format.unwrap_or(Format::Flat).as_str(),
                    to_json(&headers),
                    secret,
                    now
                ],
            )?;
            Ok(tx.last_insert_rowid())
        })
    }

    fn get_webhook(&self, id: i64) -> Result<Option<Webhook>> {
        self.conn
            .query_row(
                &format!("SELECT {WEBHOOK_COLUMNS} FROM webhooks WHERE id = ?1"),
                [id],
                webhook_from_row,
            )
            .optional()
            .map_err(|e| self.err(e))
    }

    fn list_webhooks(&self, filter: &WebhookFilter) -> Result<Vec<Webhook>> {
        let mut stmt = self
            .conn
            .prepare_cached(&format!(
                "SELECT {WEBHOOK_COLUMNS} FROM webhooks ORDER BY id"
            ))
            .map_err(|e| self.err(e))?;
        let all = stmt
            .query_map([], webhook_from_row)
            .and_then(|rows| rows.collect::<rusqlite::Result<Vec<_>>>())
            .map_err(|e| self.err(e))?;
        Ok(all
            .into_iter()
            .filter(|w| filter.active.is_none_or(|a| w.is_live() == a))
            .filter(|w| filter.event.as_ref().is_none_or(|e| w.subscribes_to(e)))
            .collect())
    }

    fn update_webhook(&mut self, id: i64, input: &WebhookInput, now: i64) -> Result<bool> {
        let Some(mut w) = self.get_webhook(id)? else {
            return Ok(false);
        };
        self.own_webhook_changes += 1;
        if let Some(v) = &input.name {
            w.name = v.clone();
        }
        if let Some(v) = &input.url {
            w.url = v.clone();
        }
        if let Some(v) = &input.events {
            w.events = v.clone();
        }
        if let Some(v) = &input.headers {
            w.headers = v.clone();
        }
        if let Some(v) = input.format {
            w.format = v;
        }
        if let Some(v) = &input.secret {
            w.secret = v.clone();
        }
        if let Some(active) = input.active {
            w.active = active;
            if active {
                // Switching a webhook back on is how an admin says "the endpoint is fixed".
                w.disabled_at = None;
                w.disabled_reason = None;
                w.failing_since = None;
            }
        }
        self.with_tx(|tx| {
            tx.execute(
                "UPDATE webhooks SET name = ?2, url = ?3, events = ?4, active = ?5, format = ?6, \
                 headers = ?7, secret = ?8, disabled_at = ?9, disabled_reason = ?10, failing_since = ?11, \
                 updated_at = ?12 WHERE id = ?1",
                params![
                    id,
                    w.name,
                    w.url,
                    to_json(&w.events),
                    w.active as i64,
                    w.format.as_str(),
                    to_json(&w.headers),
                    w.secret,
                    w.disabled_at,
                    w.disabled_reason,
                    w.failing_since,
                    now
                ],
            )
        })?;
        Ok(true)
    }

    fn delete_webhook(&mut self, id: i64) -> Result<bool> {
        self.own_webhook_changes += 1;
        self.with_tx(|tx| {
            tx.execute(
                "DELETE FROM attempts WHERE delivery_id IN (SELECT id FROM deliveries WHERE webhook_id = ?1)",
                [id],
            )?;
            tx.execute("DELETE FROM deliveries WHERE webhook_id = ?1", [id])?;
            Ok(tx.execute("DELETE FROM webhooks WHERE id = ?1", [id])? > 0)
        })
    }

    fn rotate_secret(
        &mut self,
        id: i64,
        new_secret: &str,
        grace_until: i64,
        now: i64,
    ) -> Result<bool> {
        self.own_webhook_changes += 1;
        self.with_tx(|tx| {
            Ok(tx.execute(
                "UPDATE webhooks SET previous_secret = secret, previous_secret_until = ?3, secret = ?2, \
                 updated_at = ?4 WHERE id = ?1",
                params![id, new_secret, grace_until, now],
            )? > 0)
        })
    }

    fn live_webhooks(&self) -> Result<Vec<Webhook>> {
        self.list_webhooks(&WebhookFilter {
            event: None,
            active: Some(true),
        })
    }

    fn webhooks_version(&self) -> Result<(i64, u64)> {
        let others = self
            .conn
            .prepare_cached("PRAGMA data_version")
            .and_then(|mut stmt| stmt.query_row([], |r| r.get(0)))
            .map_err(|e| self.err(e))?;
        Ok((others, self.own_webhook_changes))
    }

    fn persist(
        &mut self,
        batch: &[PersistItem<'_>],
        owner: &str,
        lease_until: i64,
        now: i64,
    ) -> Result<()> {
        if batch.is_empty() {
            return Ok(());
        }
        self.with_tx(|tx| {
            let mut message = tx.prepare_cached(
                "INSERT OR IGNORE INTO messages (id, event, payload, created_at) VALUES (?1, ?2, ?3, ?4)",
            )?;
            let mut delivery = tx.prepare_cached(
                "INSERT OR IGNORE INTO deliveries (id, message_id, webhook_id, event, status, is_test, \
                 next_attempt_at, lease_owner, lease_until, created_at, updated_at) \
                 VALUES (?1, ?2, ?3, ?4, 'pending', ?5, COALESCE(?8, ?6), ?7, ?8, ?6, ?6)",
            )?;
            for item in batch {
                let m = &item.message;
                // Already stored (a spool replay of a message its process had committed): its
                // deliveries exist too.
                if message.execute(params![m.id, m.event, m.payload, m.created_at])? == 0 {
                    continue;
                }
                for (delivery_id, webhook_id, leased) in &item.deliveries {
                    let (lease_owner, lease) = if *leased {
                        (Some(owner), Some(lease_until))
                    } else {
                        (None, None)
                    };
                    delivery.execute(params![
                        delivery_id,
                        m.id,
                        webhook_id,
                        m.event,
                        item.is_test as i64,
                        now,
                        lease_owner,
                        lease
                    ])?;
                }
            }
            Ok(())
        })
    }

    fn claim_due(
        &mut self,
        owner: &str,
        now: i64,
        lease_until: i64,
        limit: usize,
        room: &dyn Fn(i64) -> usize,
    ) -> Result<Vec<Job>> {
        if limit == 0 {
            return Ok(Vec::new());
        }
        let claimed = self.with_tx(|tx| {
            // Per webhook, on the (webhook_id, next_attempt_at) index: a webhook at its cap or
            // with a large backlog costs nothing to skip. Its own columns are read once here.
            let mut live = tx.prepare_cached(&format!(
                "SELECT {WEBHOOK_COLUMNS} FROM webhooks WHERE active = 1 AND disabled_at IS NULL ORDER BY id"
            ))?;
            let webhooks = live
                .query_map([], webhook_from_row)?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            let mut due = tx.prepare_cached(
                "SELECT d.rowid, d.id, d.message_id, d.event, d.attempt_count, d.is_test, d.webhook_id, \
                 m.payload, m.created_at FROM deliveries d JOIN messages m ON m.id = d.message_id \
                 WHERE d.webhook_id = ?1 AND d.status IN ('pending', 'retrying') AND d.next_attempt_at <= ?2 \
                 AND (d.lease_until IS NULL OR d.lease_until < ?2) \
                 ORDER BY d.next_attempt_at LIMIT ?3",
            )?;
            let mut rows = Vec::new();
            let mut targets: std::collections::HashMap<i64, Arc<Target>> = Default::default();
            for webhook in webhooks {
                let take = room(webhook.id).min(limit - rows.len());
                if take == 0 {
                    continue;
                }
                let before = rows.len();
                for row in due.query_map(params![webhook.id, now, take as i64], |r| {
                    Ok(ClaimedRow {
                        rowid: r.get(0)?,
                        id: r.get(1)?,
                        message_id: r.get(2)?,
                        event: r.get(3)?,
                        attempts: r.get(4)?,
                        is_test: r.get::<_, i64>(5)? != 0,
                        webhook_id: r.get(6)?,
                        payload: r.get(7)?,
                        created_at: r.get(8)?,
                    })
                })? {
                    rows.push(row?);
                }
                if rows.len() > before {
                    targets.insert(webhook.id, Arc::new(webhook.target(now)));
                }
                if rows.len() >= limit {
                    break;
                }
            }
            let mut lease = tx.prepare_cached(
                "UPDATE deliveries SET lease_owner = ?2, lease_until = ?3, next_attempt_at = ?3 WHERE rowid = ?1",
            )?;
            for row in &rows {
                lease.execute(params![row.rowid, owner, lease_until])?;
            }
            Ok((rows, targets))
        })?;
        let (rows, targets) = claimed;
        Ok(rows
            .into_iter()
            .filter_map(|row| {
                Some(Job {
                    target: targets.get(&row.webhook_id)?.clone(),
                    delivery_id: row.id,
                    message_id: row.message_id,
                    event: row.event,
                    payload: Arc::new(row.payload),
                    message_created_at: row.created_at,
                    attempts_made: row.attempts.max(0) as u32,
                    is_test: row.is_test,
                })
            })
            .collect())
    }

    fn next_due(&self) -> Result<Option<i64>> {
        self.conn
            .query_row(
                "SELECT MIN((SELECT MIN(next_attempt_at) FROM deliveries d \
                 WHERE d.webhook_id = w.id AND d.status IN ('pending', 'retrying'))) FROM webhooks w",
                [],
                |r| r.get(0),
            )
            .map_err(|e| self.err(e))
    }

    fn record(
        &mut self,
        outcomes: &[Outcome],
        now: i64,
        disable_failing_since_before: i64,
    ) -> Result<()> {
        if outcomes.is_empty() {
            return Ok(());
        }
        let disabled = self.with_tx(|tx| {
            let mut attempt = tx.prepare_cached(
                "INSERT INTO attempts (delivery_id, time, status_code, duration_ms, error, response_body) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )?;
            let mut delivery = tx.prepare_cached(
                "UPDATE deliveries SET status = ?2, attempt_count = attempt_count + 1, next_attempt_at = ?3, \
                 lease_owner = NULL, lease_until = NULL, updated_at = ?4 WHERE id = ?1",
            )?;
            let mut webhook_ok = tx.prepare_cached(
                "UPDATE webhooks SET delivered_count = delivered_count + ?4, last_delivery_at = ?2, \
                 last_status = 'delivered', last_status_code = ?3, failing_since = NULL WHERE id = ?1",
            )?;
            // Successes update their webhook's row once per run (count, latest time and code),
            // not once each; a failure first writes the run before it, keeping the order.
            let mut delivered_runs: std::collections::HashMap<i64, (i64, i64, Option<i64>)> =
                Default::default();
            let mut write_run = |webhook_id: i64,
                                 runs: &mut std::collections::HashMap<i64, (i64, i64, Option<i64>)>|
             -> rusqlite::Result<()> {
                if let Some((n, time, code)) = runs.remove(&webhook_id) {
                    webhook_ok.execute(params![webhook_id, time, code, n])?;
                }
                Ok(())
            };
            let mut webhook_fail = tx.prepare_cached(
                "UPDATE webhooks SET failed_count = failed_count + ?4, last_delivery_at = ?2, \
                 last_status = ?5, last_status_code = ?3, failing_since = COALESCE(failing_since, ?2) WHERE id = ?1",
            )?;
            let mut disable = tx.prepare_cached(
                "UPDATE webhooks SET active = 0, disabled_at = ?2, disabled_reason = ?3 WHERE id = ?1 AND disabled_at IS NULL",
            )?;
            let mut disable_failing = tx.prepare_cached(
                "UPDATE webhooks SET active = 0, disabled_at = ?2, disabled_reason = 'every delivery has failed since ' || \
                 strftime('%Y-%m-%d %H:%M:%S UTC', failing_since / 1000, 'unixepoch') \
                 WHERE id = ?1 AND disabled_at IS NULL AND failing_since IS NOT NULL AND failing_since <= ?3",
            )?;
            let mut disabled = 0usize;
            for o in outcomes {
                let a = &o.attempt;
                attempt.execute(params![
                    o.delivery_id,
                    a.time_ms,
                    a.status_code.map(i64::from),
                    a.duration_ms,
                    a.error,
                    a.response_body
                ])?;
                let (status, next) = match &o.transition {
                    Transition::Delivered => (DeliveryStatus::Delivered, None),
                    Transition::Retry { next_attempt_at } => {
                        (DeliveryStatus::Retrying, Some(*next_attempt_at))
                    }
                    Transition::Failed => (DeliveryStatus::Failed, None),
                };
                delivery.execute(params![o.delivery_id, status.as_str(), next, now])?;
                let code = a.status_code.map(i64::from);
                match &o.transition {
                    Transition::Delivered => {
                        let run = delivered_runs.entry(o.webhook_id).or_insert((0, a.time_ms, code));
                        *run = (run.0 + 1, run.1.max(a.time_ms), code);
                    }
                    Transition::Retry { .. } => {
                        write_run(o.webhook_id, &mut delivered_runs)?;
                        webhook_fail.execute(params![o.webhook_id, a.time_ms, code, 0, "retrying"])?;
                    }
                    Transition::Failed => {
                        write_run(o.webhook_id, &mut delivered_runs)?;
                        webhook_fail.execute(params![o.webhook_id, a.time_ms, code, 1, "failed"])?;
                    }
                }
                disabled += if let Some(reason) = &o.disable {
                    disable.execute(params![o.webhook_id, now, reason])?
                } else if o.transition != Transition::Delivered {
                    disable_failing.execute(params![
                        o.webhook_id,
                        now,
                        disable_failing_since_before
                    ])?
                } else {
                    0
                };
            }
            let webhooks: Vec<i64> = delivered_runs.keys().copied().collect();
            for webhook_id in webhooks {
                write_run(webhook_id, &mut delivered_runs)?;
            }
            Ok(disabled)
        })?;
        if disabled > 0 {
            self.own_webhook_changes += 1;
        }
        Ok(())
    }

    fn release(&mut self, owner: &str, delivery_ids: &[String], now: i64) -> Result<()> {
        self.with_tx(|tx| {
            let mut stmt = tx.prepare_cached(
                "UPDATE deliveries SET lease_owner = NULL, lease_until = NULL, next_attempt_at = ?3 \
                 WHERE id = ?1 AND lease_owner = ?2",
            )?;
            for id in delivery_ids {
                stmt.execute(params![id, owner, now])?;
            }
            Ok(())
        })
    }

    fn unattempted(&self, delivery_ids: &[String]) -> Result<Vec<String>> {
        let mut out = Vec::new();
        for chunk in delivery_ids.chunks(500) {
            let marks = vec!["?"; chunk.len()].join(",");
            let mut stmt = self
                .conn
                .prepare(&format!(
                    "SELECT id FROM deliveries WHERE id IN ({marks}) AND status = 'pending' AND attempt_count = 0"
                ))
                .map_err(|e| self.err(e))?;
            let ids = stmt
                .query_map(params_from_iter(chunk), |r| r.get::<_, String>(0))
                .and_then(|rows| rows.collect::<rusqlite::Result<Vec<_>>>())
                .map_err(|e| self.err(e))?;
            out.extend(ids);
        }
        Ok(out)
    }

    fn deliveries(&self, filter: &DeliveryFilter) -> Result<Vec<DeliveryView>> {
        use rusqlite::types::Value;
        let mut clauses = Vec::new();
        let mut args: Vec<Value> = Vec::new();
        if let Some(id) = filter.webhook_id {
            args.push(Value::Integer(id));
            clauses.push(format!("d.webhook_id = ?{}", args.len()));
        }
        if let Some(event) = &filter.event {
            args.push(Value::Text(event.clone()));
            clauses.push(format!("d.event = ?{}", args.len()));
        }
        if let Some(status) = filter.status {
            args.push(Value::Text(status.as_str().to_string()));
            clauses.push(format!("d.status = ?{}", args.len()));
        }
        if let Some(message_id) = &filter.message_id {
            args.push(Value::Text(message_id.clone()));
            clauses.push(format!("d.message_id = ?{}", args.len()));
        }
        if let Some(since) = filter.since_ms {
            args.push(Value::Integer(since));
            clauses.push(format!("d.created_at >= ?{}", args.len()));
        }
        let sql_where = if clauses.is_empty() {
            String::new()
        } else {
            format!("WHERE {}", clauses.join(" AND "))
        };
        self.delivery_rows(&sql_where, args, filter.limit, filter.offset)
    }

    fn delivery(&self, id: &str) -> Result<Option<DeliveryView>> {
        let rows = self.delivery_rows(
            "WHERE d.id = ?1",
            vec![rusqlite::types::Value::Text(id.to_string())],
            1,
            0,
        )?;
        Ok(rows.into_iter().next())
    }

    fn redeliver(&mut self, id: &str, now: i64) -> Result<bool> {
        self.with_tx(|tx| {
            Ok(tx.execute(
                "UPDATE deliveries SET status = 'pending', next_attempt_at = ?2, lease_owner = NULL, \
                 lease_until = NULL, updated_at = ?2 WHERE id = ?1",
                params![id, now],
            )? > 0)
        })
    }

    fn replay(&mut self, webhook_id: i64, since: i64, now: i64) -> Result<i64> {
        self.with_tx(|tx| {
            Ok(tx.execute(
                "UPDATE deliveries SET status = 'pending', next_attempt_at = ?3, lease_owner = NULL, \
                 lease_until = NULL, updated_at = ?3 WHERE webhook_id = ?1 AND status = 'failed' AND created_at >= ?2",
                params![webhook_id, since, now],
            )? as i64)
        })
    }

    fn counts(&self) -> Result<StoreCounts> {
        let mut counts = StoreCounts::default();
        let mut stmt = self
            .conn
            .prepare_cached("SELECT status, COUNT(*) FROM deliveries GROUP BY status")
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))
            .and_then(|rows| rows.collect::<rusqlite::Result<Vec<_>>>())
            .map_err(|e| self.err(e))?;
        for (status, n) in rows {
            match status.as_str() {
                "pending" => counts.pending = n,
                "retrying" => counts.retrying = n,
                "delivered" => counts.delivered = n,
                "failed" => counts.failed = n,
                _ => {}
            }
        }
        counts.webhooks = self
            .conn
            .query_row("SELECT COUNT(*) FROM webhooks", [], |r| r.get(0))
            .map_err(|e| self.err(e))?;
        Ok(counts)
    }
}

/// A due delivery as the claim reads it.
struct ClaimedRow {
    rowid: i64,
    id: String,
    message_id: String,
    event: String,
    attempts: i64,
    is_test: bool,
    webhook_id: i64,
    payload: Vec<u8>,
    created_at: i64,
}

/// Reads a webhook from a joined row whose webhook columns start at `offset`.
struct OffsetRow<'a, 'b> {
    row: &'a rusqlite::Row<'b>,
    offset: usize,
}

impl OffsetRow<'_, '_> {
    fn webhook(&self) -> rusqlite::Result<Webhook> {
        let r = self.row;
        let o = self.offset;
        let events: String = r.get(o + 3)?;
        let headers: String = r.get(o + 6)?;
        let format: String = r.get(o + 5)?;
        Ok(Webhook {
            id: r.get(o)?,
            name: r.get(o + 1)?,
            url: r.get(o + 2)?,
            events: serde_json::from_str(&events).unwrap_or_default(),
            active: r.get::<_, i64>(o + 4)? != 0,
            format: Format::parse(&format).unwrap_or(Format::Flat),
            headers: serde_json::from_str(&headers).unwrap_or_default(),
            secret: r.get(o + 7)?,
            previous_secret: r.get(o + 8)?,
            previous_secret_until: r.get(o + 9)?,
            created_at: r.get(o + 10)?,
            updated_at: r.get(o + 11)?,
            disabled_at: r.get(o + 12)?,
            disabled_reason: r.get(o + 13)?,
            failing_since: r.get(o + 14)?,
            delivered_count: r.get(o + 15)?,
            failed_count: r.get(o + 16)?,
            last_delivery_at: r.get(o + 17)?,
            last_status: r.get(o + 18)?,
            last_status_code: r.get(o + 19)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp_store(name: &str) -> (SqliteStore, PathBuf) {
        let dir = std::env::temp_dir().join(format!("umw-store-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let store = SqliteStore::open(&dir.join("s.sqlite")).unwrap();
        (store, dir)
    }

    #[test]
    fn webhooks_version_moves_on_own_webhook_writes_and_disables() {
        let (mut store, dir) = temp_store("version");
        let v0 = store.webhooks_version().unwrap();
        let input = WebhookInput {
            name: Some("a".into()),
            url: Some("https://a.example/".into()),
            ..Default::default()
        };
        let id = store.insert_webhook(&input, "whsec_x", 1).unwrap();
        let v1 = store.webhooks_version().unwrap();
        assert_ne!(v0, v1);

        let gone = Outcome {
            delivery_id: "dlv_1".into(),
            webhook_id: id,
            attempt: AttemptResult {
                status_code: Some(410),
                ..Default::default()
            },
            transition: Transition::Failed,
            disable: Some("gone".into()),
        };
        store.record(&[gone], 2, i64::MIN).unwrap();
        let v2 = store.webhooks_version().unwrap();
        assert_ne!(v1, v2, "a disable must move the version");
        assert!(store.live_webhooks().unwrap().is_empty());

        let ok = Outcome {
            delivery_id: "dlv_2".into(),
            webhook_id: id,
            attempt: AttemptResult::default(),
            transition: Transition::Delivered,
            disable: None,
        };
        store.record(&[ok], 3, i64::MIN).unwrap();
        assert_eq!(
            v2,
            store.webhooks_version().unwrap(),
            "a delivery changes no subscription"
        );
        let _ = std::fs::remove_dir_all(dir);
    }

    #[test]
    fn webhook_counters_follow_outcome_order_within_a_batch() {
        let (mut store, dir) = temp_store("counters");
        let input = WebhookInput {
            name: Some("a".into()),
            url: Some("https://a.example/".into()),
            ..Default::default()
        };
        let id = store.insert_webhook(&input, "whsec_x", 1).unwrap();
        let outcome = |n: i64, code: u16, transition: Transition| Outcome {
            delivery_id: format!("dlv_{n}"),
            webhook_id: id,
            attempt: AttemptResult {
                time_ms: n * 1000,
                status_code: Some(code),
                ..Default::default()
            },
            transition,
            disable: None,
        };
        let retry = Transition::Retry {
            next_attempt_at: 99_000,
        };
        // (delivered, failed, last status, last code, failing since) after each batch
        type Expected = (i64, i64, &'static str, i64, Option<i64>);
        let cases: Vec<(Vec<Outcome>, Expected)> = vec![
            (
                vec![
                    outcome(10, 200, Transition::Delivered),
                    outcome(11, 201, Transition::Delivered),
                    outcome(12, 500, Transition::Failed),
                    outcome(13, 204, Transition::Delivered),
                ],
                (3, 1, "delivered", 204, None),
            ),
            (
                vec![
                    outcome(20, 200, Transition::Delivered),
                    outcome(21, 503, retry.clone()),
                ],
                (4, 1, "retrying", 503, Some(21_000)),
            ),
            (
                vec![outcome(30, 500, retry.clone())],
                (4, 1, "retrying", 500, Some(21_000)),
            ),
        ];
        for (batch, (delivered, failed, status, code, failing_since)) in cases {
            store.record(&batch, 50_000, i64::MIN).unwrap();
            let w = store.get_webhook(id).unwrap().unwrap();
            assert_eq!(
                (
                    w.delivered_count,
                    w.failed_count,
                    w.last_status.as_deref(),
                    w.last_status_code,
                    w.failing_since
                ),
                (delivered, failed, Some(status), Some(code), failing_since)
            );
        }
        let _ = std::fs::remove_dir_all(dir);
    }
}
