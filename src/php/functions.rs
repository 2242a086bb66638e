//! The `umw_*` functions: argument checking and conversion around the engine.

use crate::engine::catalog::{validate_event_name, EventType, RegisterError};
use crate::engine::model::*;
use crate::engine::runtime::{self, with_catalog, Engine};
use crate::engine::{now_ms, validate};
use crate::php::convert::{encode_array, json_to_zval, zval_to_json, Fields};
use crate::php::errors::{from_engine, runtime_error, value_error};
use crate::php::{load_settings, VERSION};
use ext_php_rs::prelude::*;
use ext_php_rs::types::{ZendHashTable, Zval};
use serde_json::{json, Map, Value};
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

const WEBHOOK_KEYS: &[&str] = &[
    "name", "url", "events", "active", "secret", "headers", "format",
];

fn engine(function: &str) -> PhpResult<Arc<Engine>> {
    runtime::current(load_settings).map_err(|e| from_engine(function, e))
}

fn no_webhook(function: &str, argument: &str, id: i64) -> ext_php_rs::exception::PhpException {
    value_error(
        function,
        format!("Argument #1 (${argument}): no webhook with id {id}"),
    )
}

fn event_name(function: &str, argument: &str, event: &str) -> PhpResult<()> {
    validate_event_name(event).map_err(|e| value_error(function, format!("{argument} {e}")))
}

/// Emit an event: converts the payload now, delivers in the background. Returns the message id.
#[php_function]
pub fn umw_emit(
    event: &str,
    payload: &ZendHashTable,
    options: Option<&ZendHashTable>,
) -> PhpResult<String> {
    const F: &str = "umw_emit";
    event_name(F, "Argument #1 ($event)", event)?;
    if let Some(options) = options {
        Fields::new(F, "Argument #3 ($options)", options, &[])?;
    }
    let engine = engine(F)?;
    let body = encode_array(
        F,
        payload,
        engine.settings.max_payload_bytes,
        engine.payload_buffer(),
    )?;
    let now = now_ms();
    let id = engine.ids.next("msg_", now);
    engine
        .emit(NewMessage {
            id: id.clone(),
            event: event.to_string(),
            payload: body,
            created_at: now,
            spooled: 0,
        })
        .map_err(|e| from_engine(F, e))?;
    Ok(id)
}

fn webhook_input(function: &str, what: &str, array: &ZendHashTable) -> PhpResult<WebhookInput> {
    let fields = Fields::new(function, what, array, WEBHOOK_KEYS)?;
    let format = match fields.string("format")? {
        None => None,
        Some(f) => Some(Format::parse(&f).ok_or_else(|| {
            value_error(
                function,
                format!("\"format\" must be \"flat\" (the payload as the body) or \"envelope\" ({{type, timestamp, data}}), got \"{f}\""),
            )
        })?),
    };
    Ok(WebhookInput {
        name: fields.string("name")?,
        url: fields.string("url")?,
        events: fields.string_list("events")?,
        active: fields.bool("active")?,
        secret: fields.string("secret")?,
        headers: fields.string_map("headers")?,
        format,
    })
}

fn secs(ms: i64) -> i64 {
    ms.div_euclid(1000)
}

fn webhook_json(w: &Webhook, with_secret: bool) -> Value {
    let headers: Map<String, Value> = w
        .headers
        .iter()
        .map(|(k, v)| (k.clone(), Value::String(v.clone())))
        .collect();
    let mut out = json!({
        "id": w.id,
        "name": w.name,
        "url": w.url,
        "events": w.events,
        "active": w.active,
        "format": w.format.as_str(),
        "headers": headers,
        "created_at": secs(w.created_at),
        "updated_at": secs(w.updated_at),
        "disabled_at": w.disabled_at.map(secs),
        "disabled_reason": w.disabled_reason,
        "delivered_count": w.delivered_count,
        "failed_count": w.failed_count,
        "last_delivery_at": w.last_delivery_at.map(secs),
        "last_status": w.last_status,
        "last_status_code": w.last_status_code,
    });
    if with_secret {
        out["secret"] = Value::String(w.secret.clone());
    }
    out
}

fn delivery_json(d: &DeliveryView) -> Value {
    let attempts: Vec<Value> = d
        .attempts
        .iter()
        .map(|a| {
            json!({
                "time": a.time_ms as f64 / 1000.0,
                "status_code": a.status_code,
                "duration_ms": a.duration_ms,
                "error": a.error,
                "response_body": a.response_body,
            })
        })
        .collect();
    json!({
        "id": d.id,
        "message_id": d.message_id,
        "webhook_id": d.webhook_id,
        "event": d.event,
        "status": d.status,
        "is_test": d.is_test,
        "attempts": attempts,
        "next_attempt_at": d.next_attempt_at.map(secs),
        "in_flight": d.in_flight,
        "created_at": secs(d.created_at),
        "payload": d.payload,
    })
}

