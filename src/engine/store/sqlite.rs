//! The embedded backend: one SQLite file shared by every PHP process of the host, in WAL mode
//! (readers never block the writer). Every write that processes race on runs in an IMMEDIATE
//! transaction: a deferred one would fail with SQLITE_BUSY on lock upgrade instead of waiting
//! in the busy handler.
//!
//! The file, its `-wal` and `-shm` and the directories umw creates are private to the PHP user
//! (SQLite gives the journal files the mode of the database file, so creating that one 0600 is
//! enough).

use crate::engine::model::*;
use crate::engine::stats::Histogram;
use crate::engine::store::shared::{
    headers_from_json, rebucket, stats_deltas, to_json, webhook_deltas, FailingSince,
};
use crate::engine::store::sqlite_schema::{self, MIGRATIONS};
use crate::engine::store::{
    Outcome, PersistItem, Store, StoreError, StoreErrorKind, StoreHealth, StoreResult, Transition,
    WebhooksVersion,
};
use rusqlite::types::Value as SqlValue;
use rusqlite::{params, params_from_iter, Connection, OptionalExtension, TransactionBehavior};
use std::os::unix::fs::{DirBuilderExt, MetadataExt, OpenOptionsExt};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

mod transfer;

pub struct SqliteStore {
    conn: Connection,
    path: PathBuf,
    /// Webhook writes made through this connection: SQLite's data_version only moves for
    /// other connections' commits.
    own_webhook_changes: u64,
}

const WEBHOOK_COLUMNS: &str =
    "id, network_id, external_id, revision, name, url, events, active, format, headers, secret, \
     previous_secret, previous_secret_until, created_at, updated_at, disabled_at, disabled_reason, \
     failing_since, delivered_count, failed_count, last_delivery_at, last_status, last_status_code";

fn webhook_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Webhook> {
    let events: String = r.get(6)?;
    let format: String = r.get(8)?;
    let headers: String = r.get(9)?;
    Ok(Webhook {
        id: r.get(0)?,
        network_id: r.get(1)?,
        external_id: r.get(2)?,
        revision: r.get(3)?,
        name: r.get(4)?,
        url: r.get(5)?,
        events: serde_json::from_str(&events).unwrap_or_default(),
        active: r.get::<_, i64>(7)? != 0,
        format: Format::parse(&format).unwrap_or(Format::Flat),
        headers: serde_json::from_str(&headers).unwrap_or_default(),
        secret: r.get(10)?,
        previous_secret: r.get(11)?,
        previous_secret_until: r.get(12)?,
        created_at: r.get(13)?,
        updated_at: r.get(14)?,
        disabled_at: r.get(15)?,
        disabled_reason: r.get(16)?,
        failing_since: r.get(17)?,
        delivered_count: r.get(18)?,
        failed_count: r.get(19)?,
        last_delivery_at: r.get(20)?,
        last_status: r.get(21)?,
        last_status_code: r.get(22)?,
    })
}

/// An optional value as a plain SQL value: binding an `Option` directly lets optimised code read
/// the `None`'s uninitialised payload, which valgrind (run on the PHP tests) reports.
fn opt<T: Into<SqlValue>>(value: Option<T>) -> SqlValue {
    match value {
        Some(v) => v.into(),
        None => SqlValue::Null,
    }
}

/// A payload column: umw writes BLOBs; a row written as TEXT (by hand, or by an older tool)
/// reads the same.
fn payload_at(r: &rusqlite::Row<'_>, idx: usize) -> rusqlite::Result<Option<Vec<u8>>> {
    use rusqlite::types::ValueRef;
    Ok(match r.get_ref(idx)? {
        ValueRef::Blob(b) | ValueRef::Text(b) => Some(b.to_vec()),
        _ => None,
    })
}

fn kind_of(e: &rusqlite::Error) -> StoreErrorKind {
    use rusqlite::ErrorCode::*;
    match e.sqlite_error_code() {
        Some(DatabaseBusy | DatabaseLocked | CannotOpen) => StoreErrorKind::Unavailable,
        Some(ReadOnly | PermissionDenied) => StoreErrorKind::ReadOnly,
        Some(DiskFull) => StoreErrorKind::Full,
        Some(DatabaseCorrupt | NotADatabase) => StoreErrorKind::Corrupt,
        Some(ConstraintViolation) => StoreErrorKind::Conflict,
        _ => StoreErrorKind::Other,
    }
}

/// Create `dir` (and its parents) private to this user; existing directories are left as they are.
pub fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    if dir.as_os_str().is_empty() || dir.exists() {
        return Ok(());
    }
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
}

/// Files whose mode lets users other than the owner read them.
pub fn readable_by_others(paths: &[PathBuf]) -> Vec<String> {
    paths
        .iter()
        .filter_map(|p| {
            let mode = std::fs::metadata(p).ok()?.mode();
            (mode & 0o077 != 0).then(|| format!("{} is mode {:o}", p.display(), mode & 0o777))
        })
        .collect()
}

