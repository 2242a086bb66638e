//! Webhooks in MySQL/MariaDB: CRUD, secret rotation, and the version counter every change moves
//! in its own transaction.

use crate::engine::model::*;
use crate::engine::store::mysql::{col, Ctx, MysqlStore, Res};
use crate::engine::store::shared::to_json;
use crate::engine::store::{StoreResult, WebhooksVersion};
use mysql::prelude::Queryable;
use mysql::{Row, Value};

pub(crate) const WEBHOOK_COLUMNS: &str =
    "id, network_id, external_id, revision, name, url, events, active, format, headers, secret, \
     previous_secret, previous_secret_until, created_at, updated_at, disabled_at, disabled_reason, \
     failing_since, delivered_count, failed_count, last_delivery_at, last_status, last_status_code";

/// A row of `WEBHOOK_COLUMNS`, its times on the caller's clock.
pub(crate) fn webhook_from_row(mut r: Row, ctx: &Ctx) -> Res<Webhook> {
    let events: String = col(&mut r, 6)?;
    let format: String = col(&mut r, 8)?;
    let headers: String = col(&mut r, 9)?;
    Ok(Webhook {
        id: col(&mut r, 0)?,
        network_id: col(&mut r, 1)?,
        external_id: col(&mut r, 2)?,
        revision: col(&mut r, 3)?,
        name: col(&mut r, 4)?,
        url: col(&mut r, 5)?,
        events: serde_json::from_str(&events).unwrap_or_default(),
        active: col::<i64>(&mut r, 7)? != 0,
        format: Format::parse(&format).unwrap_or(Format::Flat),
        headers: serde_json::from_str(&headers).unwrap_or_default(),
        secret: col(&mut r, 10)?,
        previous_secret: col(&mut r, 11)?,
        previous_secret_until: ctx.local_opt(col(&mut r, 12)?),
        created_at: ctx.local(col(&mut r, 13)?),
        updated_at: ctx.local(col(&mut r, 14)?),
        disabled_at: ctx.local_opt(col(&mut r, 15)?),
        disabled_reason: col(&mut r, 16)?,
        failing_since: ctx.local_opt(col(&mut r, 17)?),
        delivered_count: col(&mut r, 18)?,
        failed_count: col(&mut r, 19)?,
        last_delivery_at: ctx.local_opt(col(&mut r, 20)?),
        last_status: col(&mut r, 21)?,
        last_status_code: col(&mut r, 22)?,
    })
}

/// Tell every process, on every host, that the webhooks changed (in the caller's transaction).
pub(crate) fn bump_version(q: &mut impl Queryable, ctx: &Ctx) -> Res<()> {
    q.query_drop(format!(
        "UPDATE {} SET value = value + 1 WHERE name = 'webhooks_version'",
        ctx.t.meta
    ))?;
    Ok(())
}

pub(crate) fn insert(
    store: &mut MysqlStore,
    input: &WebhookInput,
    secret: &str,
    now: i64,
) -> StoreResult<i64> {
    let events = input
        .events
        .clone()
        .unwrap_or_else(|| vec![WILDCARD.to_string()]);
    let headers = input.headers.clone().unwrap_or_default();
    store
        .tx(|tx, ctx| {
            let now = ctx.db(now);
            tx.exec_drop(
                format!(
                    "INSERT INTO {} (network_id, external_id, name, url, events, active, format, \
                     headers, secret, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    ctx.t.webhooks
                ),
                vec![
                    Value::from(input.network_id.unwrap_or(DEFAULT_NETWORK)),
                    Value::from(input.external_id.clone().flatten()),
                    Value::from(input.name.as_deref().unwrap_or_default()),
                    Value::from(input.url.as_deref().unwrap_or_default()),
                    Value::from(to_json(&events)),
                    Value::from(input.active.unwrap_or(true) as i64),
                    Value::from(input.format.unwrap_or(Format::Flat).as_str()),
                    Value::from(to_json(&headers)),
                    Value::from(secret),
                    Value::from(now),
                    Value::from(now),
                ],
            )?;
            let id = tx.last_insert_id().unwrap_or(0) as i64;
            bump_version(tx, ctx)?;
            Ok(id)
        })
        .map_err(|e| e.explain_conflict(input))
}

pub(crate) fn get(store: &mut MysqlStore, id: i64) -> StoreResult<Option<Webhook>> {
    store.run(|conn, ctx| {
        let row: Option<Row> = conn.exec_first(
            format!(
                "SELECT {WEBHOOK_COLUMNS} FROM {} WHERE id = ?",
                ctx.t.webhooks
            ),
            (id,),
        )?;
        row.map(|r| webhook_from_row(r, ctx)).transpose()
    })
}

pub(crate) fn list(store: &mut MysqlStore, filter: &WebhookFilter) -> StoreResult<Vec<Webhook>> {
    let all = store.run(|conn, ctx| {
        let mut sql = format!(
            "SELECT {WEBHOOK_COLUMNS} FROM {} WHERE 1 = 1",
            ctx.t.webhooks
        );
        let mut args: Vec<Value> = Vec::new();
        if let Some(network) = filter.network_id {
            args.push(network.into());
            sql.push_str(" AND network_id = ?");
        }
        if let Some(external) = &filter.external_id {
            args.push(external.as_str().into());
            sql.push_str(" AND external_id = ?");
        }
        match filter.active {
            Some(true) => sql.push_str(" AND active = 1 AND disabled_at IS NULL"),
            Some(false) => sql.push_str(" AND (active = 0 OR disabled_at IS NOT NULL)"),
            None => {}
        }
        sql.push_str(" ORDER BY id");
        let rows: Vec<Row> = conn.exec(sql, args)?;
        rows.into_iter()
            .map(|r| webhook_from_row(r, ctx))
            .collect::<Res<Vec<_>>>()
    })?;
    Ok(all
        .into_iter()
        .filter(|w| filter.event.as_ref().is_none_or(|e| w.subscribes_to(e)))
        .collect())
}