/// Register a webhook; returns its id.
#[php_function]
pub fn umw_register_webhook(webhook: &ZendHashTable) -> PhpResult<i64> {
    const F: &str = "umw_register_webhook";
    let input = webhook_input(F, "Argument #1 ($webhook)", webhook)?;
    if input.name.is_none() {
        return Err(value_error(
            F,
            "\"name\" is required, e.g. ['name' => 'Zapier', 'url' => 'https://…']",
        ));
    }
    if input.url.is_none() {
        return Err(value_error(
            F,
            "\"url\" is required: the http(s) endpoint that receives the POSTs",
        ));
    }
    engine(F)?
        .register_webhook(input)
        .map_err(|e| from_engine(F, e))
}

/// A webhook by id, or null. The secret only with `$with_secret = true`.
#[php_function]
#[php(defaults(with_secret = false))]
pub fn umw_get_webhook(id: i64, with_secret: bool) -> PhpResult<Zval> {
    const F: &str = "umw_get_webhook";
    let found = engine(F)?.webhook(id).map_err(|e| from_engine(F, e))?;
    Ok(match found {
        Some(w) => json_to_zval(&webhook_json(&w, with_secret)),
        None => Zval::null(),
    })
}

/// Webhooks, optionally filtered by `event` and `active`.
#[php_function]
pub fn umw_list_webhooks(filter: Option<&ZendHashTable>) -> PhpResult<Zval> {
    const F: &str = "umw_list_webhooks";
    let mut f = WebhookFilter::default();
    if let Some(filter) = filter {
        let fields = Fields::new(F, "Argument #1 ($filter)", filter, &["event", "active"])?;
        f.event = fields.string("event")?;
        f.active = fields.bool("active")?;
    }
    let list = engine(F)?.webhooks(&f).map_err(|e| from_engine(F, e))?;
    Ok(json_to_zval(&Value::Array(
        list.iter().map(|w| webhook_json(w, false)).collect(),
    )))
}

/// Change some fields of a webhook; returns the updated webhook.
#[php_function]
pub fn umw_update_webhook(id: i64, changes: &ZendHashTable) -> PhpResult<Zval> {
    const F: &str = "umw_update_webhook";
    let input = webhook_input(F, "Argument #2 ($changes)", changes)?;
    match engine(F)?
        .update_webhook(id, input)
        .map_err(|e| from_engine(F, e))?
    {
        Some(w) => Ok(json_to_zval(&webhook_json(&w, false))),
        None => Err(no_webhook(F, "id", id)),
    }
}

/// Delete a webhook and its delivery log; false when it did not exist.
#[php_function]
pub fn umw_delete_webhook(id: i64) -> PhpResult<bool> {
    const F: &str = "umw_delete_webhook";
    engine(F)?.delete_webhook(id).map_err(|e| from_engine(F, e))
}

/// Replace the signing secret (generated when null); the old one keeps signing for 24 h.
#[php_function]
pub fn umw_rotate_secret(webhook_id: i64, new_secret: Option<String>) -> PhpResult<String> {
    const F: &str = "umw_rotate_secret";
    match engine(F)?
        .rotate_secret(webhook_id, new_secret)
        .map_err(|e| from_engine(F, e))?
    {
        Some(secret) => Ok(secret),
        None => Err(no_webhook(F, "webhook_id", webhook_id)),
    }
}

/// Deliver once, now, and report what the endpoint answered.
#[php_function]
pub fn umw_send_test_event(
    webhook_id: i64,
    event: Option<String>,
    payload: Option<&ZendHashTable>,
) -> PhpResult<Zval> {
    const F: &str = "umw_send_test_event";
    let engine = engine(F)?;
    let webhook = engine
        .webhook(webhook_id)
        .map_err(|e| from_engine(F, e))?
        .ok_or_else(|| no_webhook(F, "webhook_id", webhook_id))?;
    let event = match event {
        Some(e) => {
            event_name(F, "Argument #2 ($event)", &e)?;
            e
        }
        None => webhook
            .events
            .iter()
            .find(|e| e.as_str() != WILDCARD)
            .cloned()
            .unwrap_or_else(|| "payment_received".to_string()),
    };
    let body = match payload {
        Some(p) => encode_array(F, p, engine.settings.max_payload_bytes, Vec::new())?,
        None => {
            let sample = with_catalog(|c| c.sample_for(&event));
            serde_json::to_vec(&sample).map_err(|e| runtime_error(F, e))?
        }
    };
    let test = engine
        .send_test(&webhook, event, body)
        .map_err(|e| from_engine(F, e))?;
    let r = &test.result;
    let headers: Map<String, Value> = r
        .response_headers
        .iter()
        .map(|(k, v)| (k.clone(), Value::String(v.clone())))
        .collect();
    Ok(json_to_zval(&json!({
        "ok": r.succeeded(),
        "status": r.status_code,
        "headers": headers,
        "body": r.response_body,
        "duration_ms": r.duration_ms,
        "error": r.error,
        "delivery_id": test.delivery_id,
        "message_id": test.message_id,
    })))
}

