//! One delivery attempt: build the body, sign it, POST it, and decide what happens next.
//!
//! `decide` is pure (time and jitter are inputs) so the retry, Retry-After and 410 rules are
//! table-tested without a network.

use crate::engine::address_policy::AddressPolicy;
use crate::engine::http::describe_error;
use crate::engine::model::{AttemptResult, Format, Job};
use crate::engine::retry::{honour_retry_after, parse_retry_after, retry_delay};
use crate::engine::signing::{decode_secret, signature_header};
use crate::engine::store::Transition;
use std::time::{Duration, Instant, SystemTime};

/// Response bodies are kept up to this size per attempt; reading stops there.
pub const MAX_RESPONSE_BODY: usize = 16 * 1024;
/// Response headers kept per attempt, and bytes kept of each value.
pub const MAX_RESPONSE_HEADERS: usize = 32;
pub const MAX_RESPONSE_HEADER_VALUE: usize = 512;
/// How extra header values appear in the log.
pub const MASKED: &str = "••••••";
/// A receiver may slow retries down with Retry-After, but not beyond this.
pub const MAX_RETRY_AFTER: Duration = Duration::from_secs(3600);

/// The bytes on the wire: the payload itself, or the envelope around it.
pub fn body(job: &Job) -> Vec<u8> {
    match job.target.format {
        Format::Flat => job.payload.as_ref().clone(),
        Format::Envelope => {
            let event = serde_json::to_string(&job.event).unwrap_or_else(|_| "\"\"".into());
            let timestamp = rfc3339(job.message_created_at);
            let mut out = Vec::with_capacity(job.payload.len() + event.len() + 64);
            out.extend_from_slice(b"{\"type\":");
            out.extend_from_slice(event.as_bytes());
            out.extend_from_slice(b",\"timestamp\":\"");
            out.extend_from_slice(timestamp.as_bytes());
            out.extend_from_slice(b"\",\"data\":");
            out.extend_from_slice(&job.payload);
            out.push(b'}');
            out
        }
    }
}

/// Milliseconds since the epoch as `2026-11-28T14:03:12.123Z`.
pub fn rfc3339(ms: i64) -> String {
    let secs = ms.div_euclid(1000);
    let millis = ms.rem_euclid(1000);
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    // Civil-from-days (Howard Hinnant's algorithm): avoids a date crate for one format.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + if month <= 2 { 1 } else { 0 };
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{millis:03}Z",
        rem / 3600,
        (rem % 3600) / 60,
        rem % 60
    )
}

