//! 6. Store trouble: an unwritable store path, a read-only file system, a full disk, a corrupt
//! store file. Functions fail with a clear RuntimeException; nothing already persisted is lost;
//! delivery resumes once the store is fixed.

use crate::common::{register, Php, Receiver};
use crate::support::*;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

/// Calls every function and prints `name: ok` or `name: Class: message`.
const PROBE: &str = r#"<?php
foreach (['umw_emit' => fn() => umw_emit('payment_received', ['a' => 1]),
          'umw_register_webhook' => fn() => umw_register_webhook(['name' => 'x', 'url' => 'http://127.0.0.1:9/x']),
          'umw_list_webhooks' => fn() => umw_list_webhooks(),
          'umw_deliveries' => fn() => umw_deliveries(),
          'umw_stats' => fn() => umw_stats(),
          'umw_work' => fn() => umw_work(0.2)] as $name => $f) {
    try { $f(); echo "$name: ok\n"; }
    catch (Throwable $e) { echo "$name: ", get_class($e), ": ", $e->getMessage(), "\n"; }
}
"#;

/// Every probed function threw a RuntimeException naming itself and containing `needle`.
fn all_fail_clearly(out: &str, needle: &str) -> Result<(), String> {
    let lines: Vec<&str> = out.lines().filter(|l| l.starts_with("umw_")).collect();
    if lines.len() != 6 {
        return Err(format!("probe output: {out}"));
    }
    for l in &lines {
        let (name, rest) = l.split_once(": ").unwrap();
        if !rest.starts_with(&format!("RuntimeException: {name}(): umw store "))
            || !rest.contains(needle)
        {
            return Err(format!("unclear failure: {l}"));
        }
    }
    Ok(())
}

struct Tmpfs(PathBuf);

impl Tmpfs {
    fn mount(dir: &Path, size: &str) -> Option<Tmpfs> {
        std::fs::create_dir_all(dir).ok()?;
        let ok = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(dir)
            .stderr(Stdio::null())
            .status()
            .map(|s| s.success())
            .unwrap_or(false);
        ok.then(|| Tmpfs(dir.to_path_buf()))
    }
    fn remount(&self, opts: &str) {
        let st = Command::new("mount")
            .args(["-o", &format!("remount,{opts}")])
            .arg(&self.0)
            .status()
            .unwrap();
        assert!(st.success(), "remount {opts}");
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(&self.0).status();
    }
}

