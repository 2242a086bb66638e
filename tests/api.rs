//! The store seam's PHP surface through the real `php` binary: networks, counts, statistics,
//! pruning, the shared rules, argument conversion and messages, settings that are refused, and
//! an SQLite file from umw 0.1 upgraded in place.

mod common;

use common::*;
use std::time::Duration;

const WAIT: Duration = Duration::from_secs(10);

#[test]
fn events_reach_only_their_networks_webhooks() {
    let main = Receiver::ok();
    let second = Receiver::ok();
    let php = Php::new("networks");
    let out = php.ok(&format!(
        r#"<?php
        $a = umw_register_webhook(['name' => 'main', 'url' => '{}', 'events' => '*']);
        $b = umw_register_webhook(['name' => 'two', 'url' => '{}', 'events' => '*', 'network_id' => 2]);
        umw_emit('payment_received', ['n' => 'main']);
        umw_emit('payment_received', ['n' => 'two'], ['network_id' => 2]);
        umw_flush(5);
        echo json_encode([umw_get_webhook($b)['network_id'], count(umw_list_webhooks(['network_id' => 2])),
            umw_count_deliveries(['network_id' => 2]), umw_count_deliveries()]);"#,
        main.url("/"),
        second.url("/")
    ));
    assert_eq!(out.trim(), "[2,1,1,2]");
    assert_eq!(main.wait_for(1, WAIT)[0].json()["n"], "main");
    assert_eq!(second.wait_for(1, WAIT)[0].json()["n"], "two");
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!((main.count(), second.count()), (1, 1));
    // A durable emit carries its network through the spool.
    let php = php.set("umw.durable_emit", "1");
    php.ok(r#"<?php umw_emit('site_published', ['n' => 'durable'], ['network_id' => 2]); umw_flush(5);"#);
    let got = second.wait_for(2, WAIT);
    assert_eq!(got[1].json()["n"], "durable");
    assert_eq!(main.count(), 1);
}

#[test]
fn external_ids_link_and_are_unique() {
    let php = Php::new("external");
    let out = php.ok(
        r#"<?php
        $id = umw_register_webhook(['name' => 'um', 'url' => 'https://a.example/', 'external_id' => 'ultimate-multisite:1:9']);
        echo umw_list_webhooks(['external_id' => 'ultimate-multisite:1:9'])[0]['id'] === $id ? "found\n" : "missing\n";
        try { umw_register_webhook(['name' => 'dup', 'url' => 'https://b.example/', 'external_id' => 'ultimate-multisite:1:9']); }
        catch (ValueError $e) { echo get_class($e), ': ', $e->getMessage(), "\n"; }
        var_export(umw_update_webhook($id, ['external_id' => null])['external_id']);"#,
    );
    assert!(out.contains("found"), "{out}");
    assert!(out.contains("already used by another webhook"), "{out}");
    assert!(out.trim_end().ends_with("NULL"), "{out}");
}

#[test]
fn counts_stats_and_payloads_on_request() {
    let rx = Receiver::start(|n, _| {
        if n % 2 == 0 {
            Reply::Status(200)
        } else {
            Reply::Status(500)
        }
    });
    let php = Php::new("stats").set("umw.retry_schedule", "");
    let out = php.ok(&format!(
        r#"<?php
        $id = umw_register_webhook(['name' => 's', 'url' => '{}', 'events' => '*']);
        for ($i = 0; $i < 6; $i++) umw_emit('payment_received', ['i' => $i]);
        umw_flush(5);
        $t = umw_send_test_event($id);
        $deadline = microtime(true) + 5;
        while (umw_count_deliveries(['status' => 'delivered']) + umw_count_deliveries(['status' => 'failed']) < 7 && microtime(true) < $deadline) usleep(50000);
        $stats = umw_delivery_stats(['webhook_id' => $id]);
        $list = umw_deliveries(['webhook_id' => $id, 'is_test' => false]);
        $with = umw_deliveries(['limit' => 1, 'with_payload' => true]);
        echo json_encode([
            'tests' => umw_count_deliveries(['is_test' => true]),
            'listed' => count($list),
            'payload_in_list' => array_key_exists('payload', $list[0]),
            'payload_on_request' => isset($with[0]['payload']),
            'one_has_payload' => isset(umw_get_delivery($list[0]['id'])['payload']),
            'buckets' => count($stats['buckets']),
            'totals' => $stats['totals'],
            'attempt' => umw_get_delivery($list[0]['id'])['attempts'][0],
            'test_event' => $t['event'],
        ]);"#,
        rx.url("/s")
    ));
    let v: serde_json::Value = serde_json::from_str(out.trim()).unwrap();
    assert_eq!(v["tests"], 1);
    assert_eq!(v["listed"], 6);
    assert_eq!(v["payload_in_list"], false);
    assert_eq!(v["payload_on_request"], true);
    assert_eq!(v["one_has_payload"], true);
    assert_eq!(
        v["buckets"],
        7 * 24,
        "hourly buckets over 7 days, the current hour last"
    );
    let totals = &v["totals"];
    assert_eq!(totals["attempts"], 6, "the test send is left out: {totals}");
    assert_eq!(
        totals["delivered"].as_i64().unwrap() + totals["failed"].as_i64().unwrap(),
        6
    );
    assert!(totals["p50_ms"].as_f64().unwrap() > 0.0);
    let rate = totals["success_rate"].as_f64().unwrap();
    assert!((0.0..=1.0).contains(&rate));
    let attempt = &v["attempt"];
    assert!(
        attempt["url"].as_str().unwrap().ends_with("/s"),
        "{attempt}"
    );
    assert!(attempt["request_headers"]["webhook-id"]
        .as_str()
        .unwrap()
        .starts_with("msg_"));
    assert_eq!(
        attempt["request_headers"]["user-agent"]
            .as_str()
            .unwrap()
            .split('/')
            .next(),
        Some("umw")
    );
    assert!(attempt["response_headers"].is_object());
    assert_eq!(v["test_event"], "payment_received");
}

#[test]
fn prune_removes_old_finished_deliveries() {
    let rx = Receiver::ok();
    let php = Php::new("prune");
    let out = php.ok(&format!(
        r#"<?php
        $id = umw_register_webhook(['name' => 'p', 'url' => '{}', 'events' => '*']);
        for ($i = 0; $i < 5; $i++) umw_emit('payment_received', ['i' => $i]);
        umw_flush(5);
        $deadline = microtime(true) + 5;
        while (umw_count_deliveries(['status' => 'delivered']) < 5 && microtime(true) < $deadline) usleep(50000);
        $kept = umw_prune();
        $all = umw_prune(['older_than_days' => 0]);
        echo json_encode([$kept['deliveries'], $all['deliveries'], $all['attempts'], $all['messages'], umw_count_deliveries(),
            umw_delivery_stats()['totals']['delivered']]);"#,
        rx.url("/")
    ));
    assert_eq!(out.trim(), "[0,5,5,5,0,5]", "statistics outlive the log");
    let none = Php::new("prune-off").set("umw.retention_days", "0");
    let out =
        none.ok("<?php try { umw_prune(); } catch (ValueError $e) { echo $e->getMessage(); }");
    assert!(out.contains("keep forever"), "{out}");
}

#[test]
fn replay_skips_tests_and_refuses_disabled_webhooks() {
    let rx = Receiver::start(|_, _| Reply::Status(410));
    let php = Php::new("replay").set("umw.retry_schedule", "");
    let out = php.ok(&format!(
        r#"<?php
        $id = umw_register_webhook(['name' => 'r', 'url' => '{}', 'events' => '*']);
        umw_send_test_event($id);
        try {{ umw_replay($id, 0); }} catch (ValueError $e) {{ echo $e->getMessage(), "\n"; }}
        umw_update_webhook($id, ['active' => true]);
        echo umw_replay($id, 0), "\n";
        umw_update_webhook($id, ['active' => false]);
        try {{ umw_replay($id, 0); }} catch (ValueError $e) {{ echo $e->getMessage(), "\n"; }}"#,
        rx.url("/")
    ));
    let lines: Vec<&str> = out.lines().collect();
    assert!(
        lines[0].contains("is disabled (the endpoint answered 410 Gone); enable it first"),
        "{out}"
    );
    assert_eq!(lines[1], "0", "the failed test send is not replayed");
    assert!(lines[2].contains("is inactive; activate it first"), "{out}");
}

#[test]
fn rules_and_constants_are_the_extensions_own() {
    let php = Php::new("rules");
    let out = php.ok(
        r#"<?php
        $r = umw_rules();
        echo json_encode([UMW_EVENT_NAME_MAX_LENGTH, $r['event_name']['max_length'], UMW_EVENT_NAME_PATTERN === $r['event_name']['pattern'],
            preg_match(UMW_EVENT_NAME_PATTERN, 'acme/order.paid'), preg_match(UMW_EVENT_NAME_PATTERN, 'has space'),
            in_array('user-agent', $r['headers']['reserved'], true), $r['statuses'], UMW_LIST_LIMIT_MAX, UMW_SECRET_PREFIX,
            $r['max_payload_bytes'], UMW_VERSION === phpversion('umw')]);"#,
    );
    assert_eq!(
        out.trim(),
        r#"[100,100,true,1,0,true,["pending","retrying","delivered","failed"],1000,"whsec_",1048576,true]"#
    );
    // The pattern and the extension agree on every name in a table.
    let out = php.ok(
        r#"<?php
        foreach (['a', 'acme/order.paid', 'x:y-z_1', str_repeat('a', 100), str_repeat('a', 101), '', 'é', 'a b', "a\n", '*'] as $name) {
            $pattern = (bool) preg_match(UMW_EVENT_NAME_PATTERN, $name);
            try { umw_emit($name, []); $ext = true; } catch (ValueError $e) { $ext = false; }
            if ($pattern !== $ext) echo "disagree on ", json_encode($name), "\n";
        }
        echo "done";"#,
    );
    assert_eq!(out.trim(), "done");
}

#[test]
fn scalar_arguments_convert_like_php_and_errors_name_the_function() {
    let php = Php::new("args");
    let out = php.ok(
        r#"<?php
        $id = umw_register_webhook(['name' => 'a', 'url' => 'https://a.example/']);
        echo umw_get_webhook("$id")['id'] === $id ? "string id ok\n" : "string id wrong\n";
        echo umw_get_webhook((float) $id)['id'] === $id ? "float id ok\n" : "float id wrong\n";
        foreach ([
            fn() => umw_get_webhook([]),
            fn() => umw_get_webhook("abc"),
            fn() => umw_flush("soon"),
            fn() => umw_emit("pay\xffment", []),
            fn() => umw_register_webhook(['name' => "bad\xff", 'url' => 'https://a.example/']),
            fn() => umw_emit('x', [], ['nope' => 1]),
            fn() => umw_emit('x', [], ['network_id' => 0]),
            fn() => umw_get_webhook(1.5),
        ] as $f) {
            try { $f(); echo "accepted\n"; } catch (Throwable $e) { echo get_class($e), ': ', $e->getMessage(), "\n"; }
        }"#,
    );
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines[0], "string id ok");
    assert_eq!(lines[1], "float id ok");
    let expected = [
        "TypeError: umw_get_webhook(): Argument #1 ($id) must be of type int, array given",
        "TypeError: umw_get_webhook(): Argument #1 ($id) must be of type int, non-numeric string given",
        "TypeError: umw_flush(): Argument #1 ($timeout) must be of type float, non-numeric string given",
        "ValueError: umw_emit(): Argument #1 ($event) must be valid UTF-8",
        "ValueError: umw_register_webhook(): Argument #1 ($webhook)[\"name\"] must be valid UTF-8 text",
        "ValueError: umw_emit(): Argument #3 ($options) has an unknown key \"nope\"; allowed keys: network_id",
        "ValueError: umw_emit(): \"network_id\" must be a network id (1 or more), got 0",
        "ValueError: umw_get_webhook(): Argument #1 ($id) must be a whole number",
    ];
    for (i, want) in expected.iter().enumerate() {
        assert_eq!(lines[i + 2], *want);
    }
}