/// The delivery log, newest first.
#[php_function]
pub fn umw_deliveries(filter: Option<&ZendHashTable>) -> PhpResult<Zval> {
    const F: &str = "umw_deliveries";
    let mut f = DeliveryFilter {
        limit: 50,
        ..Default::default()
    };
    if let Some(filter) = filter {
        let fields = Fields::new(
            F,
            "Argument #1 ($filter)",
            filter,
            &[
                "webhook_id",
                "event",
                "status",
                "message_id",
                "since",
                "limit",
                "offset",
            ],
        )?;
        f.webhook_id = fields.int("webhook_id")?;
        f.event = fields.string("event")?;
        f.message_id = fields.string("message_id")?;
        f.since_ms = fields.int("since")?.map(|s| s.saturating_mul(1000));
        if let Some(status) = fields.string("status")? {
            f.status = Some(DeliveryStatus::parse(&status).ok_or_else(|| {
                value_error(F, format!("\"status\" must be pending, delivered, retrying or failed, got \"{status}\""))
            })?);
        }
        if let Some(limit) = fields.int("limit")? {
            if !(1..=1000).contains(&limit) {
                return Err(value_error(
                    F,
                    format!("\"limit\" must be from 1 to 1000, got {limit}"),
                ));
            }
            f.limit = limit as usize;
        }
        if let Some(offset) = fields.int("offset")? {
            if offset < 0 {
                return Err(value_error(F, "\"offset\" must not be negative"));
            }
            f.offset = offset as usize;
        }
    }
    let list = engine(F)?.deliveries(&f).map_err(|e| from_engine(F, e))?;
    Ok(json_to_zval(&Value::Array(
        list.iter().map(delivery_json).collect(),
    )))
}

/// One delivery with its attempts, or null.
#[php_function]
pub fn umw_get_delivery(delivery_id: &str) -> PhpResult<Zval> {
    const F: &str = "umw_get_delivery";
    Ok(
        match engine(F)?
            .delivery(delivery_id)
            .map_err(|e| from_engine(F, e))?
        {
            Some(d) => json_to_zval(&delivery_json(&d)),
            None => Zval::null(),
        },
    )
}

/// Queue a delivery again, now (its history is kept). False when it does not exist.
#[php_function]
pub fn umw_redeliver(delivery_id: &str) -> PhpResult<bool> {
    const F: &str = "umw_redeliver";
    engine(F)?
        .redeliver(delivery_id)
        .map_err(|e| from_engine(F, e))
}

/// Re-queue a webhook's failed deliveries created since a Unix time; returns how many.
#[php_function]
pub fn umw_replay(webhook_id: i64, since_unix_time: i64) -> PhpResult<i64> {
    const F: &str = "umw_replay";
    let engine = engine(F)?;
    if engine
        .webhook(webhook_id)
        .map_err(|e| from_engine(F, e))?
        .is_none()
    {
        return Err(no_webhook(F, "webhook_id", webhook_id));
    }
    engine
        .replay(webhook_id, since_unix_time.saturating_mul(1000))
        .map_err(|e| from_engine(F, e))
}

