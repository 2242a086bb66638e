//! What the MySQL/MariaDB backend promises beyond the contract: concurrent claims from several
//! connections never take the same delivery, leases compare on the database's clock, and a
//! killed connection is survived. Run against the server `UMW_TEST_MYSQL_URL` names.

use crate::engine::store::location::StoreLocation;
use crate::engine::store::mysql::MysqlStore;

/// A store on its own table prefix (dropped when it goes), or None when no server is configured
/// (a failure instead when `UMW_REQUIRE_MYSQL=1`).
pub fn open_for_test(test: &str) -> Option<MysqlStore> {
    let url = match std::env::var("UMW_TEST_MYSQL_URL") {
        Ok(url) if !url.trim().is_empty() => url,
        _ => {
            assert!(
                std::env::var("UMW_REQUIRE_MYSQL").as_deref() != Ok("1"),
                "UMW_REQUIRE_MYSQL=1 but UMW_TEST_MYSQL_URL is not set: start a server with \
                 tests/mysql/server.sh start and eval \"$(tests/mysql/server.sh env)\""
            );
            return None;
        }
    };
    let prefix = format!("t{}_{test}_", std::process::id() % 100_000);
    let location = match StoreLocation::parse(&url, &prefix) {
        Ok(StoreLocation::Mysql(m)) => m,
        other => panic!("UMW_TEST_MYSQL_URL is not a mysql:// URL: {other:?}"),
    };
    let mut stale = MysqlStore::open(&location).unwrap_or_else(|e| panic!("{e}"));
    stale.drop_tables().unwrap_or_else(|e| panic!("{e}"));
    drop(stale);
    let mut store = MysqlStore::open(&location).unwrap_or_else(|e| panic!("{e}"));
    store.drop_tables_on_drop = true;
    Some(store)
}

use crate::engine::model::*;
use crate::engine::store::{PersistItem, Store, StoreErrorKind, Transition};
use mysql::prelude::Queryable;
use std::collections::HashSet;
use std::time::{Duration, Instant};

pub(super) const T0: i64 = 1_800_000_000_000;

/// A second store on the same tables (another host, or another process of this one).
fn same_tables(test: &str) -> MysqlStore {
    let url = std::env::var("UMW_TEST_MYSQL_URL").unwrap_or_default();
    let prefix = format!("t{}_{test}_", std::process::id() % 100_000);
    match StoreLocation::parse(&url, &prefix) {
        Ok(StoreLocation::Mysql(m)) => MysqlStore::open(&m).unwrap_or_else(|e| panic!("{e}")),
        other => panic!("{other:?}"),
    }
}

pub(super) fn hook(store: &mut dyn Store, name: &str) -> i64 {
    store
        .insert_webhook(
            &WebhookInput {
                name: Some(name.into()),
                url: Some(format!("https://{name}.example/hook")),
                events: Some(vec!["*".into()]),
                ..Default::default()
            },
            "whsec_c2VjcmV0",
            T0,
        )
        .unwrap()
}

pub(super) fn messages(from: usize, count: usize) -> Vec<NewMessage> {
    (from..from + count)
        .map(|n| NewMessage {
            id: format!("msg_{n:06}"),
            network_id: DEFAULT_NETWORK,
            event: "payment_received".into(),
            payload: format!("{{\"n\":{n}}}").into_bytes(),
            created_at: T0 + n as i64,
            spooled: 0,
        })
        .collect()
}

/// Persist `messages` with one unleased delivery each to `webhook`, ids prefixed `tag`.
pub(super) fn persist(
    store: &mut dyn Store,
    webhook: i64,
    messages: &[NewMessage],
    tag: &str,
    now: i64,
) -> crate::engine::store::StoreResult<()> {
    let items: Vec<PersistItem> = messages
        .iter()
        .map(|m| PersistItem {
            message: m,
            deliveries: vec![(format!("dlv_{tag}_{}", &m.id[4..]), webhook, false)],
            is_test: false,
        })
        .collect();
    store.persist(&items, "", 0, now)
}

pub(super) fn all_room(_: i64) -> usize {
    1000
}

fn count(conn: &mut mysql::Conn, sql: String) -> i64 {
    conn.query_first::<i64, _>(sql).unwrap().unwrap_or(-1)
}

