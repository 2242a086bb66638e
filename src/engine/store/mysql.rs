//! The shared backend: a MySQL/MariaDB database every web server of a network uses, with the
//! tables (`{prefix}webhooks`, `messages`, `deliveries`, `attempts`, `stats_hourly`, `meta`)
//! beside WordPress's own, so they travel with its backups. InnoDB, utf8mb4, ids as ascii with a
//! binary collation, payloads as LONGBLOB.
//!
//! **Claims.** Hosts claim due deliveries with `SELECT … FOR UPDATE SKIP LOCKED` (MariaDB ≥ 10.6,
//! MySQL ≥ 8.0; an older server is refused when the store opens): a row another host is claiming
//! is skipped, never waited for and never claimed twice. Sessions run at READ COMMITTED, so a
//! claim locks only the rows it takes (no gap locks that would hold up inserts).
//!
//! **One clock.** Web servers' clocks differ, and a lease or due time written by one host is
//! compared by another. The trait passes the caller's `now` (so the rules stay testable with
//! synthetic times); this backend moves every time onto the database's clock: at connect, and
//! again every few minutes, it measures the skew (database time − local time, read across one
//! round trip) rounded to whole seconds — so one machine, or hosts synced by NTP, get 0 — adds it
//! to every absolute time it writes or compares, and subtracts it from every time it returns.
//! A host whose clock runs two minutes fast therefore neither steals leases early nor sees
//! retries late.
//!
//! **Losing the server.** Any error that may pass (connection lost, server restarting, deadlock,
//! lock wait) is `StoreErrorKind::Unavailable`; a broken connection is dropped and the next call
//! connects again (bounded connect and read timeouts), preparing its statements afresh. A
//! connection idle for a while is pinged first, so a server-side `wait_timeout` costs nothing.
//! The writer thread keeps what it could not persist and retries.
//!
//! **Change detection.** `{prefix}meta.webhooks_version` is incremented in the same transaction
//! as every webhook change (insert, update, delete, rotate, disable while recording); polling it
//! is a round trip, so `version_is_local()` is false.

use crate::engine::model::*;
use crate::engine::now_ms;
use crate::engine::store::location::MysqlLocation;
use crate::engine::store::mysql_schema;
pub(crate) use crate::engine::store::mysql_sql::{
    breaks_connection, change_in, col, marks, pieces, select_in, store_error, unreachable, Fault,
    Res,
};
use crate::engine::store::transfer::{Export, Imported, Section};
use crate::engine::store::{
    mysql_claim as claim, mysql_log as log, mysql_queue as queue, mysql_transfer as transfer,
    mysql_webhooks as webhooks, Outcome, PersistItem, Store, WebhooksVersion,
};
use crate::engine::store::{StoreError, StoreErrorKind, StoreHealth, StoreLocation, StoreResult};
use mysql::consts::CapabilityFlags;
use mysql::prelude::Queryable;
use mysql::{Conn, OptsBuilder, Row, SslOpts, Transaction, TxOpts};
use std::time::{Duration, Instant};

/// How long a connect may take before the call fails as Unavailable.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// How long one statement's answer may take (claims never wait for locks; a lock wait is
/// bounded by the session's `innodb_lock_wait_timeout` below).
const READ_TIMEOUT: Duration = Duration::from_secs(60);
/// Clocks drift slowly: the skew is measured again after this long.
const SKEW_REMEASURE: Duration = Duration::from_secs(300);
/// A connection unused this long is pinged before use (servers close idle ones).
const PING_AFTER_IDLE: Duration = Duration::from_secs(10);

/// The table names, each with the prefix.
#[derive(Clone)]
pub(crate) struct Tables {
    pub webhooks: String,
    pub messages: String,
    pub deliveries: String,
    pub attempts: String,
    pub stats: String,
    pub meta: String,
}

impl Tables {
    pub(crate) fn for_prefix(prefix: &str) -> Tables {
        let name = |table: &str| format!("`{prefix}{table}`");
        Tables {
            webhooks: name("webhooks"),
            messages: name("messages"),
            deliveries: name("deliveries"),
            attempts: name("attempts"),
            stats: name("stats_hourly"),
            meta: name("meta"),
        }
    }
}

