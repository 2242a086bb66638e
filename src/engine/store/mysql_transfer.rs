//! Export and import for copying between stores (`store::transfer`), MySQL/MariaDB side. Times
//! leave on the caller's clock and arrive on the database's, like every other call.

use crate::engine::model::*;
use crate::engine::stats::Histogram;
use crate::engine::store::mysql::{col, marks, select_in, Ctx, Fault, MysqlStore, Res};
use crate::engine::store::mysql_log::attempts_of;
use crate::engine::store::mysql_queue::{
    ids_in, insert_deliveries, insert_rows, message_row, stored_messages, ATTEMPT_COLUMNS, IGNORE,
    MESSAGE_COLUMNS,
};
use crate::engine::store::mysql_webhooks::{bump_version, webhook_from_row, WEBHOOK_COLUMNS};
use crate::engine::store::shared::to_json;
use crate::engine::store::transfer::{
    different_webhook_message, stats_key, Export, Imported, Section, StoredDelivery,
};
use crate::engine::store::{StoreErrorKind, StoreResult};
use mysql::prelude::Queryable;
use mysql::{Row, Transaction, Value};
use std::collections::HashSet;

const WAITING: &str = "status IN ('pending', 'retrying')";
const FINISHED: &str = "status IN ('delivered', 'failed')";

pub(crate) fn export(
    store: &mut MysqlStore,
    section: Section,
    after: &str,
    limit: usize,
) -> StoreResult<Export> {
    store.run(|conn, ctx| {
        let mut page = Export::default();
        let t = &ctx.t;
        match section {
            Section::Webhooks => {
                let after: i64 = after.parse().unwrap_or(i64::MIN);
                let rows: Vec<Row> = conn.exec(
                    format!(
                        "SELECT {WEBHOOK_COLUMNS} FROM {} WHERE id > ? ORDER BY id LIMIT ?",
                        t.webhooks
                    ),
                    (after, limit as u64),
                )?;
                page.webhooks = rows
                    .into_iter()
                    .map(|r| webhook_from_row(r, ctx))
                    .collect::<Res<_>>()?;
                let last = page.webhooks.last().map(|w| w.id.to_string());
                page.continue_after(page.webhooks.len(), limit, last);
            }
            Section::Waiting | Section::Log => {
                let which = if section == Section::Waiting {
                    WAITING
                } else {
                    FINISHED
                };
                let rows: Vec<Row> = conn.exec(
                    format!(
                        "SELECT id, message_id, webhook_id, event, status, is_test, attempt_count, \
                         next_attempt_at, created_at, updated_at FROM {} WHERE id > ? AND {which} \
                         ORDER BY id LIMIT ?",
                        t.deliveries
                    ),
                    (after, limit as u64),
                )?;
                for mut r in rows {
                    page.deliveries.push(StoredDelivery {
                        id: col(&mut r, 0)?,
                        message_id: col(&mut r, 1)?,
                        webhook_id: col(&mut r, 2)?,
                        event: col(&mut r, 3)?,
                        status: col(&mut r, 4)?,
                        is_test: col::<i64>(&mut r, 5)? != 0,
                        attempt_count: col(&mut r, 6)?,
                        next_attempt_at: ctx.local_opt(col(&mut r, 7)?),
                        created_at: ctx.local(col(&mut r, 8)?),
                        updated_at: ctx.local(col(&mut r, 9)?),
                    });
                }
                let last = page.deliveries.last().map(|d| d.id.clone());
                page.continue_after(page.deliveries.len(), limit, last);
                let mut message_ids: Vec<String> = page
                    .deliveries
                    .iter()
                    .map(|d| d.message_id.clone())
                    .collect();
                message_ids.sort_unstable();
                message_ids.dedup();
                page.messages = messages(conn, ctx, &message_ids)?;
                let ids: Vec<String> = page.deliveries.iter().map(|d| d.id.clone()).collect();
                page.attempts = attempts_of(conn, ctx, &ids)?;
            }
            Section::Stats => {
                let (webhook, hour) = stats_key(after);
                let hour = if hour == i64::MIN { hour } else { ctx.db(hour) };
                let rows: Vec<Row> = conn.exec(
                    format!(
                        "SELECT webhook_id, `hour`, delivered, retrying, failed, durations FROM {} \
                         WHERE webhook_id > ? OR (webhook_id = ? AND `hour` > ?) \
                         ORDER BY webhook_id, `hour` LIMIT ?",
                        t.stats
                    ),
                    (webhook, webhook, hour, limit as u64),
                )?;
                for mut r in rows {
                    let webhook_id: i64 = col(&mut r, 0)?;
                    page.stats.push((
                        webhook_id,
                        StatsBucket {
                            start_ms: ctx.local(col(&mut r, 1)?),
                            delivered: col(&mut r, 2)?,
                            retrying: col(&mut r, 3)?,
                            failed: col(&mut r, 4)?,
                            durations: Histogram::from_json(&col::<String>(&mut r, 5)?),
                        },
                    ));
                }
                let last = page
                    .stats
                    .last()
                    .map(|(w, b)| format!("{w}:{}", b.start_ms));
                page.continue_after(page.stats.len(), limit, last);
            }
        }
        Ok(page)
    })
}