impl SqliteStore {
    /// Open (creating the file private to this user, its directory and the schema when
    /// missing, and upgrading an older schema in place).
    pub fn open(path: &Path) -> StoreResult<SqliteStore> {
        let location = path.display().to_string();
        let fail = |kind, message: String| StoreError::new(location.clone(), kind, message);
        if let Some(dir) = path.parent() {
            create_private_dir(dir).map_err(|e| {
                fail(
                    StoreErrorKind::Unavailable,
                    format!("cannot create directory {}: {e}", dir.display()),
                )
            })?;
        }
        match std::fs::metadata(path) {
            Ok(meta) if !meta.is_file() => {
                return Err(fail(
                    StoreErrorKind::Unavailable,
                    "is not a regular file; umw.store must name a file (or a mysql:// URL)".into(),
                ))
            }
            Ok(_) => {}
            Err(_) => {
                // Created here, 0600 whatever the umask, so SQLite's -wal and -shm inherit it.
                std::fs::OpenOptions::new()
                    .write(true)
                    .create_new(true)
                    .mode(0o600)
                    .open(path)
                    .or_else(|e| match e.kind() {
                        std::io::ErrorKind::AlreadyExists => Ok(std::fs::File::open(path)?),
                        _ => Err(e),
                    })
                    .map_err(|e| {
                        let kind = if e.kind() == std::io::ErrorKind::PermissionDenied {
                            StoreErrorKind::ReadOnly
                        } else {
                            StoreErrorKind::Unavailable
                        };
                        fail(kind, format!("cannot create the store file: {e}"))
                    })?;
            }
        }
        let conn = Connection::open(path).map_err(|e| fail(kind_of(&e), e.to_string()))?;
        // SQLite falls back to read-only when the file or its file system is not writable; then
        // emits would be accepted and never persisted. Refuse it like an unwritable directory.
        if conn
            .is_readonly(rusqlite::DatabaseName::Main)
            .unwrap_or(false)
        {
            return Err(fail(
                StoreErrorKind::ReadOnly,
                "is read-only (the file or its file system is not writable)".into(),
            ));
        }
        let mut store = SqliteStore {
            conn,
            path: path.to_path_buf(),
            own_webhook_changes: 0,
        };
        store.configure()?;
        store.migrate()?;
        Ok(store)
    }

    fn configure(&mut self) -> StoreResult<()> {
        let conn = &self.conn;
        let set = |name: &str, value: &dyn rusqlite::ToSql| conn.pragma_update(None, name, value);
        conn.busy_timeout(Duration::from_secs(10))
            .and_then(|_| {
                // Only possible on a new, empty file: freed pages can then be given back
                // (`reclaim_space`); an older file keeps reusing them. (Setting it on a file
                // with tables would write its header on every open for nothing.)
                let tables: i64 =
                    conn.query_row("SELECT COUNT(*) FROM sqlite_master", [], |r| r.get(0))?;
                if tables == 0 {
                    set("auto_vacuum", &"INCREMENTAL")?;
                }
                // WAL + NORMAL: a commit survives a killed process (the WAL is in the OS page
                // cache); only power loss can take the last commits, the usual trade for queues.
                set("journal_mode", &"WAL")?;
                set("synchronous", &"NORMAL")?;
                set("foreign_keys", &"OFF")?;
                // The WAL is cut back to this after each checkpoint instead of keeping its peak.
                set("journal_size_limit", &(64 * 1024 * 1024))
            })
            .map_err(|e| self.err(e))
    }

