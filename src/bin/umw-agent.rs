//! `umw-agent`: the host's delivery agent for `umw.delivery=agent` (see `umw::engine::agent`).
//!
//! It reads the same `umw.*` settings as the PHP processes, from the ini file(s) PHP reads, so
//! both sides agree on the store and the spool by construction.

use std::collections::HashMap;
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};
use umw::engine::config::Settings;

const USAGE: &str = "\
umw-agent — delivers the webhooks PHP processes of this host spool (umw.delivery=agent)

usage: umw-agent [--ini FILE]... [-d umw.NAME=VALUE]... [--check] [--version]

  --ini FILE    read umw.* settings from this php.ini file (repeatable; later files win);
                default: /etc/php/8.2/mods-available/umw.ini when it exists
  -d NAME=VALUE set one umw.* setting (after the ini files)
  --check       say whether the settings, the store and the spool are usable, then exit
                (exit status 0 when they are)
  --version     print the version

SIGTERM or SIGINT: stop taking new work, persist what was read, give attempts in flight
umw.shutdown_timeout_ms, hand the rest back to the store, exit 0.";

const DEFAULT_INI: &str = "/etc/php/8.2/mods-available/umw.ini";

static STOP: AtomicBool = AtomicBool::new(false);

extern "C" fn on_signal(_: libc::c_int) {
    STOP.store(true, Ordering::Release);
}

/// `umw.*` entries of a php.ini file: `name = value`, `;` comments, optional quotes.
fn read_ini(path: &str, into: &mut HashMap<String, String>) -> Result<(), String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read {path}: {e}"))?;
    for line in text.lines() {
        let line = line.trim();
        if line.starts_with(';') || line.starts_with('#') || line.starts_with('[') {
            continue;
        }
        let Some((name, value)) = line.split_once('=') else {
            continue;
        };
        let name = name.trim();
        if !name.starts_with("umw.") {
            continue;
        }
        let value = value.split(" ;").next().unwrap_or("").trim();
        let value = value
            .strip_prefix('"')
            .and_then(|v| v.strip_suffix('"'))
            .unwrap_or(value);
        into.insert(name.to_string(), value.to_string());
    }
    Ok(())
}

fn main() -> ExitCode {
    let mut values = HashMap::new();
    let mut inis = Vec::new();
    let mut overrides = Vec::new();
    let mut check = false;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--ini" => match args.next() {
                Some(path) => inis.push(path),
                None => return usage_error("--ini needs a file"),
            },
            "-d" => match args.next() {
                Some(pair) => overrides.push(pair),
                None => return usage_error("-d needs NAME=VALUE"),
            },
            "--check" => check = true,
            "--version" => {
                println!("umw-agent {}", env!("CARGO_PKG_VERSION"));
                return ExitCode::SUCCESS;
            }
            "--help" | "-h" => {
                println!("{USAGE}");
                return ExitCode::SUCCESS;
            }
            other => return usage_error(&format!("unknown argument {other:?}")),
        }
    }
    if inis.is_empty() && std::path::Path::new(DEFAULT_INI).exists() {
        inis.push(DEFAULT_INI.to_string());
    }
    for path in &inis {
        if let Err(e) = read_ini(path, &mut values) {
            eprintln!("umw-agent: {e}");
            return ExitCode::from(2);
        }
    }
    for pair in overrides {
        match pair.split_once('=') {
            Some((name, value)) if name.starts_with("umw.") => {
                values.insert(name.to_string(), value.to_string());
            }
            _ => return usage_error(&format!("-d {pair:?}: expected umw.NAME=VALUE")),
        }
    }
    let settings = match Settings::from_lookup(|name| values.get(name).cloned()) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("umw-agent: {e}");
            return ExitCode::from(2);
        }
    };
    if check {
        let report = umw::engine::agent::check(&settings);
        for (ok, line) in &report.lines {
            println!("{} {line}", if *ok { "ok  " } else { "FAIL" });
        }
        return if report.ok() {
            ExitCode::SUCCESS
        } else {
            ExitCode::FAILURE
        };
    }
    // SAFETY: installing async-signal-safe handlers (they only store to an atomic).
    unsafe {
        libc::signal(libc::SIGTERM, on_signal as *const () as libc::sighandler_t);
        libc::signal(libc::SIGINT, on_signal as *const () as libc::sighandler_t);
    }
    eprintln!(
        "umw-agent {}: store {}, spool {}, {} in flight at most",
        env!("CARGO_PKG_VERSION"),
        settings.store,
        settings.spool_dir.display(),
        settings.max_in_flight
    );
    match umw::engine::agent::run(settings, &STOP) {
        Ok(()) => {
            eprintln!("umw-agent: stopped");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("umw-agent: {e}");
            ExitCode::FAILURE
        }
    }
}

fn usage_error(message: &str) -> ExitCode {
    eprintln!("umw-agent: {message}\n\n{USAGE}");
    ExitCode::from(2)
}
