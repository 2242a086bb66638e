//! The contract for moving over (`transfer`): every backend exports and imports so that a copy
//! in small steps, between any two backends, carries webhooks with ids and secrets, waiting
//! deliveries with payloads and history, optionally the log, and statistics — and a second copy
//! changes nothing.

use crate::engine::model::*;
use crate::engine::store::contract::{message, mysql, outcome, sqlite};
use crate::engine::store::transfer::{copy_step, CopyOptions, Imported};
use crate::engine::store::{PersistItem, Store, StoreErrorKind, Transition};

const T0: i64 = 1_800_000_000_000;

fn webhook_input(name: &str, network: i64, external: Option<&str>) -> WebhookInput {
    WebhookInput {
        name: Some(name.into()),
        url: Some(format!("https://{name}.example/hook")),
        events: Some(vec!["*".into()]),
        network_id: Some(network),
        external_id: external.map(|e| Some(e.to_string())),
        headers: Some(vec![("X-Team".into(), "ops".into())]),
        ..Default::default()
    }
}

/// A source with a rotated webhook, a disabled one on another network, deliveries pending,
/// retrying, in flight, delivered and failed, and statistics. Returns the two webhook ids.
fn fill(store: &mut dyn Store) -> (i64, i64) {
    let a = store
        .insert_webhook(&webhook_input("a", 1, None), "whsec_b2xk", T0)
        .unwrap();
    assert!(store
        .rotate_secret(a, "whsec_bmV3", T0 + 86_400_000, T0 + 5)
        .unwrap());
    let b = store
        .insert_webhook(
            &webhook_input("b", 2, Some("ultimate-multisite:2:9")),
            "whsec_Yg==",
            T0,
        )
        .unwrap();
    let messages: Vec<NewMessage> = (0..8).map(|n| message(n, "payment_received")).collect();
    let items: Vec<PersistItem> = messages
        .iter()
        .enumerate()
        .map(|(n, m)| PersistItem {
            message: m,
            deliveries: vec![(format!("dlv_{n:04}"), a, false)],
            is_test: false,
        })
        .collect();
    store.persist(&items, "", 0, T0).unwrap();
    // 0 delivered, 1 failed, 2 retrying, 3 in flight, 4..7 pending.
    let jobs = store
        .claim_due("src", T0 + 1, T0 + 60_000, 4, &|_| 4)
        .unwrap();
    assert_eq!(jobs.len(), 4);
    store
        .record(
            &[
                outcome(&jobs[0], Transition::Delivered, 200, T0 + 2),
                outcome(&jobs[1], Transition::Failed, 500, T0 + 3),
                outcome(
                    &jobs[2],
                    Transition::Retry {
                        next_attempt_at: T0 + 30_000,
                    },
                    503,
                    T0 + 4,
                ),
            ],
            T0 + 5,
            i64::MIN,
        )
        .unwrap();
    store
        .update_webhook(
            b,
            &WebhookInput {
                active: Some(false),
                ..Default::default()
            },
            T0 + 6,
        )
        .unwrap();
    (a, b)
}

/// Copy in steps of `batch` rows until done; what was written, and how many steps it took.
fn copy_all(
    from: &mut dyn Store,
    to: &mut dyn Store,
    with_log: bool,
    batch: usize,
) -> (Imported, usize, i64) {
    let options = CopyOptions {
        with_log,
        batch,
        ..Default::default()
    };
    let mut total = Imported::default();
    let mut cursor = None;
    let mut steps = 0;
    loop {
        let step = copy_step(from, to, cursor.as_ref(), &options).unwrap();
        total.add(step.imported);
        steps += 1;
        assert!(steps < 100, "the copy does not end");
        assert!(
            step.done_rows <= step.total,
            "{} of {}",
            step.done_rows,
            step.total
        );
        match step.cursor {
            Some(next) => cursor = Some(next),
            None => return (total, steps, step.total),
        }
    }
}