/// What a store call needs besides the connection: table names and the clock skew.
#[derive(Clone)]
pub(crate) struct Ctx {
    pub t: Tables,
    /// Database time − local time, in whole seconds (as milliseconds).
    pub skew: i64,
}

impl Ctx {
    /// A caller's time on the database's clock.
    pub fn db(&self, local: i64) -> i64 {
        local.saturating_add(self.skew)
    }
    pub fn db_opt(&self, local: Option<i64>) -> Option<i64> {
        local.map(|t| self.db(t))
    }
    /// A stored time on the caller's clock.
    pub fn local(&self, db: i64) -> i64 {
        db.saturating_sub(self.skew)
    }
    pub fn local_opt(&self, db: Option<i64>) -> Option<i64> {
        db.map(|t| self.local(t))
    }
}

pub struct MysqlStore {
    location: MysqlLocation,
    /// The location as printed: never with the password.
    shown: String,
    opts: mysql::Opts,
    conn: Option<Conn>,
    ctx: Ctx,
    skew_measured_at: Option<Instant>,
    /// Set by tests: the skew stays what they said.
    skew_fixed: bool,
    /// The server was checked and the schema is current (done on the first connection).
    prepared: bool,
    last_used: Instant,
    #[cfg(test)]
    pub(crate) drop_tables_on_drop: bool,
}

impl MysqlStore {
    /// Connect, refuse a server without `SKIP LOCKED`, create or upgrade the tables.
    pub fn open(location: &MysqlLocation) -> StoreResult<MysqlStore> {
        let mut builder = OptsBuilder::new()
            .user(Some(location.user.clone()))
            .pass(location.password.clone())
            .db_name(Some(location.database.clone()))
            .prefer_socket(false)
            .tcp_connect_timeout(Some(CONNECT_TIMEOUT))
            .read_timeout(Some(READ_TIMEOUT))
            .write_timeout(Some(READ_TIMEOUT))
            .stmt_cache_size(Some(64))
            // Affected rows = matched rows (as SQLite counts them), so "did it exist" needs no
            // second query when an update changes nothing.
            .additional_capabilities(CapabilityFlags::CLIENT_FOUND_ROWS)
            .init(vec![
                // Claims lock only the rows they take; no gap locks that would hold up inserts.
                "SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED",
                // Epoch conversions with no daylight-saving gaps; strict values; never a
                // silently substituted storage engine.
                "SET time_zone = '+00:00', sql_mode = 'STRICT_ALL_TABLES,NO_ENGINE_SUBSTITUTION', \
                 innodb_lock_wait_timeout = 10",
            ]);
        builder = match &location.socket {
            Some(socket) => builder.socket(Some(socket.clone())),
            None => builder
                .ip_or_hostname(Some(location.host.clone()))
                .tcp_port(location.port),
        };
        if location.tls {
            builder = builder.ssl_opts(Some(SslOpts::default()));
        }
        let prefix = &location.table_prefix;
        let mut store = MysqlStore {
            location: location.clone(),
            shown: StoreLocation::Mysql(location.clone()).to_string(),
            opts: builder.into(),
            conn: None,
            ctx: Ctx {
                t: Tables::for_prefix(prefix),
                skew: 0,
            },
            skew_measured_at: None,
            skew_fixed: false,
            prepared: false,
            last_used: Instant::now(),
            #[cfg(test)]
            drop_tables_on_drop: false,
        };
        match store.connect() {
            Ok(conn) => store.conn = Some(conn),
            // A server down or restarting while a process starts is like one lost later: the
            // engine starts (emits are accepted, spooled or queued) and the next call connects,
            // checks and migrates. A refused login, an unknown database or an old server fails now.
            Err((_, true)) => {}
            Err((e, false)) => return Err(e),
        }
        Ok(store)
    }

