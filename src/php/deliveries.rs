//! The delivery log: list, count, one delivery, resend, replay, statistics, pruning.

use crate::engine::model::*;
use crate::engine::now_ms;
use crate::engine::rules::LIST_LIMIT_MAX;
use crate::php::args::{Int, Str};
use crate::php::convert::{json_to_array, Fields};
use crate::php::errors::{from_engine, value_error};
use crate::php::functions::{engine, no_webhook, secs};
use crate::php::memory::ensure_room;
use ext_php_rs::boxed::ZBox;
use ext_php_rs::prelude::*;
use ext_php_rs::types::ZendHashTable;
use serde_json::{json, Map, Value};
use std::time::Duration;

fn header_map(headers: &[(String, String)]) -> Value {
    Value::Object(
        headers
            .iter()
            .map(|(k, v)| (k.clone(), Value::String(v.clone())))
            .collect::<Map<String, Value>>(),
    )
}

fn delivery_json(d: &DeliveryView) -> Value {
    let attempts: Vec<Value> = d
        .attempts
        .iter()
        .map(|a| {
            json!({
                "time": a.time_ms as f64 / 1000.0,
                "url": a.url,
                "request_headers": header_map(&a.request_headers),
                "status_code": a.status_code,
                "duration_ms": a.duration_ms,
                "error": a.error,
                "response_headers": header_map(&a.response_headers),
                "response_body": a.response_body,
            })
        })
        .collect();
    let mut out = json!({
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
    });
    if let Some(payload) = &d.payload {
        out["payload"] = Value::String(payload.clone());
    }
    out
}

const FILTER_KEYS: &[&str] = &[
    "webhook_id",
    "network_id",
    "event",
    "status",
    "message_id",
    "since",
    "until",
    "is_test",
];

/// A delivery filter from PHP; `paged` adds limit, offset and with_payload.
fn delivery_filter(
    function: &str,
    filter: Option<&ZendHashTable>,
    paged: bool,
) -> PhpResult<DeliveryFilter> {
    let mut f = DeliveryFilter {
        limit: 50,
        ..Default::default()
    };
    let Some(filter) = filter else {
        return Ok(f);
    };
    let mut keys = FILTER_KEYS.to_vec();
    if paged {
        keys.extend(["limit", "offset", "with_payload"]);
    }
    let fields = Fields::new(function, "Argument #1 ($filter)", filter, &keys)?;
    f.webhook_id = fields.int("webhook_id")?;
    f.network_id = fields.int("network_id")?;
    f.event = fields.string("event")?;
    f.message_id = fields.string("message_id")?;
    f.since_ms = fields.int("since")?.map(|s| s.saturating_mul(1000));
    f.until_ms = fields.int("until")?.map(|s| s.saturating_mul(1000));
    f.is_test = fields.bool("is_test")?;
    if let Some(status) = fields.string("status")? {
        f.status = Some(DeliveryStatus::parse(&status).ok_or_else(|| {
            value_error(
                function,
                format!(
                    "\"status\" must be pending, retrying, delivered or failed, got \"{status}\""
                ),
            )
        })?);
    }
    if !paged {
        return Ok(f);
    }
    f.with_payload = fields.bool("with_payload")?.unwrap_or(false);
    if let Some(limit) = fields.int("limit")? {
        if !(1..=LIST_LIMIT_MAX).contains(&limit) {
            return Err(value_error(
                function,
                format!("\"limit\" must be from 1 to {LIST_LIMIT_MAX}, got {limit}"),
            ));
        }
        f.limit = limit as usize;
    }
    if let Some(offset) = fields.int("offset")? {
        if offset < 0 {
            return Err(value_error(function, "\"offset\" must not be negative"));
        }
        f.offset = offset as usize;
    }
    Ok(f)
}

/// The delivery log, newest first; payloads only with `'with_payload' => true`.
///
/// # Returns
///
/// list<array{id: string, message_id: string, webhook_id: int, event: string, status: 'pending'|'retrying'|'delivered'|'failed', is_test: bool, attempts: list<array{time: float, url: ?string, request_headers: array<string, string>, status_code: ?int, duration_ms: float, error: ?string, response_headers: array<string, string>, response_body: string}>, next_attempt_at: ?int, in_flight: bool, created_at: int, payload?: string}>
#[php_function]
pub fn umw_deliveries(filter: Option<&ZendHashTable>) -> PhpResult<ZBox<ZendHashTable>> {
    const F: &str = "umw_deliveries";
    let f = delivery_filter(F, filter, true)?;
    let list = engine(F)?.deliveries(&f).map_err(|e| from_engine(F, e))?;
    let value = Value::Array(list.iter().map(delivery_json).collect());
    ensure_room(F, &value, "ask for fewer (\"limit\") or leave out payloads")?;
    Ok(json_to_array(&value))
}

