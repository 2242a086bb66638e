//! The engine through the real `php` binary: delivery format, matching, retries, durability
//! across processes, fork, exit paths, errors. Receivers are real HTTP servers on 127.0.0.1.

mod common;

use common::*;
use std::time::{Duration, Instant};

const WAIT: Duration = Duration::from_secs(10);

#[test]
fn delivers_flat_body_with_documented_headers() {
    let rx = Receiver::ok();
    let php = Php::new("flat");
    let out = php.ok(&format!(
        r#"<?php
        $id = umw_register_webhook(['name' => 'Zapier', 'url' => '{}', 'events' => 'payment_received', 'headers' => ['X-Api-Key' => 'k1']]);
        echo umw_emit('payment_received', ['payment_id' => 7, 'url' => 'https://a.example/x', 'name' => 'Zoë']), "\n";
        var_export(umw_flush(5));"#,
        rx.url("/hook")
    ));
    let msg_id = out.lines().next().unwrap().to_string();
    assert!(msg_id.starts_with("msg_") && msg_id.len() == 30, "{msg_id}");
    assert!(out.ends_with("true"), "{out}");
    let got = rx.wait_for(1, WAIT);
    assert_eq!(got.len(), 1);
    let r = &got[0];
    assert_eq!(r.method, "POST");
    assert_eq!(r.path, "/hook");
    assert_eq!(r.header("content-type"), Some("application/json"));
    assert!(r.header("user-agent").unwrap().starts_with("umw/"));
    assert_eq!(r.header("x-umw-event"), Some("payment_received"));
    assert_eq!(r.header("webhook-id"), Some(msg_id.as_str()));
    assert!(r.header("webhook-signature").unwrap().starts_with("v1,"));
    let ts: i64 = r.header("webhook-timestamp").unwrap().parse().unwrap();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    assert!((now - ts).abs() < 60);
    assert_eq!(r.header("x-api-key"), Some("k1"));
    // The flat body is the payload itself, unescaped slashes and unicode, like a JSON receiver expects.
    assert_eq!(
        String::from_utf8_lossy(&r.body),
        r#"{"payment_id":7,"url":"https://a.example/x","name":"Zoë"}"#
    );
}

#[test]
fn envelope_format_wraps_the_payload() {
    let rx = Receiver::ok();
    let php = Php::new("envelope");
    php.ok(&format!(
        r#"<?php
        umw_register_webhook(['name' => 'e', 'url' => '{}', 'events' => ['*'], 'format' => 'envelope']);
        umw_emit('site_published', ['site_id' => 3]);
        umw_flush(5);"#,
        rx.url("/")
    ));
    let got = rx.wait_for(1, WAIT);
    let body = got[0].json();
    assert_eq!(body["type"], "site_published");
    assert_eq!(body["data"]["site_id"], 3);
    assert!(body["timestamp"].as_str().unwrap().ends_with('Z'));
}

#[test]
fn unsubscribed_events_and_inactive_webhooks_get_nothing() {
    let subscribed = Receiver::ok();
    let inactive = Receiver::ok();
    let php = Php::new("matching");
    php.ok(&format!(
        r#"<?php
        umw_register_webhook(['name' => 'a', 'url' => '{}', 'events' => ['payment_received']]);
        $off = umw_register_webhook(['name' => 'b', 'url' => '{}', 'events' => ['*'], 'active' => false]);
        umw_emit('site_published', ['x' => 1]);
        umw_emit('payment_received', ['x' => 2]);
        umw_flush(5);
        usleep(300000);"#,
        subscribed.url("/"),
        inactive.url("/")
    ));
    let got = subscribed.wait_for(1, WAIT);
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].json()["x"], 2);
    assert_eq!(inactive.count(), 0, "an inactive webhook must get nothing");
    assert_eq!(subscribed.count(), 1);
}

