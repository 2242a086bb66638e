//! Export and import for copying between stores (`store::transfer`), SQLite side.

use super::{opt, payload_at, webhook_from_row, SqliteStore, WEBHOOK_COLUMNS};
use crate::engine::model::*;
use crate::engine::stats::Histogram;
use crate::engine::store::shared::{headers_from_json, to_json};
use crate::engine::store::transfer::{
    different_webhook_message, stats_key, Export, Imported, Section, StoredDelivery,
};
use crate::engine::store::{StoreError, StoreErrorKind, StoreResult};
use rusqlite::{params, params_from_iter, Connection, OptionalExtension};
use std::collections::HashMap;

const WAITING: &str = "status IN ('pending', 'retrying')";
const FINISHED: &str = "status IN ('delivered', 'failed')";

impl SqliteStore {
    pub(super) fn export_page(
        &mut self,
        section: Section,
        after: &str,
        limit: usize,
    ) -> StoreResult<Export> {
        let conn = &self.conn;
        let read = || -> rusqlite::Result<Export> {
            let mut page = Export::default();
            match section {
                Section::Webhooks => {
                    let after: i64 = after.parse().unwrap_or(i64::MIN);
                    let mut stmt = conn.prepare_cached(&format!(
                        "SELECT {WEBHOOK_COLUMNS} FROM webhooks WHERE id > ?1 ORDER BY id LIMIT ?2"
                    ))?;
                    page.webhooks = stmt
                        .query_map(params![after, limit as i64], webhook_from_row)?
                        .collect::<rusqlite::Result<_>>()?;
                    let last = page.webhooks.last().map(|w| w.id.to_string());
                    page.continue_after(page.webhooks.len(), limit, last);
                }
                Section::Waiting | Section::Log => {
                    let which = if section == Section::Waiting {
                        WAITING
                    } else {
                        FINISHED
                    };
                    let mut stmt = conn.prepare_cached(&format!(
                        "SELECT id, message_id, webhook_id, event, status, is_test, attempt_count, \
                         next_attempt_at, created_at, updated_at FROM deliveries \
                         WHERE id > ?1 AND {which} ORDER BY id LIMIT ?2"
                    ))?;
                    page.deliveries = stmt
                        .query_map(params![after, limit as i64], |r| {
                            Ok(StoredDelivery {
                                id: r.get(0)?,
                                message_id: r.get(1)?,
                                webhook_id: r.get(2)?,
                                event: r.get(3)?,
                                status: r.get(4)?,
                                is_test: r.get::<_, i64>(5)? != 0,
                                attempt_count: r.get(6)?,
                                next_attempt_at: r.get(7)?,
                                created_at: r.get(8)?,
                                updated_at: r.get(9)?,
                            })
                        })?
                        .collect::<rusqlite::Result<_>>()?;
                    let last = page.deliveries.last().map(|d| d.id.clone());
                    page.continue_after(page.deliveries.len(), limit, last);
                    let mut message_ids: Vec<&str> = page
                        .deliveries
                        .iter()
                        .map(|d| d.message_id.as_str())
                        .collect();
                    message_ids.sort_unstable();
                    message_ids.dedup();
                    page.messages = messages(conn, &message_ids)?;
                    let ids: Vec<&str> = page.deliveries.iter().map(|d| d.id.as_str()).collect();
                    page.attempts = attempts(conn, &ids)?;
                }
                Section::Stats => {
                    let (webhook, hour) = stats_key(after);
                    let mut stmt = conn.prepare_cached(
                        "SELECT webhook_id, hour, delivered, retrying, failed, durations FROM stats_hourly \
                         WHERE webhook_id > ?1 OR (webhook_id = ?1 AND hour > ?2) \
                         ORDER BY webhook_id, hour LIMIT ?3",
                    )?;
                    page.stats = stmt
                        .query_map(params![webhook, hour, limit as i64], |r| {
                            Ok((
                                r.get::<_, i64>(0)?,
                                StatsBucket {
                                    start_ms: r.get(1)?,
                                    delivered: r.get(2)?,
                                    retrying: r.get(3)?,
                                    failed: r.get(4)?,
                                    durations: Histogram::from_json(&r.get::<_, String>(5)?),
                                },
                            ))
                        })?
                        .collect::<rusqlite::Result<_>>()?;
                    let last = page
                        .stats
                        .last()
                        .map(|(w, b)| format!("{w}:{}", b.start_ms));
                    page.continue_after(page.stats.len(), limit, last);
                }
            }
            Ok(page)
        };
        read().map_err(|e| self.err(e))
    }

