//! The MySQL/MariaDB schema as numbered migrations (`{prefix}meta.schema_version`), the same idea
//! as `sqlite_schema`: a database of any earlier version upgrades in place when a store opens,
//! and migrations only add.
//!
//! MySQL commits DDL as it goes, so a migration cannot be one transaction. Instead every process
//! migrates under `GET_LOCK` (many PHP processes on many hosts open the store at once after a
//! deploy), reads the version again once it holds the lock, and each step is written so that
//! running it again after an interrupted migration does no harm (`IF NOT EXISTS`).

use crate::engine::store::mysql::{col, Fault, Res, Tables};
use crate::engine::store::StoreErrorKind;
use mysql::prelude::Queryable;
use mysql::{Conn, Row};

/// Table options: InnoDB (row locks, `SKIP LOCKED`, crash safety) in utf8mb4 with binary
/// comparisons, like the ids and names umw compares.
const TABLE: &str = "ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin";
/// Ids, event names, statuses and lease owners: ascii, compared byte for byte.
const ASCII: &str = "CHARACTER SET ascii COLLATE ascii_bin";

/// (version, statements); `{webhooks}` etc. are the prefixed table names.
fn migrations() -> Vec<(i64, Vec<String>)> {
    vec![(
        1,
        vec![
            format!(
                "CREATE TABLE IF NOT EXISTS {{webhooks}} (
    id BIGINT NOT NULL AUTO_INCREMENT,
    network_id BIGINT NOT NULL DEFAULT 1,
    external_id VARCHAR(191) NULL,
    revision BIGINT NOT NULL DEFAULT 1,
    name TEXT NOT NULL,
    url TEXT NOT NULL,
    events TEXT NOT NULL,
    active TINYINT NOT NULL DEFAULT 1,
    format VARCHAR(16) {ASCII} NOT NULL DEFAULT 'flat',
    headers MEDIUMTEXT NOT NULL,
    secret TEXT NOT NULL,
    previous_secret TEXT NULL,
    previous_secret_until BIGINT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    disabled_at BIGINT NULL,
    disabled_reason TEXT NULL,
    failing_since BIGINT NULL,
    delivered_count BIGINT NOT NULL DEFAULT 0,
    failed_count BIGINT NOT NULL DEFAULT 0,
    last_delivery_at BIGINT NULL,
    last_status VARCHAR(16) {ASCII} NULL,
    last_status_code INT NULL,
    PRIMARY KEY (id),
    UNIQUE KEY by_external_id (external_id),
    KEY by_network (network_id)
) {TABLE}"
            ),
            format!(
                "CREATE TABLE IF NOT EXISTS {{messages}} (
    id VARCHAR(64) {ASCII} NOT NULL,
    network_id BIGINT NOT NULL DEFAULT 1,
    event VARCHAR(191) {ASCII} NOT NULL,
    payload LONGBLOB NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (id)
) {TABLE}"
            ),
            // `next_attempt_at` is set exactly while a delivery waits (pending or retrying; a
            // claim sets it to the lease expiry), so (webhook_id, next_attempt_at) serves both
            // the claim's range scan and the earliest-due lookup without a partial index.
            format!(
                "CREATE TABLE IF NOT EXISTS {{deliveries}} (
    id VARCHAR(64) {ASCII} NOT NULL,
    message_id VARCHAR(64) {ASCII} NOT NULL,
    webhook_id BIGINT NOT NULL,
    event VARCHAR(191) {ASCII} NOT NULL,
    status VARCHAR(16) {ASCII} NOT NULL,
    is_test TINYINT NOT NULL DEFAULT 0,
    attempt_count INT NOT NULL DEFAULT 0,
    next_attempt_at BIGINT NULL,
    lease_owner VARCHAR(128) {ASCII} NULL,
    lease_until BIGINT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (id),
    KEY due_by_webhook (webhook_id, next_attempt_at),
    KEY by_webhook (webhook_id, created_at),
    KEY by_webhook_status (webhook_id, status),
    KEY by_message (message_id),
    KEY by_time (created_at),
    KEY by_status (status, created_at),
    KEY tests_due (is_test, status, next_attempt_at)
) {TABLE}"
            ),
            format!(
                "CREATE TABLE IF NOT EXISTS {{attempts}} (
    id BIGINT NOT NULL AUTO_INCREMENT,
    delivery_id VARCHAR(64) {ASCII} NOT NULL,
    `time` BIGINT NOT NULL,
    url TEXT NULL,
    request_headers MEDIUMTEXT NULL,
    status_code INT NULL,
    duration_ms DOUBLE NOT NULL,
    error TEXT NULL,
    response_headers MEDIUMTEXT NULL,
    response_body MEDIUMTEXT NOT NULL,
    PRIMARY KEY (id),
    KEY by_delivery (delivery_id)
) {TABLE}"
            ),
            format!(
                "CREATE TABLE IF NOT EXISTS {{stats}} (
    webhook_id BIGINT NOT NULL,
    `hour` BIGINT NOT NULL,
    delivered BIGINT NOT NULL DEFAULT 0,
    retrying BIGINT NOT NULL DEFAULT 0,
    failed BIGINT NOT NULL DEFAULT 0,
    durations TEXT NOT NULL,
    PRIMARY KEY (webhook_id, `hour`),
    KEY by_hour (`hour`)
) {TABLE}"
            ),
        ],
    )]
}

