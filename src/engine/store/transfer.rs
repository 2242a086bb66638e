//! Moving over: copying one store into another (SQLite → MySQL when a network grows to several
//! web servers, or back), in batches, resumable from a cursor, and idempotent — running it again
//! skips what is already there.
//!
//! What is copied, in this order: webhooks with their ids and secrets (the previous secret and
//! its grace period too, so receivers keep verifying), deliveries still waiting (pending or
//! retrying) with their messages and earlier attempts, optionally the log (finished deliveries
//! with their attempts), and the hourly statistics. Leases are not copied: a delivery in flight
//! on the old store waits in the new one until its lease would have run out, then goes again
//! (at least once, as always). Copy, switch `umw.store`, then copy again to catch what arrived
//! in between.

use crate::engine::model::*;
use crate::engine::store::{Store, StoreResult};

/// A part of a store, exported in key order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Section {
    /// By webhook id.
    Webhooks,
    /// Pending and retrying deliveries, by delivery id.
    Waiting,
    /// Delivered and failed deliveries, by delivery id.
    Log,
    /// Hourly statistics, by (webhook id, hour).
    Stats,
}

impl Section {
    pub fn name(self) -> &'static str {
        match self {
            Section::Webhooks => "webhooks",
            Section::Waiting => "waiting",
            Section::Log => "log",
            Section::Stats => "stats",
        }
    }

    fn parse(name: &str) -> Option<Section> {
        [
            Section::Webhooks,
            Section::Waiting,
            Section::Log,
            Section::Stats,
        ]
        .into_iter()
        .find(|s| s.name() == name)
    }
}

/// A delivery as stored, without its lease.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredDelivery {
    pub id: String,
    pub message_id: String,
    pub webhook_id: i64,
    pub event: String,
    pub status: String,
    pub is_test: bool,
    pub attempt_count: i64,
    pub next_attempt_at: Option<i64>,
    pub created_at: i64,
    pub updated_at: i64,
}

impl StoredDelivery {
    pub fn is_waiting(&self) -> bool {
        self.status == "pending" || self.status == "retrying"
    }
}

/// `(webhook id, hour)` from a stats key (`"12:1800000000000"`); before the first for `""`.
pub fn stats_key(after: &str) -> (i64, i64) {
    after
        .split_once(':')
        .and_then(|(w, h)| Some((w.parse().ok()?, h.parse().ok()?)))
        .unwrap_or((i64::MIN, i64::MIN))
}

/// One page of an export: the rows of one section, and what they need.
#[derive(Debug, Clone, Default)]
pub struct Export {
    pub webhooks: Vec<Webhook>,
    /// The messages the deliveries belong to.
    pub messages: Vec<NewMessage>,
    pub deliveries: Vec<StoredDelivery>,
    /// (delivery id, attempt), oldest first per delivery.
    pub attempts: Vec<(String, AttemptView)>,
    /// (webhook id, the hour's row with `start_ms` the hour).
    pub stats: Vec<(i64, StatsBucket)>,
    /// The key to continue after; None when the section is done.
    pub next: Option<String>,
}

impl Export {
    /// Rows of the section itself (what a progress bar counts).
    pub fn rows(&self) -> u64 {
        (self.webhooks.len() + self.deliveries.len() + self.stats.len()) as u64
    }

    /// `next`: the last key when the page is full, None when the section ended on this page.
    pub fn continue_after(&mut self, rows: usize, limit: usize, last_key: Option<String>) {
        self.next = if rows >= limit { last_key } else { None };
    }
}

/// What an import wrote, and what it found already there.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Imported {
    pub webhooks: u64,
    pub messages: u64,
    pub deliveries: u64,
    pub attempts: u64,
    pub stats: u64,
    /// Webhooks, messages and deliveries that were there already.
    pub skipped: u64,
}

impl Imported {
    pub fn add(&mut self, other: Imported) {
        self.webhooks += other.webhooks;
        self.messages += other.messages;
        self.deliveries += other.deliveries;
        self.attempts += other.attempts;
        self.stats += other.stats;
        self.skipped += other.skipped;
    }
}

