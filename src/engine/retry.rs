//! Retry timing: parses the retry schedule, picks the jittered delay before
//! each retry, and folds a receiver's Retry-After into that delay.

use std::time::{Duration, SystemTime};

/// Default like Svix: 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h.
pub const DEFAULT_SCHEDULE: &str = "5,300,1800,7200,18000,36000,36000";

/// A retry further out than a week is almost certainly a typo (minutes or
/// milliseconds for seconds), and the payload would be stale by then anyway.
const MAX_DELAY_SECS: f64 = 7.0 * 24.0 * 3600.0;
/// Bounds the per-delivery bookkeeping and catches pasted garbage.
const MAX_ENTRIES: usize = 50;

const JITTER_MIN_FACTOR: f64 = 0.8;
const JITTER_SPAN: f64 = 0.4;

// The setting is named inside the sentence, not as a prefix, because the
// config loader already prefixes "umw.retry_schedule: " to these messages.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum ScheduleError {
    #[error(
        "\"{entry}\" is not a number of seconds; umw.retry_schedule takes comma-separated \
         seconds such as \"5,300,1800,7200,18000,36000,36000\""
    )]
    NotANumber { entry: String },
    #[error(
        "\"{entry}\" is negative; umw.retry_schedule takes comma-separated non-negative \
         seconds such as \"5,300,1800,7200,18000,36000,36000\""
    )]
    Negative { entry: String },
    #[error(
        "\"{entry}\" is longer than 7 days (604800 seconds); umw.retry_schedule takes \
         comma-separated seconds such as \"5,300,1800,7200,18000,36000,36000\""
    )]
    TooLong { entry: String },
    #[error(
        "{count} entries is more than the 50 that umw.retry_schedule allows; use \
         comma-separated seconds such as \"5,300,1800,7200,18000,36000,36000\""
    )]
    TooManyEntries { count: usize },
}

fn parse_entry(entry: &str) -> Result<Duration, ScheduleError> {
    let not_a_number = || ScheduleError::NotANumber {
        entry: entry.to_owned(),
    };
    let secs: f64 = entry.parse().map_err(|_| not_a_number())?;
    // "inf" and "NaN" parse as f64 but are not durations.
    if !secs.is_finite() {
        return Err(not_a_number());
    }
    if secs < 0.0 {
        return Err(ScheduleError::Negative {
            entry: entry.to_owned(),
        });
    }
    if secs > MAX_DELAY_SECS {
        return Err(ScheduleError::TooLong {
            entry: entry.to_owned(),
        });
    }
    Duration::try_from_secs_f64(secs).map_err(|_| not_a_number())
}

/// Comma-separated seconds, fractions allowed ("0.05,0.1,0.2"), spaces
/// tolerated, empty string = no retries. An empty item between commas is
/// rejected rather than skipped: it would silently change the retry count.
pub fn parse_schedule(s: &str) -> Result<Vec<Duration>, ScheduleError> {
    if s.trim().is_empty() {
        return Ok(Vec::new());
    }
    let entries: Vec<&str> = s.split(',').map(str::trim).collect();
    if entries.len() > MAX_ENTRIES {
        return Err(ScheduleError::TooManyEntries {
            count: entries.len(),
        });
    }
    entries.into_iter().map(parse_entry).collect()
}

/// Delay before the retry that follows `failed_attempts` failures (1 = first
/// failure → schedule[0]); None once the schedule is exhausted, and for 0,
/// since nothing has failed yet.
///
/// `jitter` is a caller-supplied uniform sample in [0,1) so tests stay
/// deterministic; it scales the delay by a factor in [0.8, 1.2) to spread
/// retries of deliveries that failed together. Out-of-range samples are
/// clamped and NaN means no jitter.
pub fn retry_delay(schedule: &[Duration], failed_attempts: u32, jitter: f64) -> Option<Duration> {
    let index = usize::try_from(failed_attempts.checked_sub(1)?).ok()?;
    let base = *schedule.get(index)?;
    let sample = if jitter.is_nan() {
        0.5
    } else {
        jitter.clamp(0.0, 1.0)
    };
    let factor = JITTER_MIN_FACTOR + JITTER_SPAN * sample;
    // Falling back to the unjittered delay only matters for absurd schedules
    // near Duration::MAX, where scaling up would overflow.
    Some(Duration::try_from_secs_f64(base.as_secs_f64() * factor).unwrap_or(base))
}

