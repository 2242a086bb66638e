//! The delivery log in MySQL/MariaDB: filtered pages, counts, one delivery with its attempts,
//! resend and replay, hourly statistics, pruning.

use crate::engine::model::*;
use crate::engine::stats::Histogram;
use crate::engine::store::mysql::{change_in, col, select_in, Ctx, MysqlStore, Res};
use crate::engine::store::shared::{headers_from_json, hour_of, rebucket};
use crate::engine::store::StoreResult;
use mysql::prelude::Queryable;
use mysql::{Row, Value};
use std::collections::HashMap;

/// `WHERE` clause and arguments for a delivery filter (deliveries `d`, messages `m`), times on
/// the database's clock.
fn delivery_where(filter: &DeliveryFilter, ctx: &Ctx) -> (String, Vec<Value>) {
    let mut clauses: Vec<&str> = Vec::new();
    let mut args: Vec<Value> = Vec::new();
    let mut push = |clause: &'static str, value: Value| {
        clauses.push(clause);
        args.push(value);
    };
    if let Some(id) = filter.webhook_id {
        push("d.webhook_id = ?", id.into());
    }
    if let Some(network) = filter.network_id {
        push("m.network_id = ?", network.into());
    }
    if let Some(event) = &filter.event {
        push("d.event = ?", event.as_str().into());
    }
    if let Some(status) = filter.status {
        push("d.status = ?", status.as_str().into());
    }
    if let Some(message_id) = &filter.message_id {
        push("d.message_id = ?", message_id.as_str().into());
    }
    if let Some(since) = filter.since_ms {
        push("d.created_at >= ?", ctx.db(since).into());
    }
    if let Some(until) = filter.until_ms {
        push("d.created_at < ?", ctx.db(until).into());
    }
    if let Some(is_test) = filter.is_test {
        push("d.is_test = ?", (is_test as i64).into());
    }
    let sql = if clauses.is_empty() {
        String::new()
    } else {
        format!("WHERE {}", clauses.join(" AND "))
    };
    (sql, args)
}

struct Page<'a> {
    sql_where: &'a str,
    args: Vec<Value>,
    limit: usize,
    offset: usize,
    with_payload: bool,
    /// The join to messages is needed for payloads and the network filter only.
    join: bool,
}

fn delivery_rows(
    q: &mut impl Queryable,
    ctx: &Ctx,
    page: Page<'_>,
    now: i64,
) -> Res<Vec<DeliveryView>> {
    let payload = if page.with_payload {
        "m.payload"
    } else {
        "NULL"
    };
    let join = if page.join || page.with_payload {
        format!("LEFT JOIN {} m ON m.id = d.message_id", ctx.t.messages)
    } else {
        String::new()
    };
    let sql = format!(
        "SELECT d.id, d.message_id, d.webhook_id, d.event, d.status, d.is_test, d.next_attempt_at, \
         d.created_at, {payload}, d.lease_until FROM {} d {join} {} \
         ORDER BY d.created_at DESC, d.id DESC LIMIT {} OFFSET {}",
        ctx.t.deliveries, page.sql_where, page.limit, page.offset
    );
    let db_now = ctx.db(now);
    let mut out = Vec::new();
    for mut r in q.exec::<Row, _, _>(sql, page.args)? {
        // A claim's `next_attempt_at` is its lease expiry (the retry should the attempt be
        // lost); while the lease runs the delivery is being sent.
        let in_flight = col::<Option<i64>>(&mut r, 9)?.is_some_and(|until| until > db_now);
        let status: String = col(&mut r, 4)?;
        let waiting = !in_flight && (status == "pending" || status == "retrying");
        let next: Option<i64> = col(&mut r, 6)?;
        let payload: Option<Vec<u8>> = col(&mut r, 8)?;
        out.push(DeliveryView {
            id: col(&mut r, 0)?,
            message_id: col(&mut r, 1)?,
            webhook_id: col(&mut r, 2)?,
            event: col(&mut r, 3)?,
            status,
            is_test: col::<i64>(&mut r, 5)? != 0,
            attempts: Vec::new(),
            next_attempt_at: if waiting { ctx.local_opt(next) } else { None },
            in_flight,
            created_at: ctx.local(col(&mut r, 7)?),
            payload: payload.map(|p| String::from_utf8_lossy(&p).into_owned()),
        });
    }
    let ids: Vec<String> = out.iter().map(|d| d.id.clone()).collect();
    let mut attempts: HashMap<String, Vec<AttemptView>> = HashMap::new();
    for (id, attempt) in attempts_of(q, ctx, &ids)? {
        attempts.entry(id).or_default().push(attempt);
    }
    for view in &mut out {
        view.attempts = attempts.remove(&view.id).unwrap_or_default();
    }
    Ok(out)
}