#[test]
fn events_matching_nothing_cost_no_disk_write() {
    let php = Php::new("nowrite");
    php.ok("<?php umw_stats();");
    let size_before = std::fs::metadata(php.store()).unwrap().len();
    let wal = php.dir.path("umw.sqlite-wal");
    let wal_before = std::fs::metadata(&wal).map(|m| m.len()).unwrap_or(0);
    php.ok("<?php for ($i = 0; $i < 500; $i++) { umw_emit('nobody_listens', ['i' => $i]); } var_export(umw_flush(5));");
    assert_eq!(std::fs::metadata(php.store()).unwrap().len(), size_before);
    assert_eq!(
        std::fs::metadata(&wal).map(|m| m.len()).unwrap_or(0),
        wal_before
    );
}

#[test]
fn retries_until_success_with_the_same_message_id() {
    let rx = Receiver::start(|n, _| {
        if n < 2 {
            Reply::Status(500)
        } else {
            Reply::Status(204)
        }
    });
    let php = Php::new("retry");
    let out = php.ok(&format!(
        r#"<?php
        umw_register_webhook(['name' => 'r', 'url' => '{}']);
        $id = umw_emit('payment_failed', ['n' => 1]);
        umw_flush(5);
        $deadline = microtime(true) + 8;
        do {{ usleep(100000); $d = umw_deliveries(['message_id' => $id])[0]; }} while ($d['status'] !== 'delivered' && microtime(true) < $deadline);
        echo json_encode($d);"#,
        rx.url("/")
    ));
    let d: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(d["status"], "delivered", "{d}");
    let attempts = d["attempts"].as_array().unwrap();
    assert_eq!(attempts.len(), 3);
    assert_eq!(attempts[0]["status_code"], 500);
    assert_eq!(attempts[0]["error"], "HTTP 500");
    assert_eq!(attempts[2]["status_code"], 204);
    let got = rx.requests();
    assert_eq!(got.len(), 3);
    let ids: Vec<_> = got
        .iter()
        .map(|r| r.header("webhook-id").unwrap().to_string())
        .collect();
    assert!(
        ids.iter().all(|i| i == &ids[0]),
        "webhook-id must be stable across retries"
    );
    // Retries follow the schedule (0.2 s, 0.4 s, ±20% jitter, plus polling slack).
    let gap1 = got[1].at - got[0].at;
    let gap2 = got[2].at - got[1].at;
    assert!(
        gap1 >= Duration::from_millis(150) && gap1 < Duration::from_millis(1500),
        "{gap1:?}"
    );
    assert!(
        gap2 >= Duration::from_millis(300) && gap2 < Duration::from_millis(2000),
        "{gap2:?}"
    );
}

#[test]
fn gives_up_after_the_schedule_and_redeliver_requeues() {
    let rx = Receiver::start(|_, _| Reply::Status(500));
    let php = Php::new("giveup").set("umw.retry_schedule", "0.1");
    let out = php.ok(&format!(
        r#"<?php
        umw_register_webhook(['name' => 'r', 'url' => '{}']);
        $id = umw_emit('x', []);
        $deadline = microtime(true) + 8;
        do {{ usleep(100000); $d = umw_deliveries(['message_id' => $id])[0] ?? null; }} while (($d['status'] ?? '') !== 'failed' && microtime(true) < $deadline);
        echo $d['status'], ' ', count($d['attempts']), "\n";
        var_export(umw_redeliver($d['id'])); echo "\n";
        var_export(umw_redeliver('dlv_nope')); echo "\n";
        $deadline = microtime(true) + 8;
        do {{ usleep(100000); $d = umw_get_delivery($d['id']); }} while (count($d['attempts']) < 3 && microtime(true) < $deadline);
        echo count($d['attempts']), ' ', $d['status'];"#,
        rx.url("/")
    ));
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines[0], "failed 2", "{out}");
    assert_eq!(lines[1], "true");
    assert_eq!(lines[2], "false");
    assert!(lines[3].starts_with('3'), "{out}");
}

