//! Moving a network's store: copying the store `umw.store` names into another (SQLite → MySQL
//! when the network grows to several web servers, or back), one batch per call.

use crate::engine::store::location::{resolve, StoreLocation, DEFAULT_TABLE_PREFIX};
use crate::engine::store::transfer::{copy_step, CopyOptions, Cursor};
use crate::engine::store::{self};
use crate::php::args::Str;
use crate::php::convert::{json_to_array, Fields};
use crate::php::errors::{from_engine, value_error};
use crate::php::load_settings;
use ext_php_rs::boxed::ZBox;
use ext_php_rs::prelude::*;
use ext_php_rs::types::ZendHashTable;
use serde_json::json;

/// Largest `batch`: a page is one transaction on each side, and its payloads sit in memory.
const MAX_BATCH: i64 = 5000;

/// Copy this network's store (`umw.store`) into the store `$to` names — an absolute SQLite path,
/// a `mysql://` URL, or `env:NAME` / `file:/path` holding one, as `umw.store` accepts: webhooks
/// with their ids and secrets (the previous secret and its grace period too), waiting deliveries
/// with their messages and earlier attempts, the hourly statistics and, with `with_log`, the
/// finished deliveries with their attempts. One batch per call: call again with the returned
/// `cursor` until `done`. Safe to repeat: what is already there is skipped. Never prints a
/// password (`from` and `to` are shown without it).
///
/// Options: `with_log` (bool, default false), `with_stats` (bool, default true), `batch` (rows
/// per call, 1 to 5000, default 500), `cursor` (from the previous call; absent or null to start).
///
/// # Returns
///
/// array{from: string, to: string, webhooks: int, messages: int, deliveries: int, attempts: int, stats: int, skipped: int, copied: int, position: int, total: int, cursor: ?string, done: bool}
#[php_function]
pub fn umw_store_copy(to: Str, options: Option<&ZendHashTable>) -> PhpResult<ZBox<ZendHashTable>> {
    const F: &str = "umw_store_copy";
    let to = to.get(F, "#1 ($to)")?;
    let mut copy = CopyOptions::default();
    let mut cursor = None;
    if let Some(options) = options {
        let fields = Fields::new(
            F,
            "Argument #2 ($options)",
            options,
            &["with_log", "with_stats", "batch", "cursor"],
        )?;
        copy.with_log = fields.bool("with_log")?.unwrap_or(copy.with_log);
        copy.with_stats = fields.bool("with_stats")?.unwrap_or(copy.with_stats);
        if let Some(batch) = fields.int("batch")? {
            if !(1..=MAX_BATCH).contains(&batch) {
                return Err(value_error(
                    F,
                    format!("\"batch\" must be from 1 to {MAX_BATCH}, got {batch}"),
                ));
            }
            copy.batch = batch as usize;
        }
        if let Some(text) = fields.string("cursor")? {
            cursor = Some(Cursor::decode(&text).ok_or_else(|| {
                value_error(
                    F,
                    "\"cursor\" is not one umw_store_copy() returned; pass the last result's cursor, or none to start over",
                )
            })?);
        }
    }
    let target = resolve(&to, |name| std::env::var(name).ok())
        .and_then(|value| StoreLocation::parse(&value, DEFAULT_TABLE_PREFIX))
        .map_err(|reason| value_error(F, format!("Argument #1 ($to) {reason}")))?;
    let settings = load_settings().map_err(|e| from_engine(F, e))?;
    if target == settings.store {
        return Err(value_error(
            F,
            format!(
                "Argument #1 ($to) is the store in use (umw.store = {target}); name the store to copy into"
            ),
        ));
    }
    let mut from = store::open(&settings.store).map_err(|e| from_engine(F, e))?;
    let mut into = store::open(&target).map_err(|e| from_engine(F, e))?;
    let step = copy_step(from.as_mut(), into.as_mut(), cursor.as_ref(), &copy)
        .map_err(|e| from_engine(F, e.into()))?;
    let i = step.imported;
    Ok(json_to_array(&json!({
        "from": settings.store.to_string(),
        "to": target.to_string(),
        "webhooks": i.webhooks,
        "messages": i.messages,
        "deliveries": i.deliveries,
        "attempts": i.attempts,
        "stats": i.stats,
        "skipped": i.skipped,
        "copied": step.exported,
        "position": step.done_rows,
        "total": step.total.max(step.done_rows),
        "cursor": step.cursor.as_ref().map(Cursor::encode),
        "done": step.cursor.is_none(),
    })))
}

pub fn register(module: ModuleBuilder) -> ModuleBuilder {
    module.function(wrap_function!(umw_store_copy))
}