/// The attempts of these deliveries as (delivery id, attempt), oldest first: one query per
/// piece of ids, not one per delivery.
pub(crate) fn attempts_of(
    q: &mut impl Queryable,
    ctx: &Ctx,
    ids: &[String],
) -> Res<Vec<(String, AttemptView)>> {
    let sql = format!(
        "SELECT delivery_id, `time`, url, request_headers, status_code, duration_ms, error, \
         response_headers, response_body FROM {} WHERE delivery_id IN ({{in}}) ORDER BY id",
        ctx.t.attempts
    );
    let mut out = Vec::new();
    for mut r in select_in(q, &sql, &[], ids)? {
        let delivery_id: String = col(&mut r, 0)?;
        let view = AttemptView {
            time_ms: ctx.local(col(&mut r, 1)?),
            url: col(&mut r, 2)?,
            request_headers: headers_from_json(col::<Option<String>>(&mut r, 3)?.as_deref()),
            status_code: col(&mut r, 4)?,
            duration_ms: col(&mut r, 5)?,
            error: col(&mut r, 6)?,
            response_headers: headers_from_json(col::<Option<String>>(&mut r, 7)?.as_deref()),
            response_body: col(&mut r, 8)?,
        };
        out.push((delivery_id, view));
    }
    Ok(out)
}

pub(crate) fn deliveries(
    store: &mut MysqlStore,
    filter: &DeliveryFilter,
    now: i64,
) -> StoreResult<Vec<DeliveryView>> {
    store.run(|conn, ctx| {
        let (sql_where, args) = delivery_where(filter, ctx);
        let page = Page {
            sql_where: &sql_where,
            args,
            limit: filter.limit,
            offset: filter.offset,
            with_payload: filter.with_payload,
            join: filter.network_id.is_some(),
        };
        delivery_rows(conn, ctx, page, now)
    })
}

pub(crate) fn count_deliveries(
    store: &mut MysqlStore,
    filter: &DeliveryFilter,
) -> StoreResult<i64> {
    store.run(|conn, ctx| {
        let (sql_where, args) = delivery_where(filter, ctx);
        let join = if filter.network_id.is_some() {
            format!("JOIN {} m ON m.id = d.message_id", ctx.t.messages)
        } else {
            String::new()
        };
        let row: Option<Row> = conn.exec_first(
            format!(
                "SELECT COUNT(*) FROM {} d {join} {sql_where}",
                ctx.t.deliveries
            ),
            args,
        )?;
        match row {
            Some(mut r) => col(&mut r, 0),
            None => Ok(0),
        }
    })
}

pub(crate) fn delivery(
    store: &mut MysqlStore,
    id: &str,
    now: i64,
) -> StoreResult<Option<DeliveryView>> {
    store.run(|conn, ctx| {
        let page = Page {
            sql_where: "WHERE d.id = ?",
            args: vec![id.into()],
            limit: 1,
            offset: 0,
            with_payload: true,
            join: true,
        };
        Ok(delivery_rows(conn, ctx, page, now)?.into_iter().next())
    })
}

pub(crate) fn redeliver(store: &mut MysqlStore, id: &str, now: i64) -> StoreResult<bool> {
    store.tx(|tx, ctx| {
        let now = ctx.db(now);
        tx.exec_drop(
            format!(
                "UPDATE {} SET status = 'pending', next_attempt_at = ?, lease_owner = NULL, \
                 lease_until = NULL, updated_at = ? WHERE id = ?",
                ctx.t.deliveries
            ),
            (now, now, id),
        )?;
        Ok(tx.affected_rows() > 0)
    })
}

pub(crate) fn replay(
    store: &mut MysqlStore,
    webhook_id: i64,
    since: i64,
    now: i64,
) -> StoreResult<i64> {
    store.tx(|tx, ctx| {
        let now = ctx.db(now);
        tx.exec_drop(
            format!(
                "UPDATE {} SET status = 'pending', next_attempt_at = ?, lease_owner = NULL, \
                 lease_until = NULL, updated_at = ? WHERE webhook_id = ? AND status = 'failed' \
                 AND is_test = 0 AND created_at >= ?",
                ctx.t.deliveries
            ),
            (now, now, webhook_id, ctx.db(since)),
        )?;
        Ok(tx.affected_rows() as i64)
    })
}