fn messages(q: &mut impl Queryable, ctx: &Ctx, ids: &[String]) -> Res<Vec<NewMessage>> {
    let sql = format!(
        "SELECT id, network_id, event, payload, created_at FROM {} WHERE id IN ({{in}})",
        ctx.t.messages
    );
    select_in(q, &sql, &[], ids)?
        .into_iter()
        .map(|mut r| {
            Ok(NewMessage {
                id: col(&mut r, 0)?,
                network_id: col(&mut r, 1)?,
                event: col(&mut r, 2)?,
                payload: col(&mut r, 3)?,
                created_at: ctx.local(col(&mut r, 4)?),
                spooled: 0,
            })
        })
        .collect()
}

pub(crate) fn import(store: &mut MysqlStore, page: &Export) -> StoreResult<Imported> {
    let result = store.tx(|tx, ctx| {
        let mut done = Imported::default();
        import_webhooks(tx, ctx, page, &mut done)?;
        let fresh_messages: Vec<&NewMessage> = {
            let ids: Vec<String> = page.messages.iter().map(|m| m.id.clone()).collect();
            let stored = stored_messages(tx, ctx, &ids)?;
            page.messages
                .iter()
                .filter(|m| !stored.contains(&m.id))
                .collect()
        };
        done.skipped += (page.messages.len() - fresh_messages.len()) as u64;
        let sizes: Vec<usize> = fresh_messages
            .iter()
            .map(|m| m.payload.len() + 64)
            .collect();
        let rows = fresh_messages.iter().map(|m| message_row(m, ctx)).collect();
        done.messages += insert_rows(tx, IGNORE, &ctx.t.messages, MESSAGE_COLUMNS, rows, |i| {
            sizes[i]
        })?;
        // Deliveries already here were copied with their attempts: both skipped.
        let ids: Vec<String> = page.deliveries.iter().map(|d| d.id.clone()).collect();
        let stored: HashSet<String> = ids_in(tx, &ctx.t.deliveries, &ids, "")?
            .into_iter()
            .collect();
        let fresh: Vec<&StoredDelivery> = page
            .deliveries
            .iter()
            .filter(|d| !stored.contains(&d.id))
            .collect();
        done.skipped += (page.deliveries.len() - fresh.len()) as u64;
        let rows = fresh.iter().map(|d| delivery_row(d, ctx)).collect();
        done.deliveries += insert_deliveries(tx, ctx, rows)?;
        let fresh_ids: HashSet<&str> = fresh.iter().map(|d| d.id.as_str()).collect();
        let attempts: Vec<[Value; 9]> = page
            .attempts
            .iter()
            .filter(|(id, _)| fresh_ids.contains(id.as_str()))
            .map(|(id, a)| attempt_row(id, a, ctx))
            .collect();
        done.attempts += insert_rows(
            tx,
            IGNORE,
            &ctx.t.attempts,
            ATTEMPT_COLUMNS,
            attempts,
            |_| 20_000,
        )?;
        let stats: Vec<[Value; 6]> = page
            .stats
            .iter()
            .map(|(w, b)| {
                [
                    (*w).into(),
                    ctx.db(b.start_ms).into(),
                    b.delivered.into(),
                    b.retrying.into(),
                    b.failed.into(),
                    b.durations.to_json().into(),
                ]
            })
            .collect();
        insert_rows(
            tx,
            "REPLACE",
            &ctx.t.stats,
            "(webhook_id, `hour`, delivered, retrying, failed, durations)",
            stats,
            |_| 512,
        )?;
        done.stats += page.stats.len() as u64;
        Ok(done)
    });
    result
}

