//! The SQLite schema as numbered migrations (`PRAGMA user_version`). A file of any earlier
//! version upgrades in place when opened; migrations only add, so nothing stored is lost.
//! Version 1 is the schema umw 0.1 created (files from then have user_version 0).

/// (version, statements). Applied in order, each in the open transaction.
pub const MIGRATIONS: &[(i64, &str)] = &[
    (
        1,
        r#"
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
"#,
    ),
    (
        2,
        r#"
ALTER TABLE webhooks ADD COLUMN network_id INTEGER NOT NULL DEFAULT 1;
ALTER TABLE webhooks ADD COLUMN external_id TEXT;
ALTER TABLE webhooks ADD COLUMN revision INTEGER NOT NULL DEFAULT 1;
CREATE UNIQUE INDEX webhooks_by_external_id ON webhooks(external_id) WHERE external_id IS NOT NULL;
ALTER TABLE messages ADD COLUMN network_id INTEGER NOT NULL DEFAULT 1;
ALTER TABLE attempts ADD COLUMN url TEXT;
ALTER TABLE attempts ADD COLUMN request_headers TEXT;
ALTER TABLE attempts ADD COLUMN response_headers TEXT;
CREATE INDEX deliveries_by_webhook_status ON deliveries(webhook_id, status);
CREATE TABLE stats_hourly (
    webhook_id INTEGER NOT NULL,
    hour INTEGER NOT NULL,
    delivered INTEGER NOT NULL DEFAULT 0,
    retrying INTEGER NOT NULL DEFAULT 0,
    failed INTEGER NOT NULL DEFAULT 0,
    durations TEXT NOT NULL DEFAULT '{}',
    PRIMARY KEY (webhook_id, hour)
) WITHOUT ROWID;
"#,
    ),
    (
        3,
        r#"
CREATE INDEX deliveries_tests_due ON deliveries(next_attempt_at) WHERE is_test = 1 AND status = 'pending';
"#,
    ),
];

/// The version this build writes.
pub fn current() -> i64 {
    MIGRATIONS.last().map_or(0, |(v, _)| *v)
}
