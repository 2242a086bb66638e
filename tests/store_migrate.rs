//! Moving over through the real `php` binary: `umw_store_copy()` from an SQLite store into
//! MariaDB and from there into a fresh SQLite file, in small batches, twice (the second time
//! copies nothing); the copied webhooks keep their ids and secrets (a delivery sent from the new
//! store verifies with the old secret), waiting deliveries keep their history, the log comes
//! along when asked; bad targets are refused with messages that never show a password.
//!
//! Needs the MariaDB that tests/run.sh starts (`UMW_TEST_MYSQL_URL`); without it the test says
//! "skipped", unless `UMW_REQUIRE_MYSQL=1`.

mod common;

use base64::Engine as _;
use common::*;
use hmac::{Hmac, Mac};
use mysql::prelude::Queryable;
use serde_json::Value;
use std::time::Duration;

const WAIT: Duration = Duration::from_secs(10);

fn mysql_url() -> Option<String> {
    match std::env::var("UMW_TEST_MYSQL_URL") {
        Ok(url) if !url.trim().is_empty() => Some(url),
        _ => {
            assert!(
                std::env::var("UMW_REQUIRE_MYSQL").as_deref() != Ok("1"),
                "UMW_REQUIRE_MYSQL=1 but UMW_TEST_MYSQL_URL is not set (tests/mysql/server.sh start)"
            );
            eprintln!("store_migrate: UMW_TEST_MYSQL_URL not set, skipped");
            None
        }
    }
}

/// Drops the tables of one prefix when the test ends, however it ends.
struct Tables {
    url: String,
    prefix: String,
}

impl Drop for Tables {
    fn drop(&mut self) {
        let Ok(opts) = mysql::Opts::from_url(&self.url) else {
            return;
        };
        if let Ok(mut conn) = mysql::Conn::new(opts) {
            let p = &self.prefix;
            let _ = conn.query_drop(format!(
                "DROP TABLE IF EXISTS `{p}attempts`, `{p}deliveries`, `{p}messages`, `{p}stats_hourly`, `{p}webhooks`, `{p}meta`"
            ));
        }
    }
}

/// PHP that copies the store in use into `$to` in batches of `batch` until done, printing the
/// summed counts, the steps taken and the last total as JSON.
fn copy_script(to: &str, batch: usize, with_log: bool) -> String {
    format!(
        r#"<?php
        $sum = ['webhooks' => 0, 'messages' => 0, 'deliveries' => 0, 'attempts' => 0, 'stats' => 0, 'skipped' => 0, 'copied' => 0];
        $cursor = null; $steps = 0;
        do {{
            $r = umw_store_copy({to:?}, ['batch' => {batch}, 'with_log' => {with_log}, 'cursor' => $cursor]);
            foreach ($sum as $k => $v) {{ $sum[$k] += $r[$k]; }}
            $cursor = $r['cursor']; $steps++;
            if ($r['position'] > $r['total']) {{ throw new Exception('position past total'); }}
        }} while (!$r['done'] && $steps < 200);
        $sum['steps'] = $steps; $sum['total'] = $r['total']; $sum['position'] = $r['position'];
        $sum['from'] = $r['from']; $sum['to'] = $r['to'];
        echo json_encode($sum);"#,
        with_log = if with_log { "true" } else { "false" }
    )
}

fn json(out: &str) -> Value {
    serde_json::from_str(out.trim()).unwrap_or_else(|e| panic!("{e}: {out}"))
}

/// Standard Webhooks: some `v1,` signature of the request verifies with `secret`.
fn signed_with(r: &Received, secret: &str) -> bool {
    let key = base64::engine::general_purpose::STANDARD
        .decode(secret.trim_start_matches("whsec_"))
        .expect("secret is base64");
    let content = format!(
        "{}.{}.{}",
        r.header("webhook-id").unwrap_or_default(),
        r.header("webhook-timestamp").unwrap_or_default(),
        String::from_utf8_lossy(&r.body)
    );
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(&key).expect("hmac key");
    mac.update(content.as_bytes());
    let expected = base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes());
    r.header("webhook-signature")
        .unwrap_or_default()
        .split(' ')
        .any(|s| s == format!("v1,{expected}"))
}