/// How many deliveries match a filter (the keys of umw_deliveries() but limit/offset/with_payload).
#[php_function]
pub fn umw_count_deliveries(filter: Option<&ZendHashTable>) -> PhpResult<i64> {
    const F: &str = "umw_count_deliveries";
    let f = delivery_filter(F, filter, false)?;
    engine(F)?
        .count_deliveries(&f)
        .map_err(|e| from_engine(F, e))
}

/// One delivery with its attempts and payload, or null.
///
/// # Returns
///
/// array{id: string, message_id: string, webhook_id: int, event: string, status: 'pending'|'retrying'|'delivered'|'failed', is_test: bool, attempts: list<array{time: float, url: ?string, request_headers: array<string, string>, status_code: ?int, duration_ms: float, error: ?string, response_headers: array<string, string>, response_body: string}>, next_attempt_at: ?int, in_flight: bool, created_at: int, payload?: string}
#[php_function]
pub fn umw_get_delivery(delivery_id: Str) -> PhpResult<Option<ZBox<ZendHashTable>>> {
    const F: &str = "umw_get_delivery";
    let id = delivery_id.get(F, "#1 ($delivery_id)")?;
    let found = engine(F)?.delivery(&id).map_err(|e| from_engine(F, e))?;
    match found {
        Some(d) => {
            let value = delivery_json(&d);
            ensure_room(F, &value, "raise memory_limit to read this delivery")?;
            Ok(Some(json_to_array(&value)))
        }
        None => Ok(None),
    }
}

/// Queue a delivery again, now (its history is kept). False when it does not exist.
#[php_function]
pub fn umw_redeliver(delivery_id: Str) -> PhpResult<bool> {
    const F: &str = "umw_redeliver";
    let id = delivery_id.get(F, "#1 ($delivery_id)")?;
    engine(F)?.redeliver(&id).map_err(|e| from_engine(F, e))
}

/// Re-queue a webhook's failed deliveries created since a Unix time (never test sends); returns
/// how many. The webhook must be active and not disabled.
#[php_function]
pub fn umw_replay(webhook_id: Int, since_unix_time: Int) -> PhpResult<i64> {
    const F: &str = "umw_replay";
    let webhook_id = webhook_id.get(F, "#1 ($webhook_id)")?;
    let since = since_unix_time.get(F, "#2 ($since_unix_time)")?;
    let engine = engine(F)?;
    if engine
        .webhook(webhook_id)
        .map_err(|e| from_engine(F, e))?
        .is_none()
    {
        return Err(no_webhook(F, "webhook_id", webhook_id));
    }
    engine
        .replay(webhook_id, since.saturating_mul(1000))
        .map_err(|e| from_engine(F, e))
}

const HOUR: i64 = 3600;