/// Parse a Retry-After value: delta-seconds ("120") or an HTTP-date relative
/// to `now`; a date in the past → Duration::ZERO; anything else → None.
/// A delta too large for u64 saturates rather than being dropped, since the
/// receiver clearly asked for a long pause.
pub fn parse_retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let value = value.trim();
    if value.is_empty() {
        return None;
    }
    // RFC 9110 delta-seconds is 1*DIGIT: no sign, no fraction.
    if value.bytes().all(|b| b.is_ascii_digit()) {
        let secs = value.parse::<u64>().unwrap_or(u64::MAX);
        return Some(Duration::from_secs(secs));
    }
    let date = httpdate::parse_http_date(value).ok()?;
    Some(date.duration_since(now).unwrap_or(Duration::ZERO))
}

/// The delay to use when a 429/503 carried Retry-After: the receiver may slow
/// us down, up to `max`, but neither stall us beyond `max` nor speed us up
/// beyond the schedule. So the result is max(scheduled, min(server, max));
/// when `scheduled` itself exceeds `max` the schedule wins, because `max`
/// only limits what the receiver can impose.
pub fn honour_retry_after(
    scheduled: Duration,
    server: Option<Duration>,
    max: Duration,
) -> Duration {
    match server {
        Some(server) => server.min(max).max(scheduled),
        None => scheduled,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secs(s: f64) -> Duration {
        Duration::from_secs_f64(s)
    }

    #[test]
    fn parse_schedule_table() {
        let ok = |v: &[f64]| -> Result<Vec<Duration>, ScheduleError> {
            Ok(v.iter().map(|s| secs(*s)).collect())
        };
        let fifty = vec!["1"; 50].join(",");
        let fifty_one = vec!["1"; 51].join(",");
        let cases: Vec<(&str, Result<Vec<Duration>, ScheduleError>)> = vec![
            (
                DEFAULT_SCHEDULE,
                ok(&[5.0, 300.0, 1800.0, 7200.0, 18000.0, 36000.0, 36000.0]),
            ),
            ("", ok(&[])),
            ("   ", ok(&[])),
            ("0.05,0.1,0.2", ok(&[0.05, 0.1, 0.2])),
            (" 5 , 300 ,1800 ", ok(&[5.0, 300.0, 1800.0])),
            ("0", ok(&[0.0])),
            ("604800", ok(&[604800.0])),
            (fifty.as_str(), ok(&[1.0; 50])),
            (
                fifty_one.as_str(),
                Err(ScheduleError::TooManyEntries { count: 51 }),
            ),
            (
                "604800.5",
                Err(ScheduleError::TooLong {
                    entry: "604800.5".into(),
                }),
            ),
            (
                "1e10",
                Err(ScheduleError::TooLong {
                    entry: "1e10".into(),
                }),
            ),
            ("5,-1", Err(ScheduleError::Negative { entry: "-1".into() })),
            (
                "NaN",
                Err(ScheduleError::NotANumber {
                    entry: "NaN".into(),
                }),
            ),
            (
                "inf",
                Err(ScheduleError::NotANumber {
                    entry: "inf".into(),
                }),
            ),
            ("5s", Err(ScheduleError::NotANumber { entry: "5s".into() })),
            ("5,,10", Err(ScheduleError::NotANumber { entry: "".into() })),
            ("5,", Err(ScheduleError::NotANumber { entry: "".into() })),
            (
                "5;300",
                Err(ScheduleError::NotANumber {
                    entry: "5;300".into(),
                }),
            ),
        ];
        for (input, expected) in cases {
            assert_eq!(parse_schedule(input), expected, "{input:?}");
        }
    }

    #[test]
    fn schedule_errors_name_the_setting() {
        for input in ["x", "-1", "999999999", &vec!["1"; 51].join(",")] {
            let msg = parse_schedule(input).expect_err("invalid").to_string();
            assert!(msg.contains("umw.retry_schedule"), "{msg}");
            assert!(msg.contains(DEFAULT_SCHEDULE), "{msg}");
        }
    }

    #[test]
    fn retry_delay_table() {
        let schedule = parse_schedule(DEFAULT_SCHEDULE).expect("default parses");
        // (failed_attempts, jitter, expected seconds)
        let cases: &[(u32, f64, Option<f64>)] = &[
            (0, 0.5, None),
            (1, 0.5, Some(5.0)),
            (1, 0.0, Some(4.0)),
            (1, 0.999, Some(5.998)),
            (2, 0.0, Some(240.0)),
            (2, 0.999, Some(359.88)),
            (7, 0.5, Some(36000.0)),
            (7, 0.0, Some(28800.0)),
            (8, 0.5, None),
            (u32::MAX, 0.5, None),
            (1, -3.0, Some(4.0)),
            (1, 7.0, Some(6.0)),
            (1, f64::NAN, Some(5.0)),
            (1, f64::INFINITY, Some(6.0)),
            (1, f64::NEG_INFINITY, Some(4.0)),
        ];
        for (attempts, jitter, expected) in cases {
            let got = retry_delay(&schedule, *attempts, *jitter).map(|d| d.as_secs_f64());
            match (got, expected) {
                (Some(got), Some(want)) => {
                    assert!(
                        (got - want).abs() < 1e-6,
                        "{attempts} {jitter}: {got} vs {want}"
                    )
                }
                (got, want) => assert_eq!(got, *want, "{attempts} {jitter}"),
            }
        }
    }

    #[test]
    fn retry_delay_stays_within_jitter_bounds() {
        let schedule = parse_schedule("0,0.05,1,36000").expect("valid");
        for (i, base) in schedule.iter().enumerate() {
            let attempt = u32::try_from(i + 1).expect("small");
            for step in 0..100 {
                let jitter = f64::from(step) / 100.0;
                let got = retry_delay(&schedule, attempt, jitter).expect("in schedule");
                assert!(got.as_secs_f64() >= base.as_secs_f64() * 0.8 - 1e-9);
                assert!(got.as_secs_f64() < base.as_secs_f64() * 1.2 + 1e-9);
            }
        }
        assert_eq!(retry_delay(&[], 1, 0.5), None);
        assert_eq!(retry_delay(&[Duration::MAX], 1, 0.999), Some(Duration::MAX));
    }

    #[test]
    fn parse_retry_after_table() {
        // 2015-10-21T07:28:00Z
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_445_412_480);
        let cases: &[(&str, Option<Duration>)] = &[
            ("120", Some(secs(120.0))),
            ("0", Some(Duration::ZERO)),
            ("  30 ", Some(secs(30.0))),
            (
                "99999999999999999999999",
                Some(Duration::from_secs(u64::MAX)),
            ),
            ("18446744073709551615", Some(Duration::from_secs(u64::MAX))),
            ("Wed, 21 Oct 2015 07:28:00 GMT", Some(Duration::ZERO)),
            ("Wed, 21 Oct 2015 07:30:00 GMT", Some(secs(120.0))),
            ("Wed, 21 Oct 2015 08:28:00 GMT", Some(secs(3600.0))),
            ("Tue, 20 Oct 2015 07:28:00 GMT", Some(Duration::ZERO)),
            ("Thu, 01 Jan 1970 00:00:00 GMT", Some(Duration::ZERO)),
            ("Wednesday, 21-Oct-15 07:29:00 GMT", Some(secs(60.0))),
            ("Wed Oct 21 07:29:30 2015", Some(secs(90.0))),
            ("-1", None),
            ("1.5", None),
            ("+30", None),
            ("30s", None),
            ("", None),
            ("   ", None),
            ("soon", None),
            ("Wed, 21 Oct 2015 07:28:00", None),
        ];
        for (value, expected) in cases {
            assert_eq!(parse_retry_after(value, now), *expected, "{value:?}");
        }
    }

    #[test]
    fn honour_retry_after_table() {
        let hour = secs(3600.0);
        // (scheduled, server, max, expected)
        let cases: &[(f64, Option<f64>, Duration, f64)] = &[
            (5.0, None, hour, 5.0),
            (5.0, Some(120.0), hour, 120.0),
            (300.0, Some(10.0), hour, 300.0),
            (5.0, Some(0.0), hour, 5.0),
            (5.0, Some(86400.0), hour, 3600.0),
            (5.0, Some(3600.0), hour, 3600.0),
            (36000.0, Some(7200.0), hour, 36000.0),
            (36000.0, None, hour, 36000.0),
        ];
        for (scheduled, server, max, expected) in cases {
            assert_eq!(
                honour_retry_after(secs(*scheduled), server.map(secs), *max),
                secs(*expected),
                "{scheduled} {server:?}"
            );
        }
        assert_eq!(
            honour_retry_after(secs(5.0), Some(Duration::from_secs(u64::MAX)), hour),
            hour
        );
    }
}