    fn migrate(&mut self) -> StoreResult<()> {
        let current = sqlite_schema::current();
        let found: i64 = self
            .conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .map_err(|e| self.err(e))?;
        if found == current {
            return Ok(());
        }
        if found > current {
            return Err(StoreError::new(
                self.location(),
                StoreErrorKind::Incompatible,
                format!(
                    "schema version {found} is newer than this umw understands ({current}); \
                     upgrade the extension on this host"
                ),
            ));
        }
        self.with_tx(|tx| {
            // Read again under the write lock: another process may have just migrated.
            let found: i64 = tx.query_row("PRAGMA user_version", [], |r| r.get(0))?;
            for (version, sql) in MIGRATIONS.iter().filter(|(v, _)| *v > found) {
                tx.execute_batch(sql)?;
                tx.pragma_update(None, "user_version", version)?;
            }
            Ok(())
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    fn location(&self) -> String {
        self.path.display().to_string()
    }

    fn err(&self, e: rusqlite::Error) -> StoreError {
        StoreError::new(self.location(), kind_of(&e), e.to_string())
    }

    fn with_tx<T>(
        &mut self,
        f: impl FnOnce(&rusqlite::Transaction<'_>) -> rusqlite::Result<T>,
    ) -> StoreResult<T> {
        let location = self.location();
        let wrap =
            |e: rusqlite::Error| StoreError::new(location.clone(), kind_of(&e), e.to_string());
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(wrap)?;
        let value = f(&tx).map_err(wrap)?;
        tx.commit().map_err(wrap)?;
        Ok(value)
    }

    fn attempts_for(&self, delivery_id: &str) -> StoreResult<Vec<AttemptView>> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT time, url, request_headers, status_code, duration_ms, error, response_headers, \
                 response_body FROM attempts WHERE delivery_id = ?1 ORDER BY id",
            )
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map([delivery_id], |r| {
                Ok(AttemptView {
                    time_ms: r.get(0)?,
                    url: r.get(1)?,
                    request_headers: headers_from_json(r.get::<_, Option<String>>(2)?.as_deref()),
                    status_code: r.get(3)?,
                    duration_ms: r.get(4)?,
                    error: r.get(5)?,
                    response_headers: headers_from_json(r.get::<_, Option<String>>(6)?.as_deref()),
                    response_body: r.get(7)?,
                })
            })
            .and_then(|rows| rows.collect::<rusqlite::Result<Vec<_>>>())
            .map_err(|e| self.err(e))?;
        Ok(rows)
    }

    /// `WHERE` clause and arguments for a delivery filter (deliveries `d`, messages `m`).
    fn delivery_where(filter: &DeliveryFilter) -> (String, Vec<SqlValue>) {
        let mut clauses = Vec::new();
        let mut args: Vec<SqlValue> = Vec::new();
        let mut push = |clause: &str, value: SqlValue| {
            args.push(value);
            clauses.push(clause.replace('?', &format!("?{}", args.len())));
        };
        if let Some(id) = filter.webhook_id {
            push("d.webhook_id = ?", SqlValue::Integer(id));
        }
        if let Some(network) = filter.network_id {
            push("m.network_id = ?", SqlValue::Integer(network));
        }
        if let Some(event) = &filter.event {
            push("d.event = ?", SqlValue::Text(event.clone()));
        }
        if let Some(status) = filter.status {
            push("d.status = ?", SqlValue::Text(status.as_str().to_string()));
        }
        if let Some(message_id) = &filter.message_id {
            push("d.message_id = ?", SqlValue::Text(message_id.clone()));
        }
        if let Some(since) = filter.since_ms {
            push("d.created_at >= ?", SqlValue::Integer(since));
        }
        if let Some(until) = filter.until_ms {
            push("d.created_at < ?", SqlValue::Integer(until));
        }
        if let Some(is_test) = filter.is_test {
            push("d.is_test = ?", SqlValue::Integer(is_test as i64));
        }
        let sql = if clauses.is_empty() {
            String::new()
        } else {
            format!("WHERE {}", clauses.join(" AND "))
        };
        (sql, args)
    }

    fn delivery_rows(
        &self,
        sql_where: &str,
        args: Vec<SqlValue>,
        limit: usize,
        offset: usize,
        with_payload: bool,
        now: i64,
    ) -> StoreResult<Vec<DeliveryView>> {
        let payload = if with_payload { "m.payload" } else { "NULL" };
        let sql = format!(
            "SELECT d.id, d.message_id, d.webhook_id, d.event, d.status, d.is_test, d.next_attempt_at, \
             d.created_at, {payload}, d.lease_until FROM deliveries d LEFT JOIN messages m ON m.id = d.message_id \
             {sql_where} ORDER BY d.created_at DESC, d.id DESC LIMIT {limit} OFFSET {offset}"
        );
        let mut stmt = self.conn.prepare_cached(&sql).map_err(|e| self.err(e))?;
        let mut out = stmt
            .query_map(params_from_iter(args), |r| {
                // A claim's `next_attempt_at` is its lease expiry (the retry should the attempt
                // be lost); while the lease runs the delivery is being sent.
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
                    payload: payload_at(r, 8)?.map(|p| String::from_utf8_lossy(&p).into_owned()),
                })
            })
            .and_then(|rows| rows.collect::<rusqlite::Result<Vec<_>>>())
            .map_err(|e| self.err(e))?;
        for view in &mut out {
            view.attempts = self.attempts_for(&view.id)?;
        }
        Ok(out)
    }

    /// For each webhook with deliveries waiting, the earliest time one is due: a skip scan of the
    /// (webhook_id, next_attempt_at) index, so it costs one seek per webhook with a backlog and
    /// nothing for the (many) webhooks without one.
    fn waiting_by_webhook(tx: &Connection) -> rusqlite::Result<Vec<(i64, i64)>> {
        let mut next = tx.prepare_cached(
            "SELECT webhook_id, next_attempt_at FROM deliveries INDEXED BY deliveries_due_by_webhook \
             WHERE status IN ('pending', 'retrying') AND webhook_id > ?1 \
             ORDER BY webhook_id, next_attempt_at LIMIT 1",
        )?;
        let mut out = Vec::new();
        let mut after = i64::MIN;
        while let Some((webhook_id, due)) = next
            .query_row([after], |r| {
                Ok((r.get::<_, i64>(0)?, r.get::<_, Option<i64>>(1)?))
            })
            .optional()?
        {
            out.push((webhook_id, due.unwrap_or(0)));
            after = webhook_id;
        }
        Ok(out)
    }

    fn live_webhook(tx: &Connection, id: i64) -> rusqlite::Result<Option<Webhook>> {
        tx.prepare_cached(&format!(
            "SELECT {WEBHOOK_COLUMNS} FROM webhooks WHERE id = ?1 AND active = 1 AND disabled_at IS NULL"
        ))?
        .query_row([id], webhook_from_row)
        .optional()
    }
}