/// POST one attempt. Never panics and never returns an error: every failure is an attempt result.
///
/// The client's resolver checks the addresses of host names; an IP literal in the URL is never
/// resolved, so it is checked here (a webhook stored under a laxer policy must not bypass it).
pub async fn attempt(
    client: &reqwest::Client,
    policy: &AddressPolicy,
    job: &Job,
    timeout: Duration,
    now_ms: i64,
) -> AttemptResult {
    let started = Instant::now();
    let mut result = AttemptResult {
        time_ms: now_ms,
        ..Default::default()
    };
    let checked = match &job.target.parsed_url {
        Some(url) => Ok(url.clone()),
        None => url::Url::parse(&job.target.url),
    }
    .map_err(|e| format!("invalid url: {e}"))
    .and_then(|u| {
        policy
            .check_url_host(&u)
            .map(|_| u)
            .map_err(|blocked| blocked.to_string())
    });
    let url = match checked {
        Ok(url) => url,
        Err(error) => {
            result.error = Some(error);
            result.duration_ms = started.elapsed().as_secs_f64() * 1000.0;
            return result;
        }
    };
    let body = body(job);
    let timestamp = now_ms.div_euclid(1000);
    let keys: Vec<Vec<u8>> = job
        .target
        .secrets
        .iter()
        .filter_map(|s| decode_secret(s).ok())
        .collect();
    let key_refs: Vec<&[u8]> = keys.iter().map(Vec::as_slice).collect();
    let signature = signature_header(&key_refs, &job.message_id, timestamp, &body);

    let timestamp = timestamp.to_string();
    // What the log shows was sent; extra header values are masked (they often carry credentials).
    result.url = url.to_string();
    result.request_headers = vec![
        ("content-type".into(), "application/json".into()),
        ("user-agent".into(), crate::engine::http::USER_AGENT.into()),
        ("x-umw-event".into(), job.event.clone()),
        ("webhook-id".into(), job.message_id.clone()),
        ("webhook-timestamp".into(), timestamp.clone()),
        ("webhook-signature".into(), signature.clone()),
    ];
    result.request_headers.extend(
        job.target
            .headers
            .iter()
            .map(|(name, _)| (name.clone(), MASKED.to_string())),
    );
    let mut request = client
        .post(url)
        .header("content-type", "application/json")
        .header("x-umw-event", &job.event)
        .header("webhook-id", &job.message_id)
        .header("webhook-timestamp", timestamp)
        .header("webhook-signature", signature);
    for (name, value) in &job.target.headers {
        request = request.header(name, value);
    }
    let exchange = async {
        let response = request.body(body).send().await?;
        let status = response.status().as_u16();
        // Kept for the log (bounded: a hostile endpoint can send thousands).
        let headers: Vec<(String, String)> = response
            .headers()
            .iter()
            .take(MAX_RESPONSE_HEADERS)
            .map(|(k, v)| {
                let value = v.as_bytes();
                let value = &value[..value.len().min(MAX_RESPONSE_HEADER_VALUE)];
                (k.to_string(), String::from_utf8_lossy(value).into_owned())
            })
            .collect();
        let mut kept = Vec::new();
        let mut response = response;
        let mut truncated = false;
        while let Some(chunk) = response.chunk().await? {
            let room = MAX_RESPONSE_BODY - kept.len();
            if chunk.len() >= room {
                kept.extend_from_slice(&chunk[..room]);
                truncated = chunk.len() > room;
                break;
            }
            kept.extend_from_slice(&chunk);
        }
        Ok::<_, reqwest::Error>((status, headers, kept, truncated))
    };
    match tokio::time::timeout(timeout, exchange).await {
        Ok(Ok((status, headers, kept, _truncated))) => {
            result.status_code = Some(status);
            result.retry_after = headers
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case("retry-after"))
                .and_then(|(_, v)| parse_retry_after(v, SystemTime::now()));
            result.response_headers = headers;
            result.response_body = String::from_utf8_lossy(&kept).into_owned();
            if !(200..=299).contains(&status) {
                result.error = Some(match status {
                    300..=399 => format!("HTTP {status}: redirects are not followed"),
                    _ => format!("HTTP {status}"),
                });
            }
        }
        Ok(Err(e)) => result.error = Some(describe_error(&e)),
        Err(_) => {
            result.error = Some(format!(
                "timeout: no complete answer within {} ms",
                timeout.as_millis()
            ))
        }
    }
    result.duration_ms = started.elapsed().as_secs_f64() * 1000.0;
    result
}

