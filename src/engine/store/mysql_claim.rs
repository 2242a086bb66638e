//! Claiming due deliveries in MySQL/MariaDB: `SELECT … FOR UPDATE SKIP LOCKED` reading the due
//! index in order, so hosts never wait on each other's claims, never take the same row twice,
//! and a claim locks only the rows it takes.

use crate::engine::model::*;
use crate::engine::store::mysql::{change_in, col, select_in, Ctx, MysqlStore, Res};
use crate::engine::store::mysql_webhooks::{webhook_from_row, WEBHOOK_COLUMNS};
use crate::engine::store::StoreResult;
use mysql::prelude::Queryable;
use mysql::{Row, Transaction};
use std::collections::{HashMap, HashSet};
use std::sync::Arc;

/// Live webhooks with deliveries waiting, and the earliest due time of each (database clock),
/// by webhook id. `MIN` grouped by webhook over the (webhook_id, next_attempt_at) index is a
/// loose index scan: one seek per webhook, however long its backlog.
fn waiting_live(q: &mut impl Queryable, ctx: &Ctx) -> Res<Vec<(i64, i64)>> {
    let live: HashSet<i64> = q
        .query::<Row, _>(format!(
            "SELECT id FROM {} WHERE active = 1 AND disabled_at IS NULL",
            ctx.t.webhooks
        ))?
        .into_iter()
        .map(|mut r| col::<i64>(&mut r, 0))
        .collect::<Res<_>>()?;
    if live.is_empty() {
        return Ok(Vec::new());
    }
    let rows: Vec<Row> = q.query(format!(
        "SELECT webhook_id, MIN(next_attempt_at) FROM {} GROUP BY webhook_id",
        ctx.t.deliveries
    ))?;
    let mut out = Vec::new();
    for mut r in rows {
        let webhook_id: i64 = col(&mut r, 0)?;
        if let Some(due) = col::<Option<i64>>(&mut r, 1)? {
            if live.contains(&webhook_id) {
                out.push((webhook_id, due));
            }
        }
    }
    out.sort_unstable();
    Ok(out)
}

pub(crate) fn next_due(store: &mut MysqlStore) -> StoreResult<Option<i64>> {
    store.run(|conn, ctx| {
        let earliest = waiting_live(conn, ctx)?
            .into_iter()
            .map(|(_, due)| due)
            .min();
        Ok(ctx.local_opt(earliest))
    })
}

/// What a claim took from a delivery row, before its payload is read.
struct Claimed {
    id: String,
    message_id: String,
    event: String,
    attempts_made: u32,
    is_test: bool,
    target: Arc<Target>,
}

impl Claimed {
    fn from_row(mut r: Row, target: &Arc<Target>) -> Res<Claimed> {
        Ok(Claimed {
            id: col(&mut r, 0)?,
            message_id: col(&mut r, 1)?,
            event: col(&mut r, 2)?,
            attempts_made: col::<i64>(&mut r, 3)?.max(0) as u32,
            is_test: col::<i64>(&mut r, 4)? != 0,
            target: target.clone(),
        })
    }
}

const CLAIMED_COLUMNS: &str = "id, message_id, event, attempt_count, is_test";

pub(crate) fn claim_due(
    store: &mut MysqlStore,
    owner: &str,
    now: i64,
    lease_until: i64,
    limit: usize,
    room: &dyn Fn(i64) -> usize,
) -> StoreResult<Vec<Job>> {
    if limit == 0 {
        return Ok(Vec::new());
    }
    store.tx(|tx, ctx| {
        let mut claimed = claim_tests(tx, ctx, now, limit)?;
        if claimed.len() < limit {
            claim_by_webhook(tx, ctx, now, limit, room, &mut claimed)?;
        }
        if claimed.is_empty() {
            return Ok(Vec::new());
        }
        let ids: Vec<String> = claimed.iter().map(|c| c.id.clone()).collect();
        let lease = ctx.db(lease_until);
        change_in(
            tx,
            &format!(
                "UPDATE {} SET lease_owner = ?, lease_until = ?, next_attempt_at = ? WHERE id IN ({{in}})",
                ctx.t.deliveries
            ),
            &[owner.into(), lease.into(), lease.into()],
            &ids,
        )?;
        let message_ids: Vec<String> = claimed.iter().map(|c| c.message_id.clone()).collect();
        let messages = messages(tx, ctx, &message_ids)?;
        Ok(claimed
            .into_iter()
            .map(|c| {
                let m = messages.get(&c.message_id).cloned().unwrap_or(StoredMessage {
                    payload: Arc::new(Vec::new()),
                    created_at: now,
                    network_id: DEFAULT_NETWORK,
                });
                Job {
                    delivery_id: c.id,
                    message_id: c.message_id,
                    event: c.event,
                    payload: m.payload,
                    message_created_at: m.created_at,
                    network_id: m.network_id,
                    attempts_made: c.attempts_made,
                    is_test: c.is_test,
                    target: c.target,
                }
            })
            .collect())
    })
}

