//! Waiting, foreground work, and what the extension reports about itself.

use crate::engine::rules;
use crate::engine::runtime;
use crate::php::args::Float;
use crate::php::convert::json_to_array;
use crate::php::errors::{from_engine, value_error};
use crate::php::functions::engine;
use crate::php::{load_settings, VERSION};
use ext_php_rs::boxed::ZBox;
use ext_php_rs::prelude::*;
use ext_php_rs::types::ZendHashTable;
use serde_json::json;
use std::sync::atomic::Ordering;
use std::time::Duration;

/// Wait until everything this process emitted is persisted and had its first attempt.
#[php_function]
#[php(defaults(timeout = 5.0))]
pub fn umw_flush(timeout: Float) -> PhpResult<bool> {
    const F: &str = "umw_flush";
    let timeout = timeout.get(F, "#1 ($timeout)")?;
    if !(0.0..=3600.0).contains(&timeout) {
        return Err(value_error(
            F,
            "Argument #1 ($timeout) must be from 0 to 3600 seconds",
        ));
    }
    Ok(match runtime::running() {
        Some(engine) => engine.flush(Duration::from_secs_f64(timeout)),
        None => true,
    })
}

/// Run due deliveries in the foreground (for hosts without long-lived PHP workers).
///
/// # Returns
///
/// array{attempted: int, delivered: int, failed: int, retrying: int, remaining: int}
#[php_function]
#[php(defaults(seconds = 0.0))]
pub fn umw_work(seconds: Float) -> PhpResult<ZBox<ZendHashTable>> {
    const F: &str = "umw_work";
    let seconds = seconds.get(F, "#1 ($seconds)")?;
    if !(0.0..=86_400.0).contains(&seconds) {
        return Err(value_error(
            F,
            "Argument #1 ($seconds) must be from 0 (until the queue is empty) to 86400",
        ));
    }
    let engine = engine(F)?;
    engine.flush(Duration::from_secs(5));
    let limit = (seconds > 0.0).then(|| Duration::from_secs_f64(seconds));
    let report = engine.work(limit).map_err(|e| from_engine(F, e))?;
    Ok(json_to_array(&json!({
        "attempted": report.attempted,
        "delivered": report.delivered,
        "failed": report.failed,
        "retrying": report.retrying,
        "remaining": report.remaining,
    })))
}

/// Counters of this process and of the store, the store's health and the runtime state.
///
/// # Returns
///
/// array{version: string, pid: int, runtime: string, uptime_seconds: float, store: array{backend: string, location: string, schema_version: int, private: bool, warnings: list<string>}, delivery: array{mode: 'embedded'|'agent', fallback: ?string, agent: array{alive: bool, last_heartbeat: ?float, pid: ?int, host: ?string, version: ?string, backlog_bytes: ?int, delivered: ?int}, spool: array{dir: string, segments: int, bytes: int}}, backlog: array{due: int, oldest_created_at: ?int}, emitted: int, queued: int, in_flight: int, delivered: int, retrying: int, failed: int, store_errors: int, last_error: ?string, store_counts: array{webhooks: int, pending: int, retrying: int, delivered: int, failed: int}}
#[php_function]
pub fn umw_stats() -> PhpResult<ZBox<ZendHashTable>> {
    const F: &str = "umw_stats";
    let engine = engine(F)?;
    let c = &engine.counters;
    let counts = engine.counts().map_err(|e| from_engine(F, e))?;
    let health = engine.store_health();
    let spool = engine.spool_status();
    let delivery = engine.delivery_state();
    let agent = delivery.agent.as_ref();
    let load = |a: &std::sync::atomic::AtomicU64| a.load(Ordering::Relaxed);
    Ok(json_to_array(&json!({
        "version": VERSION,
        "pid": engine.pid,
        "runtime": "running",
        "uptime_seconds": engine.uptime().as_secs_f64(),
        "store": {
            "backend": health.backend,
            "location": health.location,
            "schema_version": health.schema_version,
            "private": health.private && spool.private,
            "warnings": health.warnings.iter().chain(&spool.warnings).collect::<Vec<_>>(),
        },
        "delivery": {
            "mode": delivery.mode.as_str(),
            "fallback": delivery.fallback,
            "agent": {
                "alive": delivery.agent_alive,
                "last_heartbeat": agent.map(|a| a.heartbeat_at as f64 / 1000.0),
                "pid": agent.map(|a| a.pid),
                "host": agent.map(|a| a.host.clone()),
                "version": agent.map(|a| a.version.clone()),
                "backlog_bytes": agent.map(|a| a.spool_backlog_bytes),
                "delivered": agent.map(|a| a.delivered),
            },
            "spool": {"dir": spool.dir, "segments": spool.segments, "bytes": spool.bytes},
        },
        "backlog": {
            "due": counts.pending + counts.retrying,
            "oldest_created_at": counts.oldest_waiting_created_at.map(|ms| ms.div_euclid(1000)),
        },
        "emitted": load(&c.emitted),
        "queued": engine.queued(),
        "in_flight": load(&c.in_flight),
        "delivered": load(&c.delivered),
        "retrying": load(&c.retrying),
        "failed": load(&c.failed),
        "store_errors": load(&c.store_errors),
        "last_error": c.last_error.lock().clone(),
        "store_counts": {
            "webhooks": counts.webhooks,
            "pending": counts.pending,
            "retrying": counts.retrying,
            "delivered": counts.delivered,
            "failed": counts.failed,
        },
    })))
}

/// Every rule the extension applies to webhooks, events, headers and secrets, with the settings
/// table (name, default, type, bounds, what it does): the one source the plugin checks against.
///
/// # Returns
///
/// array<string, mixed>
#[php_function]
pub fn umw_rules() -> ZBox<ZendHashTable> {
    let settings = load_settings().ok();
    json_to_array(&rules::all(settings.as_ref()))
}

pub fn register(module: ModuleBuilder) -> ModuleBuilder {
    module
        .function(wrap_function!(umw_flush))
        .function(wrap_function!(umw_work))
        .function(wrap_function!(umw_stats))
        .function(wrap_function!(umw_rules))
}