#[test]
fn concurrent_claims_never_take_the_same_delivery() {
    let Some(mut first) = open_for_test("race") else {
        return eprintln!("mysql: not configured, skipped");
    };
    let webhook = hook(&mut first, "race");
    persist(&mut first, webhook, &messages(0, 600), "r", T0).unwrap();
    let claimers: Vec<_> = (0..4)
        .map(|n| {
            let mut store = same_tables("race");
            std::thread::spawn(move || {
                let mut mine = Vec::new();
                loop {
                    let jobs = store
                        .claim_due(&format!("host{n}"), T0 + 1, T0 + 60_000, 7, &all_room)
                        .unwrap();
                    if jobs.is_empty() {
                        break;
                    }
                    mine.extend(jobs.into_iter().map(|j| j.delivery_id));
                }
                mine
            })
        })
        .collect();
    let results: Vec<Vec<String>> = claimers.into_iter().map(|t| t.join().unwrap()).collect();
    let total: usize = results.iter().map(Vec::len).sum();
    let distinct: HashSet<&String> = results.iter().flatten().collect();
    assert_eq!(distinct.len(), 600, "every delivery claimed");
    assert_eq!(total, 600, "none claimed twice");
    assert!(
        results.iter().filter(|r| !r.is_empty()).count() >= 2,
        "the claimers ran side by side: {:?}",
        results.iter().map(Vec::len).collect::<Vec<_>>()
    );
}

#[test]
fn a_claim_skips_rows_another_host_holds_without_waiting() {
    let Some(mut store) = open_for_test("skip") else {
        return eprintln!("mysql: not configured, skipped");
    };
    let webhook = hook(&mut store, "skip");
    persist(&mut store, webhook, &messages(0, 10), "s", T0).unwrap();
    // Another host is in the middle of a claim (its transaction still open): it holds three rows.
    let (mut other, t) = store.side_connection();
    let mut held = other.start_transaction(mysql::TxOpts::default()).unwrap();
    let locked: Vec<String> = held
        .query(format!(
            "SELECT id FROM {} FORCE INDEX (due_by_webhook) WHERE webhook_id = {webhook} \
             AND next_attempt_at <= {} ORDER BY next_attempt_at LIMIT 3 FOR UPDATE SKIP LOCKED",
            t.deliveries,
            T0 + 1
        ))
        .unwrap();
    assert_eq!(locked.len(), 3);
    let started = Instant::now();
    let jobs = store
        .claim_due("me", T0 + 1, T0 + 60_000, 100, &all_room)
        .unwrap();
    let waited = started.elapsed();
    assert!(
        waited < Duration::from_secs(2),
        "a claim waited {waited:?} for another host's locks"
    );
    let mine: HashSet<String> = jobs.into_iter().map(|j| j.delivery_id).collect();
    assert_eq!(mine.len(), 7);
    assert!(
        locked.iter().all(|id| !mine.contains(id)),
        "took a row another host holds"
    );
    held.rollback().unwrap();
    // Once let go, they are claimable.
    let rest = store
        .claim_due("me", T0 + 2, T0 + 60_000, 100, &all_room)
        .unwrap();
    assert_eq!(rest.len(), 3);
}

#[test]
fn concurrent_persists_of_the_same_messages_store_them_once() {
    let Some(mut first) = open_for_test("twice") else {
        return eprintln!("mysql: not configured, skipped");
    };
    let webhook = hook(&mut first, "twice");
    // The writer and a spool replay persist the same messages at once, with different
    // delivery ids: each message keeps one delivery.
    let racers: Vec<_> = (0..3)
        .map(|n| {
            let mut store = same_tables("twice");
            std::thread::spawn(move || {
                for round in 0..10 {
                    persist(
                        &mut store,
                        webhook,
                        &messages(round * 20, 40),
                        &format!("p{n}"),
                        T0,
                    )
                    .unwrap();
                }
            })
        })
        .collect();
    for r in racers {
        r.join().unwrap();
    }
    let (mut conn, t) = first.side_connection();
    assert_eq!(
        count(&mut conn, format!("SELECT COUNT(*) FROM {}", t.messages)),
        220
    );
    assert_eq!(
        count(&mut conn, format!("SELECT COUNT(*) FROM {}", t.deliveries)),
        220
    );
    assert_eq!(
        count(&mut conn, format!("SELECT COUNT(*) FROM (SELECT message_id FROM {} GROUP BY message_id HAVING COUNT(*) > 1) x", t.deliveries)),
        0
    );
}

