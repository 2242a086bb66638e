//! What every backend computes the same way: stored forms of lists and maps, the hourly
//! statistics deltas of a batch of outcomes, and the webhook counters a batch moves.

use crate::engine::model::StatsBucket;
use crate::engine::store::{Outcome, Transition};
use std::collections::BTreeMap;

pub const HOUR_MS: i64 = 3_600_000;

pub fn to_json<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_else(|_| "[]".to_string())
}

pub fn headers_from_json(text: Option<&str>) -> Vec<(String, String)> {
    text.and_then(|t| serde_json::from_str(t).ok())
        .unwrap_or_default()
}

pub fn hour_of(ms: i64) -> i64 {
    ms.div_euclid(HOUR_MS) * HOUR_MS
}

/// Per (webhook, hour): what a batch of outcomes adds to the statistics. Test sends are left out.
pub fn stats_deltas(outcomes: &[Outcome]) -> BTreeMap<(i64, i64), StatsBucket> {
    let mut out: BTreeMap<(i64, i64), StatsBucket> = BTreeMap::new();
    for o in outcomes.iter().filter(|o| !o.is_test) {
        let hour = hour_of(o.attempt.time_ms);
        let bucket = out
            .entry((o.webhook_id, hour))
            .or_insert_with(|| StatsBucket {
                start_ms: hour,
                ..Default::default()
            });
        match o.transition {
            Transition::Delivered => bucket.delivered += 1,
            Transition::Retry { .. } => bucket.retrying += 1,
            Transition::Failed => bucket.failed += 1,
        }
        // Attempts that never reached the wire (blocked, invalid URL) have no response time.
        if o.attempt.status_code.is_some() || o.attempt.duration_ms > 0.0 {
            bucket.durations.record(o.attempt.duration_ms);
        }
    }
    out
}

/// Hourly rows into the caller's buckets (`bucket_ms` a multiple of an hour), oldest first.
pub fn rebucket(hourly: Vec<StatsBucket>, since_ms: i64, bucket_ms: i64) -> Vec<StatsBucket> {
    let mut out: BTreeMap<i64, StatsBucket> = BTreeMap::new();
    for row in hourly {
        let start = since_ms + (row.start_ms - since_ms).div_euclid(bucket_ms) * bucket_ms;
        let b = out.entry(start).or_insert_with(|| StatsBucket {
            start_ms: start,
            ..Default::default()
        });
        b.delivered += row.delivered;
        b.retrying += row.retrying;
        b.failed += row.failed;
        b.durations.merge(&row.durations);
    }
    out.into_values().collect()
}

/// How a batch moves one webhook's counters and last-delivery fields, in outcome order.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct WebhookDelta {
    pub delivered: i64,
    pub failed: i64,
    pub last_delivery_at: i64,
    pub last_status: &'static str,
    pub last_status_code: Option<i64>,
    /// A success after the last failure clears `failing_since`; a failure sets it if unset.
    pub failing_since: FailingSince,
}

#[derive(Debug, Default, Clone, Copy, PartialEq)]
pub enum FailingSince {
    #[default]
    Unchanged,
    Clear,
    /// Set to this time unless already failing.
    SetIfUnset(i64),
    /// Cleared by a success, then failing again from this time.
    Reset(i64),
}

/// One delta per webhook, folding the batch in order (only the last state and the sums matter).
pub fn webhook_deltas(outcomes: &[Outcome]) -> BTreeMap<i64, WebhookDelta> {
    let mut out: BTreeMap<i64, WebhookDelta> = BTreeMap::new();
    for o in outcomes {
        let d = out.entry(o.webhook_id).or_default();
        let time = o.attempt.time_ms;
        d.last_delivery_at = d.last_delivery_at.max(time);
        d.last_status_code = o.attempt.status_code.map(i64::from);
        match o.transition {
            Transition::Delivered => {
                d.delivered += 1;
                d.last_status = "delivered";
                d.failing_since = FailingSince::Clear;
            }
            Transition::Retry { .. } | Transition::Failed => {
                if o.transition == Transition::Failed {
                    d.failed += 1;
                    d.last_status = "failed";
                } else {
                    d.last_status = "retrying";
                }
                d.failing_since = match d.failing_since {
                    FailingSince::Unchanged => FailingSince::SetIfUnset(time),
                    FailingSince::Clear => FailingSince::Reset(time),
                    kept => kept,
                };
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::model::AttemptResult;

    fn outcome(webhook: i64, time: i64, code: u16, transition: Transition) -> Outcome {
        Outcome {
            delivery_id: format!("dlv_{time}"),
            webhook_id: webhook,
            attempt: AttemptResult {
                time_ms: time,
                status_code: Some(code),
                duration_ms: 10.0,
                ..Default::default()
            },
            transition,
            disable: None,
            is_test: false,
        }
    }

    #[test]
    fn webhook_deltas_fold_in_order() {
        let retry = Transition::Retry { next_attempt_at: 0 };
        let cases: Vec<(Vec<Outcome>, WebhookDelta)> = vec![
            (
                vec![
                    outcome(1, 10, 200, Transition::Delivered),
                    outcome(1, 11, 500, Transition::Failed),
                    outcome(1, 13, 204, Transition::Delivered),
                ],
                WebhookDelta {
                    delivered: 2,
                    failed: 1,
                    last_delivery_at: 13,
                    last_status: "delivered",
                    last_status_code: Some(204),
                    failing_since: FailingSince::Clear,
                },
            ),
            (
                vec![
                    outcome(1, 20, 200, Transition::Delivered),
                    outcome(1, 21, 503, retry.clone()),
                ],
                WebhookDelta {
                    delivered: 1,
                    failed: 0,
                    last_delivery_at: 21,
                    last_status: "retrying",
                    last_status_code: Some(503),
                    failing_since: FailingSince::Reset(21),
                },
            ),
            (
                vec![
                    outcome(1, 30, 500, retry.clone()),
                    outcome(1, 31, 500, retry),
                ],
                WebhookDelta {
                    delivered: 0,
                    failed: 0,
                    last_delivery_at: 31,
                    last_status: "retrying",
                    last_status_code: Some(500),
                    failing_since: FailingSince::SetIfUnset(30),
                },
            ),
        ];
        for (batch, expected) in cases {
            assert_eq!(webhook_deltas(&batch)[&1], expected);
        }
    }

    #[test]
    fn stats_leave_tests_out_and_rebucket_by_day() {
        let mut test = outcome(1, HOUR_MS + 5, 200, Transition::Delivered);
        test.is_test = true;
        let batch = vec![
            outcome(1, 5, 200, Transition::Delivered),
            outcome(1, HOUR_MS + 1, 500, Transition::Failed),
            outcome(2, 7, 200, Transition::Delivered),
            test,
        ];
        let deltas = stats_deltas(&batch);
        assert_eq!(deltas.len(), 3);
        assert_eq!(deltas[&(1, HOUR_MS)].failed, 1);
        assert_eq!(deltas[&(1, HOUR_MS)].delivered, 0);
        let daily = rebucket(deltas.into_values().collect(), 0, 24 * HOUR_MS);
        assert_eq!(daily.len(), 1);
        assert_eq!((daily[0].delivered, daily[0].failed), (2, 1));
        assert_eq!(daily[0].durations.total(), 3);
    }
}