    /// A new connection with a fresh skew; on the first one, the server is checked and the
    /// schema created or upgraded. Errors say whether the server could not be reached at all.
    fn connect(&mut self) -> Result<Conn, (StoreError, bool)> {
        let mut conn = Conn::new(self.opts.clone())
            .map_err(|e| (unreachable(&e), e))
            .map_err(|(far, e)| (self.err(Fault::Sql(e)), far))?;
        if !self.prepared {
            self.prepare(&mut conn).map_err(|e| (e, false))?;
            self.prepared = true;
        }
        if !self.skew_fixed {
            self.ctx.skew = measure_skew(&mut conn).map_err(|e| (self.err(e), false))?;
            self.skew_measured_at = Some(Instant::now());
        }
        Ok(conn)
    }

    /// Refuse a server without `SKIP LOCKED`; create or upgrade the tables.
    fn prepare(&self, conn: &mut Conn) -> StoreResult<()> {
        mysql_schema::check_server(conn)
            .map_err(|(kind, message)| StoreError::new(self.shown.clone(), kind, message))?;
        let lock = format!(
            "umw_schema_{:08x}",
            crc32fast::hash(
                format!("{}\0{}", self.location.database, self.location.table_prefix).as_bytes()
            )
        );
        mysql_schema::migrate(conn, &self.ctx.t, &lock).map_err(|e| match e {
            mysql_schema::MigrateError::Fault(e) => self.err(e),
            mysql_schema::MigrateError::Refused(kind, message) => {
                StoreError::new(self.shown.clone(), kind, message)
            }
        })
    }

    fn err(&self, e: Fault) -> StoreError {
        store_error(&self.shown, e)
    }

    /// Make sure there is a connection (pinging one that sat idle) with a fresh skew.
    fn ready(&mut self) -> StoreResult<()> {
        let idle = self.last_used.elapsed();
        self.last_used = Instant::now();
        if idle >= PING_AFTER_IDLE {
            if let Some(conn) = self.conn.as_mut() {
                if conn.ping().is_err() {
                    self.conn = None;
                }
            }
        }
        let Some(conn) = self.conn.as_mut() else {
            // A new connection measures the skew.
            self.conn = Some(self.connect().map_err(|(e, _)| e)?);
            return Ok(());
        };
        let stale = self
            .skew_measured_at
            .is_none_or(|at| at.elapsed() >= SKEW_REMEASURE);
        if stale && !self.skew_fixed {
            match measure_skew(conn) {
                Ok(skew) => {
                    self.ctx.skew = skew;
                    self.skew_measured_at = Some(Instant::now());
                }
                Err(e) => {
                    self.conn = None;
                    return Err(self.err(e));
                }
            }
        }
        Ok(())
    }

    /// Run `f` on the connection; a broken connection is dropped for the next call to replace.
    pub(crate) fn run<T>(&mut self, f: impl FnOnce(&mut Conn, &Ctx) -> Res<T>) -> StoreResult<T> {
        self.ready()?;
        let result = match self.conn.as_mut() {
            Some(conn) => f(conn, &self.ctx),
            None => {
                return Err(StoreError::new(
                    self.shown.clone(),
                    StoreErrorKind::Unavailable,
                    "not connected",
                ))
            }
        };
        self.settle(result)
    }

