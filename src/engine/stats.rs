//! Response-time histograms for the delivery dashboard: fixed log-spaced buckets, so hourly
//! aggregates merge by addition and percentiles need no raw samples (which retention prunes).
//!
//! Bucket `i` holds durations in `(bound(i-1), bound(i)]` with `bound(i) = 0.1 ms × 2^(i/4)`: four
//! buckets per doubling, so a reported percentile is within ±9 % of the true value.

use std::collections::BTreeMap;

/// Buckets 0..BUCKETS; the last one also takes everything slower (~105 s and up).
pub const BUCKETS: usize = 81;
const FIRST_BOUND_MS: f64 = 0.1;

/// The upper bound of bucket `i`, in milliseconds.
pub fn bound(i: usize) -> f64 {
    FIRST_BOUND_MS * 2f64.powf(i as f64 / 4.0)
}

/// The bucket a duration falls in.
pub fn bucket_of(duration_ms: f64) -> usize {
    // NaN and anything at or under the first bound land in bucket 0.
    if duration_ms.is_nan() || duration_ms <= FIRST_BOUND_MS {
        return 0;
    }
    let i = (4.0 * (duration_ms / FIRST_BOUND_MS).log2()).ceil() as usize;
    // Guard against rounding right at a bound.
    let i = if i > 0 && duration_ms <= bound(i - 1) {
        i - 1
    } else {
        i
    };
    i.min(BUCKETS - 1)
}

/// Counts per bucket (sparse).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Histogram {
    counts: BTreeMap<usize, u64>,
}

impl Histogram {
    pub fn record(&mut self, duration_ms: f64) {
        *self.counts.entry(bucket_of(duration_ms)).or_default() += 1;
    }

    pub fn merge(&mut self, other: &Histogram) {
        for (bucket, n) in &other.counts {
            *self.counts.entry(*bucket).or_default() += n;
        }
    }

    pub fn total(&self) -> u64 {
        self.counts.values().sum()
    }

    /// The `q`-quantile (0..=1) in milliseconds: the geometric middle of the bucket it falls
    /// in; None when empty.
    pub fn quantile(&self, q: f64) -> Option<f64> {
        let total = self.total();
        if total == 0 {
            return None;
        }
        let rank = ((q.clamp(0.0, 1.0) * total as f64).ceil() as u64).max(1);
        let mut seen = 0;
        for (bucket, n) in &self.counts {
            seen += n;
            if seen >= rank {
                let upper = bound(*bucket);
                let lower = if *bucket == 0 {
                    upper / 2.0
                } else {
                    bound(bucket - 1)
                };
                return Some((lower * upper).sqrt());
            }
        }
        None
    }

    /// Stored form: `{"bucket":count,…}`.
    pub fn to_json(&self) -> String {
        let map: serde_json::Map<String, serde_json::Value> = self
            .counts
            .iter()
            .map(|(b, n)| (b.to_string(), serde_json::Value::from(*n)))
            .collect();
        serde_json::Value::Object(map).to_string()
    }

    /// Reads the stored form; anything unreadable counts as empty rather than failing a query.
    pub fn from_json(text: &str) -> Histogram {
        let mut out = Histogram::default();
        if let Ok(serde_json::Value::Object(map)) = serde_json::from_str(text) {
            for (bucket, n) in map {
                if let (Ok(bucket), Some(n)) = (bucket.parse::<usize>(), n.as_u64()) {
                    if bucket < BUCKETS {
                        *out.counts.entry(bucket).or_default() += n;
                    }
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets_cover_their_bounds() {
        let cases: &[(f64, usize)] = &[
            (0.0, 0),
            (0.1, 0),
            (0.1001, 1),
            (bound(1), 1),
            (bound(1) + 1e-9, 2),
            (1.0, bucket_of(1.0)),
            (1e9, BUCKETS - 1),
            (f64::NAN, 0),
        ];
        for (ms, expected) in cases {
            assert_eq!(bucket_of(*ms), *expected, "{ms} ms");
        }
        for i in 1..BUCKETS {
            assert!(bucket_of(bound(i)) == i, "bound {i}");
            assert!(bucket_of(bound(i) * 0.999) <= i);
        }
    }

    #[test]
    fn quantiles_are_within_a_bucket_of_the_truth() {
        let mut h = Histogram::default();
        for ms in 1..=1000 {
            h.record(ms as f64);
        }
        for (q, truth) in [(0.5, 500.0), (0.95, 950.0), (0.99, 990.0)] {
            let got = h.quantile(q).unwrap();
            assert!((got / truth - 1.0).abs() < 0.1, "q{q}: {got} vs {truth}");
        }
        assert_eq!(Histogram::default().quantile(0.5), None);
    }

    #[test]
    fn merge_adds_and_json_round_trips() {
        let mut a = Histogram::default();
        a.record(5.0);
        a.record(5.0);
        let mut b = Histogram::default();
        b.record(200.0);
        a.merge(&b);
        assert_eq!(a.total(), 3);
        assert_eq!(Histogram::from_json(&a.to_json()), a);
        assert_eq!(Histogram::from_json("not json").total(), 0);
        assert_eq!(Histogram::from_json(r#"{"999":4,"x":1}"#).total(), 0);
    }
}