#[test]
fn header_and_url_rules_refuse_what_would_fail_forever() {
    let php = Php::new("headers");
    let out = php.ok(
        r#"<?php
        foreach ([['User-Agent' => 'evil/1'], ['X-A' => "a\x01b"], ['X-A' => "a\x7fb"]] as $h) {
            try { umw_register_webhook(['name' => 'h', 'url' => 'https://a.example/', 'headers' => $h]); echo "accepted\n"; }
            catch (ValueError $e) { echo $e->getMessage(), "\n"; }
        }
        try { umw_register_webhook(['name' => 'p', 'url' => 'https://a.example:0/']); echo "accepted\n"; }
        catch (ValueError $e) { echo $e->getMessage(), "\n"; }
        echo count(umw_list_webhooks());"#,
    );
    let lines: Vec<&str> = out.lines().collect();
    assert!(lines[0].contains("\"User-Agent\" is set by umw"), "{out}");
    assert!(
        lines[1].contains("control characters (found U+0001)"),
        "{out}"
    );
    assert!(
        lines[2].contains("control characters (found U+007F)"),
        "{out}"
    );
    assert!(lines[3].contains("port 0"), "{out}");
    assert_eq!(lines[4], "0");
}

#[test]
fn settings_that_would_mislead_are_refused() {
    let cases: &[(&str, &str, &str)] = &[
        ("umw.store", " ", "umw.store: is empty"),
        ("umw.store", "relative/umw.sqlite", "relative path"),
        ("umw.store", "/dev/null", "is not a regular file"),
        (
            "umw.durable_emit",
            "maybe",
            "umw.durable_emit: expected 1/0",
        ),
        ("umw.spool_dir", "spool", "umw.spool_dir"),
    ];
    for (key, value, expected) in cases {
        let php = Php::new("settings").set(key, value);
        let out = php.ok("<?php try { umw_stats(); echo 'accepted'; } catch (RuntimeException $e) { echo $e->getMessage(); }");
        assert!(out.contains(expected), "{key}={value:?}: {out}");
    }
    assert!(!std::path::Path::new("/dev/null-journal").exists());
    assert!(!std::path::Path::new("/dev/null-wal").exists());
}

