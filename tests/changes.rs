//! A webhook change takes effect for every delivery not yet on the wire, in every process; and
//! concurrent changes never undo each other. Two emitting processes keep a backlog queued
//! behind a slow receiver while a third process changes the webhook; requests are counted at
//! the receiver after the change returns. At most the requests already on the wire (the
//! per-webhook cap of each emitting process) may still arrive.

mod common;

use common::*;
use std::process::Child;
use std::time::{Duration, Instant};

const PER_WEBHOOK: usize = 2;
const EMITTERS: usize = 2;
/// Requests that may already be on the wire when the change is made.
const ON_THE_WIRE: usize = PER_WEBHOOK * EMITTERS;

fn php(name: &str) -> Php {
    Php::new(name)
        .set("umw.max_in_flight_per_webhook", &PER_WEBHOOK.to_string())
        .set("umw.max_in_flight", "8")
        .set("umw.shutdown_timeout_ms", "20000")
}

/// Processes that each emit `n` events and then stay alive delivering them for a while.
fn emitters(php: &Php, n: usize) -> Vec<Child> {
    (0..EMITTERS)
        .map(|_| {
            php.command(&format!(
                "<?php for ($i = 0; $i < {n}; $i++) umw_emit('payment_received', ['i' => $i]); sleep(6);"
            ))
            .spawn()
            .unwrap()
        })
        .collect()
}

fn stop(children: Vec<Child>) {
    for mut c in children {
        let _ = c.kill();
        let _ = c.wait();
    }
}

/// Wait until the receiver has seen `n` requests (the backlog is flowing).
fn flowing(rx: &Receiver, n: usize) {
    let deadline = Instant::now() + Duration::from_secs(15);
    while rx.count() < n && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(
        rx.count() >= n,
        "deliveries never started ({} of {n})",
        rx.count()
    );
}

/// Requests that arrive after `at`, waiting long enough for anything still queued to show up.
fn arriving_after(rx: &Receiver, at: usize) -> usize {
    std::thread::sleep(Duration::from_millis(2500));
    rx.count() - at
}

fn slow() -> Receiver {
    Receiver::start(|_, _| Reply::Delay(Duration::from_millis(150), 200))
}

#[test]
fn deleting_a_webhook_stops_deliveries_in_every_process() {
    let rx = slow();
    let php = php("delete");
    let id = register(&php, &rx.url("/"), "'*'");
    let children = emitters(&php, 200);
    flowing(&rx, 6);
    php.ok(&format!("<?php var_export(umw_delete_webhook({id}));"));
    let at = rx.count();
    let after = arriving_after(&rx, at);
    stop(children);
    assert!(after <= ON_THE_WIRE, "{after} requests arrived after the delete (at most {ON_THE_WIRE} may have been on the wire)");
    // Nothing of it is left behind: no deliveries, attempts or payloads.
    let out =
        php.ok("<?php echo umw_count_deliveries(), ' ', umw_stats()['store_counts']['pending'];");
    assert_eq!(out.trim(), "0 0");
}

#[test]
fn deactivating_stops_deliveries_and_reactivating_resumes_them() {
    let rx = slow();
    let php = php("deactivate");
    let id = register(&php, &rx.url("/"), "'*'");
    let children = emitters(&php, 150);
    flowing(&rx, 6);
    php.ok(&format!(
        "<?php umw_update_webhook({id}, ['active' => false]);"
    ));
    let at = rx.count();
    let after = arriving_after(&rx, at);
    assert!(
        after <= ON_THE_WIRE,
        "{after} requests arrived after the deactivate"
    );
    // Switched back on: the rest go out (nothing was dropped meanwhile).
    let out = php.ok(&format!(
        "<?php umw_update_webhook({id}, ['active' => true]); $r = umw_work(30); echo umw_count_deliveries(['status' => 'delivered']);"
    ));
    stop(children);
    assert_eq!(
        out.trim(),
        "300",
        "every delivery went out once reactivated"
    );
}