#[test]
fn pending_deliveries_left_by_one_process_are_delivered_by_the_next() {
    let rx = Receiver::start(|_, _| Reply::Status(503));
    let php = Php::new("handover").set("umw.retry_schedule", "1,1,1");
    let out = php.ok(&format!(
        r#"<?php
        umw_register_webhook(['name' => 'h', 'url' => '{}']);
        for ($i = 0; $i < 20; $i++) echo umw_emit('customer_created', ['i' => $i]), "\n";
        umw_flush(5);"#,
        rx.url("/")
    ));
    let ids: Vec<String> = out.lines().map(str::to_string).collect();
    assert_eq!(ids.len(), 20);
    rx.set_script(|_, _| Reply::Status(200));
    let report = php.ok("<?php echo json_encode(umw_work(15));");
    let report: serde_json::Value = serde_json::from_str(&report).unwrap();
    assert_eq!(report["remaining"], 0, "{report}");
    assert_all_arrived(&rx.requests(), &ids, "");
}

#[test]
fn forked_children_start_their_own_runtime_and_deliver() {
    let rx = Receiver::ok();
    let php = Php::new("fork");
    let out = php.ok(&format!(
        r#"<?php
        umw_register_webhook(['name' => 'f', 'url' => '{}']);
        echo umw_emit('e', ['who' => 'parent-before']), "\n";
        umw_flush(5);
        $children = [];
        for ($c = 0; $c < 3; $c++) {{
            $pid = pcntl_fork();
            if ($pid === 0) {{
                $id = umw_emit('e', ['who' => "child-$c"]);
                $ok = umw_flush(5);
                $stats = umw_stats();
                fwrite(STDERR, "child $c pid {{$stats['pid']}} flushed " . var_export($ok, true) . "\n");
                echo $id, "\n";
                exit($ok ? 0 : 3);
            }}
            $children[] = $pid;
        }}
        foreach ($children as $pid) {{ pcntl_waitpid($pid, $status); if (pcntl_wexitstatus($status) !== 0) {{ echo "child failed\n"; }} }}
        echo umw_emit('e', ['who' => 'parent-after']), "\n";
        umw_flush(5);"#,
        rx.url("/")
    ));
    assert!(!out.contains("child failed"), "{out}");
    let ids: Vec<&str> = out.lines().collect();
    assert_eq!(ids.len(), 5, "{out}");
    let got = rx.wait_for(5, WAIT);
    let whos: Vec<String> = got
        .iter()
        .map(|r| r.json()["who"].as_str().unwrap().to_string())
        .collect();
    for who in [
        "parent-before",
        "child-0",
        "child-1",
        "child-2",
        "parent-after",
    ] {
        assert!(whos.iter().any(|w| w == who), "{who} missing from {whos:?}");
    }
}