/// Wait until everything this process emitted is persisted and had its first attempt.
#[php_function]
#[php(defaults(timeout = 5.0))]
pub fn umw_flush(timeout: f64) -> PhpResult<bool> {
    const F: &str = "umw_flush";
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
#[php_function]
#[php(defaults(seconds = 0.0))]
pub fn umw_work(seconds: f64) -> PhpResult<Zval> {
    const F: &str = "umw_work";
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
    Ok(json_to_zval(&json!({
        "attempted": report.attempted,
        "delivered": report.delivered,
        "failed": report.failed,
        "retrying": report.retrying,
        "remaining": report.remaining,
    })))
}

/// Counters of this process and of the store, and the runtime state.
#[php_function]
pub fn umw_stats() -> PhpResult<Zval> {
    const F: &str = "umw_stats";
    let engine = engine(F)?;
    let c = &engine.counters;
    let counts = engine.counts().map_err(|e| from_engine(F, e))?;
    let load = |a: &std::sync::atomic::AtomicU64| a.load(Ordering::Relaxed);
    Ok(json_to_zval(&json!({
        "version": VERSION,
        "pid": engine.pid,
        "runtime": "running",
        "uptime_seconds": engine.uptime().as_secs_f64(),
        "store": engine.settings.store_path.display().to_string(),
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

fn event_type_json(e: &EventType) -> Value {
    json!({
        "name": e.name,
        "label": e.label,
        "description": e.description,
        "sample": Value::Object(e.sample.clone()),
        "source": e.source,
        "origin": e.origin,
        "fired": e.fired,
    })
}

/// The event catalog, keyed by event name.
#[php_function]
pub fn umw_event_types() -> Zval {
    let map: Map<String, Value> = with_catalog(|c| {
        c.all()
            .iter()
            .map(|e| (e.name.clone(), event_type_json(e)))
            .collect()
    });
    json_to_zval(&Value::Object(map))
}

/// Longest `source` of a registration, in characters.
const MAX_SOURCE_CHARS: usize = 64;

/// Add an event type to this process's catalog (plugins call this on every request), or
/// replace the one with the same name.
#[php_function]
pub fn umw_register_event_type(event: &str, info: &ZendHashTable) -> PhpResult<()> {
    const F: &str = "umw_register_event_type";
    const ARG: &str = "Argument #2 ($info)";
    event_name(F, "Argument #1 ($event)", event)?;
    let fields = Fields::new(
        F,
        ARG,
        info,
        &[
            "label",
            "description",
            "sample",
            "source",
            "origin",
            "fired",
        ],
    )?;
    let label = fields.string("label")?.unwrap_or_else(|| event.to_string());
    let label = validate::name(&label)
        .map_err(|e| value_error(F, format!("{ARG}[\"label\"] {}", detail(&e))))?;
    let description = fields.string("description")?.unwrap_or_default();
    let origin = fields.string("origin")?.unwrap_or_default();
    let source = fields.string("source")?.unwrap_or_default();
    if source.chars().count() > MAX_SOURCE_CHARS
        || source
            .chars()
            .any(|c| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')))
    {
        return Err(value_error(
            F,
            format!(
                "{ARG}[\"source\"] must be at most {MAX_SOURCE_CHARS} letters, digits, - _ or . \
                 (e.g. \"my-plugin\"); leave it out for \"custom\""
            ),
        ));
    }
    let fired = fields.bool("fired")?;
    let sample = match info.get("sample").map(|v| v.dereference()).filter(|v| !v.is_null()) {
        None => Map::new(),
        Some(v) => match zval_to_json(v, 0) {
            Some(Value::Object(m)) => m,
            Some(Value::Array(a)) if a.is_empty() => Map::new(),
            _ => {
                return Err(value_error(
                    F,
                    format!("{ARG}[\"sample\"] must be an associative array of plain data (strings, numbers, bools, arrays)"),
                ))
            }
        },
    };
    with_catalog(|c| {
        c.register(EventType {
            name: event.to_string(),
            label,
            description,
            sample,
            source,
            origin,
            fired,
        })
    })
    .map_err(|e| match e {
        RegisterError::Name(e) => value_error(F, format!("Argument #1 ($event) {e}")),
        other => value_error(F, format!("{ARG}: {other}")),
    })
}

/// The reason of an engine validation error, without its field prefix.
fn detail(e: &crate::engine::error::Error) -> String {
    match e {
        crate::engine::error::Error::Invalid { reason, .. } => reason.clone(),
        other => other.to_string(),
    }
}

pub fn register(module: ModuleBuilder) -> ModuleBuilder {
    module
        .function(wrap_function!(umw_emit))
        .function(wrap_function!(umw_register_webhook))
        .function(wrap_function!(umw_get_webhook))
        .function(wrap_function!(umw_list_webhooks))
        .function(wrap_function!(umw_update_webhook))
        .function(wrap_function!(umw_delete_webhook))
        .function(wrap_function!(umw_rotate_secret))
        .function(wrap_function!(umw_send_test_event))
        .function(wrap_function!(umw_deliveries))
        .function(wrap_function!(umw_get_delivery))
        .function(wrap_function!(umw_redeliver))
        .function(wrap_function!(umw_replay))
        .function(wrap_function!(umw_flush))
        .function(wrap_function!(umw_work))
        .function(wrap_function!(umw_stats))
        .function(wrap_function!(umw_event_types))
        .function(wrap_function!(umw_register_event_type))
}