    pub(super) fn import_page(&mut self, page: &Export) -> StoreResult<Imported> {
        let location = self.path.display().to_string();
        let mut conflict: Option<i64> = None;
        let result = self.with_tx(|tx| {
            let mut done = Imported::default();
            for w in &page.webhooks {
                let here: Option<i64> = tx
                    .query_row("SELECT created_at FROM webhooks WHERE id = ?1", [w.id], |r| r.get(0))
                    .optional()?;
                if here.is_some_and(|created| created != w.created_at) {
                    conflict = Some(w.id);
                    return Err(rusqlite::Error::QueryReturnedNoRows);
                }
                tx.prepare_cached(
                    "INSERT OR REPLACE INTO webhooks (id, network_id, external_id, revision, name, url, events, \
                     active, format, headers, secret, previous_secret, previous_secret_until, created_at, \
                     updated_at, disabled_at, disabled_reason, failing_since, delivered_count, failed_count, \
                     last_delivery_at, last_status, last_status_code) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, \
                     ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23)",
                )?
                .execute(params_from_iter(webhook_values(w)))?;
                if here.is_some() {
                    done.skipped += 1;
                } else {
                    done.webhooks += 1;
                }
            }
            let mut message = tx.prepare_cached(
                "INSERT OR IGNORE INTO messages (id, network_id, event, payload, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
            )?;
            for m in &page.messages {
                match message.execute(params![m.id, m.network_id, m.event, m.payload, m.created_at])? {
                    0 => done.skipped += 1,
                    _ => done.messages += 1,
                }
            }
            let mut by_delivery: HashMap<&str, Vec<&AttemptView>> = HashMap::new();
            for (id, a) in &page.attempts {
                by_delivery.entry(id.as_str()).or_default().push(a);
            }
            let mut delivery = tx.prepare_cached(
                "INSERT OR IGNORE INTO deliveries (id, message_id, webhook_id, event, status, is_test, attempt_count, \
                 next_attempt_at, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
            )?;
            let mut attempt = tx.prepare_cached(
                "INSERT INTO attempts (delivery_id, time, url, request_headers, status_code, duration_ms, error, \
                 response_headers, response_body) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            )?;
            for d in &page.deliveries {
                let next = if d.is_waiting() { Some(d.next_attempt_at.unwrap_or(d.updated_at)) } else { None };
                let inserted = delivery.execute(params![
                    d.id,
                    d.message_id,
                    d.webhook_id,
                    d.event,
                    d.status,
                    d.is_test as i64,
                    d.attempt_count,
                    opt(next),
                    d.created_at,
                    d.updated_at
                ])?;
                if inserted == 0 {
                    // Already copied, with its attempts.
                    done.skipped += 1;
                    continue;
                }
                done.deliveries += 1;
                for a in by_delivery.get(d.id.as_str()).into_iter().flatten() {
                    attempt.execute(params![
                        d.id,
                        a.time_ms,
                        opt(a.url.clone()),
                        opt((!a.request_headers.is_empty() || a.url.is_some()).then(|| to_json(&a.request_headers))),
                        opt(a.status_code),
                        a.duration_ms,
                        opt(a.error.clone()),
                        opt((!a.response_headers.is_empty()).then(|| to_json(&a.response_headers))),
                        a.response_body
                    ])?;
                    done.attempts += 1;
                }
            }
            let mut stats = tx.prepare_cached(
                "INSERT OR REPLACE INTO stats_hourly (webhook_id, hour, delivered, retrying, failed, durations) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )?;
            for (webhook_id, b) in &page.stats {
                stats.execute(params![webhook_id, b.start_ms, b.delivered, b.retrying, b.failed, b.durations.to_json()])?;
                done.stats += 1;
            }
            Ok(done)
        });
        if let Some(id) = conflict {
            return Err(StoreError::new(
                location,
                StoreErrorKind::Conflict,
                different_webhook_message(id),
            ));
        }
        let done = result?;
        if !page.webhooks.is_empty() {
            self.own_webhook_changes += 1;
        }
        Ok(done)
    }

    pub(super) fn export_count(&mut self, section: Section) -> StoreResult<i64> {
        let sql = match section {
            Section::Webhooks => "SELECT COUNT(*) FROM webhooks".to_string(),
            Section::Waiting => format!("SELECT COUNT(*) FROM deliveries WHERE {WAITING}"),
            Section::Log => format!("SELECT COUNT(*) FROM deliveries WHERE {FINISHED}"),
            Section::Stats => "SELECT COUNT(*) FROM stats_hourly".to_string(),
        };
        self.conn
            .query_row(&sql, [], |r| r.get(0))
            .map_err(|e| self.err(e))
    }
}

fn webhook_values(w: &Webhook) -> Vec<rusqlite::types::Value> {
    use rusqlite::types::Value as V;
    vec![
        V::Integer(w.id),
        V::Integer(w.network_id),
        opt(w.external_id.clone()),
        V::Integer(w.revision),
        V::Text(w.name.clone()),
        V::Text(w.url.clone()),
        V::Text(to_json(&w.events)),
        V::Integer(w.active as i64),
        V::Text(w.format.as_str().into()),
        V::Text(to_json(&w.headers)),
        V::Text(w.secret.clone()),
        opt(w.previous_secret.clone()),
        opt(w.previous_secret_until),
        V::Integer(w.created_at),
        V::Integer(w.updated_at),
        opt(w.disabled_at),
        opt(w.disabled_reason.clone()),
        opt(w.failing_since),
        V::Integer(w.delivered_count),
        V::Integer(w.failed_count),
        opt(w.last_delivery_at),
        opt(w.last_status.clone()),
        opt(w.last_status_code),
    ]
}

fn messages(conn: &Connection, ids: &[&str]) -> rusqlite::Result<Vec<NewMessage>> {
    let mut out = Vec::with_capacity(ids.len());
    for chunk in ids.chunks(500) {
        let marks = vec!["?"; chunk.len()].join(",");
        let mut stmt = conn.prepare(&format!(
            "SELECT id, network_id, event, payload, created_at FROM messages WHERE id IN ({marks})"
        ))?;
        let rows = stmt.query_map(params_from_iter(chunk), |r| {
            Ok(NewMessage {
                id: r.get(0)?,
                network_id: r.get(1)?,
                event: r.get(2)?,
                payload: payload_at(r, 3)?.unwrap_or_default(),
                created_at: r.get(4)?,
                spooled: 0,
            })
        })?;
        for row in rows {
            out.push(row?);
        }
    }
    Ok(out)
}

fn attempts(conn: &Connection, ids: &[&str]) -> rusqlite::Result<Vec<(String, AttemptView)>> {
    let mut out = Vec::new();
    for chunk in ids.chunks(500) {
        let marks = vec!["?"; chunk.len()].join(",");
        let mut stmt = conn.prepare(&format!(
            "SELECT delivery_id, time, url, request_headers, status_code, duration_ms, error, response_headers, \
             response_body FROM attempts WHERE delivery_id IN ({marks}) ORDER BY id"
        ))?;
        let rows = stmt.query_map(params_from_iter(chunk), |r| {
            Ok((
                r.get::<_, String>(0)?,
                AttemptView {
                    time_ms: r.get(1)?,
                    url: r.get(2)?,
                    request_headers: headers_from_json(r.get::<_, Option<String>>(3)?.as_deref()),
                    status_code: r.get(4)?,
                    duration_ms: r.get(5)?,
                    error: r.get(6)?,
                    response_headers: headers_from_json(r.get::<_, Option<String>>(7)?.as_deref()),
                    response_body: r.get(8)?,
                },
            ))
        })?;
        for row in rows {
            out.push(row?);
        }
    }
    Ok(out)
}