pub fn scenario() {
    let mut failures = Vec::new();
    for (name, f) in [
        ("unwritable", unwritable as fn() -> Result<(), String>),
        ("read-only", read_only),
        ("disk-full", disk_full),
        ("corrupt", corrupt),
    ] {
        if let Err(e) = f() {
            failures.push(format!("store-{name}: {e}"));
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
}

fn unwritable() -> Result<(), String> {
    // Root may write anywhere, but not below a file.
    let php = Php::new("store-unwritable").set("umw.store", "/dev/null/umw/umw.sqlite");
    let out = php.ok(PROBE);
    println!("store-unwritable:\n{out}");
    let r = all_fail_clearly(&out, "Not a directory");
    report(
        "store-unwritable",
        "umw.store under a file (/dev/null/umw/...): every umw_* call (emit, register, list, deliveries, stats, work) throws RuntimeException \"<fn>(): umw store <path>: ... cannot create directory ...: Not a directory\"; umw_flush() returns true",
        &Tally::default(),
        if r.is_ok() { "pass (clear error)" } else { "FAIL" },
    );
    r
}

/// A webhook whose endpoint is not listening yet (deliveries wait as `retrying`).
fn parked(php: &Php) -> (u16, Vec<String>) {
    let port = free_port();
    register(php, &format!("http://127.0.0.1:{port}/hook"), "['*']");
    let out = php.ok(
        r#"<?php for ($i = 0; $i < 50; $i++) echo umw_emit('payment_received', ['i' => $i]), "\n"; umw_flush(3.0);"#,
    );
    (port, ids_in(&out))
}

fn read_only() -> Result<(), String> {
    let scratch = crate::common::TempDir::new("store-ro");
    let Some(fs) = Tmpfs::mount(&scratch.path("mnt"), "8m") else {
        note("store-read-only: skipped (mount -t tmpfs not permitted here)");
        return Ok(());
    };
    let php = Php::new("store-ro")
        .set("umw.store", &fs.0.join("umw.sqlite").display().to_string())
        .set("umw.retry_schedule", &vec!["0.5"; 40].join(","));
    let (port, ids) = parked(&php);
    fs.remount("ro");
    let out = php.ok(PROBE);
    println!("store-read-only:\n{out}");
    let clear = all_fail_clearly(&out, "read-only");
    fs.remount("rw");
    let receiver = Receiver::start_on(&format!("127.0.0.1:{port}"), |_, _| {
        crate::common::Reply::Status(200)
    });
    sweep(&php, 30.0);
    let t = wait_delivered(&ids, &[&receiver], Duration::from_secs(10));
    let ok = clear.is_ok() && t.lost == 0;
    report(
        "store-read-only",
        "50 events parked (endpoint down), then the store's file system remounted read-only: every umw_* call throws RuntimeException \"... is read-only\"; remounted rw + endpoint up: the parked events are delivered",
        &t,
        if ok { "pass" } else { "FAIL" },
    );
    clear?;
    if t.lost > 0 {
        return Err(format!("lost {} parked events", t.lost));
    }
    Ok(())
}

fn disk_full() -> Result<(), String> {
    let scratch = crate::common::TempDir::new("store-full");
    let Some(fs) = Tmpfs::mount(&scratch.path("mnt"), "1600k") else {
        note("store-disk-full: skipped (mount -t tmpfs not permitted here)");
        return Ok(());
    };
    let receiver = Receiver::ok();
    let php =
        Php::new("store-full").set("umw.store", &fs.0.join("umw.sqlite").display().to_string());
    register(&php, &receiver.url("/hook"), "['*']");
    let emit_until_full = r#"<?php
$n = 0;
try { for (; $n < 100000; $n++) echo umw_emit('payment_received', ['i' => $n, 'pad' => str_repeat('p', 300)]), "\n"; }
catch (Throwable $e) { echo "threw ", get_class($e), ": ", $e->getMessage(), "\n"; }
"#;
    // A: durable emits until the disk is full: each returned id is on disk.
    let a = php.clone_with("umw.durable_emit", "1").ok(emit_until_full);
    let a_ids = ids_in(&a);
    let a_threw = a
        .lines()
        .find(|l| l.starts_with("threw"))
        .unwrap_or("")
        .to_string();
    // Durable emits allocate whole spool segments up front, so A stops before the disk is full:
    // fill what is left, so C and B really meet a full disk.
    {
        use std::io::Write;
        let mut filler = std::fs::File::create(fs.0.join("filler")).unwrap();
        let chunk = vec![0u8; 4096];
        while filler.write_all(&chunk).is_ok() {}
    }
    // C: async emits on the full disk, process ends before the fix: accepted, never persisted.
    let c = php.ok(r#"<?php for ($i = 0; $i < 300; $i++) echo umw_emit('payment_received', ['c' => $i]), "\n";"#);
    let c_ids = ids_in(&c);
    // B: async emits on the full disk, the disk grows while the process still runs.
    let flag = scratch.path("grown.flag");
    let mut b = php
        .command(&format!(
            r#"<?php
for ($i = 0; $i < 300; $i++) echo umw_emit('payment_received', ['b' => $i]), "\n";
echo "accepted\n";
while (!file_exists('{}')) usleep(50000);
var_dump(umw_flush(10.0));
"#,
            flag.display()
        ))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_secs(1));
    fs.remount("size=50m");
    std::fs::write(&flag, "").unwrap();
    let b_out = {
        use std::io::Read;
        let mut s = String::new();
        b.stdout.take().unwrap().read_to_string(&mut s).unwrap();
        b.wait().unwrap();
        s
    };
    let b_ids = ids_in(&b_out);
    sweep(&php, 30.0);
    let ta = wait_delivered(&a_ids, &[&receiver], Duration::from_secs(10));
    let tb = wait_delivered(&b_ids, &[&receiver], Duration::from_secs(5));
    let tc = Tally::of(&c_ids, &[&receiver]);
    println!(
        "store-disk-full: A (durable) {} ids then {a_threw:?}: lost {}; B (async, disk grown while alive) {} ids, lost {}, flush: {}; C (async, exited while full) {} ids, lost {}",
        a_ids.len(),
        ta.lost,
        b_ids.len(),
        tb.lost,
        b_out.lines().last().unwrap_or(""),
        c_ids.len(),
        tc.lost
    );
    let ok = ta.lost == 0
        && tb.lost == 0
        && a_threw.contains("RuntimeException: umw_emit(): umw spool")
        && a_threw.contains("No space left on device");
    report(
        "store-disk-full-durable",
        &format!("1.6 MB tmpfs (one 1 MB spool segment fits), umw.durable_emit=1: emits until umw_emit throws RuntimeException \"No space left on device\" (after {} events); tmpfs grown: all returned ids delivered", a_ids.len()),
        &ta,
        if ta.lost == 0 { "pass" } else { "FAIL" },
    );
    report(
        "store-disk-full-async-recovered",
        "disk full, umw.durable_emit=0: 300 emits accepted (in memory; the writer retries), disk grown while the process lives: persisted and delivered",
        &tb,
        if tb.lost == 0 { "pass" } else { "FAIL" },
    );
    report(
        "store-disk-full-async-exited",
        "disk full, umw.durable_emit=0: 300 emits accepted, the process exits before the disk is fixed: never persisted (documented: use durable_emit)",
        &tc,
        "expected loss (documented)",
    );
    note(&format!(
        "Disk full: with umw.durable_emit=1 umw_emit throws RuntimeException (\"umw_emit(): umw spool <path>: No space left on device\") and every id it returned is delivered once space is back. \
         With umw.durable_emit=0 umw_emit keeps returning ids while the queue has room (umw.queue_capacity), umw_stats() shows store_errors/last_error, and umw_flush() returns false; \
         if space comes back while the process lives they are persisted and delivered ({} of {} here), if the process ends first they are lost ({} of {} here). \
         Once the queue is full umw_emit persists inline and throws RuntimeException (\"umw store <path>: database or disk is full\").",
        tb.delivered,
        tb.emitted,
        tc.lost,
        tc.emitted
    ));
    if !ok {
        return Err(format!(
            "A lost {}, B lost {}, A ended with {a_threw:?}",
            ta.lost, tb.lost
        ));
    }
    Ok(())
}

fn corrupt() -> Result<(), String> {
    let php = Php::new("store-corrupt").set("umw.retry_schedule", &vec!["0.5"; 40].join(","));
    let (_port, ids) = parked(&php);
    let store = php.store();
    // Garbage over the whole file (and no WAL to recover from).
    let garbage: Vec<u8> = (0..65536u32)
        .map(|i| (i.wrapping_mul(2654435761) >> 13) as u8)
        .collect();
    let _ = std::fs::remove_file(store.with_extension("sqlite-wal"));
    let _ = std::fs::remove_file(store.with_extension("sqlite-shm"));
    std::fs::write(&store, &garbage).unwrap();
    let out = php.ok(PROBE);
    println!("store-corrupt:\n{out}");
    let clear = all_fail_clearly(&out, "file is not a database");
    // Recovery: the operator moves the broken file aside; a fresh store is created and works.
    std::fs::rename(&store, store.with_extension("sqlite.broken")).unwrap();
    let receiver = Receiver::ok();
    register(&php, &receiver.url("/hook"), "['*']");
    let after = ids_in(&php.ok(r#"<?php for ($i = 0; $i < 20; $i++) echo umw_emit('payment_received', ['i' => $i]), "\n"; umw_flush(5.0);"#));
    let t = wait_delivered(&after, &[&receiver], Duration::from_secs(10));
    report(
        "store-corrupt",
        &format!("store file overwritten with garbage: every umw_* call throws RuntimeException \"... file is not a database\" (the {} events parked in it are gone with the file); file moved aside: a new store is created and 20 new events are delivered", ids.len()),
        &t,
        if clear.is_ok() && t.lost == 0 { "pass (clear error; recovery)" } else { "FAIL" },
    );
    clear?;
    if t.lost > 0 {
        return Err(format!("after recovery lost {}", t.lost));
    }
    Ok(())
}

trait CloneWith {
    fn clone_with(&self, key: &str, value: &str) -> Php;
}

impl CloneWith for Php {
    /// Another runner on the same store and directory, with one setting changed.
    fn clone_with(&self, key: &str, value: &str) -> Php {
        let mut ini: Vec<(String, String)> =
            self.ini.iter().filter(|(k, _)| k != key).cloned().collect();
        ini.push((key.into(), value.into()));
        Php {
            dir: crate::common::TempDir::new("store-clone"),
            ini,
        }
    }
}