/// A webhook id already in the target is the same webhook when it was created at the same time:
/// it is replaced by the incoming row (so edits made on the old store before the switch arrive
/// with the second copy). Another webhook under that id stops the copy rather than merge them.
pub fn different_webhook_message(id: i64) -> String {
    format!(
        "webhook id {id} is already used by a different webhook in the target store; copy into an \
         empty store (or the one an earlier copy filled)"
    )
}

#[derive(Debug, Clone)]
pub struct CopyOptions {
    /// Also the finished deliveries with their attempts.
    pub with_log: bool,
    pub with_stats: bool,
    /// Rows per step.
    pub batch: usize,
}

impl Default for CopyOptions {
    fn default() -> Self {
        CopyOptions {
            with_log: false,
            with_stats: true,
            batch: 500,
        }
    }
}

/// Where a copy is: the section, the key to continue after, and the totals measured when it
/// began (carried along so each step does not count the whole store again). Opaque to callers.
#[derive(Debug, Clone, PartialEq)]
pub struct Cursor {
    pub section: Section,
    pub after: String,
    pub total: i64,
    pub done_rows: i64,
}

impl Cursor {
    pub fn encode(&self) -> String {
        format!(
            "v1:{}:{}:{}:{}",
            self.total,
            self.done_rows,
            self.section.name(),
            self.after
        )
    }

    pub fn decode(text: &str) -> Option<Cursor> {
        let mut parts = text.splitn(5, ':');
        if parts.next()? != "v1" {
            return None;
        }
        let total = parts.next()?.parse().ok()?;
        let done_rows = parts.next()?.parse().ok()?;
        let section = Section::parse(parts.next()?)?;
        let after = parts.next()?.to_string();
        Some(Cursor {
            section,
            after,
            total,
            done_rows,
        })
    }
}

/// What one step of a copy did.
#[derive(Debug, Clone)]
pub struct CopyStep {
    pub imported: Imported,
    /// Rows read from the source in this step.
    pub exported: u64,
    /// Rows of the chosen sections in the source when the copy began.
    pub total: i64,
    /// Rows read so far, this step included.
    pub done_rows: i64,
    /// Where to continue; None when everything is copied.
    pub cursor: Option<Cursor>,
}

fn sections(options: &CopyOptions) -> Vec<Section> {
    let mut out = vec![Section::Webhooks, Section::Waiting];
    if options.with_log {
        out.push(Section::Log);
    }
    if options.with_stats {
        out.push(Section::Stats);
    }
    out
}

/// Copy one page of `from` into `to`, continuing at `cursor` (None: from the start).
pub fn copy_step(
    from: &mut dyn Store,
    to: &mut dyn Store,
    cursor: Option<&Cursor>,
    options: &CopyOptions,
) -> StoreResult<CopyStep> {
    let order = sections(options);
    let cursor = match cursor {
        Some(c) => c.clone(),
        None => {
            let mut total = 0;
            for section in &order {
                total += from.export_total(*section)?;
            }
            Cursor {
                section: order[0],
                after: String::new(),
                total,
                done_rows: 0,
            }
        }
    };
    let page = from.export(cursor.section, &cursor.after, options.batch.max(1))?;
    let imported = to.import(&page)?;
    let exported = page.rows();
    let done_rows = cursor.done_rows + exported as i64;
    let next = match page.next {
        Some(after) => Some(Cursor {
            after,
            done_rows,
            ..cursor.clone()
        }),
        None => order
            .iter()
            .skip_while(|s| **s != cursor.section)
            .nth(1)
            .map(|section| Cursor {
                section: *section,
                after: String::new(),
                total: cursor.total,
                done_rows,
            }),
    };
    Ok(CopyStep {
        imported,
        exported,
        total: cursor.total,
        done_rows,
        cursor: next,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_refuse_garbage() {
        let c = Cursor {
            section: Section::Stats,
            after: "12:1800000000000".into(),
            total: 99,
            done_rows: 40,
        };
        assert_eq!(Cursor::decode(&c.encode()), Some(c));
        for bad in [
            "",
            "v2:1:1:webhooks:",
            "v1:x:1:webhooks:",
            "v1:1:1:nope:",
            "v1:1:1",
        ] {
            assert_eq!(Cursor::decode(bad), None, "{bad}");
        }
    }
}