pub fn copy_carries_everything_and_repeats_as_a_no_op(from: &mut dyn Store, to: &mut dyn Store) {
    let (a, b) = fill(from);
    let (first, steps, total) = copy_all(from, to, false, 2);
    // 2 webhooks + 6 waiting deliveries + 3 stats rows (three attempts in one hour, one webhook).
    assert!(steps >= 5, "small batches take several steps ({steps})");
    assert_eq!(
        (first.webhooks, first.deliveries, first.messages),
        (2, 6, 6)
    );
    assert_eq!(first.attempts, 1, "the retrying delivery's earlier attempt");
    assert!(first.stats >= 1 && total >= 9, "{first:?} of {total}");
    // Webhooks arrive whole: ids, secrets with the rotation's grace, links, state, counters.
    for id in [a, b] {
        let (src, dst) = (
            from.get_webhook(id).unwrap().unwrap(),
            to.get_webhook(id).unwrap().unwrap(),
        );
        assert_eq!(src, dst, "webhook {id}");
    }
    let copied = to.get_webhook(a).unwrap().unwrap();
    assert_eq!(
        copied.signing_secrets(T0 + 10),
        vec!["whsec_bmV3", "whsec_b2xk"]
    );
    assert_eq!(
        to.get_webhook(b).unwrap().unwrap().external_id.as_deref(),
        Some("ultimate-multisite:2:9")
    );
    // Waiting deliveries with payloads and history; the one in flight is due when its lease ends.
    let counts = to.counts().unwrap();
    assert_eq!(
        (
            counts.pending,
            counts.retrying,
            counts.delivered,
            counts.failed
        ),
        (5, 1, 0, 0)
    );
    let retrying = to.delivery("dlv_0002", T0 + 10).unwrap().unwrap();
    assert_eq!(
        (retrying.status.as_str(), retrying.next_attempt_at),
        ("retrying", Some(T0 + 30_000))
    );
    assert_eq!(retrying.attempts.len(), 1);
    assert_eq!(retrying.attempts[0].status_code, Some(503));
    assert_eq!(retrying.attempts[0].response_body, "ok");
    assert_eq!(
        retrying.attempts[0].response_headers,
        vec![("x-test".to_string(), "1".to_string())]
    );
    let leased = to.delivery("dlv_0003", T0 + 10).unwrap().unwrap();
    assert!(!leased.in_flight, "leases stay with the old store");
    assert_eq!(leased.next_attempt_at, Some(T0 + 60_000));
    let jobs = to
        .claim_due("dst", T0 + 10, T0 + 20_000, 10, &|_| 10)
        .unwrap();
    assert_eq!(jobs.len(), 4, "the pending ones are due");
    assert_eq!(jobs[0].payload.as_slice(), b"{\"n\":4}");
    assert_eq!(jobs[0].target.secrets, vec!["whsec_bmV3", "whsec_b2xk"]);
    assert_eq!(jobs[0].message_created_at, T0 + 4);
    let stats = |s: &mut dyn Store| {
        s.delivery_stats(&StatsQuery {
            webhook_id: Some(a),
            since_ms: T0 - 3_600_000,
            until_ms: T0 + 3_600_000,
            bucket_ms: 3_600_000,
        })
        .unwrap()
    };
    assert_eq!(stats(from), stats(to), "statistics");

    // Again, from the start: everything is already there.
    let again = copy_all(from, to, false, 3).0;
    assert_eq!(
        (
            again.deliveries,
            again.messages,
            again.attempts,
            again.webhooks
        ),
        (0, 0, 0, 0),
        "{again:?}"
    );
    assert!(again.skipped >= 8, "{again:?}");
    assert_eq!(to.count_deliveries(&DeliveryFilter::default()).unwrap(), 6);

    // With the log: the finished deliveries and their attempts; once.
    let log = copy_all(from, to, true, 4).0;
    assert_eq!((log.deliveries, log.attempts), (2, 2), "{log:?}");
    let failed = to.delivery("dlv_0001", T0 + 10).unwrap().unwrap();
    assert_eq!(
        (failed.status.as_str(), failed.attempts.len()),
        ("failed", 1)
    );
    assert_eq!(failed.attempts[0].error.as_deref(), Some("HTTP 500"));
    assert_eq!(copy_all(from, to, true, 4).0.deliveries, 0);

    // New webhooks in the target never reuse a copied id.
    let next = to
        .insert_webhook(&webhook_input("c", 1, None), "whsec_Yw==", T0)
        .unwrap();
    assert!(next > a.max(b), "{next}");
}

pub fn a_different_webhook_under_the_same_id_stops_the_copy(
    from: &mut dyn Store,
    to: &mut dyn Store,
) {
    from.insert_webhook(&webhook_input("mine", 1, None), "whsec_bWluZQ==", T0)
        .unwrap();
    to.insert_webhook(&webhook_input("theirs", 1, None), "whsec_dGhlaXJz", T0 + 99)
        .unwrap();
    let err = copy_step(from, to, None, &CopyOptions::default()).unwrap_err();
    assert_eq!(err.kind, StoreErrorKind::Conflict, "{err}");
    assert!(err.message.contains("different webhook"), "{err}");
    assert_eq!(
        to.get_webhook(1).unwrap().unwrap().name,
        "theirs",
        "left as it was"
    );
}

macro_rules! transfer_pair {
    ($name:ident, $from:expr, $to:expr) => {
        mod $name {
            use super::*;
            fn run(test: &str, body: fn(&mut dyn Store, &mut dyn Store)) {
                match (($from)(&format!("{test}_f")), ($to)(&format!("{test}_t"))) {
                    (Some(mut from), Some(mut to)) => body(from.as_mut(), to.as_mut()),
                    _ => eprintln!("{}: backend not configured, skipped", stringify!($name)),
                }
            }
            #[test]
            fn copy_carries_everything_and_repeats_as_a_no_op() {
                run("cp", super::copy_carries_everything_and_repeats_as_a_no_op)
            }
            #[test]
            fn a_different_webhook_under_the_same_id_stops_the_copy() {
                run(
                    "cf",
                    super::a_different_webhook_under_the_same_id_stops_the_copy,
                )
            }
        }
    };
}

transfer_pair!(sqlite_to_sqlite, sqlite, sqlite);
transfer_pair!(sqlite_to_mysql, sqlite, mysql);
transfer_pair!(mysql_to_sqlite, mysql, sqlite);
transfer_pair!(mysql_to_mysql, mysql, mysql);