#[test]
fn an_sqlite_file_from_umw_0_1_upgrades_in_place() {
    let rx = Receiver::ok();
    let php = Php::new("upgrade");
    let store = php.store();
    // The schema umw 0.1 created, with one webhook and one pending delivery in it.
    let create = format!(
        r#"<?php
        $db = new SQLite3('{}');
        $db->exec(<<<'SQL'
        CREATE TABLE webhooks (id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL, url TEXT NOT NULL, events TEXT NOT NULL,
          active INTEGER NOT NULL DEFAULT 1, format TEXT NOT NULL DEFAULT 'flat', headers TEXT NOT NULL DEFAULT '[]', secret TEXT NOT NULL,
          previous_secret TEXT, previous_secret_until INTEGER, created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL, disabled_at INTEGER,
          disabled_reason TEXT, failing_since INTEGER, delivered_count INTEGER NOT NULL DEFAULT 0, failed_count INTEGER NOT NULL DEFAULT 0,
          last_delivery_at INTEGER, last_status TEXT, last_status_code INTEGER);
        CREATE TABLE messages (id TEXT PRIMARY KEY, event TEXT NOT NULL, payload BLOB NOT NULL, created_at INTEGER NOT NULL);
        CREATE TABLE deliveries (id TEXT PRIMARY KEY, message_id TEXT NOT NULL, webhook_id INTEGER NOT NULL, event TEXT NOT NULL,
          status TEXT NOT NULL, is_test INTEGER NOT NULL DEFAULT 0, attempt_count INTEGER NOT NULL DEFAULT 0, next_attempt_at INTEGER,
          lease_owner TEXT, lease_until INTEGER, created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL);
        CREATE INDEX deliveries_due_by_webhook ON deliveries(webhook_id, next_attempt_at) WHERE status IN ('pending', 'retrying');
        CREATE TABLE attempts (id INTEGER PRIMARY KEY, delivery_id TEXT NOT NULL, time INTEGER NOT NULL, status_code INTEGER,
          duration_ms REAL NOT NULL, error TEXT, response_body TEXT NOT NULL DEFAULT '');
        SQL);
        $now = (int) (microtime(true) * 1000);
        $db->exec("INSERT INTO webhooks (name, url, events, secret, created_at, updated_at) VALUES ('old', '{}', '[\"*\"]', 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', $now, $now)");
        $db->exec("INSERT INTO messages VALUES ('msg_01OLD', 'payment_received', '{{\"kept\":true}}', $now)");
        $db->exec("INSERT INTO deliveries (id, message_id, webhook_id, event, status, next_attempt_at, created_at, updated_at) VALUES ('dlv_01OLD', 'msg_01OLD', 1, 'payment_received', 'pending', $now, $now, $now)");
        echo $db->querySingle('PRAGMA user_version');"#,
        store.display(),
        rx.url("/old")
    );
    assert_eq!(php.ok(&create).trim(), "0");
    let out = php.ok("<?php echo json_encode([umw_stats()['store']['schema_version'], umw_get_webhook(1)['network_id'], umw_work(5)['delivered']]);");
    assert_eq!(out.trim(), "[3,1,1]");
    let got = rx.wait_for(1, WAIT);
    assert_eq!(got[0].header("webhook-id"), Some("msg_01OLD"));
    assert_eq!(got[0].json()["kept"], true);
}