/// What an attempt means for its delivery and webhook: (transition, reason to disable the webhook).
pub fn decide(
    schedule: &[Duration],
    attempts_before: u32,
    result: &AttemptResult,
    is_test: bool,
    now_ms: i64,
    jitter: f64,
) -> (Transition, Option<String>) {
    if result.succeeded() {
        return (Transition::Delivered, None);
    }
    if result.status_code == Some(410) {
        return (
            Transition::Failed,
            Some("the endpoint answered 410 Gone".to_string()),
        );
    }
    if is_test {
        return (Transition::Failed, None);
    }
    let failed_attempts = attempts_before + 1;
    match retry_delay(schedule, failed_attempts, jitter) {
        None => (Transition::Failed, None),
        Some(delay) => {
            let delay = if matches!(result.status_code, Some(429) | Some(503)) {
                honour_retry_after(delay, result.retry_after, MAX_RETRY_AFTER)
            } else {
                delay
            };
            (
                Transition::Retry {
                    next_attempt_at: now_ms + delay.as_millis() as i64,
                },
                None,
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::model::Target;
    use std::sync::Arc;

    fn result(status: Option<u16>, error: Option<&str>, retry_after: Option<u64>) -> AttemptResult {
        AttemptResult {
            status_code: status,
            error: error.map(str::to_string),
            retry_after: retry_after.map(Duration::from_secs),
            ..Default::default()
        }
    }

    #[test]
    fn decisions() {
        let schedule = [Duration::from_secs(5), Duration::from_secs(300)];
        let now = 1_000_000;
        let cases: Vec<(AttemptResult, u32, bool, Transition, bool)> = vec![
            (
                result(Some(200), None, None),
                0,
                false,
                Transition::Delivered,
                false,
            ),
            (
                result(Some(204), None, None),
                3,
                false,
                Transition::Delivered,
                false,
            ),
            (
                result(Some(500), Some("HTTP 500"), None),
                0,
                false,
                Transition::Retry {
                    next_attempt_at: now + 5_000,
                },
                false,
            ),
            (
                result(Some(500), Some("HTTP 500"), None),
                1,
                false,
                Transition::Retry {
                    next_attempt_at: now + 300_000,
                },
                false,
            ),
            (
                result(Some(500), Some("HTTP 500"), None),
                2,
                false,
                Transition::Failed,
                false,
            ),
            (
                result(None, Some("connect: refused"), None),
                0,
                false,
                Transition::Retry {
                    next_attempt_at: now + 5_000,
                },
                false,
            ),
            (
                result(Some(302), Some("HTTP 302"), None),
                0,
                false,
                Transition::Retry {
                    next_attempt_at: now + 5_000,
                },
                false,
            ),
            (
                result(Some(410), Some("HTTP 410"), None),
                0,
                false,
                Transition::Failed,
                true,
            ),
            (
                result(Some(429), Some("HTTP 429"), Some(60)),
                0,
                false,
                Transition::Retry {
                    next_attempt_at: now + 60_000,
                },
                false,
            ),
            (
                result(Some(503), Some("HTTP 503"), Some(1)),
                0,
                false,
                Transition::Retry {
                    next_attempt_at: now + 5_000,
                },
                false,
            ),
            (
                result(Some(503), Some("HTTP 503"), Some(999_999)),
                0,
                false,
                Transition::Retry {
                    next_attempt_at: now + 3_600_000,
                },
                false,
            ),
            (
                result(Some(500), Some("HTTP 500"), Some(60)),
                0,
                false,
                Transition::Retry {
                    next_attempt_at: now + 5_000,
                },
                false,
            ),
            (
                result(Some(500), Some("HTTP 500"), None),
                0,
                true,
                Transition::Failed,
                false,
            ),
        ];
        for (r, before, is_test, expected, disables) in cases {
            // jitter 0.5 = factor 1.0, so delays are exact.
            let (t, disable) = decide(&schedule, before, &r, is_test, now, 0.5);
            assert_eq!(t, expected, "{r:?} after {before}");
            assert_eq!(disable.is_some(), disables, "{r:?}");
        }
    }

    #[test]
    fn envelope_wraps_payload_without_reencoding() {
        let job = Job {
            delivery_id: "dlv_1".into(),
            message_id: "msg_1".into(),
            network_id: 1,
            event: "payment_received".into(),
            payload: Arc::new(br#"{"a":1}"#.to_vec()),
            message_created_at: 1_764_338_592_123,
            attempts_made: 0,
            is_test: false,
            target: Arc::new(Target {
                webhook_id: 1,
                revision: 1,
                url: "http://x/".into(),
                parsed_url: None,
                format: Format::Envelope,
                headers: vec![],
                secrets: vec![],
            }),
        };
        let body = String::from_utf8(body(&job)).unwrap();
        let v: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert_eq!(v["type"], "payment_received");
        assert_eq!(v["data"]["a"], 1);
        assert_eq!(v["timestamp"], "2025-11-28T14:03:12.123Z");
    }

    #[test]
    fn rfc3339_dates() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(rfc3339(951_782_400_000), "2000-02-29T00:00:00.000Z");
    }
}
