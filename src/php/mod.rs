//! The PHP layer: module entry, php.ini entries, lifecycle hooks and `phpinfo()`.
//!
//! The runtime is never started here: module startup runs in the PHP-FPM master before it forks,
//! so the engine starts lazily on first use in each process (`engine::runtime::current`).

mod args;
mod convert;
mod deliveries;
mod errors;
mod functions;
mod memory;
mod status;
mod store;
mod webhooks;

use crate::engine::config::{Settings, SETTINGS};
use crate::engine::rules;
use crate::engine::runtime;
use ext_php_rs::flags::IniEntryPermission;
use ext_php_rs::prelude::*;
use ext_php_rs::zend::{ExecutorGlobals, IniEntryDef, ModuleEntry};
use ext_php_rs::{info_table_end, info_table_row, info_table_start};
use std::ffi::CString;
use std::panic::catch_unwind;

/// A PHP data symbol by name, or null. Data symbols are looked up, not linked, so the library
/// also loads outside PHP (stub generation).
pub fn symbol<T>(name: &std::ffi::CStr) -> *mut T {
    // SAFETY: dlsym with RTLD_DEFAULT only reads the loaded images' symbol tables.
    unsafe { libc::dlsym(libc::RTLD_DEFAULT, name.as_ptr()) as *mut T }
}

/// `symbol`, looked up once per call site: for lookups on the emit hot path.
pub fn cached_symbol(
    cache: &std::sync::atomic::AtomicPtr<std::ffi::c_void>,
    name: &std::ffi::CStr,
) -> *mut std::ffi::c_void {
    use std::sync::atomic::Ordering;
    let mut found = cache.load(Ordering::Relaxed);
    if found.is_null() {
        found = symbol(name);
        cache.store(found, Ordering::Relaxed);
    }
    found
}

pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// Settings as php.ini says now (read once per process, when the engine starts).
pub fn load_settings() -> crate::engine::Result<Settings> {
    let values = ExecutorGlobals::get().ini_values();
    Settings::from_lookup(|name| values.get(name).cloned().flatten())
}

fn leak_cstr(s: &str) -> &'static std::ffi::CStr {
    let owned = CString::new(s).unwrap_or_default();
    Box::leak(owned.into_boxed_c_str())
}

fn register_ini(module_number: i32) {
    let mut entries: Vec<IniEntryDef> = SETTINGS
        .iter()
        .map(|setting| {
            let (name, default) = (setting.name, setting.default);
            // Settings are read once when a process's engine starts, so changing them at run
            // time (ini_set) would mislead: php.ini, -d, or the FPM pool only.
            IniEntryDef::new(
                leak_cstr(name),
                leak_cstr(default),
                IniEntryPermission::PerDir,
            )
        })
        .collect();
    entries.push(IniEntryDef::end());
    IniEntryDef::register(Box::leak(entries.into_boxed_slice()), module_number);
}

pub extern "C" fn startup(_ty: i32, module_number: i32) -> i32 {
    match catch_unwind(|| register_ini(module_number)) {
        Ok(()) => 0,
        Err(_) => -1,
    }
}

pub extern "C" fn shutdown(_ty: i32, _module_number: i32) -> i32 {
    // Nothing may unwind into PHP; a failed shutdown leaves deliveries pending in the store,
    // where the next process picks them up.
    let _ = catch_unwind(runtime::shutdown_current);
    0
}

pub extern "C" fn info(module: *mut ModuleEntry) {
    let _ = catch_unwind(|| {
        let settings = load_settings();
        info_table_start!();
        info_table_row!("umw support", "enabled");
        info_table_row!("version", VERSION);
        match &settings {
            Ok(s) => {
                // Display of a location never includes a password.
                info_table_row!("store", s.store.to_string().as_str());
                info_table_row!("store backend", s.store.backend());
                info_table_row!("spool", s.spool_dir.display().to_string().as_str());
            }
            Err(e) => {
                info_table_row!("configuration error", e.to_string().as_str());
            }
        }
        let state = match runtime::running() {
            Some(engine) => format!(
                "running (pid {}, up {} s, {} emitted, {} in flight)",
                engine.pid,
                engine.uptime().as_secs(),
                engine
                    .counters
                    .emitted
                    .load(std::sync::atomic::Ordering::Relaxed),
                engine
                    .counters
                    .in_flight
                    .load(std::sync::atomic::Ordering::Relaxed)
            ),
            None => "not started (starts on first use in each process)".to_string(),
        };
        info_table_row!("runtime", state.as_str());
        if let Ok(s) = &settings {
            info_table_row!("delivery", delivery_line(s).as_str());
        }
        if let Some(engine) = runtime::running() {
            let health = engine.store_health();
            let spool = engine.spool_status();
            for warning in health.warnings.iter().chain(&spool.warnings) {
                info_table_row!(
                    "warning",
                    format!(
                        "{warning}: readable by other users (chmod 600 files, 700 directories)"
                    )
                    .as_str()
                );
            }
        }
        info_table_end!();
        let display = symbol::<std::ffi::c_void>(c"display_ini_entries");
        if !display.is_null() {
            // SAFETY: PHP's `void display_ini_entries(zend_module_entry *)`, called with the
            // entry PHP passed to this info callback.
            unsafe {
                let display: extern "C" fn(*mut ModuleEntry) = std::mem::transmute(display);
                display(module);
            }
        }
    });
}

/// `embedded`, or the agent's state as its heartbeat says.
fn delivery_line(settings: &Settings) -> String {
    use crate::engine::config::Delivery;
    if settings.delivery == Delivery::Embedded {
        return "embedded (each PHP process delivers)".into();
    }
    let fallback = runtime::running().and_then(|e| e.delivery_state().fallback);
    let agent = match crate::engine::agent::status(&settings.spool_dir) {
        Some(a) => format!(
            "agent pid {} on {}, heartbeat {:.1} s ago, {} bytes waiting in the spool",
            a.pid,
            a.host,
            a.age(crate::engine::now_ms()).as_secs_f64(),
            a.spool_backlog_bytes
        ),
        None => "no agent has run on this host".into(),
    };
    match fallback {
        Some(why) => format!("agent mode; this process delivers itself ({why}); {agent}"),
        None => format!("agent mode; {agent}"),
    }
}

#[php_module]
#[php(startup = "startup")]
pub fn get_module(module: ModuleBuilder) -> ModuleBuilder {
    let module = rules::constants()
        .into_iter()
        .fold(module, |module, (name, value)| match value {
            rules::Constant::Text(text) => module.constant((name, text, &[])),
            rules::Constant::Int(n) => module.constant((name, n, &[])),
        });
    functions::register(module)
        .shutdown_function(shutdown)
        .info_function(info)
}