#[test]
fn store_files_are_private_whatever_the_umask() {
    use std::os::unix::fs::PermissionsExt;
    let php = Php::new("private").set("umw.durable_emit", "1");
    let dir = php.dir.path("nested/deeper");
    let php = php.set("umw.store", &dir.join("umw.sqlite").display().to_string());
    // As PHP-FPM usually runs: files would be 0644 and directories 0755 if umw left it to the umask.
    // SAFETY: umask only sets this process's file-creation mask.
    unsafe { libc::umask(0o022) };
    let stdout = php.ok(
        r#"<?php umw_register_webhook(['name' => 'p', 'url' => 'https://a.example/']); umw_emit('payment_received', ['x' => 1]);
        $s = umw_stats(); echo json_encode([$s['store']['private'], $s['store']['warnings']]);"#,
    );
    assert!(stdout.starts_with("[true,[]]"), "{stdout}");
    let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&dir), 0o700);
    assert_eq!(mode(dir.parent().unwrap()), 0o700);
    for name in ["umw.sqlite", "umw.sqlite-wal", "umw.sqlite-shm"] {
        let p = dir.join(name);
        if p.exists() {
            assert_eq!(mode(&p), 0o600, "{name}");
        }
    }
    assert_eq!(mode(&dir.join("umw.sqlite.spool")), 0o700);
    // A file someone else left readable is reported.
    std::fs::set_permissions(
        dir.join("umw.sqlite"),
        std::fs::Permissions::from_mode(0o644),
    )
    .unwrap();
    let out = php.ok("<?php $s = umw_stats(); echo json_encode($s['store']['private']), ' ', $s['store']['warnings'][0] ?? '';");
    assert!(
        out.starts_with("false ") && out.contains("mode 644"),
        "{out}"
    );
}

#[test]
fn large_results_throw_instead_of_exhausting_memory() {
    let rx = Receiver::ok();
    let php = Php::new("memory");
    let out = php.ok(&format!(
        r#"<?php ini_set('memory_limit', '48M');
        umw_register_webhook(['name' => 'm', 'url' => '{}', 'events' => '*']);
        $big = ['s' => str_repeat('x', 1000000)];
        for ($i = 0; $i < 60; $i++) umw_emit('payment_received', $big);
        umw_flush(10);
        unset($big);
        echo count(umw_deliveries(['limit' => 60])), "\n";
        try {{ umw_deliveries(['limit' => 60, 'with_payload' => true]); echo "built\n"; }}
        catch (RuntimeException $e) {{ echo get_class($e), ': ', $e->getMessage(), "\n"; }}
        echo strlen(umw_get_delivery(umw_deliveries(['limit' => 1])[0]['id'])['payload']), "\n";"#,
        rx.url("/")
    ));
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines[0], "60", "{out}");
    assert!(
        lines[1].starts_with("RuntimeException: umw_deliveries(): the result needs about"),
        "{out}"
    );
    assert!(lines[1].contains("memory_limit"), "{out}");
    assert_eq!(lines[2], "1000008");
}
