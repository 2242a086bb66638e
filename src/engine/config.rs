//! Settings, parsed from php.ini strings once per process when the engine starts.

use crate::engine::address_policy::{parse_allowed_networks, AddressPolicy};
use crate::engine::error::{Error, Result};
use crate::engine::retry::{parse_schedule, DEFAULT_SCHEDULE};
use std::path::PathBuf;
use std::time::Duration;

/// The php.ini entries: name and default, in the order `php --ri umw` shows them.
pub const INI_DEFAULTS: &[(&str, &str)] = &[
    ("umw.store", DEFAULT_STORE),
    ("umw.retry_schedule", DEFAULT_SCHEDULE),
    ("umw.timeout_ms", "15000"),
    ("umw.shutdown_timeout_ms", "2000"),
    ("umw.max_payload_bytes", "1048576"),
    ("umw.queue_capacity", "10000"),
    ("umw.durable_emit", "0"),
    ("umw.allow_private_networks", "0"),
    ("umw.allowed_networks", ""),
    ("umw.max_in_flight", "64"),
    ("umw.max_in_flight_per_webhook", "8"),
    ("umw.disable_after_hours", "120"),
];

/// Shared by every PHP process of the host; the directory must be writable by the PHP user.
pub const DEFAULT_STORE: &str = "/var/lib/umw/umw.sqlite";

#[derive(Debug, Clone)]
pub struct Settings {
    pub store_path: PathBuf,
    pub retry_schedule: Vec<Duration>,
    pub timeout: Duration,
    pub shutdown_timeout: Duration,
    pub max_payload_bytes: usize,
    pub queue_capacity: usize,
    pub durable_emit: bool,
    pub policy: AddressPolicy,
    pub max_in_flight: usize,
    pub max_in_flight_per_webhook: usize,
    /// Zero = never disable.
    pub disable_after: Duration,
}

impl Default for Settings {
    fn default() -> Self {
        Settings::from_lookup(|_| None).unwrap_or_else(|_| unreachable_defaults())
    }
}

// The defaults are constants that parse; this only exists so Default needs no unwrap.
fn unreachable_defaults() -> Settings {
    Settings {
        store_path: PathBuf::from(DEFAULT_STORE),
        retry_schedule: Vec::new(),
        timeout: Duration::from_secs(15),
        shutdown_timeout: Duration::from_secs(2),
        max_payload_bytes: 1 << 20,
        queue_capacity: 10_000,
        durable_emit: false,
        policy: AddressPolicy::default(),
        max_in_flight: 64,
        max_in_flight_per_webhook: 8,
        disable_after: Duration::from_secs(120 * 3600),
    }
}

fn default_of(name: &str) -> &'static str {
    INI_DEFAULTS
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, d)| *d)
        .unwrap_or("")
}

pub fn parse_bool(value: &str) -> bool {
    matches!(
        value.trim().to_ascii_lowercase().as_str(),
        "1" | "on" | "yes" | "true"
    )
}

fn parse_number(setting: &'static str, value: &str, min: u64, max: u64) -> Result<u64> {
    let n: u64 = value.trim().parse().map_err(|_| Error::Config {
        setting,
        reason: format!("expected a whole number from {min} to {max}, got {value:?}"),
    })?;
    if n < min || n > max {
        return Err(Error::Config {
            setting,
            reason: format!("must be from {min} to {max}, got {n}"),
        });
    }
    Ok(n)
}

impl Settings {
    /// Build settings from a lookup of ini values (None or empty-for-numbers = default).
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Result<Settings> {
        let value = |name: &'static str| -> String {
            get(name).unwrap_or_else(|| default_of(name).to_string())
        };
        let number = |name: &'static str, min: u64, max: u64| -> Result<u64> {
            let v = value(name);
            let v = if v.trim().is_empty() {
                default_of(name).to_string()
            } else {
                v
            };
            parse_number(name, &v, min, max)
        };
        let store = value("umw.store");
        let store = if store.trim().is_empty() {
            DEFAULT_STORE.to_string()
        } else {
            store
        };
        let retry_schedule =
            parse_schedule(&value("umw.retry_schedule")).map_err(|e| Error::Config {
                setting: "umw.retry_schedule",
                reason: e.to_string(),
            })?;
        let allowed =
            parse_allowed_networks(&value("umw.allowed_networks")).map_err(|e| Error::Config {
                setting: "umw.allowed_networks",
                reason: e.to_string(),
            })?;
        Ok(Settings {
            store_path: PathBuf::from(store),
            retry_schedule,
            timeout: Duration::from_millis(number("umw.timeout_ms", 100, 600_000)?),
            shutdown_timeout: Duration::from_millis(number("umw.shutdown_timeout_ms", 0, 600_000)?),
            max_payload_bytes: number("umw.max_payload_bytes", 1024, 64 << 20)? as usize,
            queue_capacity: number("umw.queue_capacity", 1, 10_000_000)? as usize,
            durable_emit: parse_bool(&value("umw.durable_emit")),
            policy: AddressPolicy {
                allow_private_networks: parse_bool(&value("umw.allow_private_networks")),
                allowed_networks: allowed,
            },
            max_in_flight: number("umw.max_in_flight", 1, 10_000)? as usize,
            max_in_flight_per_webhook: number("umw.max_in_flight_per_webhook", 1, 10_000)? as usize,
            disable_after: {
                let raw = value("umw.disable_after_hours");
                let hours: f64 = raw.trim().parse().unwrap_or(f64::NAN);
                if !(0.0..=100_000.0).contains(&hours) {
                    return Err(Error::Config {
                        setting: "umw.disable_after_hours",
                        reason: format!(
                            "expected hours from 0 (never disable) to 100000, fractions allowed, got {raw:?}"
                        ),
                    });
                }
                Duration::from_secs_f64(hours * 3600.0)
            },
        })
    }

    /// How long a claim on a delivery lasts before another process may take it over. Long
    /// enough for queued work behind the per-webhook cap to get its turn, short enough that a
    /// crashed process's deliveries resume within minutes.
    pub fn lease(&self) -> Duration {
        let rounds = (self.max_in_flight / self.max_in_flight_per_webhook.max(1)) as u32 + 2;
        self.timeout * rounds + Duration::from_secs(30)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn settings(pairs: &[(&str, &str)]) -> Result<Settings> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Settings::from_lookup(|k| map.get(k).cloned())
    }

    #[test]
    fn defaults_parse() {
        let s = settings(&[]).unwrap();
        assert_eq!(s.retry_schedule.len(), 7);
        assert_eq!(s.timeout, Duration::from_secs(15));
        assert!(!s.policy.allow_private_networks);
        assert_eq!(s.store_path, PathBuf::from(DEFAULT_STORE));
    }

    #[test]
    fn values_override_and_errors_name_the_setting() {
        let s = settings(&[
            ("umw.timeout_ms", "500"),
            ("umw.allow_private_networks", "On"),
        ])
        .unwrap();
        assert_eq!(s.timeout, Duration::from_millis(500));
        assert!(s.policy.allow_private_networks);
        let err = settings(&[("umw.timeout_ms", "fast")]).unwrap_err();
        assert!(err.to_string().starts_with("umw.timeout_ms"), "{err}");
        let err = settings(&[("umw.retry_schedule", "x")]).unwrap_err();
        assert!(err.to_string().starts_with("umw.retry_schedule"), "{err}");
    }

    #[test]
    fn empty_numbers_fall_back_to_defaults() {
        let s = settings(&[("umw.queue_capacity", "")]).unwrap();
        assert_eq!(s.queue_capacity, 10_000);
    }
}
