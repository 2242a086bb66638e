//! The contract every store backend passes: plain Rust tests against the `Store` trait only.
//!
//! Each test takes a fresh store from its backend's factory. SQLite runs always; MySQL/MariaDB
//! runs when `UMW_TEST_MYSQL_URL` names a database (the README's test command starts a private
//! MariaDB and sets it; `UMW_REQUIRE_MYSQL=1` turns its absence into a failure).

use crate::engine::model::*;
use crate::engine::store::{Outcome, PersistItem, Store, StoreErrorKind, Transition};
use std::collections::HashSet;

const T0: i64 = 1_800_000_000_000;

fn input(name: &str) -> WebhookInput {
    WebhookInput {
        name: Some(name.into()),
        url: Some(format!("https://{name}.example/hook")),
        events: Some(vec!["payment_received".into(), "site_published".into()]),
        ..Default::default()
    }
}

fn webhook(store: &mut dyn Store, name: &str) -> i64 {
    store
        .insert_webhook(&input(name), "whsec_secret", T0)
        .unwrap()
}

pub(super) fn message(n: usize, event: &str) -> NewMessage {
    NewMessage {
        id: format!("msg_{n:06}"),
        network_id: DEFAULT_NETWORK,
        event: event.into(),
        payload: format!("{{\"n\":{n}}}").into_bytes(),
        created_at: T0 + n as i64,
        spooled: 0,
    }
}

/// Persist `count` messages with one unleased delivery each to `webhook_id`.
fn queue(
    store: &mut dyn Store,
    webhook_id: i64,
    from: usize,
    count: usize,
    now: i64,
) -> Vec<String> {
    let messages: Vec<NewMessage> = (from..from + count)
        .map(|n| message(n, "payment_received"))
        .collect();
    let items: Vec<PersistItem> = messages
        .iter()
        .map(|m| PersistItem {
            message: m,
            deliveries: vec![(
                format!("dlv_{}_{}", webhook_id, &m.id[4..]),
                webhook_id,
                false,
            )],
            is_test: false,
        })
        .collect();
    store.persist(&items, "", 0, now).unwrap();
    items.iter().map(|i| i.deliveries[0].0.clone()).collect()
}

pub(super) fn outcome(job: &Job, transition: Transition, code: u16, time: i64) -> Outcome {
    Outcome {
        delivery_id: job.delivery_id.clone(),
        webhook_id: job.target.webhook_id,
        attempt: AttemptResult {
            time_ms: time,
            url: job.target.url.clone(),
            request_headers: vec![("webhook-id".into(), job.message_id.clone())],
            status_code: Some(code),
            duration_ms: 12.5,
            error: (code >= 300).then_some(crate::engine::delivery::AttemptError::Status(code)),
            response_headers: vec![("x-test".into(), "1".into())],
            response_body: "ok".into(),
            retry_after: None,
        },
        transition,
        disable: None,
        is_test: job.is_test,
    }
}

fn all_room(_: i64) -> usize {
    1000
}

fn filter() -> DeliveryFilter {
    DeliveryFilter {
        limit: 100,
        ..Default::default()
    }
}