#[test]
fn leases_compare_on_the_database_clock() {
    let Some(mut a) = open_for_test("skew") else {
        return eprintln!("mysql: not configured, skipped");
    };
    // Host A's clock agrees with the database; host B's runs 120 s fast.
    a.set_clock_skew(0);
    let mut b = same_tables("skew");
    b.set_clock_skew(-120_000);
    let ahead = 120_000;
    let webhook = hook(&mut a, "skew");
    persist(&mut a, webhook, &messages(0, 3), "k", T0).unwrap();
    let lease = T0 + 60_000;
    let jobs = a.claim_due("host_a", T0, lease, 10, &all_room).unwrap();
    assert_eq!(jobs.len(), 3);
    // One second later by the database's clock: B's clock says lease + 61 s, yet A's lease holds.
    assert!(
        b.claim_due(
            "host_b",
            T0 + ahead + 1_000,
            T0 + ahead + 61_000,
            10,
            &all_room
        )
        .unwrap()
        .is_empty(),
        "B took over a lease that had not run out on the database's clock"
    );
    let view = b
        .delivery(&jobs[0].delivery_id, T0 + ahead + 1_000)
        .unwrap()
        .unwrap();
    assert!(view.in_flight);
    assert_eq!(
        view.created_at,
        T0 + ahead,
        "times come back on the caller's clock"
    );
    // A records a retry due in 30 s (its clock): B sees it due 30 s later on B's clock.
    a.record(
        &[crate::engine::store::Outcome {
            delivery_id: jobs[0].delivery_id.clone(),
            webhook_id: webhook,
            attempt: AttemptResult {
                time_ms: T0 + 10,
                status_code: Some(503),
                duration_ms: 5.0,
                ..Default::default()
            },
            transition: Transition::Retry {
                next_attempt_at: T0 + 30_000,
            },
            disable: None,
            is_test: false,
        }],
        T0 + 10,
        i64::MIN,
    )
    .unwrap();
    let view = b
        .delivery(&jobs[0].delivery_id, T0 + ahead + 20)
        .unwrap()
        .unwrap();
    assert_eq!(view.next_attempt_at, Some(T0 + ahead + 30_000));
    assert_eq!(view.attempts[0].time_ms, T0 + ahead + 10);
    assert_eq!(b.next_due(T0 + ahead).unwrap(), Some(T0 + ahead + 30_000));
    assert!(b
        .claim_due(
            "host_b",
            T0 + ahead + 29_000,
            T0 + ahead + 90_000,
            10,
            &all_room
        )
        .unwrap()
        .is_empty());
    assert_eq!(
        b.claim_due(
            "host_b",
            T0 + ahead + 30_000,
            T0 + ahead + 90_000,
            10,
            &all_room
        )
        .unwrap()
        .len(),
        1
    );
    // After A's lease runs out (database clock), B takes over A's other two.
    assert!(b
        .claim_due(
            "host_b",
            T0 + ahead + 59_000,
            T0 + ahead + 120_000,
            10,
            &all_room
        )
        .unwrap()
        .is_empty());
    assert_eq!(
        b.claim_due(
            "host_b",
            T0 + ahead + 60_001,
            T0 + ahead + 120_000,
            10,
            &all_room
        )
        .unwrap()
        .len(),
        2
    );
    assert_eq!(
        b.get_webhook(webhook).unwrap().unwrap().created_at,
        T0 + ahead
    );
}

#[test]
fn skew_is_measured_and_zero_on_one_machine() {
    let Some(store) = open_for_test("measure") else {
        return eprintln!("mysql: not configured, skipped");
    };
    assert_eq!(
        store.clock_skew_ms(),
        0,
        "the server shares this machine's clock"
    );
}

#[test]
fn a_killed_connection_is_survived_without_losing_a_batch() {
    let Some(mut store) = open_for_test("kill") else {
        return eprintln!("mysql: not configured, skipped");
    };
    let webhook = hook(&mut store, "kill");
    persist(&mut store, webhook, &messages(0, 50), "a", T0).unwrap();
    let (mut admin, t) = store.side_connection();
    let id = store.connection_id().unwrap();
    admin.query_drop(format!("KILL CONNECTION {id}")).unwrap();
    // The next batch: the call that meets the dead connection fails as Unavailable (nothing
    // panics), and the writer's retry of the same batch goes through on a new connection.
    let batch = messages(50, 50);
    let mut failures = 0;
    loop {
        match persist(&mut store, webhook, &batch, "b", T0 + 1) {
            Ok(()) => break,
            Err(e) => {
                assert_eq!(e.kind, StoreErrorKind::Unavailable, "{e}");
                assert!(!e.to_string().contains("umw-test-pass"), "{e}");
                failures += 1;
                assert!(failures < 3, "no reconnect: {e}");
            }
        }
    }
    assert_ne!(store.connection_id(), Some(id), "a new connection");
    assert_eq!(
        count(&mut admin, format!("SELECT COUNT(*) FROM {}", t.messages)),
        100
    );
    assert_eq!(
        count(&mut admin, format!("SELECT COUNT(*) FROM {}", t.deliveries)),
        100
    );
    // Statements are prepared again on the new connection: claims, records, reads work.
    let jobs = store
        .claim_due("o", T0 + 2, T0 + 60_000, 200, &all_room)
        .unwrap();
    assert_eq!(jobs.len(), 100);
    assert_eq!(store.counts().unwrap().pending, 100);
}

