//! The outbox in MySQL/MariaDB: persisting messages with their deliveries in batched multi-row
//! inserts, claiming due deliveries with `FOR UPDATE SKIP LOCKED`, recording outcomes.

use crate::engine::model::*;
use crate::engine::stats::Histogram;
use crate::engine::store::mysql::{
    change_in, col, marks, pieces, select_in, Ctx, Fault, MysqlStore, Res,
};
use crate::engine::store::mysql_webhooks::bump_version;
use crate::engine::store::shared::{stats_deltas, to_json, webhook_deltas, FailingSince};
use crate::engine::store::{Outcome, PersistItem, StoreErrorKind, StoreResult, Transition};
use mysql::prelude::Queryable;
use mysql::{Row, Transaction, Value};
use std::collections::HashSet;

/// Payload bytes per multi-row insert: well under the servers' default `max_allowed_packet`
/// (16 MiB MariaDB, 64 MiB MySQL).
const INSERT_BYTES: usize = 4 << 20;

/// A concurrent persist stored some of this batch's messages first (spool replay racing the
/// writer): the batch is rolled back and persisted message by message.
const RACED: &str = "raced";

pub(crate) fn persist(
    store: &mut MysqlStore,
    batch: &[PersistItem<'_>],
    owner: &str,
    lease_until: i64,
    now: i64,
) -> StoreResult<()> {
    if batch.is_empty() {
        return Ok(());
    }
    let batched = store.tx(|tx, ctx| persist_batched(tx, ctx, batch, owner, lease_until, now));
    match batched {
        Err(e) if e.message == RACED => {
            store.tx(|tx, ctx| persist_one_by_one(tx, ctx, batch, owner, lease_until, now))
        }
        other => other,
    }
}

/// Of these ids, those `table` holds (with `condition` on the row, if any).
pub(crate) fn ids_in(
    q: &mut impl Queryable,
    table: &str,
    ids: &[String],
    condition: &str,
) -> Res<Vec<String>> {
    let sql = format!("SELECT id FROM {table} WHERE id IN ({{in}}){condition}");
    select_in(q, &sql, &[], ids)?
        .into_iter()
        .map(|mut row| col::<String>(&mut row, 0))
        .collect()
}

/// The ids of these messages already stored.
pub(crate) fn stored_messages(
    q: &mut impl Queryable,
    ctx: &Ctx,
    ids: &[String],
) -> Res<HashSet<String>> {
    Ok(ids_in(q, &ctx.t.messages, ids, "")?.into_iter().collect())
}

pub(crate) fn message_row(m: &NewMessage, ctx: &Ctx) -> [Value; 5] {
    [
        m.id.as_str().into(),
        m.network_id.into(),
        m.event.as_str().into(),
        m.payload.as_slice().into(),
        ctx.db(m.created_at).into(),
    ]
}

fn delivery_rows(
    item: &PersistItem<'_>,
    ctx: &Ctx,
    owner: &str,
    lease_until: i64,
    now: i64,
) -> Vec<[Value; 11]> {
    let m = item.message;
    let now = ctx.db(now);
    let lease = ctx.db(lease_until);
    item.deliveries
        .iter()
        .map(|(delivery_id, webhook_id, leased)| {
            let (lease_owner, lease_until, next) = if *leased {
                (Value::from(owner), Value::from(lease), lease)
            } else {
                (Value::NULL, Value::NULL, now)
            };
            [
                delivery_id.as_str().into(),
                m.id.as_str().into(),
                (*webhook_id).into(),
                m.event.as_str().into(),
                "pending".into(),
                (item.is_test as i64).into(),
                next.into(),
                lease_owner,
                lease_until,
                now.into(),
                now.into(),
            ]
        })
        .collect()
}

pub(crate) const IGNORE: &str = "INSERT IGNORE";
pub(crate) const MESSAGE_COLUMNS: &str = "(id, network_id, event, payload, created_at)";
pub(crate) const DELIVERY_COLUMNS: &str = "(id, message_id, webhook_id, event, status, is_test, \
     next_attempt_at, lease_owner, lease_until, created_at, updated_at)";

/// `INSERT IGNORE` (or `verb`) of rows in pieces of the shared shapes (each within
/// `INSERT_BYTES` by `weight`); the number of rows inserted.
pub(crate) fn insert_rows<const N: usize>(
    tx: &mut Transaction<'_>,
    verb: &str,
    table: &str,
    columns: &str,
    rows: Vec<[Value; N]>,
    weight: impl Fn(usize) -> usize,
) -> Res<u64> {
    let one = format!("({})", marks(N));
    let mut inserted = 0;
    let shapes = pieces(rows.len(), weight, INSERT_BYTES);
    let mut rows = rows.into_iter();
    for (_, len) in shapes {
        let values = vec![one.as_str(); len].join(", ");
        let sql = format!("{verb} INTO {table} {columns} VALUES {values}");
        let args: Vec<Value> = rows.by_ref().take(len).flatten().collect();
        tx.exec_drop(sql, args)?;
        inserted += tx.affected_rows();
    }
    Ok(inserted)
}

fn persist_batched(
    tx: &mut Transaction<'_>,
    ctx: &Ctx,
    batch: &[PersistItem<'_>],
    owner: &str,
    lease_until: i64,
    now: i64,
) -> Res<()> {
    // Already stored (a spool replay of a message its process had committed): skipped with its
    // deliveries. A message twice in one batch counts once.
    let ids: Vec<String> = batch.iter().map(|i| i.message.id.clone()).collect();
    let mut seen = stored_messages(tx, ctx, &ids)?;
    let fresh: Vec<&PersistItem<'_>> = batch
        .iter()
        .filter(|i| seen.insert(i.message.id.clone()))
        .collect();
    if fresh.is_empty() {
        return Ok(());
    }
    let messages: Vec<[Value; 5]> = fresh.iter().map(|i| message_row(i.message, ctx)).collect();
    let sizes: Vec<usize> = fresh.iter().map(|i| i.message.payload.len() + 64).collect();
    let inserted = insert_rows(
        tx,
        IGNORE,
        &ctx.t.messages,
        MESSAGE_COLUMNS,
        messages,
        |i| sizes[i],
    )?;
    if inserted < fresh.len() as u64 {
        return Err(Fault::Refused(StoreErrorKind::Other, RACED.into()));
    }
    let deliveries = fresh
        .iter()
        .flat_map(|i| delivery_rows(i, ctx, owner, lease_until, now))
        .collect();
    insert_deliveries(tx, ctx, deliveries)?;
    Ok(())
}

pub(crate) fn insert_deliveries(
    tx: &mut Transaction<'_>,
    ctx: &Ctx,
    rows: Vec<[Value; 11]>,
) -> Res<u64> {
    insert_rows(
        tx,
        IGNORE,
        &ctx.t.deliveries,
        DELIVERY_COLUMNS,
        rows,
        |_| 128,
    )
}

/// Message by message, each insert telling whether this transaction stored it (it waits for a
/// concurrent insert of the same id to commit or roll back).
fn persist_one_by_one(
    tx: &mut Transaction<'_>,
    ctx: &Ctx,
    batch: &[PersistItem<'_>],
    owner: &str,
    lease_until: i64,
    now: i64,
) -> Res<()> {
    for item in batch {
        let inserted = insert_rows(
            tx,
            IGNORE,
            &ctx.t.messages,
            MESSAGE_COLUMNS,
            vec![message_row(item.message, ctx)],
            |_| 0,
        )?;
        if inserted == 0 {
            continue;
        }
        insert_deliveries(tx, ctx, delivery_rows(item, ctx, owner, lease_until, now))?;
    }
    Ok(())
}

pub(crate) fn record(
    store: &mut MysqlStore,
    outcomes: &[Outcome],
    now: i64,
    disable_failing_since_before: i64,
) -> StoreResult<()> {
    if outcomes.is_empty() {
        return Ok(());
    }
    store.tx(|tx, ctx| {
        let t = &ctx.t;
        let db_now = ctx.db(now);
        let attempts: Vec<[Value; 9]> = outcomes.iter().map(|o| attempt_row(o, ctx)).collect();
        let sizes: Vec<usize> = outcomes
            .iter()
            .map(|o| 256 + o.attempt.response_body.len() + o.attempt.url.len())
            .collect();
        insert_rows(
            tx,
            IGNORE,
            &t.attempts,
            ATTEMPT_COLUMNS,
            attempts,
            |i| sizes[i],
        )?;
        // Finished deliveries in one statement per status; retries each have their own time.
        for status in [DeliveryStatus::Delivered, DeliveryStatus::Failed] {
            let mut ids: Vec<&str> = outcomes
                .iter()
                .filter(|o| match o.transition {
                    Transition::Delivered => status == DeliveryStatus::Delivered,
                    Transition::Failed => status == DeliveryStatus::Failed,
                    Transition::Retry { .. } => false,
                })
                .map(|o| o.delivery_id.as_str())
                .collect();
            ids.sort_unstable();
            let sql = format!(
                "UPDATE {} SET status = ?, attempt_count = attempt_count + 1, next_attempt_at = NULL, \
                 lease_owner = NULL, lease_until = NULL, updated_at = ? WHERE id IN ({{in}})",
                t.deliveries
            );
            change_in(tx, &sql, &[status.as_str().into(), db_now.into()], &ids)?;
        }
        let retry_sql = format!(
            "UPDATE {} SET status = 'retrying', attempt_count = attempt_count + 1, next_attempt_at = ?, \
             lease_owner = NULL, lease_until = NULL, updated_at = ? WHERE id = ?",
            t.deliveries
        );
        for o in outcomes {
            if let Transition::Retry { next_attempt_at } = o.transition {
                tx.exec_drop(&retry_sql, (ctx.db(next_attempt_at), db_now, o.delivery_id.as_str()))?;
            }
        }
        let mut disabled = 0u64;
        let counters = format!(
            "UPDATE {} SET delivered_count = delivered_count + ?, failed_count = failed_count + ?, \
             last_delivery_at = GREATEST(COALESCE(last_delivery_at, 0), ?), last_status = ?, last_status_code = ?, \
             failing_since = CASE ? WHEN 0 THEN failing_since WHEN 1 THEN NULL \
             WHEN 2 THEN COALESCE(failing_since, ?) ELSE ? END WHERE id = ?",
            t.webhooks
        );
        let disable_failing = format!(
            "UPDATE {} SET active = 0, disabled_at = ?, revision = revision + 1, \
             disabled_reason = CONCAT('every delivery has failed since ', \
             DATE_FORMAT(FROM_UNIXTIME(FLOOR(failing_since / 1000)), '%Y-%m-%d %H:%i:%s'), ' UTC') \
             WHERE id = ? AND disabled_at IS NULL AND failing_since IS NOT NULL AND failing_since <= ?",
            t.webhooks
        );
        for (webhook_id, d) in webhook_deltas(outcomes) {
            let (mode, since) = match d.failing_since {
                FailingSince::Unchanged => (0, None),
                FailingSince::Clear => (1, None),
                FailingSince::SetIfUnset(t) => (2, Some(t)),
                FailingSince::Reset(t) => (3, Some(t)),
            };
            let since = ctx.db_opt(since);
            tx.exec_drop(
                &counters,
                vec![
                    Value::from(d.delivered),
                    d.failed.into(),
                    ctx.db(d.last_delivery_at).into(),
                    d.last_status.into(),
                    d.last_status_code.into(),
                    mode.into(),
                    since.into(),
                    since.into(),
                    webhook_id.into(),
                ],
            )?;
            if d.last_status != "delivered" {
                tx.exec_drop(
                    &disable_failing,
                    (db_now, webhook_id, ctx.db(disable_failing_since_before)),
                )?;
                disabled += tx.affected_rows();
            }
        }
        let disable = format!(
            "UPDATE {} SET active = 0, disabled_at = ?, disabled_reason = ?, revision = revision + 1 \
             WHERE id = ? AND disabled_at IS NULL",
            t.webhooks
        );
        for o in outcomes {
            if let Some(reason) = &o.disable {
                tx.exec_drop(&disable, (db_now, reason.as_str(), o.webhook_id))?;
                disabled += tx.affected_rows();
            }
        }
        record_stats(tx, ctx, outcomes)?;
        if disabled > 0 {
            bump_version(tx, ctx)?;
        }
        Ok(())
    })
}

pub(crate) const ATTEMPT_COLUMNS: &str =
    "(delivery_id, `time`, url, request_headers, status_code, \
     duration_ms, error, response_headers, response_body)";

fn attempt_row(o: &Outcome, ctx: &Ctx) -> [Value; 9] {
    let a = &o.attempt;
    let (url, sent) = if a.url.is_empty() {
        (Value::NULL, Value::NULL)
    } else {
        (a.url.as_str().into(), to_json(&a.request_headers).into())
    };
    let received = if a.response_headers.is_empty() {
        Value::NULL
    } else {
        to_json(&a.response_headers).into()
    };
    [
        o.delivery_id.as_str().into(),
        ctx.db(a.time_ms).into(),
        url,
        sent,
        a.status_code.map(i64::from).into(),
        a.duration_ms.into(),
        a.error.as_ref().map(|e| e.to_string()).into(),
        received,
        a.response_body.as_str().into(),
    ]
}

/// Add a batch's outcomes to the hourly rows (hours on the database's clock). The histogram is
/// merged here, so each row is read under its lock and written back.
fn record_stats(tx: &mut Transaction<'_>, ctx: &Ctx, outcomes: &[Outcome]) -> Res<()> {
    let shifted;
    let outcomes = if ctx.skew == 0 {
        outcomes
    } else {
        shifted = outcomes
            .iter()
            .map(|o| {
                let mut o = o.clone();
                o.attempt.time_ms = ctx.db(o.attempt.time_ms);
                o
            })
            .collect::<Vec<_>>();
        &shifted
    };
    let t = &ctx.t;
    let create = format!(
        "INSERT IGNORE INTO {} (webhook_id, `hour`, durations) VALUES (?, ?, '{{}}')",
        t.stats
    );
    let read = format!(
        "SELECT delivered, retrying, failed, durations FROM {} WHERE webhook_id = ? AND `hour` = ? FOR UPDATE",
        t.stats
    );
    let write = format!(
        "UPDATE {} SET delivered = ?, retrying = ?, failed = ?, durations = ? WHERE webhook_id = ? AND `hour` = ?",
        t.stats
    );
    for ((webhook_id, hour), mut delta) in stats_deltas(outcomes) {
        tx.exec_drop(&create, (webhook_id, hour))?;
        if let Some(mut r) = tx.exec_first::<Row, _, _>(&read, (webhook_id, hour))? {
            delta.delivered += col::<i64>(&mut r, 0)?;
            delta.retrying += col::<i64>(&mut r, 1)?;
            delta.failed += col::<i64>(&mut r, 2)?;
            delta
                .durations
                .merge(&Histogram::from_json(&col::<String>(&mut r, 3)?));
        }
        tx.exec_drop(
            &write,
            (
                delta.delivered,
                delta.retrying,
                delta.failed,
                delta.durations.to_json(),
                webhook_id,
                hour,
            ),
        )?;
    }
    Ok(())
}

pub(crate) fn release(
    store: &mut MysqlStore,
    owner: &str,
    delivery_ids: &[String],
    now: i64,
) -> StoreResult<()> {
    if delivery_ids.is_empty() {
        return Ok(());
    }
    store.tx(|tx, ctx| {
        let sql = format!(
            "UPDATE {} SET lease_owner = NULL, lease_until = NULL, next_attempt_at = ? \
             WHERE lease_owner = ? AND id IN ({{in}})",
            ctx.t.deliveries
        );
        change_in(tx, &sql, &[ctx.db(now).into(), owner.into()], delivery_ids)?;
        Ok(())
    })
}

pub(crate) fn unattempted(
    store: &mut MysqlStore,
    delivery_ids: &[String],
) -> StoreResult<Vec<String>> {
    store.run(|conn, ctx| {
        ids_in(
            conn,
            &ctx.t.deliveries,
            delivery_ids,
            " AND status = 'pending' AND attempt_count = 0",
        )
    })
}
