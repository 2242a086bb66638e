//! The `umw_*` functions: argument checking and conversion around the engine. Emitting and
//! the event catalog live here; webhooks, deliveries and status in their own modules.

use crate::engine::catalog::{validate_event_name, EventType, RegisterError};
use crate::engine::model::*;
use crate::engine::runtime::{self, with_catalog, Engine};
use crate::engine::{now_ms, validate};
use crate::php::args::Str;
use crate::php::convert::{encode_array, json_to_array, zval_to_json, Fields};
use crate::php::errors::{from_engine, value_error};
use crate::php::load_settings;
use crate::php::memory::ensure_room;
use crate::php::{deliveries, status, store, webhooks};
use ext_php_rs::boxed::ZBox;
use ext_php_rs::prelude::*;
use ext_php_rs::types::ZendHashTable;
use serde_json::{json, Map, Value};
use std::sync::Arc;

pub fn engine(function: &str) -> PhpResult<Arc<Engine>> {
    runtime::current(load_settings).map_err(|e| from_engine(function, e))
}

pub fn no_webhook(function: &str, argument: &str, id: i64) -> ext_php_rs::exception::PhpException {
    value_error(
        function,
        format!("Argument #1 (${argument}): no webhook with id {id}"),
    )
}

pub fn event_name(function: &str, argument: &str, event: &str) -> PhpResult<()> {
    validate_event_name(event).map_err(|e| value_error(function, format!("{argument} {e}")))
}

pub fn secs(ms: i64) -> i64 {
    ms.div_euclid(1000)
}

/// Emit an event: converts the payload now, delivers in the background. Returns the message id.
/// Options: `network_id` (the network the event happened on; only its webhooks receive it,
/// default 1).
#[php_function]
pub fn umw_emit(
    event: Str,
    payload: &ZendHashTable,
    options: Option<&ZendHashTable>,
) -> PhpResult<String> {
    const F: &str = "umw_emit";
    let event = event.get(F, "#1 ($event)")?;
    event_name(F, "Argument #1 ($event)", &event)?;
    let mut network_id = DEFAULT_NETWORK;
    if let Some(options) = options {
        let fields = Fields::new(F, "Argument #3 ($options)", options, &["network_id"])?;
        if let Some(n) = fields.int("network_id")? {
            network_id = validate::network_id(n).map_err(|e| from_engine(F, e))?;
        }
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
            network_id,
            event,
            payload: body,
            created_at: now,
            spooled: 0,
        })
        .map_err(|e| from_engine(F, e))?;
    Ok(id)
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
///
/// # Returns
///
/// array<string, array{name: string, label: string, description: string, sample: array<string, mixed>, source: string, origin: string, fired: ?bool}>
#[php_function]
pub fn umw_event_types() -> PhpResult<ZBox<ZendHashTable>> {
    const F: &str = "umw_event_types";
    let map: Map<String, Value> = with_catalog(|c| {
        c.all()
            .iter()
            .map(|e| (e.name.clone(), event_type_json(e)))
            .collect()
    });
    let value = Value::Object(map);
    ensure_room(F, &value, "register fewer or smaller event types")?;
    Ok(json_to_array(&value))
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
    let module = module
        .function(wrap_function!(umw_emit))
        .function(wrap_function!(umw_event_types))
        .function(wrap_function!(umw_register_event_type));
    store::register(status::register(deliveries::register(webhooks::register(
        module,
    ))))
}