#[test]
fn sqlite_to_mariadb_to_sqlite() {
    let Some(url) = mysql_url() else { return };
    let prefix = format!("mig{}_", std::process::id() % 100_000);
    let _tables = Tables {
        url: url.clone(),
        prefix: prefix.clone(),
    };
    let mariadb = format!("{url}&prefix={prefix}");
    let good = Receiver::ok();
    let down = Receiver::start(|_, _| Reply::Status(503));

    // The old store: a delivered webhook whose secret was rotated, and one whose endpoint is
    // down (its deliveries wait an hour for their retry).
    let old = Php::new("migrate-old").set("umw.retry_schedule", "3600");
    let made = json(&old.ok(&format!(
        r#"<?php
        $ok = umw_register_webhook(['name' => 'crm', 'url' => '{}', 'events' => '*']);
        $first = umw_get_webhook($ok, true)['secret'];
        $second = umw_rotate_secret($ok);
        $down = umw_register_webhook(['name' => 'erp', 'url' => '{}', 'events' => '*', 'external_id' => 'ultimate-multisite:1:5']);
        for ($i = 0; $i < 5; $i++) {{ umw_emit('payment_received', ['n' => $i]); }}
        umw_flush(10);
        echo json_encode(['ok' => $ok, 'down' => $down, 'first' => $first, 'second' => $second,
            'down_secret' => umw_get_webhook($down, true)['secret'],
            'retrying' => umw_count_deliveries(['status' => 'retrying']),
            'delivered' => umw_count_deliveries(['status' => 'delivered'])]);"#,
        good.url("/crm"),
        down.url("/erp")
    )));
    assert_eq!(
        (made["retrying"].as_i64(), made["delivered"].as_i64()),
        (Some(5), Some(5)),
        "{made}"
    );
    good.wait_for(5, WAIT);

    // Into MariaDB, two rows at a time, with the log.
    let first = json(&old.ok(&copy_script(&mariadb, 2, true)));
    assert_eq!(first["webhooks"], 2, "{first}");
    assert_eq!(first["deliveries"], 10, "{first}");
    assert_eq!(first["messages"], 5, "{first}");
    assert_eq!(first["attempts"], 10, "{first}");
    assert!(first["steps"].as_i64().unwrap() >= 7, "{first}");
    assert_eq!(first["position"], first["total"], "{first}");
    let shown = format!("{} {}", first["from"], first["to"]);
    assert!(
        !shown.contains("umw-test-pass") && shown.contains(":***@"),
        "{shown}"
    );
    // Again: everything is there already.
    let again = json(&old.ok(&copy_script(&mariadb, 500, true)));
    assert_eq!(
        (
            again["deliveries"].as_i64(),
            again["messages"].as_i64(),
            again["webhooks"].as_i64()
        ),
        (Some(0), Some(0), Some(0)),
        "{again}"
    );
    assert!(again["skipped"].as_i64().unwrap() >= 15, "{again}");

    // The network now runs on MariaDB: same webhooks, same secrets, the waiting deliveries.
    let spool = TempDir::new("migrate-spool");
    let new = Php::new("migrate-new")
        // Quoted, as php.ini needs a value with `?`, `&` and `=` in it.
        .set("umw.store", &format!("\"{mariadb}\""))
        .set("umw.spool_dir", &spool.path("spool").display().to_string())
        .set("umw.retry_schedule", "3600");
    let seen = json(&new.ok(&format!(
        r#"<?php
        $w = umw_get_webhook({ok}, true);
        $d = umw_deliveries(['webhook_id' => {down}, 'limit' => 10]);
        echo json_encode(['backend' => umw_stats()['store']['backend'], 'secret' => $w['secret'],
            'erp' => umw_get_webhook({down})['external_id'], 'waiting' => array_column($d, 'status'),
            'attempts' => count($d[0]['attempts']), 'delivered' => umw_count_deliveries(['status' => 'delivered'])]);"#,
        ok = made["ok"],
        down = made["down"]
    )));
    assert_eq!(seen["backend"], "mysql");
    assert_eq!(seen["secret"], made["second"]);
    assert_eq!(seen["erp"], "ultimate-multisite:1:5");
    assert_eq!(seen["waiting"].as_array().unwrap().len(), 5, "{seen}");
    assert!(
        seen["waiting"]
            .as_array()
            .unwrap()
            .iter()
            .all(|s| s == "retrying"),
        "{seen}"
    );
    assert_eq!(seen["attempts"], 1);
    assert_eq!(seen["delivered"], 5);
    // The endpoint is back: a waiting delivery sent from the new store verifies with the secret
    // the receiver already had.
    down.set_script(|_, _| Reply::Status(200));
    new.ok(&format!(
        r#"<?php $d = umw_deliveries(['webhook_id' => {}, 'limit' => 1]); umw_redeliver($d[0]['id']); umw_work();"#,
        made["down"]
    ));
    let got = down.wait_for(6, WAIT);
    let last = got.last().expect("a delivery from MariaDB");
    assert!(
        signed_with(last, made["down_secret"].as_str().unwrap()),
        "signature"
    );

    // And back into a fresh SQLite file, whole.
    let back = TempDir::new("migrate-back");
    let file = back.path("umw.sqlite").display().to_string();
    let copied = json(&new.ok(&copy_script(&file, 3, true)));
    assert_eq!(
        (copied["webhooks"].as_i64(), copied["deliveries"].as_i64()),
        (Some(2), Some(10)),
        "{copied}"
    );
    let round = Php::new("migrate-round").set("umw.store", &file);
    let out = json(&round.ok(&format!(
        r#"<?php echo json_encode([umw_get_webhook({ok}, true)['secret'], umw_count_deliveries(),
            umw_count_deliveries(['status' => 'retrying']), umw_get_webhook({down})['name']]);"#,
        ok = made["ok"],
        down = made["down"]
    )));
    assert_eq!(out[0], made["second"]);
    assert_eq!(
        (out[1].as_i64(), out[2].as_i64()),
        (Some(10), Some(4)),
        "one was redelivered: {out}"
    );
    assert_eq!(out[3], "erp");
    // The old secret still signs during the rotation's grace period in the copy.
    let first_secret = made["first"].as_str().unwrap().to_string();
    let rx = Receiver::ok();
    round.ok(&format!(
        r#"<?php umw_update_webhook({}, ['url' => '{}']); umw_send_test_event({});"#,
        made["ok"],
        rx.url("/grace"),
        made["ok"]
    ));
    let test = rx.wait_for(1, WAIT);
    assert!(
        signed_with(&test[0], &first_secret),
        "the previous secret signs too"
    );
}