/// Every way a PHP script ends must keep what it emitted: what the process could not deliver
/// itself stays in the store for the next one.
#[test]
fn every_exit_path_loses_nothing() {
    let endings = [
        ("return", ""),
        ("exit", "exit(3);"),
        ("fatal", "undefined_function_xyz();"),
        ("exception", "throw new RuntimeException('boom');"),
        ("memory", "ini_set('memory_limit', '16M'); $a = []; while (true) { $a[] = str_repeat('x', 100000); }"),
        ("time_limit", "set_time_limit(1); while (true) {}"),
    ];
    for (name, ending) in endings {
        let rx = Receiver::ok();
        let php = Php::new(name).set("umw.shutdown_timeout_ms", "0");
        let script = format!(
            r#"<?php
            umw_register_webhook(['name' => 'x', 'url' => '{}']);
            for ($i = 0; $i < 300; $i++) {{ echo umw_emit('burst', ['i' => $i]), "\n"; }}
            {ending}"#,
            rx.url("/")
        );
        let out = php.run(&script);
        let ids: Vec<String> = String::from_utf8_lossy(&out.stdout)
            .lines()
            .filter(|l| l.starts_with("msg_"))
            .map(str::to_string)
            .collect();
        assert_eq!(
            ids.len(),
            300,
            "{name}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        php.ok("<?php umw_work(10);");
        assert_all_arrived(&rx.wait_for(300, WAIT), &ids, &format!("{name}: "));
    }
}

#[test]
fn a_durable_emit_killed_before_its_commit_is_replayed_from_the_spool() {
    use std::os::unix::process::ExitStatusExt;
    let rx = Receiver::ok();
    let php = Php::new("spool").set("umw.durable_emit", "1");
    register(&php, &rx.url("/"), "['*']");
    let scratch = TempDir::new("spool-flags");
    let (ready, locked, release) = (
        scratch.path("ready"),
        scratch.path("locked"),
        scratch.path("release"),
    );
    let wait_for = |flag: &std::path::Path| {
        let until = Instant::now() + WAIT;
        while !flag.exists() {
            assert!(Instant::now() < until, "{} never appeared", flag.display());
            std::thread::sleep(Duration::from_millis(5));
        }
    };
    // The emitting process starts its engine, then emits while another process holds the store's
    // write lock — so its writer cannot commit anything — and is killed.
    let emitter = php
        .command(&format!(
            r#"<?php umw_emit('warm', []); umw_flush(5); touch('{ready}');
            while (!file_exists('{locked}')) usleep(1000);
            for ($i = 0; $i < 50; $i++) echo umw_emit('e', ['i' => $i]), "\n";
            posix_kill(getmypid(), 9);"#,
            ready = ready.display(),
            locked = locked.display()
        ))
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    wait_for(&ready);
    let mut locker = php
        .command(&format!(
            r#"<?php $db = new PDO('sqlite:{store}'); $db->exec('PRAGMA busy_timeout = 10000');
            $db->exec('BEGIN IMMEDIATE'); touch('{locked}');
            while (!file_exists('{release}')) usleep(1000);
            $db->exec('COMMIT');"#,
            store = php.store().display(),
            locked = locked.display(),
            release = release.display()
        ))
        .spawn()
        .unwrap();
    let out = emitter.wait_with_output().unwrap();
    std::fs::write(&release, "").unwrap();
    assert!(locker.wait().unwrap().success());
    assert_eq!(out.status.signal(), Some(9));
    let ids: Vec<String> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(str::to_string)
        .collect();
    assert_eq!(ids.len(), 50);
    let spool = std::path::PathBuf::from(format!("{}.spool", php.store().display()));
    let segments = || {
        std::fs::read_dir(&spool)
            .map(|d| {
                d.flatten()
                    .filter(|e| e.path().extension().is_some_and(|x| x == "seg"))
                    .count()
            })
            .unwrap_or(0)
    };
    assert_eq!(segments(), 1, "the killed process left its segment");
    let stored = php.ok("<?php echo umw_stats()['store_counts']['pending'] ?? -1;");
    assert_eq!(
        stored.trim(),
        "0",
        "nothing of the 50 reached the store before the kill"
    );
    let report = php.ok("<?php echo json_encode(umw_work(10));");
    let report: serde_json::Value = serde_json::from_str(&report).unwrap();
    assert_eq!(report["remaining"], 0, "{report}");
    assert_all_arrived(&rx.wait_for(51, WAIT), &ids, "");
    assert_eq!(segments(), 0, "replayed segments are deleted");
}

#[test]
fn durable_emit_and_full_queue_lose_nothing() {
    for (name, key, value) in [
        ("durable", "umw.durable_emit", "1"),
        ("overflow", "umw.queue_capacity", "1"),
    ] {
        let rx = Receiver::ok();
        let php = Php::new(name).set(key, value);
        let out = php.ok(&format!(
            r#"<?php
            umw_register_webhook(['name' => 'd', 'url' => '{}']);
            for ($i = 0; $i < 200; $i++) {{ umw_emit('e', ['i' => $i]); }}
            var_export(umw_flush(10));"#,
            rx.url("/")
        ));
        assert_eq!(out, "true", "{name}");
        let got = rx.wait_for(200, WAIT);
        let mut seen: Vec<i64> = got
            .iter()
            .map(|r| r.json()["i"].as_i64().unwrap())
            .collect();
        seen.sort();
        seen.dedup();
        assert_eq!(seen.len(), 200, "{name}");
    }
}

#[test]
fn emit_does_not_wait_for_a_hanging_endpoint() {
    let rx = Receiver::start(|_, _| Reply::Hang);
    let php = Php::new("hang").set("umw.timeout_ms", "30000");
    let out = php.ok(&format!(
        r#"<?php
        umw_register_webhook(['name' => 'h', 'url' => '{}']);
        umw_emit('warmup', []);
        $t = hrtime(true);
        for ($i = 0; $i < 2000; $i++) {{ umw_emit('e', ['i' => $i, 'pad' => str_repeat('x', 1000)]); }}
        echo (hrtime(true) - $t) / 1e6, "\n";
        $in_flight = function () {{
            foreach ([0, 1000, 2000] as $offset)
                foreach (umw_deliveries(['limit' => 1000, 'offset' => $offset]) as $d)
                    if ($d['in_flight']) return $d;
            return null;
        }};
        $until = microtime(true) + 10;
        while (!($d = $in_flight()) && microtime(true) < $until) usleep(10000);
        echo json_encode($d ? [$d['status'], $d['next_attempt_at'], count($d['attempts'])] : null);"#,
        rx.url("/")
    ));
    let mut lines = out.lines();
    let ms: f64 = lines.next().unwrap().trim().parse().unwrap();
    // A delivery waiting on the hanging endpoint shows as being sent, not as due later.
    assert_eq!(lines.next(), Some(r#"["pending",null,0]"#), "{out}");
    // 2000 emits against an endpoint that never answers; inline delivery would take hours.
    assert!(ms < 2000.0, "2000 emits took {ms} ms");
    assert!(rx.count() > 0, "the background did try the endpoint");
}

#[test]
fn send_test_event_reports_status_and_is_logged_as_test() {
    let rx = Receiver::start(|_, _| {
        Reply::StatusWithHeaders(201, vec![("x-reply".into(), "yes".into())], "thanks".into())
    });
    let php = Php::new("test-event");
    let out = php.ok(&format!(
        r#"<?php
        $id = umw_register_webhook(['name' => 't', 'url' => '{}', 'events' => ['payment_received']]);
        $r = umw_send_test_event($id);
        $log = umw_deliveries(['webhook_id' => $id]);
        $dead = umw_register_webhook(['name' => 'dead', 'url' => 'http://127.0.0.1:1/']);
        $d = umw_send_test_event($dead);
        echo json_encode(['r' => $r, 'log' => $log, 'dead' => $d]);"#,
        rx.url("/t")
    ));
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["r"]["ok"], true);
    assert_eq!(v["r"]["status"], 201);
    assert_eq!(v["r"]["body"], "thanks");
    assert_eq!(v["r"]["headers"]["x-reply"], "yes");
    assert!(v["r"]["duration_ms"].as_f64().unwrap() > 0.0);
    assert_eq!(v["log"][0]["is_test"], true);
    assert_eq!(v["log"][0]["status"], "delivered");
    let sent = rx.requests();
    let body = sent[0].json();
    assert!(body["payment_id"].is_number(), "sample payload: {body}");
    assert!(body["wu_version"].is_string());
    assert_eq!(v["dead"]["ok"], false);
    assert!(v["dead"]["status"].is_null());
    assert!(
        v["dead"]["error"].as_str().unwrap().contains("connect"),
        "{}",
        v["dead"]
    );
}

#[test]
fn webhook_crud_and_filters() {
    let php = Php::new("crud");
    let out = php.ok(
        r#"<?php
        $a = umw_register_webhook(['name' => 'A', 'url' => 'https://a.example/h', 'events' => ['payment_received', 'site_published']]);
        $b = umw_register_webhook(['name' => 'B', 'url' => 'https://b.example/h', 'events' => '*', 'active' => false]);
        echo count(umw_list_webhooks()), ' ', count(umw_list_webhooks(['event' => 'site_published'])), ' ', count(umw_list_webhooks(['active' => false])), "\n";
        $u = umw_update_webhook($a, ['name' => 'A2', 'events' => ['x']]);
        echo $u['name'], ' ', implode(',', $u['events']), "\n";
        echo array_key_exists('secret', umw_get_webhook($a)) ? 'leak' : 'hidden', ' ', str_starts_with(umw_get_webhook($a, true)['secret'], 'whsec_') ? 'secret' : 'none', "\n";
        var_export(umw_delete_webhook($b)); echo ' '; var_export(umw_delete_webhook($b)); echo ' '; var_export(umw_get_webhook($b)); echo "\n";
        "#,
    );
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines[0], "2 2 1");
    assert_eq!(lines[1], "A2 x");
    assert_eq!(lines[2], "hidden secret");
    assert_eq!(lines[3], "true false NULL");
}

#[test]
fn bad_input_gets_clear_errors() {
    let php = Php::new("errors");
    let cases: &[(&str, &str, &str)] = &[
        ("umw_emit('has space', []);", "ValueError", "event name"),
        ("umw_emit('', []);", "ValueError", "event"),
        ("umw_emit('*', []);", "ValueError", "event"),
        ("umw_emit('e', 'notarray');", "TypeError", ""),
        ("umw_emit('e', ['x' => NAN]);", "ValueError", "NAN or INF"),
        ("umw_emit('e', ['x' => \"\\xff\"]);", "ValueError", "UTF-8"),
        ("umw_emit('e', ['x' => fopen('php://memory', 'r')]);", "TypeError", "resource"),
        ("$a = [1]; $a[] = &$a; umw_emit('e', $a);", "ValueError", "recursive"),
        ("umw_emit('e', ['x' => str_repeat('a', 2000000)]);", "ValueError", "umw.max_payload_bytes"),
        ("umw_emit('e', [], ['bogus' => 1]);", "ValueError", "unknown key \"bogus\""),
        ("umw_register_webhook(['url' => 'https://x.example']);", "ValueError", "\"name\" is required"),
        ("umw_register_webhook(['name' => '', 'url' => 'https://x.example']);", "ValueError", "\"name\" must not be empty"),
        ("umw_register_webhook(['name' => 'n']);", "ValueError", "\"url\" is required"),
        ("umw_register_webhook(['name' => 'n', 'url' => 'ftp://x.example']);", "ValueError", "use http or https"),
        ("umw_register_webhook(['name' => 'n', 'url' => 'javascript:alert(1)']);", "ValueError", "use http or https"),
        ("umw_register_webhook(['name' => 'n', 'url' => 'https://x.example', 'nmae' => 'typo']);", "ValueError", "unknown key \"nmae\""),
        ("umw_register_webhook(['name' => 'n', 'url' => 'https://x.example', 'events' => ['a b']]);", "ValueError", "\"events\""),
        ("umw_register_webhook(['name' => 'n', 'url' => 'https://x.example', 'format' => 'xml']);", "ValueError", "\"format\""),
        ("umw_register_webhook(['name' => 'n', 'url' => 'https://x.example', 'active' => 'yes']);", "TypeError", "[\"active\"] must be a bool"),
        ("umw_register_webhook(['name' => 'n', 'url' => 'https://x.example', 'secret' => 'nope']);", "ValueError", "whsec_"),
        ("umw_register_webhook(['name' => 'n', 'url' => 'https://x.example', 'headers' => ['Host' => 'evil']]);", "ValueError", "cannot be overridden"),
        ("umw_update_webhook(999, ['name' => 'x']);", "ValueError", "no webhook with id 999"),
        ("umw_send_test_event(999);", "ValueError", "no webhook with id 999"),
        ("umw_deliveries(['status' => 'lost']);", "ValueError", "\"status\""),
        ("umw_deliveries(['limit' => 0]);", "ValueError", "\"limit\""),
        ("umw_flush(-1);", "ValueError", "timeout"),
    ];
    let mut script = String::from("<?php\n");
    for (i, (code, _, _)) in cases.iter().enumerate() {
        script.push_str(&format!(
            "try {{ {code} echo \"{i}|none|\\n\"; }} catch (\\Throwable $e) {{ echo \"{i}|\", get_class($e), '|', str_replace(\"\\n\", ' ', $e->getMessage()), \"\\n\"; }}\n"
        ));
    }
    let out = php.ok(&script);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), cases.len(), "{out}");
    for (line, (code, class, needle)) in lines.iter().zip(cases) {
        let parts: Vec<&str> = line.splitn(3, '|').collect();
        assert_eq!(parts[1], *class, "{code} → {line}");
        assert!(
            parts[2].contains(needle),
            "{code} → {line} (expected to mention {needle})"
        );
    }
}