/// The version this build writes.
pub fn current() -> i64 {
    migrations().last().map_or(0, |(v, _)| *v)
}

fn expand(sql: &str, t: &Tables) -> String {
    sql.replace("{webhooks}", &t.webhooks)
        .replace("{messages}", &t.messages)
        .replace("{deliveries}", &t.deliveries)
        .replace("{attempts}", &t.attempts)
        .replace("{stats}", &t.stats)
        .replace("{meta}", &t.meta)
}

/// `FOR UPDATE SKIP LOCKED` arrived in MariaDB 10.6 and MySQL 8.0.
const MIN_MARIADB: (u32, u32) = (10, 6);
const MIN_MYSQL: (u32, u32) = (8, 0);

/// Refuse a server that cannot claim without waiting: (kind, message) says which version it is.
pub fn check_server(conn: &mut Conn) -> Result<(), (StoreErrorKind, String)> {
    let version: Option<Row> = conn
        .query_first("SELECT VERSION()")
        .map_err(|e| (StoreErrorKind::Unavailable, e.to_string()))?;
    let version: String = match version {
        Some(mut row) => col(&mut row, 0).unwrap_or_else(|_| String::new()),
        None => String::new(),
    };
    match too_old(&version) {
        Some(message) => Err((StoreErrorKind::Incompatible, message)),
        None => Ok(()),
    }
}

/// Why a server of this `VERSION()` cannot run umw, if it cannot.
pub fn too_old(version: &str) -> Option<String> {
    let (mariadb, major, minor) = parse_version(version);
    let (name, needed) = if mariadb {
        ("MariaDB", MIN_MARIADB)
    } else {
        ("MySQL", MIN_MYSQL)
    };
    ((major, minor) < needed).then(|| {
        format!(
            "the server is {name} {version}; umw needs {name} {}.{} or later \
             (for SELECT … FOR UPDATE SKIP LOCKED)",
            needed.0, needed.1
        )
    })
}

/// (is MariaDB, major, minor) of a `VERSION()` string, e.g. `10.11.6-MariaDB-0+deb12u1`,
/// `5.5.5-10.6.12-MariaDB` (the replication-compatible prefix some proxies add), `8.0.36`.
pub fn parse_version(version: &str) -> (bool, u32, u32) {
    let mariadb = version.to_ascii_lowercase().contains("mariadb");
    let v = match version.strip_prefix("5.5.5-") {
        Some(rest) if mariadb => rest,
        _ => version,
    };
    let mut numbers = v
        .split(|c: char| !c.is_ascii_digit())
        .map(|n| n.parse::<u32>().unwrap_or(0));
    let major = numbers.next().unwrap_or(0);
    let minor = numbers.next().unwrap_or(0);
    (mariadb, major, minor)
}

pub enum MigrateError {
    Fault(Fault),
    Refused(StoreErrorKind, String),
}

impl From<mysql::Error> for MigrateError {
    fn from(e: mysql::Error) -> Self {
        MigrateError::Fault(Fault::Sql(e))
    }
}

impl From<Fault> for MigrateError {
    fn from(e: Fault) -> Self {
        MigrateError::Fault(e)
    }
}