#[test]
fn bad_targets_are_refused_without_showing_a_password() {
    let php = Php::new("migrate-bad");
    let store = php.store().display().to_string();
    let out = php.ok(&format!(
        r#"<?php
        foreach (['umw.sqlite', {store:?}, 'env:UMW_NO_SUCH_VARIABLE', 'postgres://u:pw@h/d',
                  'mysql://umw:s3cret-pw@127.0.0.1:1/umw'] as $to) {{
            try {{ umw_store_copy($to); echo "copied?\n"; }}
            catch (Throwable $e) {{ echo get_class($e), ': ', $e->getMessage(), "\n"; }}
        }}
        try {{ umw_store_copy('/tmp/x.sqlite', ['cursor' => 'nonsense']); }}
        catch (Throwable $e) {{ echo get_class($e), ': ', $e->getMessage(), "\n"; }}
        try {{ umw_store_copy('/tmp/x.sqlite', ['batch' => 0]); }}
        catch (Throwable $e) {{ echo get_class($e), ': ', $e->getMessage(), "\n"; }}"#
    ));
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 7, "{out}");
    assert!(
        lines[0].starts_with("ValueError: umw_store_copy(): Argument #1 ($to)")
            && lines[0].contains("relative path"),
        "{out}"
    );
    assert!(lines[1].contains("is the store in use"), "{out}");
    assert!(lines[2].contains("UMW_NO_SUCH_VARIABLE"), "{out}");
    assert!(lines[3].contains("is not a store"), "{out}");
    assert!(
        lines[4].starts_with(
            "RuntimeException: umw_store_copy(): umw store mysql://umw:***@127.0.0.1:1/umw"
        ),
        "{out}"
    );
    assert!(
        lines[5].contains("\"cursor\" is not one umw_store_copy() returned"),
        "{out}"
    );
    assert!(
        lines[6].contains("\"batch\" must be from 1 to 5000"),
        "{out}"
    );
    assert!(!out.contains("s3cret-pw") && !out.contains(":pw@"), "{out}");
    assert!(!out.contains("copied?"), "{out}");
}