#[test]
fn catalog_ships_ultimate_multisite_events_and_takes_custom_ones() {
    let php = Php::new("catalog");
    let out = php.ok(
        r#"<?php
        $t = umw_event_types();
        echo count($t), ' ', $t['payment_received']['label'], ' ', isset($t['payment_received']['sample']['wu_version']) ? 'v' : '-', "\n";
        umw_register_event_type('shop.order_paid', ['label' => 'Order Paid', 'description' => 'A shop order was paid.', 'sample' => ['order_id' => 1]]);
        $t = umw_event_types();
        echo $t['shop.order_paid']['label'], ' ', $t['shop.order_paid']['source'], ' ', $t['shop.order_paid']['sample']['order_id'], "\n";"#,
    );
    let lines: Vec<&str> = out.lines().collect();
    assert!(lines[0].starts_with("11 Payment Received v"), "{out}");
    assert_eq!(lines[1], "Order Paid custom 1");
}

#[test]
fn php_ri_shows_version_settings_and_runtime() {
    let php = Php::new("ri");
    let mut cmd = std::process::Command::new("php");
    cmd.arg("-d")
        .arg(format!("extension={}", extension().display()));
    for (k, v) in &php.ini {
        cmd.arg("-d").arg(format!("{k}={v}"));
    }
    let out = cmd.arg("--ri").arg("umw").output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    for needle in [
        "umw support => enabled",
        "version => ",
        "store => ",
        "runtime => not started",
        "umw.retry_schedule",
        "umw.durable_emit",
        "umw.allow_private_networks",
    ] {
        assert!(text.contains(needle), "missing {needle:?} in:\n{text}");
    }
}

#[test]
fn stats_report_counters_and_state() {
    let rx = Receiver::ok();
    let php = Php::new("stats");
    let out = php.ok(&format!(
        r#"<?php
        umw_register_webhook(['name' => 's', 'url' => '{}']);
        umw_emit('e', []); umw_emit('e', []);
        umw_flush(5);
        echo json_encode(umw_stats());"#,
        rx.url("/")
    ));
    let s: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(s["emitted"], 2);
    assert_eq!(s["delivered"], 2);
    assert_eq!(s["runtime"], "running");
    for key in [
        "queued",
        "in_flight",
        "retrying",
        "failed",
        "store",
        "version",
        "pid",
    ] {
        assert!(s.get(key).is_some(), "{key}");
    }
    let started = Instant::now();
    assert!(started.elapsed() < WAIT);
}