/// Attempts per time bucket (delivered / will retry / failed for good), success rate and
/// response-time percentiles; options `webhook_id`, `since`, `until` (Unix times), `bucket`
/// (seconds, a multiple of 3600). Test sends are left out.
///
/// # Returns
///
/// array{since: int, until: int, bucket_seconds: int, buckets: list<array{start: int, delivered: int, retrying: int, failed: int, attempts: int, p50_ms: ?float, p95_ms: ?float}>, totals: array{delivered: int, retrying: int, failed: int, attempts: int, p50_ms: ?float, p95_ms: ?float, success_rate: ?float}}
#[php_function]
pub fn umw_delivery_stats(options: Option<&ZendHashTable>) -> PhpResult<ZBox<ZendHashTable>> {
    const F: &str = "umw_delivery_stats";
    let now = now_ms().div_euclid(1000);
    let mut webhook_id = None;
    let mut until = now;
    let mut since = None;
    let mut bucket = HOUR;
    if let Some(options) = options {
        let fields = Fields::new(
            F,
            "Argument #1 ($options)",
            options,
            &["webhook_id", "since", "until", "bucket"],
        )?;
        webhook_id = fields.int("webhook_id")?;
        since = fields.int("since")?;
        until = fields.int("until")?.unwrap_or(now);
        bucket = fields.int("bucket")?.unwrap_or(HOUR);
    }
    if bucket < HOUR || bucket % HOUR != 0 || bucket > 31 * 24 * HOUR {
        return Err(value_error(
            F,
            format!("\"bucket\" must be a whole number of hours in seconds (3600, 86400, …) up to 31 days, got {bucket}"),
        ));
    }
    // Buckets line up with whole hours; the last one ends with the hour `until` falls in.
    let until = (until.div_euclid(HOUR) + 1) * HOUR;
    let since = since.unwrap_or(until - 7 * 24 * HOUR);
    if since >= until {
        return Err(value_error(F, "\"since\" must be before \"until\""));
    }
    let since = since.div_euclid(HOUR) * HOUR;
    let count = (until - since + bucket - 1) / bucket;
    if count > 10_000 {
        return Err(value_error(
            F,
            format!("{count} buckets is too many; use a larger \"bucket\" or a shorter range"),
        ));
    }
    let query = StatsQuery {
        webhook_id,
        since_ms: since * 1000,
        until_ms: until * 1000,
        bucket_ms: bucket * 1000,
    };
    let rows = engine(F)?
        .delivery_stats(&query)
        .map_err(|e| from_engine(F, e))?;
    let mut totals = StatsBucket::default();
    let mut buckets = Vec::with_capacity(count as usize);
    let mut rows = rows.into_iter().peekable();
    for i in 0..count {
        let start = since + i * bucket;
        let row = match rows.peek() {
            Some(r) if r.start_ms == start * 1000 => rows.next().unwrap_or_default(),
            _ => StatsBucket::default(),
        };
        totals.delivered += row.delivered;
        totals.retrying += row.retrying;
        totals.failed += row.failed;
        totals.durations.merge(&row.durations);
        buckets.push(bucket_json(start, &row));
    }
    let mut totals_json = bucket_json(since, &totals);
    if let Value::Object(map) = &mut totals_json {
        map.remove("start");
        let attempts = totals.delivered + totals.retrying + totals.failed;
        map.insert(
            "success_rate".into(),
            if attempts > 0 {
                json!(totals.delivered as f64 / attempts as f64)
            } else {
                Value::Null
            },
        );
    }
    Ok(json_to_array(&json!({
        "since": since,
        "until": until,
        "bucket_seconds": bucket,
        "buckets": buckets,
        "totals": totals_json,
    })))
}

fn bucket_json(start: i64, b: &StatsBucket) -> Value {
    let round = |v: Option<f64>| v.map(|ms| (ms * 100.0).round() / 100.0);
    json!({
        "start": start,
        "delivered": b.delivered,
        "retrying": b.retrying,
        "failed": b.failed,
        "attempts": b.delivered + b.retrying + b.failed,
        "p50_ms": round(b.durations.quantile(0.50)),
        "p95_ms": round(b.durations.quantile(0.95)),
    })
}

/// Remove delivered and failed deliveries older than `older_than_days` (default
/// umw.retention_days), their attempts and payloads nothing else uses; returns what went.
///
/// # Returns
///
/// array{older_than_days: int, deliveries: int, attempts: int, messages: int}
#[php_function]
pub fn umw_prune(options: Option<&ZendHashTable>) -> PhpResult<ZBox<ZendHashTable>> {
    const F: &str = "umw_prune";
    let engine = engine(F)?;
    let mut days = engine.settings.retention.map(|d| d.as_secs() / 86_400);
    if let Some(options) = options {
        let fields = Fields::new(F, "Argument #1 ($options)", options, &["older_than_days"])?;
        if let Some(d) = fields.int("older_than_days")? {
            if !(0..=36_500).contains(&d) {
                return Err(value_error(
                    F,
                    format!("\"older_than_days\" must be from 0 to 36500, got {d}"),
                ));
            }
            days = Some(d as u64);
        }
    }
    let Some(days) = days else {
        return Err(value_error(
            F,
            "umw.retention_days is 0 (keep forever): pass ['older_than_days' => N] to prune anyway",
        ));
    };
    let report = engine
        .prune(Duration::from_secs(days * 86_400))
        .map_err(|e| from_engine(F, e))?;
    Ok(json_to_array(&json!({
        "older_than_days": days,
        "deliveries": report.deliveries,
        "attempts": report.attempts,
        "messages": report.messages,
    })))
}

pub fn register(module: ModuleBuilder) -> ModuleBuilder {
    module
        .function(wrap_function!(umw_deliveries))
        .function(wrap_function!(umw_count_deliveries))
        .function(wrap_function!(umw_get_delivery))
        .function(wrap_function!(umw_redeliver))
        .function(wrap_function!(umw_replay))
        .function(wrap_function!(umw_delivery_stats))
        .function(wrap_function!(umw_prune))
}