#[test]
fn repointing_sends_the_rest_to_the_new_url() {
    let old = slow();
    let new = Receiver::ok();
    let php = php("repoint");
    let id = register(&php, &old.url("/old"), "'*'");
    let children = emitters(&php, 100);
    flowing(&old, 6);
    php.ok(&format!(
        "<?php umw_update_webhook({id}, ['url' => '{}']);",
        new.url("/new")
    ));
    let at = old.count();
    let after = arriving_after(&old, at);
    let out = php.ok("<?php umw_work(20); echo umw_count_deliveries(['status' => 'delivered']);");
    stop(children);
    assert!(
        after <= ON_THE_WIRE,
        "{after} requests went to the old URL after the change"
    );
    assert_eq!(out.trim(), "200");
    assert_eq!(
        old.count() + new.count(),
        200,
        "each delivery went to exactly one of them"
    );
    assert!(new.count() >= 200 - at - ON_THE_WIRE);
}

#[test]
fn a_410_stops_every_queued_request() {
    // Every request after the first few answers 410.
    let rx = Receiver::start(|n, _| {
        if n < 4 {
            Reply::Delay(Duration::from_millis(150), 200)
        } else {
            Reply::Delay(Duration::from_millis(150), 410)
        }
    });
    let php = php("gone");
    let id = register(&php, &rx.url("/"), "'*'");
    let children = emitters(&php, 100);
    let deadline = Instant::now() + Duration::from_secs(15);
    let first_410 = loop {
        let reqs = rx.count();
        if reqs > 4 || Instant::now() > deadline {
            break reqs;
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    // The first 410 answer reaches its process ~150 ms after its request arrived.
    std::thread::sleep(Duration::from_millis(200));
    let at = rx.count();
    let after = arriving_after(&rx, at);
    stop(children);
    assert!(first_410 > 4, "the 410 never came");
    // Each process learns of the 410 from its own attempt or from the store: requests already
    // queued in either process must not follow.
    assert!(after <= ON_THE_WIRE, "{after} requests followed the 410");
    let out = php.ok(&format!(
        "<?php echo json_encode(umw_get_webhook({id})['disabled_reason']);"
    ));
    assert!(out.contains("410 Gone"), "{out}");
}

#[test]
fn concurrent_renames_never_undo_a_rotation() {
    let php = Php::new("lost-updates");
    let id = register(&php, "https://a.example/", "'*'");
    let renamer = php
        .command(&format!(
            "<?php for ($i = 0; $i < 20000; $i++) umw_update_webhook({id}, ['name' => \"n$i\", 'headers' => ['X-N' => (string) $i]]);"
        ))
        .spawn()
        .unwrap();
    let out = php.ok(&format!(
        r#"<?php $undone = 0;
        for ($i = 0; $i < 6000; $i++) {{
            $s = umw_rotate_secret({id});
            if (umw_get_webhook({id}, true)['secret'] !== $s) $undone++;
        }}
        echo $undone, ' ', umw_get_webhook({id}, true)['secret'] === $s ? 'kept' : 'lost';"#
    ));
    let mut renamer = renamer;
    renamer.wait().unwrap();
    assert_eq!(
        out.trim(),
        "0 kept",
        "rotations were undone by concurrent renames"
    );
}

#[test]
fn a_retry_is_cancelled_once_its_webhook_stops_taking_the_event() {
    let rx = Receiver::start(|_, _| Reply::Status(500));
    let php = Php::new("unsubscribe").set("umw.retry_schedule", "1,1,1");
    let id = register(&php, &rx.url("/"), "['payment_received']");
    let out = php.ok(&format!(
        r#"<?php
        $m = umw_emit('payment_received', ['x' => 1]);
        umw_flush(5);
        umw_update_webhook({id}, ['events' => ['site_published']]);
        umw_work(4);
        $d = umw_deliveries(['message_id' => $m])[0];
        echo json_encode([$d['status'], count($d['attempts']), end($d['attempts'])['error']]);"#
    ));
    assert_eq!(rx.count(), 1, "the retry must not be sent");
    let v: serde_json::Value = serde_json::from_str(out.trim()).unwrap();
    assert_eq!(v[0], "failed");
    assert_eq!(v[1], 2);
    assert_eq!(
        v[2],
        format!("not sent: webhook {id} no longer takes payment_received events")
    );
}