pub(crate) fn counts(store: &mut MysqlStore) -> StoreResult<StoreCounts> {
    store.run(|conn, ctx| {
        let mut counts = StoreCounts::default();
        let rows: Vec<Row> = conn.query(format!(
            "SELECT status, COUNT(*) FROM {} GROUP BY status",
            ctx.t.deliveries
        ))?;
        for mut r in rows {
            let status: String = col(&mut r, 0)?;
            let n: i64 = col(&mut r, 1)?;
            match status.as_str() {
                "pending" => counts.pending = n,
                "retrying" => counts.retrying = n,
                "delivered" => counts.delivered = n,
                "failed" => counts.failed = n,
                _ => {}
            }
        }
        let row: Option<Row> = conn.query_first(format!(
            "SELECT (SELECT COUNT(*) FROM {}), (SELECT MIN(created_at) FROM {} \
             WHERE status IN ('pending', 'retrying'))",
            ctx.t.webhooks, ctx.t.deliveries
        ))?;
        if let Some(mut row) = row {
            counts.webhooks = col(&mut row, 0)?;
            counts.oldest_waiting_created_at = ctx.local_opt(col(&mut row, 1)?);
        }
        Ok(counts)
    })
}

pub(crate) fn delivery_stats(
    store: &mut MysqlStore,
    query: &StatsQuery,
) -> StoreResult<Vec<StatsBucket>> {
    let hourly = store.run(|conn, ctx| {
        let mut sql = format!(
            "SELECT `hour`, delivered, retrying, failed, durations FROM {} WHERE `hour` >= ? AND `hour` < ?",
            ctx.t.stats
        );
        let mut args: Vec<Value> = vec![
            hour_of(ctx.db(query.since_ms)).into(),
            ctx.db(query.until_ms).into(),
        ];
        if let Some(id) = query.webhook_id {
            sql.push_str(" AND webhook_id = ?");
            args.push(id.into());
        }
        let mut out = Vec::new();
        for mut r in conn.exec::<Row, _, _>(sql, args)? {
            out.push(StatsBucket {
                start_ms: ctx.local(col(&mut r, 0)?),
                delivered: col(&mut r, 1)?,
                retrying: col(&mut r, 2)?,
                failed: col(&mut r, 3)?,
                durations: Histogram::from_json(&col::<String>(&mut r, 4)?),
            });
        }
        Ok(out)
    })?;
    Ok(rebucket(hourly, query.since_ms, query.bucket_ms))
}

pub(crate) fn prune(store: &mut MysqlStore, before: i64, limit: usize) -> StoreResult<PruneReport> {
    store.tx(|tx, ctx| {
        let t = &ctx.t;
        // Rows a concurrent prune (another host) holds are left to it.
        let rows: Vec<Row> = tx.exec(
            format!(
                "SELECT id, message_id FROM {} WHERE created_at < ? AND status IN ('delivered', 'failed') \
                 ORDER BY created_at LIMIT ? FOR UPDATE SKIP LOCKED",
                t.deliveries
            ),
            (ctx.db(before), limit as u64),
        )?;
        let mut ids: Vec<String> = Vec::with_capacity(rows.len());
        let mut messages: Vec<String> = Vec::with_capacity(rows.len());
        for mut r in rows {
            ids.push(col(&mut r, 0)?);
            messages.push(col(&mut r, 1)?);
        }
        messages.sort();
        messages.dedup();
        let delete = |table: &str, column: &str| format!("DELETE FROM {table} WHERE {column} IN ({{in}})");
        Ok(PruneReport {
            attempts: change_in(tx, &delete(&t.attempts, "delivery_id"), &[], &ids)?,
            deliveries: change_in(tx, &delete(&t.deliveries, "id"), &[], &ids)?,
            messages: change_in(
                tx,
                &format!(
                    "DELETE FROM {m} WHERE id IN ({{in}}) AND NOT EXISTS \
                     (SELECT 1 FROM {d} d WHERE d.message_id = {m}.id)",
                    m = t.messages,
                    d = t.deliveries
                ),
                &[],
                &messages,
            )?,
        })
    })
}