/// Test sends first, whatever their webhook's state (an admin is waiting for the answer).
fn claim_tests(tx: &mut Transaction<'_>, ctx: &Ctx, now: i64, limit: usize) -> Res<Vec<Claimed>> {
    let db_now = ctx.db(now);
    let rows: Vec<Row> = tx.exec(
        format!(
            "SELECT {CLAIMED_COLUMNS}, webhook_id FROM {} FORCE INDEX (tests_due) \
             WHERE is_test = 1 AND status = 'pending' AND next_attempt_at <= ? \
             AND (lease_until IS NULL OR lease_until < ?) \
             ORDER BY next_attempt_at LIMIT ? FOR UPDATE SKIP LOCKED",
            ctx.t.deliveries
        ),
        (db_now, db_now, limit as u64),
    )?;
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let mut found = Vec::with_capacity(rows.len());
    for mut r in rows {
        let webhook_id: i64 = col(&mut r, 5)?;
        found.push((webhook_id, r));
    }
    let webhooks = webhooks_by_id(tx, ctx, found.iter().map(|(id, _)| *id), false)?;
    let mut out = Vec::new();
    for (webhook_id, row) in found {
        // A test of a webhook deleted meanwhile: nothing to send it to (it goes with the webhook).
        if let Some(webhook) = webhooks.get(&webhook_id) {
            out.push(Claimed::from_row(row, &Arc::new(webhook.target(now)))?);
        }
    }
    Ok(out)
}

/// Then per live webhook with something due, oldest due first, at most `room` each.
fn claim_by_webhook(
    tx: &mut Transaction<'_>,
    ctx: &Ctx,
    now: i64,
    limit: usize,
    room: &dyn Fn(i64) -> usize,
    claimed: &mut Vec<Claimed>,
) -> Res<()> {
    let db_now = ctx.db(now);
    let candidates: Vec<i64> = waiting_live(tx, ctx)?
        .into_iter()
        .filter(|(webhook_id, due)| *due <= db_now && room(*webhook_id) > 0)
        .map(|(webhook_id, _)| webhook_id)
        .collect();
    if candidates.is_empty() {
        return Ok(());
    }
    let webhooks = webhooks_by_id(tx, ctx, candidates.iter().copied(), true)?;
    // The (webhook_id, next_attempt_at) index read in order stops after `take` rows, so a claim
    // locks only what it takes (a scan and sort would lock every due row).
    let due_sql = format!(
        "SELECT {CLAIMED_COLUMNS} FROM {} FORCE INDEX (due_by_webhook) \
         WHERE webhook_id = ? AND next_attempt_at <= ? AND status IN ('pending', 'retrying') \
         AND (lease_until IS NULL OR lease_until < ?) \
         ORDER BY next_attempt_at LIMIT ? FOR UPDATE SKIP LOCKED",
        ctx.t.deliveries
    );
    for webhook_id in candidates {
        let take = room(webhook_id).min(limit - claimed.len());
        let Some(webhook) = webhooks.get(&webhook_id) else {
            continue;
        };
        if take == 0 {
            continue;
        }
        let target = Arc::new(webhook.target(now));
        let rows: Vec<Row> = tx.exec(&due_sql, (webhook_id, db_now, db_now, take as u64))?;
        for r in rows {
            claimed.push(Claimed::from_row(r, &target)?);
        }
        if claimed.len() >= limit {
            break;
        }
    }
    Ok(())
}

fn webhooks_by_id(
    q: &mut impl Queryable,
    ctx: &Ctx,
    ids: impl Iterator<Item = i64>,
    live_only: bool,
) -> Res<HashMap<i64, Webhook>> {
    let mut ids: Vec<i64> = ids.collect();
    ids.sort_unstable();
    ids.dedup();
    let live = if live_only {
        " AND active = 1 AND disabled_at IS NULL"
    } else {
        ""
    };
    let sql = format!(
        "SELECT {WEBHOOK_COLUMNS} FROM {} WHERE id IN ({{in}}){live}",
        ctx.t.webhooks
    );
    let mut out = HashMap::new();
    for row in select_in(q, &sql, &[], &ids)? {
        let w = webhook_from_row(row, ctx)?;
        out.insert(w.id, w);
    }
    Ok(out)
}

/// What a job needs of its message.
#[derive(Clone)]
struct StoredMessage {
    payload: Arc<Vec<u8>>,
    /// On the caller's clock.
    created_at: i64,
    network_id: i64,
}

/// The messages of claimed deliveries, one payload copy per message however many deliveries
/// share it. Read without locks: messages never change.
fn messages(
    q: &mut impl Queryable,
    ctx: &Ctx,
    ids: &[String],
) -> Res<HashMap<String, StoredMessage>> {
    let mut unique: Vec<String> = ids.to_vec();
    unique.sort();
    unique.dedup();
    let sql = format!(
        "SELECT id, payload, created_at, network_id FROM {} WHERE id IN ({{in}})",
        ctx.t.messages
    );
    let mut out = HashMap::new();
    for mut r in select_in(q, &sql, &[], &unique)? {
        let id: String = col(&mut r, 0)?;
        let message = StoredMessage {
            payload: Arc::new(col(&mut r, 1)?),
            created_at: ctx.local(col(&mut r, 2)?),
            network_id: col(&mut r, 3)?,
        };
        out.insert(id, message);
    }
    Ok(out)
}