fn import_webhooks(
    tx: &mut Transaction<'_>,
    ctx: &Ctx,
    page: &Export,
    done: &mut Imported,
) -> Res<()> {
    if page.webhooks.is_empty() {
        return Ok(());
    }
    let t = &ctx.t;
    for w in &page.webhooks {
        let here: Option<i64> = match tx.exec_first::<Row, _, _>(
            format!(
                "SELECT created_at FROM {} WHERE id = ? FOR UPDATE",
                t.webhooks
            ),
            (w.id,),
        )? {
            Some(mut r) => Some(ctx.local(col(&mut r, 0)?)),
            None => None,
        };
        if here.is_some_and(|created| created != w.created_at) {
            return Err(Fault::Refused(
                StoreErrorKind::Conflict,
                different_webhook_message(w.id),
            ));
        }
        tx.exec_drop(
            format!(
                "REPLACE INTO {} ({WEBHOOK_COLUMNS}) VALUES ({})",
                t.webhooks,
                marks(23)
            ),
            webhook_values(w, ctx),
        )?;
        if here.is_some() {
            done.skipped += 1;
        } else {
            done.webhooks += 1;
        }
    }
    bump_version(tx, ctx)
}

fn webhook_values(w: &Webhook, ctx: &Ctx) -> Vec<Value> {
    vec![
        w.id.into(),
        w.network_id.into(),
        w.external_id.clone().into(),
        w.revision.into(),
        w.name.as_str().into(),
        w.url.as_str().into(),
        to_json(&w.events).into(),
        (w.active as i64).into(),
        w.format.as_str().into(),
        to_json(&w.headers).into(),
        w.secret.as_str().into(),
        w.previous_secret.clone().into(),
        ctx.db_opt(w.previous_secret_until).into(),
        ctx.db(w.created_at).into(),
        ctx.db(w.updated_at).into(),
        ctx.db_opt(w.disabled_at).into(),
        w.disabled_reason.clone().into(),
        ctx.db_opt(w.failing_since).into(),
        w.delivered_count.into(),
        w.failed_count.into(),
        ctx.db_opt(w.last_delivery_at).into(),
        w.last_status.clone().into(),
        w.last_status_code.into(),
    ]
}

/// A delivery row without a lease; `next_attempt_at` set exactly while it waits (the index the
/// claims use relies on it).
fn delivery_row(d: &StoredDelivery, ctx: &Ctx) -> [Value; 11] {
    let next = if d.is_waiting() {
        Some(ctx.db(d.next_attempt_at.unwrap_or(d.updated_at)))
    } else {
        None
    };
    [
        d.id.as_str().into(),
        d.message_id.as_str().into(),
        d.webhook_id.into(),
        d.event.as_str().into(),
        d.status.as_str().into(),
        (d.is_test as i64).into(),
        next.into(),
        Value::NULL,
        Value::NULL,
        ctx.db(d.created_at).into(),
        ctx.db(d.updated_at).into(),
    ]
}

fn attempt_row(delivery_id: &str, a: &AttemptView, ctx: &Ctx) -> [Value; 9] {
    [
        delivery_id.into(),
        ctx.db(a.time_ms).into(),
        a.url.clone().into(),
        (a.url.is_some() || !a.request_headers.is_empty())
            .then(|| to_json(&a.request_headers))
            .into(),
        a.status_code.into(),
        a.duration_ms.into(),
        a.error.clone().into(),
        (!a.response_headers.is_empty())
            .then(|| to_json(&a.response_headers))
            .into(),
        a.response_body.as_str().into(),
    ]
}

pub(crate) fn total(store: &mut MysqlStore, section: Section) -> StoreResult<i64> {
    store.run(|conn, ctx| {
        let t = &ctx.t;
        let sql = match section {
            Section::Webhooks => format!("SELECT COUNT(*) FROM {}", t.webhooks),
            Section::Waiting => format!("SELECT COUNT(*) FROM {} WHERE {WAITING}", t.deliveries),
            Section::Log => format!("SELECT COUNT(*) FROM {} WHERE {FINISHED}", t.deliveries),
            Section::Stats => format!("SELECT COUNT(*) FROM {}", t.stats),
        };
        match conn.query_first::<Row, _>(sql)? {
            Some(mut r) => col(&mut r, 0),
            None => Ok(0),
        }
    })
}
