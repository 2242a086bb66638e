//! The webhook functions: register, read, list, change, delete, rotate, send a test.

use crate::engine::model::*;
use crate::engine::runtime::with_catalog;
use crate::php::args::{Bool, Int, Str};
use crate::php::convert::{encode_array, json_to_array, Fields};
use crate::php::errors::{from_engine, runtime_error, value_error};
use crate::php::functions::{engine, event_name, no_webhook, secs};
use ext_php_rs::boxed::ZBox;
use ext_php_rs::prelude::*;
use ext_php_rs::types::ZendHashTable;
use serde_json::{json, Map, Value};

const WEBHOOK_KEYS: &[&str] = &[
    "name",
    "url",
    "events",
    "active",
    "secret",
    "headers",
    "format",
    "network_id",
    "external_id",
];

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
        network_id: fields.int("network_id")?,
        external_id: fields.nullable_string("external_id")?,
        name: fields.string("name")?,
        url: fields.string("url")?,
        events: fields.string_list("events")?,
        active: fields.bool("active")?,
        secret: fields.string("secret")?,
        headers: fields.string_map("headers")?,
        format,
    })
}

pub fn webhook_json(w: &Webhook, with_secret: bool) -> Value {
    let headers: Map<String, Value> = w
        .headers
        .iter()
        .map(|(k, v)| (k.clone(), Value::String(v.clone())))
        .collect();
    let mut out = json!({
        "id": w.id,
        "network_id": w.network_id,
        "external_id": w.external_id,
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
///
/// # Returns
///
/// array{id: int, network_id: int, external_id: ?string, name: string, url: string, events: list<string>, active: bool, format: 'flat'|'envelope', headers: array<string, string>, created_at: int, updated_at: int, disabled_at: ?int, disabled_reason: ?string, delivered_count: int, failed_count: int, last_delivery_at: ?int, last_status: ?string, last_status_code: ?int, secret?: string}
#[php_function]
#[php(defaults(with_secret = false))]
pub fn umw_get_webhook(id: Int, with_secret: Bool) -> PhpResult<Option<ZBox<ZendHashTable>>> {
    const F: &str = "umw_get_webhook";
    let id = id.get(F, "#1 ($id)")?;
    let with_secret = with_secret.get(F, "#2 ($with_secret)")?;
    let found = engine(F)?.webhook(id).map_err(|e| from_engine(F, e))?;
    Ok(found.map(|w| json_to_array(&webhook_json(&w, with_secret))))
}

/// Webhooks, optionally filtered by `event`, `active`, `network_id` and `external_id`.
///
/// # Returns
///
/// list<array{id: int, network_id: int, external_id: ?string, name: string, url: string, events: list<string>, active: bool, format: 'flat'|'envelope', headers: array<string, string>, created_at: int, updated_at: int, disabled_at: ?int, disabled_reason: ?string, delivered_count: int, failed_count: int, last_delivery_at: ?int, last_status: ?string, last_status_code: ?int, secret?: string}>
#[php_function]
pub fn umw_list_webhooks(filter: Option<&ZendHashTable>) -> PhpResult<ZBox<ZendHashTable>> {
    const F: &str = "umw_list_webhooks";
    let mut f = WebhookFilter::default();
    if let Some(filter) = filter {
        let fields = Fields::new(
            F,
            "Argument #1 ($filter)",
            filter,
            &["event", "active", "network_id", "external_id"],
        )?;
        f.event = fields.string("event")?;
        f.active = fields.bool("active")?;
        f.network_id = fields.int("network_id")?;
        f.external_id = fields.string("external_id")?;
    }
    let list = engine(F)?.webhooks(&f).map_err(|e| from_engine(F, e))?;
    Ok(json_to_array(&Value::Array(
        list.iter().map(|w| webhook_json(w, false)).collect(),
    )))
}

/// Change some fields of a webhook (only those given, atomically); returns the updated webhook.
///
/// # Returns
///
/// array{id: int, network_id: int, external_id: ?string, name: string, url: string, events: list<string>, active: bool, format: 'flat'|'envelope', headers: array<string, string>, created_at: int, updated_at: int, disabled_at: ?int, disabled_reason: ?string, delivered_count: int, failed_count: int, last_delivery_at: ?int, last_status: ?string, last_status_code: ?int, secret?: string}
#[php_function]
pub fn umw_update_webhook(id: Int, changes: &ZendHashTable) -> PhpResult<ZBox<ZendHashTable>> {
    const F: &str = "umw_update_webhook";
    let id = id.get(F, "#1 ($id)")?;
    let input = webhook_input(F, "Argument #2 ($changes)", changes)?;
    match engine(F)?
        .update_webhook(id, input)
        .map_err(|e| from_engine(F, e))?
    {
        Some(w) => Ok(json_to_array(&webhook_json(&w, false))),
        None => Err(no_webhook(F, "id", id)),
    }
}

/// Delete a webhook with its delivery log (deliveries, attempts, payloads only it used); false
/// when it did not exist.
#[php_function]
pub fn umw_delete_webhook(id: Int) -> PhpResult<bool> {
    const F: &str = "umw_delete_webhook";
    let id = id.get(F, "#1 ($id)")?;
    engine(F)?.delete_webhook(id).map_err(|e| from_engine(F, e))
}

/// Replace the signing secret (generated when null); the old one keeps signing for 24 h.
#[php_function]
pub fn umw_rotate_secret(webhook_id: Int, new_secret: Option<Str>) -> PhpResult<String> {
    const F: &str = "umw_rotate_secret";
    let webhook_id = webhook_id.get(F, "#1 ($webhook_id)")?;
    let new_secret = new_secret
        .map(|s| s.get(F, "#2 ($new_secret)"))
        .transpose()?;
    match engine(F)?
        .rotate_secret(webhook_id, new_secret)
        .map_err(|e| from_engine(F, e))?
    {
        Some(secret) => Ok(secret),
        None => Err(no_webhook(F, "webhook_id", webhook_id)),
    }
}

/// Deliver once, now, and report what the endpoint answered.
///
/// # Returns
///
/// array{ok: bool, event: string, status: ?int, headers: array<string, string>, body: string, duration_ms: float, error: ?string, delivery_id: string, message_id: string}
#[php_function]
pub fn umw_send_test_event(
    webhook_id: Int,
    event: Option<Str>,
    payload: Option<&ZendHashTable>,
) -> PhpResult<ZBox<ZendHashTable>> {
    const F: &str = "umw_send_test_event";
    let webhook_id = webhook_id.get(F, "#1 ($webhook_id)")?;
    let engine = engine(F)?;
    let webhook = engine
        .webhook(webhook_id)
        .map_err(|e| from_engine(F, e))?
        .ok_or_else(|| no_webhook(F, "webhook_id", webhook_id))?;
    let event = match event {
        Some(e) => {
            let e = e.get(F, "#2 ($event)")?;
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
        .send_test(&webhook, event.clone(), body)
        .map_err(|e| from_engine(F, e))?;
    let r = &test.result;
    let headers: Map<String, Value> = r
        .response_headers
        .iter()
        .map(|(k, v)| (k.clone(), Value::String(v.clone())))
        .collect();
    Ok(json_to_array(&json!({
        "ok": r.succeeded(),
        "event": event,
        "status": r.status_code,
        "headers": headers,
        "body": r.response_body,
        "duration_ms": r.duration_ms,
        "error": r.error.as_ref().map(|e| e.to_string()),
        "delivery_id": test.delivery_id,
        "message_id": test.message_id,
    })))
}

pub fn register(module: ModuleBuilder) -> ModuleBuilder {
    module
        .function(wrap_function!(umw_register_webhook))
        .function(wrap_function!(umw_get_webhook))
        .function(wrap_function!(umw_list_webhooks))
        .function(wrap_function!(umw_update_webhook))
        .function(wrap_function!(umw_delete_webhook))
        .function(wrap_function!(umw_rotate_secret))
        .function(wrap_function!(umw_send_test_event))
}