/// The schema version stored in the database (0 when the tables do not exist yet).
pub fn stored_version(conn: &mut Conn, t: &Tables) -> Res<i64> {
    let row: Result<Option<Row>, mysql::Error> = conn.query_first(format!(
        "SELECT value FROM {} WHERE name = 'schema_version'",
        t.meta
    ));
    match row {
        Ok(Some(mut row)) => col(&mut row, 0),
        Ok(None) => Ok(0),
        // No such table: nothing created yet.
        Err(mysql::Error::MySqlError(e)) if e.code == 1146 => Ok(0),
        Err(e) => Err(e.into()),
    }
}

/// Create or upgrade the tables, one process at a time across every host.
pub fn migrate(conn: &mut Conn, t: &Tables, lock: &str) -> Result<(), MigrateError> {
    let current = current();
    let refuse_newer = |found: i64| {
        MigrateError::Refused(
            StoreErrorKind::Incompatible,
            format!(
                "schema version {found} is newer than this umw understands ({current}); \
                 upgrade the extension on this host"
            ),
        )
    };
    let found = stored_version(conn, t)?;
    if found == current {
        return Ok(());
    }
    if found > current {
        return Err(refuse_newer(found));
    }
    let got: Option<Row> = conn.exec_first("SELECT GET_LOCK(?, 30)", (lock,))?;
    let got: Option<i64> = match got {
        Some(mut row) => col(&mut row, 0)?,
        None => None,
    };
    if got != Some(1) {
        return Err(MigrateError::Refused(
            StoreErrorKind::Unavailable,
            "another process has been upgrading the tables for 30 s; try again".into(),
        ));
    }
    let result = (|| -> Result<(), MigrateError> {
        conn.query_drop(format!(
            "CREATE TABLE IF NOT EXISTS {} (
    name VARCHAR(64) {ASCII} NOT NULL,
    value BIGINT NOT NULL,
    PRIMARY KEY (name)
) {TABLE}",
            t.meta
        ))?;
        // Again under the lock: another process may have just migrated.
        let found = stored_version(conn, t)?;
        if found > current {
            return Err(refuse_newer(found));
        }
        for (version, statements) in migrations().into_iter().filter(|(v, _)| *v > found) {
            for sql in statements {
                conn.query_drop(expand(&sql, t))?;
            }
            conn.exec_drop(
                format!(
                    "INSERT INTO {} (name, value) VALUES ('schema_version', ?) \
                     ON DUPLICATE KEY UPDATE value = VALUES(value)",
                    t.meta
                ),
                (version,),
            )?;
        }
        conn.query_drop(format!(
            "INSERT IGNORE INTO {} (name, value) VALUES ('webhooks_version', 0)",
            t.meta
        ))?;
        Ok(())
    })();
    let _ = conn.exec_drop("SELECT RELEASE_LOCK(?)", (lock,));
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_parse_and_old_servers_are_named() {
        assert_eq!(parse_version("10.11.19-MariaDB-0+deb12u1"), (true, 10, 11));
        assert_eq!(parse_version("5.5.5-10.6.12-MariaDB-log"), (true, 10, 6));
        assert_eq!(parse_version("10.5.23-MariaDB"), (true, 10, 5));
        assert_eq!(parse_version("8.0.36"), (false, 8, 0));
        assert_eq!(parse_version("5.7.44-log"), (false, 5, 7));
        let old = too_old("10.5.23-MariaDB").unwrap();
        assert!(
            old.contains("MariaDB 10.5.23-MariaDB") && old.contains("10.6 or later"),
            "{old}"
        );
        let old = too_old("5.7.44-log").unwrap();
        assert!(
            old.contains("MySQL 5.7.44-log") && old.contains("8.0 or later"),
            "{old}"
        );
        for fine in [
            "10.6.0-MariaDB",
            "10.11.19-MariaDB-0+deb12u1",
            "11.4.2-MariaDB",
            "8.0.11",
            "8.4.0",
            "9.1.0",
        ] {
            assert_eq!(too_old(fine), None, "{fine}");
        }
    }

    #[test]
    fn every_statement_names_prefixed_tables() {
        let t = Tables::for_prefix("wp2_umw_");
        for (_, statements) in migrations() {
            for sql in statements {
                let sql = expand(&sql, &t);
                assert!(sql.contains("`wp2_umw_"), "{sql}");
                assert!(!sql.contains('{'), "{sql}");
                assert!(sql.contains("ENGINE=InnoDB"), "{sql}");
            }
        }
    }
}