pub(crate) fn update(
    store: &mut MysqlStore,
    id: i64,
    input: &WebhookInput,
    now: i64,
) -> StoreResult<Option<Webhook>> {
    let mut assignments: Vec<&str> = Vec::new();
    let mut args: Vec<Value> = Vec::new();
    let mut set = |assignment: &'static str, value: Value| {
        assignments.push(assignment);
        args.push(value);
    };
    if let Some(v) = input.network_id {
        set("network_id = ?", v.into());
    }
    if let Some(v) = &input.external_id {
        set("external_id = ?", v.clone().into());
    }
    if let Some(v) = &input.name {
        set("name = ?", v.as_str().into());
    }
    if let Some(v) = &input.url {
        set("url = ?", v.as_str().into());
    }
    if let Some(v) = &input.events {
        set("events = ?", to_json(v).into());
    }
    if let Some(v) = &input.headers {
        set("headers = ?", to_json(v).into());
    }
    if let Some(v) = input.format {
        set("format = ?", v.as_str().into());
    }
    if let Some(v) = &input.secret {
        set("secret = ?", v.as_str().into());
    }
    if let Some(v) = input.active {
        set("active = ?", (v as i64).into());
    }
    if input.active == Some(true) {
        // Switching a webhook back on is how an admin says "the endpoint is fixed".
        assignments.push("disabled_at = NULL, disabled_reason = NULL, failing_since = NULL");
    }
    assignments.push("updated_at = ?, revision = revision + 1");
    let changed = store
        .tx(|tx, ctx| {
            args.push(ctx.db(now).into());
            args.push(id.into());
            let sql = format!(
                "UPDATE {} SET {} WHERE id = ?",
                ctx.t.webhooks,
                assignments.join(", ")
            );
            tx.exec_drop(sql, args)?;
            // `revision + 1` always changes the row, so affected rows = matched rows.
            let changed = tx.affected_rows() > 0;
            if changed {
                bump_version(tx, ctx)?;
            }
            Ok(changed)
        })
        .map_err(|e| e.explain_conflict(input))?;
    if !changed {
        return Ok(None);
    }
    get(store, id)
}

pub(crate) fn delete(store: &mut MysqlStore, id: i64) -> StoreResult<bool> {
    store.tx(|tx, ctx| {
        let t = &ctx.t;
        tx.exec_drop(
            format!(
                "DELETE a FROM {} a JOIN {} d ON d.id = a.delivery_id WHERE d.webhook_id = ?",
                t.attempts, t.deliveries
            ),
            (id,),
        )?;
        // Payloads only this webhook's deliveries use.
        tx.exec_drop(
            format!(
                "DELETE m FROM {m} m JOIN {d} d ON d.message_id = m.id AND d.webhook_id = ? \
                 WHERE NOT EXISTS (SELECT 1 FROM {d} o WHERE o.message_id = m.id AND o.webhook_id <> ?)",
                m = t.messages,
                d = t.deliveries
            ),
            (id, id),
        )?;
        tx.exec_drop(
            format!("DELETE FROM {} WHERE webhook_id = ?", t.deliveries),
            (id,),
        )?;
        tx.exec_drop(
            format!("DELETE FROM {} WHERE webhook_id = ?", t.stats),
            (id,),
        )?;
        tx.exec_drop(format!("DELETE FROM {} WHERE id = ?", t.webhooks), (id,))?;
        let deleted = tx.affected_rows() > 0;
        if deleted {
            bump_version(tx, ctx)?;
        }
        Ok(deleted)
    })
}

pub(crate) fn rotate(
    store: &mut MysqlStore,
    id: i64,
    new_secret: &str,
    grace_until: i64,
    now: i64,
) -> StoreResult<bool> {
    store.tx(|tx, ctx| {
        // MySQL assigns left to right: previous_secret takes the old secret before it changes.
        tx.exec_drop(
            format!(
                "UPDATE {} SET previous_secret = secret, previous_secret_until = ?, secret = ?, \
                 updated_at = ?, revision = revision + 1 WHERE id = ?",
                ctx.t.webhooks
            ),
            (ctx.db(grace_until), new_secret, ctx.db(now), id),
        )?;
        let rotated = tx.affected_rows() > 0;
        if rotated {
            bump_version(tx, ctx)?;
        }
        Ok(rotated)
    })
}

pub(crate) fn version(store: &mut MysqlStore) -> StoreResult<WebhooksVersion> {
    store.run(|conn, ctx| {
        let row: Option<Row> = conn.query_first(format!(
            "SELECT value FROM {} WHERE name = 'webhooks_version'",
            ctx.t.meta
        ))?;
        let value = match row {
            Some(mut r) => col::<i64>(&mut r, 0)?,
            None => 0,
        };
        Ok(WebhooksVersion(value, 0))
    })
}