impl Store for SqliteStore {
    fn insert_webhook(&mut self, input: &WebhookInput, secret: &str, now: i64) -> StoreResult<i64> {
        let events = input
            .events
            .clone()
            .unwrap_or_else(|| vec![WILDCARD.to_string()]);
        let headers = input.headers.clone().unwrap_or_default();
        self.own_webhook_changes += 1;
        let inserted = self.with_tx(|tx| {
            tx.execute(
                "INSERT INTO webhooks (network_id, external_id, name, url, events, active, format, headers, \
                 secret, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?10)",
                params![
                    input.network_id.unwrap_or(DEFAULT_NETWORK),
                    opt(input.external_id.clone().flatten()),
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
        });
        inserted.map_err(|e| e.explain_conflict(input))
    }

    fn get_webhook(&mut self, id: i64) -> StoreResult<Option<Webhook>> {
        self.conn
            .prepare_cached(&format!(
                "SELECT {WEBHOOK_COLUMNS} FROM webhooks WHERE id = ?1"
            ))
            .and_then(|mut s| s.query_row([id], webhook_from_row).optional())
            .map_err(|e| self.err(e))
    }

    fn list_webhooks(&mut self, filter: &WebhookFilter) -> StoreResult<Vec<Webhook>> {
        let mut sql = format!("SELECT {WEBHOOK_COLUMNS} FROM webhooks WHERE 1 = 1");
        let mut args: Vec<SqlValue> = Vec::new();
        if let Some(network) = filter.network_id {
            args.push(SqlValue::Integer(network));
            sql.push_str(&format!(" AND network_id = ?{}", args.len()));
        }
        if let Some(external) = &filter.external_id {
            args.push(SqlValue::Text(external.clone()));
            sql.push_str(&format!(" AND external_id = ?{}", args.len()));
        }
        match filter.active {
            Some(true) => sql.push_str(" AND active = 1 AND disabled_at IS NULL"),
            Some(false) => sql.push_str(" AND (active = 0 OR disabled_at IS NOT NULL)"),
            None => {}
        }
        sql.push_str(" ORDER BY id");
        let all = self
            .conn
            .prepare_cached(&sql)
            .and_then(|mut stmt| {
                stmt.query_map(params_from_iter(args), webhook_from_row)?
                    .collect::<rusqlite::Result<Vec<_>>>()
            })
            .map_err(|e| self.err(e))?;
        Ok(all
            .into_iter()
            .filter(|w| filter.event.as_ref().is_none_or(|e| w.subscribes_to(e)))
            .collect())
    }

    fn update_webhook(
        &mut self,
        id: i64,
        input: &WebhookInput,
        now: i64,
    ) -> StoreResult<Option<Webhook>> {
        let mut sets: Vec<&str> = Vec::new();
        let mut args: Vec<SqlValue> = vec![SqlValue::Integer(id), SqlValue::Integer(now)];
        let mut set = |column: &'static str, value: SqlValue| {
            args.push(value);
            sets.push(column);
        };
        if let Some(v) = input.network_id {
            set("network_id", SqlValue::Integer(v));
        }
        if let Some(v) = &input.external_id {
            set(
                "external_id",
                v.clone().map_or(SqlValue::Null, SqlValue::Text),
            );
        }
        if let Some(v) = &input.name {
            set("name", SqlValue::Text(v.clone()));
        }
        if let Some(v) = &input.url {
            set("url", SqlValue::Text(v.clone()));
        }
        if let Some(v) = &input.events {
            set("events", SqlValue::Text(to_json(v)));
        }
        if let Some(v) = &input.headers {
            set("headers", SqlValue::Text(to_json(v)));
        }
        if let Some(v) = input.format {
            set("format", SqlValue::Text(v.as_str().into()));
        }
        if let Some(v) = &input.secret {
            set("secret", SqlValue::Text(v.clone()));
        }
        if let Some(v) = input.active {
            set("active", SqlValue::Integer(v as i64));
        }
        let mut assignments: Vec<String> = sets
            .iter()
            .enumerate()
            .map(|(i, column)| format!("{column} = ?{}", i + 3))
            .collect();
        if input.active == Some(true) {
            // Switching a webhook back on is how an admin says "the endpoint is fixed".
            assignments
                .push("disabled_at = NULL, disabled_reason = NULL, failing_since = NULL".into());
        }
        assignments.push("updated_at = ?2, revision = revision + 1".into());
        let sql = format!(
            "UPDATE webhooks SET {} WHERE id = ?1",
            assignments.join(", ")
        );
        self.own_webhook_changes += 1;
        let changed = self
            .with_tx(|tx| tx.execute(&sql, params_from_iter(args)))
            .map_err(|e| e.explain_conflict(input))?;
        if changed == 0 {
            return Ok(None);
        }
        self.get_webhook(id)
    }

    fn delete_webhook(&mut self, id: i64) -> StoreResult<bool> {
        self.own_webhook_changes += 1;
        self.with_tx(|tx| {
            tx.execute(
                "DELETE FROM attempts WHERE delivery_id IN (SELECT id FROM deliveries WHERE webhook_id = ?1)",
                [id],
            )?;
            tx.execute(
                "CREATE TEMP TABLE IF NOT EXISTS umw_gone_messages (id TEXT PRIMARY KEY)",
                [],
            )?;
            tx.execute("DELETE FROM temp.umw_gone_messages", [])?;
            tx.execute(
                "INSERT OR IGNORE INTO temp.umw_gone_messages SELECT message_id FROM deliveries WHERE webhook_id = ?1",
                [id],
            )?;
            tx.execute("DELETE FROM deliveries WHERE webhook_id = ?1", [id])?;
            tx.execute(
                "DELETE FROM messages WHERE id IN (SELECT id FROM temp.umw_gone_messages) \
                 AND NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.message_id = messages.id)",
                [],
            )?;
            tx.execute("DELETE FROM temp.umw_gone_messages", [])?;
            tx.execute("DELETE FROM stats_hourly WHERE webhook_id = ?1", [id])?;
            Ok(tx.execute("DELETE FROM webhooks WHERE id = ?1", [id])? > 0)
        })
    }

    fn rotate_secret(
        &mut self,
        id: i64,
        new_secret: &str,
        grace_until: i64,
        now: i64,
    ) -> StoreResult<bool> {
        self.own_webhook_changes += 1;
        self.with_tx(|tx| {
            Ok(tx.execute(
                "UPDATE webhooks SET previous_secret = secret, previous_secret_until = ?3, secret = ?2, \
                 updated_at = ?4, revision = revision + 1 WHERE id = ?1",
                params![id, new_secret, grace_until, now],
            )? > 0)
        })
    }

    fn live_webhooks(&mut self) -> StoreResult<Vec<Webhook>> {
        self.list_webhooks(&WebhookFilter {
            active: Some(true),
            ..Default::default()
        })
    }

    fn webhooks_version(&mut self) -> StoreResult<WebhooksVersion> {
        let others = self
            .conn
            .prepare_cached("PRAGMA data_version")
            .and_then(|mut stmt| stmt.query_row([], |r| r.get(0)))
            .map_err(|e| self.err(e))?;
        Ok(WebhooksVersion(others, self.own_webhook_changes))
    }

    fn version_is_local(&self) -> bool {
        true
    }

    fn persist(
        &mut self,
        batch: &[PersistItem<'_>],
        owner: &str,
        lease_until: i64,
        now: i64,
    ) -> StoreResult<()> {
        if batch.is_empty() {
            return Ok(());
        }
        self.with_tx(|tx| {
            let mut message = tx.prepare_cached(
                "INSERT OR IGNORE INTO messages (id, network_id, event, payload, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
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
                if message.execute(params![m.id, m.network_id, m.event, m.payload, m.created_at])? == 0 {
                    continue;
                }
                for (delivery_id, webhook_id, leased) in &item.deliveries {
                    let (lease_owner, lease): (&dyn rusqlite::ToSql, &dyn rusqlite::ToSql) =
                        if *leased {
                            (&owner, &lease_until)
                        } else {
                            (&rusqlite::types::Null, &rusqlite::types::Null)
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
    ) -> StoreResult<Vec<Job>> {
        if limit == 0 {
            return Ok(Vec::new());
        }
        let claimed = self.with_tx(|tx| {
            let mut due = tx.prepare_cached(
                "SELECT d.rowid, d.id, d.message_id, d.event, d.attempt_count, d.is_test, \
                 m.payload, m.created_at, m.network_id FROM deliveries d JOIN messages m ON m.id = d.message_id \
                 WHERE d.webhook_id = ?1 AND d.status IN ('pending', 'retrying') AND d.next_attempt_at <= ?2 \
                 AND (d.lease_until IS NULL OR d.lease_until < ?2) \
                 ORDER BY d.next_attempt_at LIMIT ?3",
            )?;
            let mut lease = tx.prepare_cached(
                "UPDATE deliveries SET lease_owner = ?2, lease_until = ?3, next_attempt_at = ?3 WHERE rowid = ?1",
            )?;
            let mut jobs = Vec::new();
            let tests: Vec<(i64, i64)> = tx
                .prepare_cached(
                    "SELECT rowid, webhook_id FROM deliveries INDEXED BY deliveries_tests_due \
                     WHERE is_test = 1 AND status = 'pending' AND next_attempt_at <= ?1 \
                     AND (lease_until IS NULL OR lease_until < ?1) ORDER BY next_attempt_at LIMIT ?2",
                )?
                .query_map(params![now, limit as i64], |r| Ok((r.get(0)?, r.get(1)?)))?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            for (rowid, webhook_id) in tests {
                let Some(webhook) = tx
                    .prepare_cached(&format!("SELECT {WEBHOOK_COLUMNS} FROM webhooks WHERE id = ?1"))?
                    .query_row([webhook_id], webhook_from_row)
                    .optional()?
                else {
                    continue;
                };
                let target = Arc::new(webhook.target(now));
                let job = tx
                    .prepare_cached(
                        "SELECT d.id, d.message_id, d.event, d.attempt_count, m.payload, m.created_at, \
                         m.network_id FROM deliveries d JOIN messages m ON m.id = d.message_id WHERE d.rowid = ?1",
                    )?
                    .query_row([rowid], |r| {
                        Ok(Job {
                            delivery_id: r.get(0)?,
                            message_id: r.get(1)?,
                            event: r.get(2)?,
                            attempts_made: r.get::<_, i64>(3)?.max(0) as u32,
                            is_test: true,
                            payload: Arc::new(payload_at(r, 4)?.unwrap_or_default()),
                            message_created_at: r.get(5)?,
                            network_id: r.get(6)?,
                            target,
                        })
                    })?;
                lease.execute(params![rowid, owner, lease_until])?;
                jobs.push(job);
            }
            for (webhook_id, first_due) in SqliteStore::waiting_by_webhook(tx)? {
                let take = room(webhook_id).min(limit - jobs.len());
                if take == 0 || first_due > now {
                    continue;
                }
                let Some(webhook) = SqliteStore::live_webhook(tx, webhook_id)? else {
                    continue;
                };
                let target = Arc::new(webhook.target(now));
                let rows = due
                    .query_map(params![webhook_id, now, take as i64], |r| {
                        Ok((
                            r.get::<_, i64>(0)?,
                            Job {
                                delivery_id: r.get(1)?,
                                message_id: r.get(2)?,
                                event: r.get(3)?,
                                attempts_made: r.get::<_, i64>(4)?.max(0) as u32,
                                is_test: r.get::<_, i64>(5)? != 0,
                                payload: Arc::new(payload_at(r, 6)?.unwrap_or_default()),
                                message_created_at: r.get(7)?,
                                network_id: r.get(8)?,
                                target: target.clone(),
                            },
                        ))
                    })?
                    .collect::<rusqlite::Result<Vec<_>>>()?;
                for (rowid, job) in rows {
                    lease.execute(params![rowid, owner, lease_until])?;
                    jobs.push(job);
                }
                if jobs.len() >= limit {
                    break;
                }
            }
            Ok(jobs)
        })?;
        Ok(claimed)
    }

    fn next_due(&mut self, _now: i64) -> StoreResult<Option<i64>> {
        let conn = &self.conn;
        let waiting = SqliteStore::waiting_by_webhook(conn).map_err(|e| self.err(e))?;
        let mut earliest: Option<i64> = None;
        for (webhook_id, due) in waiting {
            if earliest.is_some_and(|e| e <= due) {
                continue;
            }
            let live = SqliteStore::live_webhook(conn, webhook_id).map_err(|e| self.err(e))?;
            if live.is_some() {
                earliest = Some(due);
            }
        }
        Ok(earliest)
    }

    fn record(
        &mut self,
        outcomes: &[Outcome],
        now: i64,
        disable_failing_since_before: i64,
    ) -> StoreResult<()> {
        if outcomes.is_empty() {
            return Ok(());
        }
        let disabled = self.with_tx(|tx| {
            let mut attempt = tx.prepare_cached(
                "INSERT INTO attempts (delivery_id, time, url, request_headers, status_code, duration_ms, \
                 error, response_headers, response_body) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            )?;
            let mut delivery = tx.prepare_cached(
                "UPDATE deliveries SET status = ?2, attempt_count = attempt_count + 1, next_attempt_at = ?3, \
                 lease_owner = NULL, lease_until = NULL, updated_at = ?4 WHERE id = ?1",
            )?;
            for o in outcomes {
                let a = &o.attempt;
                let (url, sent) = if a.url.is_empty() {
                    (None, None)
                } else {
                    (Some(a.url.as_str()), Some(to_json(&a.request_headers)))
                };
                let received = (!a.response_headers.is_empty()).then(|| to_json(&a.response_headers));
                attempt.execute(params![
                    o.delivery_id,
                    a.time_ms,
                    opt(url.map(str::to_string)),
                    opt(sent),
                    opt(a.status_code.map(i64::from)),
                    a.duration_ms,
                    opt(a.error.as_ref().map(|e| e.to_string())),
                    opt(received),
                    a.response_body
                ])?;
                let (status, next) = match &o.transition {
                    Transition::Delivered => (DeliveryStatus::Delivered, None),
                    Transition::Retry { next_attempt_at } => {
                        (DeliveryStatus::Retrying, Some(*next_attempt_at))
                    }
                    Transition::Failed => (DeliveryStatus::Failed, None),
                };
                delivery.execute(params![o.delivery_id, status.as_str(), opt(next), now])?;
            }
            let mut counters = tx.prepare_cached(
                "UPDATE webhooks SET delivered_count = delivered_count + ?2, failed_count = failed_count + ?3, \
                 last_delivery_at = MAX(COALESCE(last_delivery_at, 0), ?4), last_status = ?5, last_status_code = ?6, \
                 failing_since = CASE ?7 WHEN 0 THEN failing_since WHEN 1 THEN NULL \
                 WHEN 2 THEN COALESCE(failing_since, ?8) ELSE ?8 END WHERE id = ?1",
            )?;
            let mut disable = tx.prepare_cached(
                "UPDATE webhooks SET active = 0, disabled_at = ?2, disabled_reason = ?3, revision = revision + 1 \
                 WHERE id = ?1 AND disabled_at IS NULL",
            )?;
            let mut disable_failing = tx.prepare_cached(
                "UPDATE webhooks SET active = 0, disabled_at = ?2, revision = revision + 1, \
                 disabled_reason = 'every delivery has failed since ' || \
                 strftime('%Y-%m-%d %H:%M:%S UTC', failing_since / 1000, 'unixepoch') \
                 WHERE id = ?1 AND disabled_at IS NULL AND failing_since IS NOT NULL AND failing_since <= ?3",
            )?;
            let mut disabled = 0usize;
            for (webhook_id, d) in webhook_deltas(outcomes) {
                let (mode, since) = match d.failing_since {
                    FailingSince::Unchanged => (0, None),
                    FailingSince::Clear => (1, None),
                    FailingSince::SetIfUnset(t) => (2, Some(t)),
                    FailingSince::Reset(t) => (3, Some(t)),
                };
                counters.execute(params![
                    webhook_id,
                    d.delivered,
                    d.failed,
                    d.last_delivery_at,
                    d.last_status,
                    opt(d.last_status_code),
                    mode,
                    opt(since)
                ])?;
                if d.last_status != "delivered" {
                    disabled += disable_failing.execute(params![
                        webhook_id,
                        now,
                        disable_failing_since_before
                    ])?;
                }
            }
            for o in outcomes {
                if let Some(reason) = &o.disable {
                    disabled += disable.execute(params![o.webhook_id, now, reason])?;
                }
            }
            let mut read = tx.prepare_cached(
                "SELECT delivered, retrying, failed, durations FROM stats_hourly WHERE webhook_id = ?1 AND hour = ?2",
            )?;
            let mut write = tx.prepare_cached(
                "INSERT OR REPLACE INTO stats_hourly (webhook_id, hour, delivered, retrying, failed, durations) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )?;
            for ((webhook_id, hour), mut delta) in stats_deltas(outcomes) {
                if let Some((delivered, retrying, failed, durations)) = read
                    .query_row(params![webhook_id, hour], |r| {
                        Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?, r.get::<_, i64>(2)?, r.get::<_, String>(3)?))
                    })
                    .optional()?
                {
                    delta.delivered += delivered;
                    delta.retrying += retrying;
                    delta.failed += failed;
                    delta.durations.merge(&Histogram::from_json(&durations));
                }
                write.execute(params![
                    webhook_id,
                    hour,
                    delta.delivered,
                    delta.retrying,
                    delta.failed,
                    delta.durations.to_json()
                ])?;
            }
            Ok(disabled)
        })?;
        if disabled > 0 {
            self.own_webhook_changes += 1;
        }
        Ok(())
    }

    fn release(&mut self, owner: &str, delivery_ids: &[String], now: i64) -> StoreResult<()> {
        if delivery_ids.is_empty() {
            return Ok(());
        }
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

    fn unattempted(&mut self, delivery_ids: &[String]) -> StoreResult<Vec<String>> {
        let mut out = Vec::new();
        for chunk in delivery_ids.chunks(500) {
            let marks = vec!["?"; chunk.len()].join(",");
            let ids = self
                .conn
                .prepare(&format!(
                    "SELECT id FROM deliveries WHERE id IN ({marks}) AND status = 'pending' AND attempt_count = 0"
                ))
                .and_then(|mut stmt| {
                    stmt.query_map(params_from_iter(chunk), |r| r.get::<_, String>(0))?
                        .collect::<rusqlite::Result<Vec<_>>>()
                })
                .map_err(|e| self.err(e))?;
            out.extend(ids);
        }
        Ok(out)
    }

    fn deliveries(&mut self, filter: &DeliveryFilter, now: i64) -> StoreResult<Vec<DeliveryView>> {
        let (sql_where, args) = SqliteStore::delivery_where(filter);
        self.delivery_rows(
            &sql_where,
            args,
            filter.limit,
            filter.offset,
            filter.with_payload,
            now,
        )
    }

    fn count_deliveries(&mut self, filter: &DeliveryFilter) -> StoreResult<i64> {
        let (sql_where, args) = SqliteStore::delivery_where(filter);
        let join = if filter.network_id.is_some() {
            "JOIN messages m ON m.id = d.message_id"
        } else {
            ""
        };
        self.conn
            .prepare_cached(&format!(
                "SELECT COUNT(*) FROM deliveries d {join} {sql_where}"
            ))
            .and_then(|mut s| s.query_row(params_from_iter(args), |r| r.get(0)))
            .map_err(|e| self.err(e))
    }

    fn delivery(&mut self, id: &str, now: i64) -> StoreResult<Option<DeliveryView>> {
        let rows = self.delivery_rows(
            "WHERE d.id = ?1",
            vec![SqlValue::Text(id.to_string())],
            1,
            0,
            true,
            now,
        )?;
        Ok(rows.into_iter().next())
    }

    fn redeliver(&mut self, id: &str, now: i64) -> StoreResult<bool> {
        self.with_tx(|tx| {
            Ok(tx.execute(
                "UPDATE deliveries SET status = 'pending', next_attempt_at = ?2, lease_owner = NULL, \
                 lease_until = NULL, updated_at = ?2 WHERE id = ?1",
                params![id, now],
            )? > 0)
        })
    }

    fn replay(&mut self, webhook_id: i64, since: i64, now: i64) -> StoreResult<i64> {
        self.with_tx(|tx| {
            Ok(tx.execute(
                "UPDATE deliveries SET status = 'pending', next_attempt_at = ?3, lease_owner = NULL, \
                 lease_until = NULL, updated_at = ?3 WHERE webhook_id = ?1 AND status = 'failed' \
                 AND is_test = 0 AND created_at >= ?2",
                params![webhook_id, since, now],
            )? as i64)
        })
    }

    fn counts(&mut self) -> StoreResult<StoreCounts> {
        let mut counts = StoreCounts::default();
        let conn = &self.conn;
        let read = || -> rusqlite::Result<StoreCounts> {
            let mut stmt =
                conn.prepare_cached("SELECT status, COUNT(*) FROM deliveries GROUP BY status")?;
            let rows = stmt
                .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            for (status, n) in rows {
                match status.as_str() {
                    "pending" => counts.pending = n,
                    "retrying" => counts.retrying = n,
                    "delivered" => counts.delivered = n,
                    "failed" => counts.failed = n,
                    _ => {}
                }
            }
            counts.webhooks = conn.query_row("SELECT COUNT(*) FROM webhooks", [], |r| r.get(0))?;
            counts.oldest_waiting_created_at = conn.query_row(
                "SELECT MIN(created_at) FROM deliveries WHERE status IN ('pending', 'retrying')",
                [],
                |r| r.get(0),
            )?;
            Ok(counts)
        };
        read().map_err(|e| self.err(e))
    }

    fn delivery_stats(&mut self, query: &StatsQuery) -> StoreResult<Vec<StatsBucket>> {
        let mut sql = String::from(
            "SELECT hour, delivered, retrying, failed, durations FROM stats_hourly WHERE hour >= ?1 AND hour < ?2",
        );
        let mut args = vec![
            SqlValue::Integer(crate::engine::store::shared::hour_of(query.since_ms)),
            SqlValue::Integer(query.until_ms),
        ];
        if let Some(id) = query.webhook_id {
            args.push(SqlValue::Integer(id));
            sql.push_str(" AND webhook_id = ?3");
        }
        let hourly = self
            .conn
            .prepare_cached(&sql)
            .and_then(|mut s| {
                s.query_map(params_from_iter(args), |r| {
                    Ok(StatsBucket {
                        start_ms: r.get(0)?,
                        delivered: r.get(1)?,
                        retrying: r.get(2)?,
                        failed: r.get(3)?,
                        durations: Histogram::from_json(&r.get::<_, String>(4)?),
                    })
                })?
                .collect::<rusqlite::Result<Vec<_>>>()
            })
            .map_err(|e| self.err(e))?;
        Ok(rebucket(hourly, query.since_ms, query.bucket_ms))
    }

    fn prune(
        &mut self,
        before: i64,
        limit: usize,
    ) -> StoreResult<crate::engine::model::PruneReport> {
        self.with_tx(|tx| {
            tx.execute(
                "CREATE TEMP TABLE IF NOT EXISTS umw_pruned (id TEXT PRIMARY KEY, message_id TEXT)",
                [],
            )?;
            tx.execute("DELETE FROM temp.umw_pruned", [])?;
            tx.execute(
                "INSERT INTO temp.umw_pruned SELECT id, message_id FROM deliveries \
                 WHERE created_at < ?1 AND status IN ('delivered', 'failed') ORDER BY created_at LIMIT ?2",
                params![before, limit as i64],
            )?;
            let attempts = tx.execute(
                "DELETE FROM attempts WHERE delivery_id IN (SELECT id FROM temp.umw_pruned)",
                [],
            )?;
            let deliveries = tx.execute(
                "DELETE FROM deliveries WHERE id IN (SELECT id FROM temp.umw_pruned)",
                [],
            )?;
            let messages = tx.execute(
                "DELETE FROM messages WHERE id IN (SELECT message_id FROM temp.umw_pruned) \
                 AND NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.message_id = messages.id)",
                [],
            )?;
            tx.execute("DELETE FROM temp.umw_pruned", [])?;
            Ok(crate::engine::model::PruneReport {
                deliveries: deliveries as u64,
                attempts: attempts as u64,
                messages: messages as u64,
            })
        })
    }

    fn reclaim_space(&mut self) -> StoreResult<()> {
        // A bounded step (pages of 4 KiB); a no-op on files created before auto_vacuum was set.
        self.conn
            .execute_batch("PRAGMA incremental_vacuum(1024); PRAGMA wal_checkpoint(PASSIVE);")
            .map_err(|e| self.err(e))
    }

    fn health(&mut self) -> StoreHealth {
        let mut files = vec![self.path.clone()];
        for suffix in ["-wal", "-shm"] {
            let mut name = self.path.as_os_str().to_owned();
            name.push(suffix);
            files.push(PathBuf::from(name));
        }
        let mut warnings = readable_by_others(&files);
        if let Some(dir) = self.path.parent() {
            if let Ok(meta) = std::fs::metadata(dir) {
                if meta.mode() & 0o007 != 0 {
                    warnings.push(format!(
                        "{} is mode {:o}: other users can list it",
                        dir.display(),
                        meta.mode() & 0o777
                    ));
                }
            }
        }
        let schema_version = self
            .conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .unwrap_or(0);
        StoreHealth {
            backend: "sqlite",
            location: self.location(),
            schema_version,
            private: warnings.is_empty(),
            warnings,
        }
    }

    fn export(
        &mut self,
        section: crate::engine::store::transfer::Section,
        after: &str,
        limit: usize,
    ) -> StoreResult<crate::engine::store::transfer::Export> {
        self.export_page(section, after, limit)
    }

    fn import(
        &mut self,
        page: &crate::engine::store::transfer::Export,
    ) -> StoreResult<crate::engine::store::transfer::Imported> {
        self.import_page(page)
    }

    fn export_total(
        &mut self,
        section: crate::engine::store::transfer::Section,
    ) -> StoreResult<i64> {
        self.export_count(section)
    }
}