#[test]
fn webhook_changes_reach_other_hosts() {
    let Some(mut a) = open_for_test("hosts") else {
        return eprintln!("mysql: not configured, skipped");
    };
    let mut b = same_tables("hosts");
    assert!(!b.version_is_local());
    let before = b.webhooks_version().unwrap();
    let id = hook(&mut a, "hosts");
    let after = b.webhooks_version().unwrap();
    assert_ne!(before, after, "B sees A's insert");
    assert_eq!(b.live_webhooks().unwrap().len(), 1);
    a.update_webhook(
        id,
        &WebhookInput {
            active: Some(false),
            ..Default::default()
        },
        T0,
    )
    .unwrap();
    assert_ne!(after, b.webhooks_version().unwrap(), "B sees A's update");
    assert!(b.live_webhooks().unwrap().is_empty());
    let health = b.health();
    assert_eq!((health.backend, health.private), ("mysql", true));
    assert_eq!(
        health.schema_version,
        crate::engine::store::mysql_schema::current()
    );
    assert!(
        !health.location.contains("umw-test-pass"),
        "{}",
        health.location
    );
}

/// The test server's address, on `prefix`, through `socket` instead of the real one.
fn location_via(
    prefix: &str,
    socket: &std::path::Path,
) -> Option<crate::engine::store::location::MysqlLocation> {
    let url = std::env::var("UMW_TEST_MYSQL_URL").ok()?;
    let Ok(StoreLocation::Mysql(mut m)) = StoreLocation::parse(&url, prefix) else {
        return None;
    };
    m.socket = Some(socket.display().to_string());
    Some(m)
}

/// Forward connections on `listen` to the real server socket (a server that comes up later).
fn start_proxy(listen: &std::path::Path, server: String) {
    let listener = std::os::unix::net::UnixListener::bind(listen).unwrap();
    std::thread::spawn(move || {
        for client in listener.incoming().flatten() {
            let Ok(upstream) = std::os::unix::net::UnixStream::connect(&server) else {
                continue;
            };
            let pipe = |mut from: std::os::unix::net::UnixStream,
                        mut to: std::os::unix::net::UnixStream| {
                std::thread::spawn(move || {
                    let _ = std::io::copy(&mut from, &mut to);
                    let _ = to.shutdown(std::net::Shutdown::Both);
                })
            };
            pipe(client.try_clone().unwrap(), upstream.try_clone().unwrap());
            pipe(upstream, client);
        }
    });
}

#[test]
fn a_server_down_at_start_is_connected_to_when_it_comes_up() {
    if open_for_test("late").is_none() {
        return eprintln!("mysql: not configured, skipped");
    }
    let dir = std::env::temp_dir().join(format!("umw-late-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let socket = dir.join("db.sock");
    let location =
        location_via(&format!("t{}_late_", std::process::id() % 100_000), &socket).unwrap();
    let real = StoreLocation::parse(&std::env::var("UMW_TEST_MYSQL_URL").unwrap(), "x_")
        .ok()
        .and_then(|l| match l {
            StoreLocation::Mysql(m) => m.socket,
            _ => None,
        })
        .unwrap();
    // Nothing listens yet: the store opens (so the engine starts and accepts emits) ...
    let mut store = MysqlStore::open(&location).unwrap_or_else(|e| panic!("{e}"));
    store.drop_tables_on_drop = true;
    let err = store.counts().unwrap_err();
    assert_eq!(err.kind, StoreErrorKind::Unavailable, "{err}");
    // ... and once the server is there, the next call connects, creates the tables and works.
    start_proxy(&socket, real);
    let counts = store.counts().unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(counts.webhooks, 0);
    assert!(hook(&mut store, "late") > 0);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_refused_login_fails_at_open_without_printing_the_password() {
    let Some(store) = open_for_test("login") else {
        return eprintln!("mysql: not configured, skipped");
    };
    drop(store);
    let url = std::env::var("UMW_TEST_MYSQL_URL").unwrap();
    let Ok(StoreLocation::Mysql(mut m)) = StoreLocation::parse(&url, "t_login_") else {
        panic!("{url}")
    };
    m.password = Some("not-the-pass-w0rd".into());
    let err = MysqlStore::open(&m)
        .err()
        .expect("a wrong password is refused at open");
    let text = err.to_string();
    assert!(text.contains("Access denied"), "{text}");
    assert!(
        !text.contains("not-the-pass-w0rd") && text.contains(":***@"),
        "{text}"
    );
}