    /// Run `f` in a transaction, committed when it returns Ok and rolled back otherwise.
    pub(crate) fn tx<T>(
        &mut self,
        f: impl FnOnce(&mut Transaction<'_>, &Ctx) -> Res<T>,
    ) -> StoreResult<T> {
        self.run(|conn, ctx| {
            let mut tx = conn.start_transaction(TxOpts::default())?;
            let value = f(&mut tx, ctx)?;
            tx.commit()?;
            Ok(value)
        })
    }

    fn settle<T>(&mut self, result: Res<T>) -> StoreResult<T> {
        match result {
            Ok(value) => Ok(value),
            Err(fault) => {
                if let Fault::Sql(e) = &fault {
                    if breaks_connection(e) {
                        self.conn = None;
                    }
                }
                Err(self.err(fault))
            }
        }
    }

    /// For tests: pretend this host's clock differs from the database's by `skew_ms`
    /// (database − local), and never measure it again.
    #[cfg(test)]
    pub(crate) fn set_clock_skew(&mut self, skew_ms: i64) {
        self.ctx.skew = skew_ms;
        self.skew_fixed = true;
    }

    /// A connection of its own to the same database, and the table names (tests that hold
    /// locks or kill connections behind the store's back).
    #[cfg(test)]
    pub(crate) fn side_connection(&self) -> (Conn, Tables) {
        let conn = Conn::new(self.opts.clone()).unwrap_or_else(|e| panic!("{e}"));
        (conn, self.ctx.t.clone())
    }

    /// The skew in force (database − local, whole seconds as milliseconds).
    pub fn clock_skew_ms(&self) -> i64 {
        self.ctx.skew
    }

    /// This connection's id on the server (for tests that kill it).
    #[cfg(test)]
    pub(crate) fn connection_id(&mut self) -> Option<u32> {
        self.ready().ok()?;
        self.conn.as_ref().map(|c| c.connection_id())
    }

    pub(crate) fn schema_version(&mut self) -> StoreResult<i64> {
        self.run(|conn, ctx| mysql_schema::stored_version(conn, &ctx.t))
    }

    pub(crate) fn health_report(&mut self) -> StoreHealth {
        let schema_version = self.schema_version().unwrap_or(0);
        StoreHealth {
            backend: "mysql",
            location: self.shown.clone(),
            schema_version,
            // Nothing on this host's disk; credentials are the engine's concern (php.ini).
            private: true,
            warnings: Vec::new(),
        }
    }

    #[cfg(test)]
    pub(crate) fn drop_tables(&mut self) -> StoreResult<()> {
        let t = self.ctx.t.clone();
        self.run(|conn, _| {
            conn.query_drop(format!(
                "DROP TABLE IF EXISTS {}, {}, {}, {}, {}, {}",
                t.attempts, t.deliveries, t.messages, t.stats, t.webhooks, t.meta
            ))?;
            Ok(())
        })
    }

    pub fn database(&self) -> &str {
        &self.location.database
    }
}

impl Store for MysqlStore {
    fn insert_webhook(&mut self, input: &WebhookInput, secret: &str, now: i64) -> StoreResult<i64> {
        webhooks::insert(self, input, secret, now)
    }
    fn get_webhook(&mut self, id: i64) -> StoreResult<Option<Webhook>> {
        webhooks::get(self, id)
    }
    fn list_webhooks(&mut self, filter: &WebhookFilter) -> StoreResult<Vec<Webhook>> {
        webhooks::list(self, filter)
    }
    fn update_webhook(
        &mut self,
        id: i64,
        input: &WebhookInput,
        now: i64,
    ) -> StoreResult<Option<Webhook>> {
        webhooks::update(self, id, input, now)
    }
    fn delete_webhook(&mut self, id: i64) -> StoreResult<bool> {
        webhooks::delete(self, id)
    }
    fn rotate_secret(
        &mut self,
        id: i64,
        new_secret: &str,
        grace_until: i64,
        now: i64,
    ) -> StoreResult<bool> {
        webhooks::rotate(self, id, new_secret, grace_until, now)
    }
    fn live_webhooks(&mut self) -> StoreResult<Vec<Webhook>> {
        webhooks::list(
            self,
            &WebhookFilter {
                active: Some(true),
                ..Default::default()
            },
        )
    }
    fn webhooks_version(&mut self) -> StoreResult<WebhooksVersion> {
        webhooks::version(self)
    }
    fn version_is_local(&self) -> bool {
        false
    }
    fn persist(
        &mut self,
        batch: &[PersistItem<'_>],
        owner: &str,
        lease_until: i64,
        now: i64,
    ) -> StoreResult<()> {
        queue::persist(self, batch, owner, lease_until, now)
    }
    fn claim_due(
        &mut self,
        owner: &str,
        now: i64,
        lease_until: i64,
        limit: usize,
        room: &dyn Fn(i64) -> usize,
    ) -> StoreResult<Vec<Job>> {
        claim::claim_due(self, owner, now, lease_until, limit, room)
    }
    fn next_due(&mut self, _now: i64) -> StoreResult<Option<i64>> {
        claim::next_due(self)
    }
    fn record(
        &mut self,
        outcomes: &[Outcome],
        now: i64,
        disable_failing_since_before: i64,
    ) -> StoreResult<()> {
        queue::record(self, outcomes, now, disable_failing_since_before)
    }
    fn release(&mut self, owner: &str, delivery_ids: &[String], now: i64) -> StoreResult<()> {
        queue::release(self, owner, delivery_ids, now)
    }
    fn unattempted(&mut self, delivery_ids: &[String]) -> StoreResult<Vec<String>> {
        queue::unattempted(self, delivery_ids)
    }
    fn deliveries(&mut self, filter: &DeliveryFilter, now: i64) -> StoreResult<Vec<DeliveryView>> {
        log::deliveries(self, filter, now)
    }
    fn count_deliveries(&mut self, filter: &DeliveryFilter) -> StoreResult<i64> {
        log::count_deliveries(self, filter)
    }
    fn delivery(&mut self, id: &str, now: i64) -> StoreResult<Option<DeliveryView>> {
        log::delivery(self, id, now)
    }
    fn redeliver(&mut self, id: &str, now: i64) -> StoreResult<bool> {
        log::redeliver(self, id, now)
    }
    fn replay(&mut self, webhook_id: i64, since: i64, now: i64) -> StoreResult<i64> {
        log::replay(self, webhook_id, since, now)
    }
    fn counts(&mut self) -> StoreResult<StoreCounts> {
        log::counts(self)
    }
    fn delivery_stats(&mut self, query: &StatsQuery) -> StoreResult<Vec<StatsBucket>> {
        log::delivery_stats(self, query)
    }
    fn prune(&mut self, before: i64, limit: usize) -> StoreResult<PruneReport> {
        log::prune(self, before, limit)
    }
    fn reclaim_space(&mut self) -> StoreResult<()> {
        // InnoDB reuses freed pages itself; giving them back to the file system (OPTIMIZE
        // TABLE) rebuilds whole tables, a job for the database's administrator.
        Ok(())
    }
    fn health(&mut self) -> StoreHealth {
        self.health_report()
    }
    fn export(&mut self, section: Section, after: &str, limit: usize) -> StoreResult<Export> {
        transfer::export(self, section, after, limit)
    }
    fn import(&mut self, page: &Export) -> StoreResult<Imported> {
        transfer::import(self, page)
    }
    fn export_total(&mut self, section: Section) -> StoreResult<i64> {
        transfer::total(self, section)
    }
}

#[cfg(test)]
impl Drop for MysqlStore {
    fn drop(&mut self) {
        if self.drop_tables_on_drop {
            let _ = self.drop_tables();
        }
    }
}

/// Database time − local time across one round trip, rounded to whole seconds.
fn measure_skew(conn: &mut Conn) -> Res<i64> {
    let before = now_ms();
    let mut row: Row = conn
        .query_first("SELECT CAST(UNIX_TIMESTAMP(NOW(3)) * 1000 AS SIGNED)")?
        .ok_or_else(|| Fault::Data("the server returned no time".into()))?;
    let after = now_ms();
    let db: i64 = col(&mut row, 0)?;
    let local = before + (after - before) / 2;
    Ok(round_to_seconds(db - local))
}

pub(crate) fn round_to_seconds(ms: i64) -> i64 {
    ((ms as f64 / 1000.0).round() as i64) * 1000
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn skew_rounds_to_whole_seconds() {
        for (ms, expected) in [
            (0, 0),
            (499, 0),
            (-499, 0),
            (500, 1000),
            (-120_400, -120_000),
            (2_600, 3_000),
        ] {
            assert_eq!(round_to_seconds(ms), expected, "{ms}");
        }
    }
}