pub fn webhook_crud_and_partial_updates(store: &mut dyn Store) {
    let id = webhook(store, "crm");
    let w = store.get_webhook(id).unwrap().unwrap();
    assert_eq!((w.name.as_str(), w.network_id, w.active), ("crm", 1, true));
    assert_eq!(w.events, vec!["payment_received", "site_published"]);
    assert_eq!(w.secret, "whsec_secret");
    let first_revision = w.revision;

    // Only what is given changes; the secret and the rest stay.
    let changed = store
        .update_webhook(
            id,
            &WebhookInput {
                name: Some("crm 2".into()),
                headers: Some(vec![("X-Key".into(), "v".into())]),
                ..Default::default()
            },
            T0 + 5,
        )
        .unwrap()
        .unwrap();
    assert_eq!(changed.name, "crm 2");
    assert_eq!(changed.url, w.url);
    assert_eq!(changed.secret, "whsec_secret");
    assert_eq!(
        changed.headers,
        vec![("X-Key".to_string(), "v".to_string())]
    );
    assert_eq!(changed.updated_at, T0 + 5);
    assert!(
        changed.revision > first_revision,
        "an update moves the revision"
    );
    assert!(store
        .update_webhook(999_999, &input("x"), T0)
        .unwrap()
        .is_none());

    let other = store
        .insert_webhook(
            &WebhookInput {
                network_id: Some(2),
                external_id: Some(Some("ultimate-multisite:2:7".into())),
                active: Some(false),
                ..input("net2")
            },
            "whsec_other",
            T0,
        )
        .unwrap();
    let by_network = store
        .list_webhooks(&WebhookFilter {
            network_id: Some(2),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(
        by_network.iter().map(|w| w.id).collect::<Vec<_>>(),
        vec![other]
    );
    let by_external = store
        .list_webhooks(&WebhookFilter {
            external_id: Some("ultimate-multisite:2:7".into()),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(by_external.len(), 1);
    let live: Vec<i64> = store
        .live_webhooks()
        .unwrap()
        .iter()
        .map(|w| w.id)
        .collect();
    assert_eq!(live, vec![id]);
    let inactive = store
        .list_webhooks(&WebhookFilter {
            active: Some(false),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(inactive.len(), 1);
    let by_event = store
        .list_webhooks(&WebhookFilter {
            event: Some("site_published".into()),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(by_event.len(), 2);

    // external_id is unique; the conflict says so.
    let clash = store
        .insert_webhook(
            &WebhookInput {
                external_id: Some(Some("ultimate-multisite:2:7".into())),
                ..input("clash")
            },
            "whsec_x",
            T0,
        )
        .unwrap_err();
    assert_eq!(clash.kind, StoreErrorKind::Conflict);
    assert!(clash.message.contains("external_id"), "{}", clash.message);
    // Clearing it frees the id.
    store
        .update_webhook(
            other,
            &WebhookInput {
                external_id: Some(None),
                ..Default::default()
            },
            T0,
        )
        .unwrap();
    assert_eq!(store.get_webhook(other).unwrap().unwrap().external_id, None);

    assert!(store.delete_webhook(other).unwrap());
    assert!(!store.delete_webhook(other).unwrap());
    assert!(store.get_webhook(other).unwrap().is_none());
}

pub fn secret_rotation_keeps_the_previous_secret(store: &mut dyn Store) {
    let id = webhook(store, "rot");
    let before = store.get_webhook(id).unwrap().unwrap();
    assert!(store.rotate_secret(id, "whsec_new", T0 + 1000, T0).unwrap());
    let w = store.get_webhook(id).unwrap().unwrap();
    assert_eq!(w.secret, "whsec_new");
    assert_eq!(w.previous_secret.as_deref(), Some("whsec_secret"));
    assert_eq!(w.previous_secret_until, Some(T0 + 1000));
    assert!(w.revision > before.revision);
    assert_eq!(
        w.signing_secrets(T0 + 999),
        vec!["whsec_new", "whsec_secret"]
    );
    assert_eq!(w.signing_secrets(T0 + 1000), vec!["whsec_new"]);
    // A later rename does not undo the rotation.
    store
        .update_webhook(
            id,
            &WebhookInput {
                name: Some("renamed".into()),
                ..Default::default()
            },
            T0 + 2,
        )
        .unwrap();
    assert_eq!(store.get_webhook(id).unwrap().unwrap().secret, "whsec_new");
    assert!(!store.rotate_secret(424_242, "whsec_x", T0, T0).unwrap());
}

pub fn webhooks_version_moves_on_every_webhook_change(store: &mut dyn Store) {
    let v0 = store.webhooks_version().unwrap();
    let id = webhook(store, "v");
    let v1 = store.webhooks_version().unwrap();
    assert_ne!(v0, v1, "insert");
    store
        .update_webhook(
            id,
            &WebhookInput {
                active: Some(false),
                ..Default::default()
            },
            T0,
        )
        .unwrap();
    let v2 = store.webhooks_version().unwrap();
    assert_ne!(v1, v2, "update");
    store.rotate_secret(id, "whsec_n", T0, T0).unwrap();
    let v3 = store.webhooks_version().unwrap();
    assert_ne!(v2, v3, "rotate");
    store.delete_webhook(id).unwrap();
    assert_ne!(v3, store.webhooks_version().unwrap(), "delete");
}

pub fn persist_is_idempotent(store: &mut dyn Store) {
    let id = webhook(store, "p");
    let first = queue(store, id, 0, 3, T0);
    // A spool replay persists the same messages again with new delivery ids: skipped.
    let m = message(1, "payment_received");
    store
        .persist(
            &[PersistItem {
                message: &m,
                deliveries: vec![("dlv_other".into(), id, false)],
                is_test: false,
            }],
            "",
            0,
            T0,
        )
        .unwrap();
    let stored = store.deliveries(&filter(), T0).unwrap();
    assert_eq!(stored.len(), 3);
    let ids: HashSet<String> = stored.iter().map(|d| d.id.clone()).collect();
    assert_eq!(ids, first.into_iter().collect());
    assert!(stored
        .iter()
        .all(|d| d.status == "pending" && d.payload.is_none()));
    assert_eq!(store.counts().unwrap().pending, 3);
}

pub fn claims_lease_and_expire(store: &mut dyn Store) {
    let id = webhook(store, "c");
    queue(store, id, 0, 5, T0);
    let lease = T0 + 60_000;
    let a = store.claim_due("owner_a", T0, lease, 3, &all_room).unwrap();
    assert_eq!(a.len(), 3);
    assert_eq!(a[0].message_id, "msg_000000", "oldest due first");
    assert_eq!(a[0].payload.as_slice(), b"{\"n\":0}");
    assert_eq!(a[0].target.url, "https://c.example/hook");
    assert_eq!(a[0].attempts_made, 0);
    // Held: another owner gets only the rest.
    let b = store
        .claim_due("owner_b", T0 + 1, lease, 10, &all_room)
        .unwrap();
    assert_eq!(b.len(), 2);
    assert!(store
        .claim_due("owner_b", T0 + 2, lease, 10, &all_room)
        .unwrap()
        .is_empty());
    // In flight while the lease runs: no next attempt shown.
    let view = store.delivery(&a[0].delivery_id, T0 + 3).unwrap().unwrap();
    assert!(view.in_flight);
    assert_eq!(view.next_attempt_at, None);
    assert_eq!(view.payload.as_deref(), Some("{\"n\":0}"));
    // After the lease, a crashed owner's claims are taken over.
    let c = store
        .claim_due("owner_c", lease + 1, lease + 60_000, 10, &all_room)
        .unwrap();
    assert_eq!(c.len(), 5);
}

pub fn room_per_webhook_is_respected(store: &mut dyn Store) {
    let a = webhook(store, "a");
    let b = webhook(store, "b");
    queue(store, a, 0, 6, T0);
    queue(store, b, 100, 6, T0);
    let room = |id: i64| if id == a { 2 } else { 0 };
    let jobs = store.claim_due("o", T0, T0 + 1000, 50, &room).unwrap();
    assert_eq!(jobs.len(), 2);
    assert!(jobs.iter().all(|j| j.target.webhook_id == a));
    let jobs = store.claim_due("o", T0, T0 + 1000, 3, &all_room).unwrap();
    assert_eq!(jobs.len(), 3, "limit");
}

pub fn test_sends_are_claimed_first_even_for_switched_off_webhooks(store: &mut dyn Store) {
    let busy = webhook(store, "busy");
    let off = webhook(store, "off");
    queue(store, busy, 0, 5, T0);
    store
        .update_webhook(
            off,
            &WebhookInput {
                active: Some(false),
                ..Default::default()
            },
            T0,
        )
        .unwrap();
    let test = message(99, "payment_received");
    store
        .persist(
            &[PersistItem {
                message: &test,
                deliveries: vec![("dlv_test".into(), off, false)],
                is_test: true,
            }],
            "",
            0,
            T0 + 10,
        )
        .unwrap();
    let jobs = store
        .claim_due("o", T0 + 10, T0 + 1000, 2, &all_room)
        .unwrap();
    assert_eq!(
        jobs[0].delivery_id, "dlv_test",
        "the test goes first, ahead of an older backlog"
    );
    assert!(jobs[0].is_test);
    assert_eq!(jobs[0].target.webhook_id, off);
    assert_eq!(jobs.len(), 2);
    assert!(store
        .claim_due("p", T0 + 11, T0 + 1000, 10, &all_room)
        .unwrap()
        .iter()
        .all(|j| !j.is_test));
}

pub fn next_due_sees_only_live_webhooks(store: &mut dyn Store) {
    assert_eq!(store.next_due(T0).unwrap(), None);
    let live = webhook(store, "live");
    let paused = webhook(store, "paused");
    queue(store, paused, 0, 1, T0);
    store
        .update_webhook(
            paused,
            &WebhookInput {
                active: Some(false),
                ..Default::default()
            },
            T0,
        )
        .unwrap();
    assert_eq!(
        store.next_due(T0).unwrap(),
        None,
        "paused webhooks' deliveries wait"
    );
    assert!(store
        .claim_due("o", T0, T0 + 10, 10, &all_room)
        .unwrap()
        .is_empty());
    queue(store, live, 10, 1, T0 + 500);
    assert_eq!(store.next_due(T0).unwrap(), Some(T0 + 500));
    let jobs = store
        .claim_due("o", T0 + 500, T0 + 9_000, 10, &all_room)
        .unwrap();
    assert_eq!(jobs.len(), 1);
    assert_eq!(
        store.next_due(T0 + 501).unwrap(),
        Some(T0 + 9_000),
        "a lease is a due time"
    );
}

pub fn outcomes_move_deliveries_and_counters(store: &mut dyn Store) {
    let id = webhook(store, "o");
    queue(store, id, 0, 3, T0);
    let jobs = store.claim_due("o", T0, T0 + 1000, 10, &all_room).unwrap();
    let retry_at = T0 + 5_000;
    store
        .record(
            &[
                outcome(&jobs[0], Transition::Delivered, 200, T0 + 10),
                outcome(
                    &jobs[1],
                    Transition::Retry {
                        next_attempt_at: retry_at,
                    },
                    503,
                    T0 + 11,
                ),
                outcome(&jobs[2], Transition::Failed, 500, T0 + 12),
            ],
            T0 + 20,
            i64::MIN,
        )
        .unwrap();
    let delivered = store
        .delivery(&jobs[0].delivery_id, T0 + 20)
        .unwrap()
        .unwrap();
    assert_eq!(delivered.status, "delivered");
    assert_eq!(delivered.next_attempt_at, None);
    let a = &delivered.attempts[0];
    assert_eq!(a.status_code, Some(200));
    assert_eq!(a.url.as_deref(), Some("https://o.example/hook"));
    assert_eq!(a.request_headers[0].0, "webhook-id");
    assert_eq!(
        a.response_headers,
        vec![("x-test".to_string(), "1".to_string())]
    );
    assert_eq!(a.response_body, "ok");
    let retrying = store
        .delivery(&jobs[1].delivery_id, T0 + 20)
        .unwrap()
        .unwrap();
    assert_eq!(
        (retrying.status.as_str(), retrying.next_attempt_at),
        ("retrying", Some(retry_at))
    );
    assert!(!retrying.in_flight);
    assert_eq!(
        store
            .delivery(&jobs[2].delivery_id, T0 + 20)
            .unwrap()
            .unwrap()
            .status,
        "failed"
    );
    let w = store.get_webhook(id).unwrap().unwrap();
    assert_eq!((w.delivered_count, w.failed_count), (1, 1));
    assert_eq!(w.last_status.as_deref(), Some("failed"));
    assert_eq!(w.failing_since, Some(T0 + 11));
    // Not due before its retry time; due after, with its attempt count.
    assert!(store
        .claim_due("o", retry_at - 1, retry_at + 100, 10, &all_room)
        .unwrap()
        .is_empty());
    let again = store
        .claim_due("o", retry_at, retry_at + 100, 10, &all_room)
        .unwrap();
    assert_eq!(again.len(), 1);
    assert_eq!(again[0].attempts_made, 1);
    let counts = store.counts().unwrap();
    assert_eq!(
        (
            counts.delivered,
            counts.retrying,
            counts.failed,
            counts.webhooks
        ),
        (1, 1, 1, 1)
    );
    assert_eq!(counts.oldest_waiting_created_at, Some(T0));
}

pub fn failing_webhooks_are_disabled(store: &mut dyn Store) {
    let gone = webhook(store, "gone");
    let failing = webhook(store, "failing");
    queue(store, gone, 0, 1, T0);
    queue(store, failing, 10, 2, T0);
    let jobs = store.claim_due("o", T0, T0 + 1000, 10, &all_room).unwrap();
    let of = |id: i64| jobs.iter().filter(move |j| j.target.webhook_id == id);
    let mut outcomes: Vec<Outcome> = of(gone)
        .map(|j| {
            let mut o = outcome(j, Transition::Failed, 410, T0 + 1);
            o.disable = Some("the endpoint answered 410 Gone".into());
            o
        })
        .collect();
    let f: Vec<&Job> = of(failing).collect();
    outcomes.push(outcome(
        f[0],
        Transition::Retry {
            next_attempt_at: T0 + 10,
        },
        500,
        T0 + 1,
    ));
    let v = store.webhooks_version().unwrap();
    store.record(&outcomes, T0 + 2, i64::MIN).unwrap();
    assert_ne!(
        v,
        store.webhooks_version().unwrap(),
        "a disable moves the version"
    );
    let g = store.get_webhook(gone).unwrap().unwrap();
    assert_eq!(
        g.disabled_reason.as_deref(),
        Some("the endpoint answered 410 Gone")
    );
    assert!(!g.is_live());
    assert!(
        store.get_webhook(failing).unwrap().unwrap().is_live(),
        "cutoff not reached"
    );
    // Failing since T0+1; the cutoff (T0+1) has passed: disabled on the next failure.
    store
        .record(
            &[outcome(
                f[1],
                Transition::Retry {
                    next_attempt_at: T0 + 20,
                },
                500,
                T0 + 3,
            )],
            T0 + 4,
            T0 + 1,
        )
        .unwrap();
    // A rename made meanwhile does not undo the disable.
    store
        .update_webhook(
            failing,
            &WebhookInput {
                name: Some("renamed".into()),
                ..Default::default()
            },
            T0 + 4,
        )
        .unwrap();
    let w = store.get_webhook(failing).unwrap().unwrap();
    assert!(w.disabled_at.is_some());
    assert!(w
        .disabled_reason
        .unwrap()
        .starts_with("every delivery has failed since"));
    // Switching it back on clears the disable.
    let back = store
        .update_webhook(
            failing,
            &WebhookInput {
                active: Some(true),
                ..Default::default()
            },
            T0 + 5,
        )
        .unwrap()
        .unwrap();
    assert!(back.is_live());
    assert_eq!((back.disabled_at, back.failing_since), (None, None));
}

pub fn release_and_unattempted(store: &mut dyn Store) {
    let id = webhook(store, "r");
    let ids = queue(store, id, 0, 3, T0);
    let jobs = store
        .claim_due("mine", T0, T0 + 100_000, 10, &all_room)
        .unwrap();
    assert_eq!(jobs.len(), 3);
    // Someone else's release does nothing.
    store.release("theirs", &ids, T0 + 1).unwrap();
    assert!(store
        .claim_due("x", T0 + 2, T0 + 200_000, 10, &all_room)
        .unwrap()
        .is_empty());
    store.release("mine", &ids[..2], T0 + 3).unwrap();
    assert_eq!(
        store
            .claim_due("x", T0 + 3, T0 + 200_000, 10, &all_room)
            .unwrap()
            .len(),
        2
    );
    store
        .record(
            &[outcome(&jobs[2], Transition::Delivered, 200, T0 + 4)],
            T0 + 4,
            i64::MIN,
        )
        .unwrap();
    let mut waiting = store.unattempted(&ids).unwrap();
    waiting.sort();
    assert_eq!(waiting, ids[..2].to_vec());
    assert!(store
        .unattempted(&["dlv_missing".to_string()])
        .unwrap()
        .is_empty());
}

pub fn delivery_filters_and_paging(store: &mut dyn Store) {
    let a = webhook(store, "fa");
    let b = store
        .insert_webhook(
            &WebhookInput {
                network_id: Some(3),
                ..input("fb")
            },
            "whsec_b",
            T0,
        )
        .unwrap();
    queue(store, a, 0, 5, T0);
    let m = NewMessage {
        network_id: 3,
        ..message(50, "site_published")
    };
    store
        .persist(
            &[PersistItem {
                message: &m,
                deliveries: vec![("dlv_b".into(), b, false)],
                is_test: true,
            }],
            "",
            0,
            T0 + 100,
        )
        .unwrap();
    let count = |store: &mut dyn Store, f: DeliveryFilter| {
        let n = store.count_deliveries(&f).unwrap();
        assert_eq!(n as usize, store.deliveries(&f, T0).unwrap().len(), "{f:?}");
        n
    };
    assert_eq!(count(store, filter()), 6);
    assert_eq!(
        count(
            store,
            DeliveryFilter {
                webhook_id: Some(a),
                ..filter()
            }
        ),
        5
    );
    assert_eq!(
        count(
            store,
            DeliveryFilter {
                network_id: Some(3),
                ..filter()
            }
        ),
        1
    );
    assert_eq!(
        count(
            store,
            DeliveryFilter {
                event: Some("site_published".into()),
                ..filter()
            }
        ),
        1
    );
    assert_eq!(
        count(
            store,
            DeliveryFilter {
                is_test: Some(true),
                ..filter()
            }
        ),
        1
    );
    assert_eq!(
        count(
            store,
            DeliveryFilter {
                status: Some(DeliveryStatus::Pending),
                ..filter()
            }
        ),
        6
    );
    assert_eq!(
        count(
            store,
            DeliveryFilter {
                status: Some(DeliveryStatus::Failed),
                ..filter()
            }
        ),
        0
    );
    assert_eq!(
        count(
            store,
            DeliveryFilter {
                message_id: Some("msg_000002".into()),
                ..filter()
            }
        ),
        1
    );
    assert_eq!(
        count(
            store,
            DeliveryFilter {
                since_ms: Some(T0 + 50),
                ..filter()
            }
        ),
        1
    );
    assert_eq!(
        count(
            store,
            DeliveryFilter {
                until_ms: Some(T0 + 50),
                ..filter()
            }
        ),
        5
    );
    // Newest first, paged.
    let page = store
        .deliveries(
            &DeliveryFilter {
                limit: 2,
                offset: 1,
                ..filter()
            },
            T0,
        )
        .unwrap();
    assert_eq!(page.len(), 2);
    let all = store.deliveries(&filter(), T0).unwrap();
    assert_eq!(all[0].id, "dlv_b");
    assert_eq!(page[0].id, all[1].id);
    assert!(all.iter().all(|d| d.payload.is_none()));
    let with = store
        .deliveries(
            &DeliveryFilter {
                with_payload: true,
                limit: 1,
                ..filter()
            },
            T0,
        )
        .unwrap();
    assert_eq!(with[0].payload.as_deref(), Some("{\"n\":50}"));
}

pub fn redeliver_and_replay(store: &mut dyn Store) {
    let id = webhook(store, "rr");
    queue(store, id, 0, 3, T0);
    let test_message = message(9, "payment_received");
    store
        .persist(
            &[PersistItem {
                message: &test_message,
                deliveries: vec![("dlv_test".into(), id, false)],
                is_test: true,
            }],
            "",
            0,
            T0,
        )
        .unwrap();
    let jobs = store.claim_due("o", T0, T0 + 1000, 10, &all_room).unwrap();
    let failed: Vec<Outcome> = jobs
        .iter()
        .map(|j| outcome(j, Transition::Failed, 500, T0 + 5))
        .collect();
    store.record(&failed, T0 + 6, i64::MIN).unwrap();
    assert_eq!(store.counts().unwrap().failed, 4);
    // Replay: failed since a time, never the test send.
    assert_eq!(
        store.replay(id, T0 + 1, T0 + 10).unwrap(),
        0,
        "created at T0"
    );
    assert_eq!(store.replay(id, T0, T0 + 10).unwrap(), 3);
    assert_eq!(
        store
            .count_deliveries(&DeliveryFilter {
                status: Some(DeliveryStatus::Pending),
                ..filter()
            })
            .unwrap(),
        3
    );
    let test = store.delivery("dlv_test", T0 + 10).unwrap().unwrap();
    assert_eq!(test.status, "failed");
    // Redeliver one: pending now, history kept.
    let first = jobs.iter().find(|j| j.message_id == "msg_000000").unwrap();
    assert!(store.redeliver(&first.delivery_id, T0 + 20).unwrap());
    let d = store
        .delivery(&first.delivery_id, T0 + 20)
        .unwrap()
        .unwrap();
    assert_eq!(
        (d.status.as_str(), d.attempts.len(), d.next_attempt_at),
        ("pending", 1, Some(T0 + 20))
    );
    assert!(!store.redeliver("dlv_missing", T0).unwrap());
    assert_eq!(
        store
            .claim_due("o", T0 + 20, T0 + 2000, 10, &all_room)
            .unwrap()
            .len(),
        3
    );
}

pub fn delete_removes_the_log_and_orphaned_payloads(store: &mut dyn Store) {
    let keep = webhook(store, "keep");
    let gone = webhook(store, "gone");
    // One message fanned out to both webhooks, one only to the deleted one.
    let shared = message(1, "payment_received");
    let own = message(2, "payment_received");
    store
        .persist(
            &[
                PersistItem {
                    message: &shared,
                    deliveries: vec![
                        ("dlv_k".into(), keep, false),
                        ("dlv_g1".into(), gone, false),
                    ],
                    is_test: false,
                },
                PersistItem {
                    message: &own,
                    deliveries: vec![("dlv_g2".into(), gone, false)],
                    is_test: false,
                },
            ],
            "",
            0,
            T0,
        )
        .unwrap();
    let jobs = store.claim_due("o", T0, T0 + 1000, 10, &all_room).unwrap();
    let outcomes: Vec<Outcome> = jobs
        .iter()
        .map(|j| outcome(j, Transition::Delivered, 200, T0 + 1))
        .collect();
    store.record(&outcomes, T0 + 2, i64::MIN).unwrap();
    assert!(store.delete_webhook(gone).unwrap());
    let left = store
        .deliveries(
            &DeliveryFilter {
                with_payload: true,
                ..filter()
            },
            T0,
        )
        .unwrap();
    assert_eq!(
        left.iter().map(|d| d.id.as_str()).collect::<Vec<_>>(),
        vec!["dlv_k"]
    );
    assert_eq!(
        left[0].payload.as_deref(),
        Some("{\"n\":1}"),
        "a payload still used stays"
    );
    assert!(store.delivery("dlv_g1", T0).unwrap().is_none());
    // The payload only the deleted webhook used is gone: re-persisting that message is not skipped.
    store
        .persist(
            &[PersistItem {
                message: &own,
                deliveries: vec![("dlv_new".into(), keep, false)],
                is_test: false,
            }],
            "",
            0,
            T0,
        )
        .unwrap();
    assert!(store.delivery("dlv_new", T0).unwrap().is_some());
}

pub fn statistics_aggregate_by_hour(store: &mut dyn Store) {
    let id = webhook(store, "s");
    let other = webhook(store, "s2");
    queue(store, id, 0, 4, T0);
    queue(store, other, 10, 1, T0);
    let jobs = store.claim_due("o", T0, T0 + 1000, 10, &all_room).unwrap();
    let hour = 3_600_000;
    let base = T0 - T0.rem_euclid(hour);
    let mut outcomes = Vec::new();
    for (i, j) in jobs.iter().enumerate() {
        let (transition, time) = match i {
            0 => (Transition::Delivered, base + 10),
            1 => (
                Transition::Retry {
                    next_attempt_at: T0 + 99,
                },
                base + 20,
            ),
            2 => (Transition::Failed, base + hour + 5),
            _ => (Transition::Delivered, base + hour + 6),
        };
        outcomes.push(outcome(j, transition, 200, time));
    }
    // Recorded in two batches: the hourly rows add up.
    store.record(&outcomes[..2], T0, i64::MIN).unwrap();
    store.record(&outcomes[2..], T0, i64::MIN).unwrap();
    let all = store
        .delivery_stats(&StatsQuery {
            webhook_id: None,
            since_ms: base,
            until_ms: base + 2 * hour,
            bucket_ms: hour,
        })
        .unwrap();
    assert_eq!(all.len(), 2);
    assert_eq!(
        (all[0].start_ms, all[0].delivered, all[0].retrying),
        (base, 1, 1)
    );
    assert_eq!(all[1].delivered + all[1].failed, 3);
    assert_eq!(all[0].durations.total() + all[1].durations.total(), 5);
    let one = store
        .delivery_stats(&StatsQuery {
            webhook_id: Some(other),
            since_ms: base,
            until_ms: base + 2 * hour,
            bucket_ms: 2 * hour,
        })
        .unwrap();
    assert_eq!(one.len(), 1);
    assert_eq!(one[0].delivered + one[0].failed + one[0].retrying, 1);
    let p50 = all[0].durations.quantile(0.5).unwrap();
    assert!((p50 - 12.5).abs() < 2.0, "{p50}");
}

pub fn pruning_removes_only_old_finished_deliveries(store: &mut dyn Store) {
    let id = webhook(store, "pr");
    queue(store, id, 0, 4, T0);
    queue(store, id, 100, 1, T0 + 10_000);
    let jobs = store
        .claim_due("o", T0 + 10_000, T0 + 20_000, 10, &all_room)
        .unwrap();
    let mut outcomes: Vec<Outcome> = Vec::new();
    for j in &jobs {
        let t = match j.message_id.as_str() {
            "msg_000000" => Transition::Retry {
                next_attempt_at: T0 + 99_999,
            },
            _ => Transition::Delivered,
        };
        outcomes.push(outcome(j, t, 200, T0 + 10_001));
    }
    store.record(&outcomes, T0 + 10_002, i64::MIN).unwrap();
    // Older than T0+5000: three delivered (the retrying one stays, the new one is too young).
    let first = store.prune(T0 + 5_000, 2).unwrap();
    assert_eq!((first.deliveries, first.attempts), (2, 2));
    let second = store.prune(T0 + 5_000, 2).unwrap();
    assert_eq!(second.deliveries, 1);
    assert_eq!(first.messages + second.messages, 3);
    assert_eq!(store.prune(T0 + 5_000, 2).unwrap().deliveries, 0);
    let left = store.count_deliveries(&filter()).unwrap();
    assert_eq!(left, 2);
    store.reclaim_space().unwrap();
    // Statistics outlive the log.
    let stats = store
        .delivery_stats(&StatsQuery {
            webhook_id: Some(id),
            since_ms: T0 - 3_600_000,
            until_ms: T0 + 3_600_000,
            bucket_ms: 3_600_000,
        })
        .unwrap();
    assert_eq!(stats.iter().map(|b| b.delivered).sum::<i64>(), 4);
}

pub fn networks_keep_messages_apart(store: &mut dyn Store) {
    let main = webhook(store, "main");
    let second = store
        .insert_webhook(
            &WebhookInput {
                network_id: Some(2),
                ..input("second")
            },
            "whsec_2",
            T0,
        )
        .unwrap();
    let w = store.live_webhooks().unwrap();
    let m = NewMessage {
        network_id: 2,
        ..message(1, "payment_received")
    };
    let takers: Vec<i64> = w
        .iter()
        .filter(|w| w.takes(m.network_id, &m.event))
        .map(|w| w.id)
        .collect();
    assert_eq!(takers, vec![second]);
    assert!(w
        .iter()
        .any(|w| w.id == main && w.takes(1, "payment_received")));
    assert!(store.health().schema_version > 0);
}

/// `$name` runs every contract test against `$factory`.
macro_rules! contract_suite {
    ($name:ident, $factory:expr) => {
        mod $name {
            use super::*;
            fn run(test: &str, body: fn(&mut dyn Store)) {
                match ($factory)(test) {
                    Some(mut store) => body(store.as_mut()),
                    None => eprintln!("{}: backend not configured, skipped", stringify!($name)),
                }
            }
            #[test]
            fn webhook_crud_and_partial_updates() {
                run("crud", super::webhook_crud_and_partial_updates)
            }
            #[test]
            fn secret_rotation_keeps_the_previous_secret() {
                run("rotation", super::secret_rotation_keeps_the_previous_secret)
            }
            #[test]
            fn webhooks_version_moves_on_every_webhook_change() {
                run(
                    "version",
                    super::webhooks_version_moves_on_every_webhook_change,
                )
            }
            #[test]
            fn persist_is_idempotent() {
                run("persist", super::persist_is_idempotent)
            }
            #[test]
            fn claims_lease_and_expire() {
                run("claims", super::claims_lease_and_expire)
            }
            #[test]
            fn room_per_webhook_is_respected() {
                run("room", super::room_per_webhook_is_respected)
            }
            #[test]
            fn test_sends_are_claimed_first_even_for_switched_off_webhooks() {
                run(
                    "tests_first",
                    super::test_sends_are_claimed_first_even_for_switched_off_webhooks,
                )
            }
            #[test]
            fn next_due_sees_only_live_webhooks() {
                run("next_due", super::next_due_sees_only_live_webhooks)
            }
            #[test]
            fn outcomes_move_deliveries_and_counters() {
                run("outcomes", super::outcomes_move_deliveries_and_counters)
            }
            #[test]
            fn failing_webhooks_are_disabled() {
                run("disable", super::failing_webhooks_are_disabled)
            }
            #[test]
            fn release_and_unattempted() {
                run("release", super::release_and_unattempted)
            }
            #[test]
            fn delivery_filters_and_paging() {
                run("filters", super::delivery_filters_and_paging)
            }
            #[test]
            fn redeliver_and_replay() {
                run("replay", super::redeliver_and_replay)
            }
            #[test]
            fn delete_removes_the_log_and_orphaned_payloads() {
                run(
                    "delete",
                    super::delete_removes_the_log_and_orphaned_payloads,
                )
            }
            #[test]
            fn statistics_aggregate_by_hour() {
                run("stats", super::statistics_aggregate_by_hour)
            }
            #[test]
            fn pruning_removes_only_old_finished_deliveries() {
                run("prune", super::pruning_removes_only_old_finished_deliveries)
            }
            #[test]
            fn networks_keep_messages_apart() {
                run("networks", super::networks_keep_messages_apart)
            }
        }
    };
}

pub(super) fn sqlite(test: &str) -> Option<Box<dyn Store>> {
    let dir = std::env::temp_dir().join(format!("umw-contract-{test}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let store = crate::engine::store::sqlite::SqliteStore::open(&dir.join("umw.sqlite")).ok()?;
    Some(Box::new(store))
}

contract_suite!(on_sqlite, sqlite);

pub(super) fn mysql(test: &str) -> Option<Box<dyn Store>> {
    let store = crate::engine::store::mysql_tests::open_for_test(test)?;
    Some(Box::new(store))
}

contract_suite!(on_mysql, mysql);
