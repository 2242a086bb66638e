//! Settings: one table of every php.ini entry (name, default, bounds, what it does), parsed once
//! per process when the engine starts. The same table registers the INI entries, feeds
//! `php --ri umw` and `umw_rules()`, and is what the agent reads from an ini file.

use crate::engine::address_policy::{parse_allowed_networks, AddressPolicy};
use crate::engine::error::{Error, Result};
use crate::engine::retry::{parse_schedule, DEFAULT_SCHEDULE};
use crate::engine::store::location::{resolve, StoreLocation};
use std::path::PathBuf;
use std::time::Duration;

/// What values a setting takes.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Kind {
    /// 1/0, on/off, yes/no, true/false (empty = default).
    Bool,
    /// A whole number in this range (empty = default).
    Number { min: u64, max: u64 },
    /// A number with fractions in this range.
    Decimal { min: f64, max: f64 },
    /// Free text, checked by its own parser.
    Text,
    /// One of these words.
    Choice(&'static [&'static str]),
}

/// One php.ini entry.
#[derive(Debug, Clone, Copy)]
pub struct Setting {
    pub name: &'static str,
    pub default: &'static str,
    pub kind: Kind,
    pub doc: &'static str,
}

/// Shared by every PHP process of the host; the directory must be writable by the PHP user.
pub const DEFAULT_STORE: &str = "/var/lib/umw/umw.sqlite";
/// Where durable emits are spooled when the store is not a local file.
pub const DEFAULT_SPOOL_DIR: &str = "/var/lib/umw/spool";

/// Every setting, in the order `php --ri umw` shows them.
pub const SETTINGS: &[Setting] = &[
    Setting {
        name: "umw.store",
        default: DEFAULT_STORE,
        kind: Kind::Text,
        doc: "the outbox: an absolute path (SQLite, one host) or mysql://user:pass@host/db (shared by every web server); env:NAME or file:/path read it from there",
    },
    Setting {
        name: "umw.spool_dir",
        default: "",
        kind: Kind::Text,
        doc: "this host's durable-emit spool (default: <store>.spool beside an SQLite store, /var/lib/umw/spool otherwise)",
    },
    Setting {
        name: "umw.delivery",
        default: "embedded",
        kind: Kind::Choice(&["embedded", "agent"]),
        doc: "embedded: each PHP process delivers in background threads; agent: PHP processes only append to the host's spool and one umw-agent per host delivers",
    },
    Setting {
        name: "umw.agent_fallback_seconds",
        default: "30",
        kind: Kind::Number { min: 1, max: 86_400 },
        doc: "with umw.delivery=agent: when no agent has been alive this long, PHP processes deliver themselves (embedded) rather than let events wait",
    },
    Setting {
        name: "umw.retry_schedule",
        default: DEFAULT_SCHEDULE,
        kind: Kind::Text,
        doc: "seconds between attempts, comma-separated; ±20% jitter",
    },
    Setting {
        name: "umw.timeout_ms",
        default: "15000",
        kind: Kind::Number { min: 100, max: 600_000 },
        doc: "per attempt: connect, answer and body",
    },
    Setting {
        name: "umw.shutdown_timeout_ms",
        default: "2000",
        kind: Kind::Number { min: 0, max: 600_000 },
        doc: "grace for attempts in flight when a process ends",
    },
    Setting {
        name: "umw.max_payload_bytes",
        default: "1048576",
        kind: Kind::Number { min: 1024, max: 64 << 20 },
        doc: "largest JSON payload umw_emit accepts",
    },
    Setting {
        name: "umw.queue_capacity",
        default: "10000",
        kind: Kind::Number { min: 1, max: 10_000_000 },
        doc: "in-memory queue; when full, umw_emit writes the store itself",
    },
    Setting {
        name: "umw.durable_emit",
        default: "0",
        kind: Kind::Bool,
        doc: "1 = on disk (this host's spool) before umw_emit returns: survives SIGKILL",
    },
    Setting {
        name: "umw.allow_private_networks",
        default: "0",
        kind: Kind::Bool,
        doc: "1 lifts SSRF protection (local development only)",
    },
    Setting {
        name: "umw.allowed_networks",
        default: "",
        kind: Kind::Text,
        doc: "CIDRs to allow despite SSRF protection, comma-separated",
    },
    Setting {
        name: "umw.max_in_flight",
        default: "64",
        kind: Kind::Number { min: 1, max: 10_000 },
        doc: "concurrent requests per process",
    },
    Setting {
        name: "umw.max_in_flight_per_webhook",
        default: "8",
        kind: Kind::Number { min: 1, max: 10_000 },
        doc: "so one slow endpoint cannot starve the others",
    },
    Setting {
        name: "umw.disable_after_hours",
        default: "120",
        kind: Kind::Decimal { min: 0.0, max: 100_000.0 },
        doc: "disable a webhook whose deliveries all failed this long (0 = never)",
    },
    Setting {
        name: "umw.retention_days",
        default: "90",
        kind: Kind::Number { min: 0, max: 36_500 },
        doc: "delivered and failed deliveries, their attempts and payloads are pruned after this many days (0 = keep forever)",
    },
];

/// Who delivers: each PHP process, or one agent per host.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Delivery {
    Embedded,
    Agent,
}

impl Delivery {
    pub fn as_str(self) -> &'static str {
        match self {
            Delivery::Embedded => "embedded",
            Delivery::Agent => "agent",
        }
    }
}

#[derive(Debug, Clone)]
pub struct Settings {
    pub store: StoreLocation,
    pub delivery: Delivery,
    pub agent_fallback: Duration,
    pub spool_dir: PathBuf,
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
    /// None = keep forever.
    pub retention: Option<Duration>,
}

fn setting(name: &str) -> Option<&'static Setting> {
    SETTINGS.iter().find(|s| s.name == name)
}

fn config_error(setting: &'static str, reason: impl Into<String>) -> Error {
    Error::Config {
        setting,
        reason: reason.into(),
    }
}

/// A boolean setting; anything but the known spellings is an error, not "off".
pub fn parse_bool(value: &str) -> Option<bool> {
    match value.trim().to_ascii_lowercase().as_str() {
        "1" | "on" | "yes" | "true" => Some(true),
        "0" | "off" | "no" | "false" | "" => Some(false),
        _ => None,
    }
}

/// The raw values, with defaults filled in and each checked against its kind.
struct Values<'a> {
    get: &'a dyn Fn(&str) -> Option<String>,
}

impl Values<'_> {
    fn text(&self, name: &'static str) -> String {
        (self.get)(name).unwrap_or_else(|| setting(name).map_or("", |s| s.default).to_string())
    }

    fn or_default(&self, name: &'static str) -> Result<(&'static Setting, String)> {
        let s = setting(name).ok_or_else(|| config_error(name, "is not a umw setting"))?;
        let v = self.text(name);
        let v = if v.trim().is_empty() {
            s.default.to_string()
        } else {
            v
        };
        Ok((s, v))
    }

    fn bool(&self, name: &'static str) -> Result<bool> {
        let (_, v) = self.or_default(name)?;
        parse_bool(&v).ok_or_else(|| {
            config_error(
                name,
                format!("expected 1/0, on/off, yes/no or true/false, got {v:?}"),
            )
        })
    }

    fn number(&self, name: &'static str) -> Result<u64> {
        let (s, v) = self.or_default(name)?;
        let Kind::Number { min, max } = s.kind else {
            return Err(config_error(name, "not a whole-number setting"));
        };
        let n: u64 = v.trim().parse().map_err(|_| {
            config_error(
                name,
                format!("expected a whole number from {min} to {max}, got {v:?}"),
            )
        })?;
        if n < min || n > max {
            return Err(config_error(
                name,
                format!("must be from {min} to {max}, got {n}"),
            ));
        }
        Ok(n)
    }

    fn choice(&self, name: &'static str) -> Result<&'static str> {
        let (s, v) = self.or_default(name)?;
        let Kind::Choice(options) = s.kind else {
            return Err(config_error(name, "not a choice setting"));
        };
        let v = v.trim().to_ascii_lowercase();
        options.iter().copied().find(|o| *o == v).ok_or_else(|| {
            config_error(
                name,
                format!("expected one of {}, got {v:?}", options.join(", ")),
            )
        })
    }

    fn decimal(&self, name: &'static str) -> Result<f64> {
        let (s, v) = self.or_default(name)?;
        let Kind::Decimal { min, max } = s.kind else {
            return Err(config_error(name, "not a decimal setting"));
        };
        let n: f64 = v.trim().parse().unwrap_or(f64::NAN);
        if !(min..=max).contains(&n) {
            return Err(config_error(
                name,
                format!("expected a number from {min} to {max}, fractions allowed, got {v:?}"),
            ));
        }
        Ok(n)
    }
}

/// The spool directory beside an SQLite store: `<store>.spool/`.
pub fn spool_beside(store_path: &std::path::Path) -> PathBuf {
    let mut name = store_path.as_os_str().to_owned();
    name.push(".spool");
    PathBuf::from(name)
}

impl Settings {
    /// Settings from a lookup of ini values (None = default). `env` resolves `umw.store=env:NAME`.
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Result<Settings> {
        Settings::from_lookup_with_env(get, |name| std::env::var(name).ok())
    }

    pub fn from_lookup_with_env(
        get: impl Fn(&str) -> Option<String>,
        env: impl Fn(&str) -> Option<String>,
    ) -> Result<Settings> {
        let values = Values { get: &get };
        let raw_store = values.text("umw.store");
        let raw_store = if raw_store.is_empty() {
            DEFAULT_STORE.to_string()
        } else {
            raw_store
        };
        let store = resolve(&raw_store, env)
            .and_then(|v| {
                StoreLocation::parse(&v, crate::engine::store::location::DEFAULT_TABLE_PREFIX)
            })
            .map_err(|reason| config_error("umw.store", reason))?;
        let spool_dir = match values.text("umw.spool_dir").trim() {
            "" => match &store {
                StoreLocation::Sqlite { path } => spool_beside(path),
                StoreLocation::Mysql(_) => PathBuf::from(DEFAULT_SPOOL_DIR),
            },
            dir if !dir.starts_with('/') => {
                return Err(config_error(
                    "umw.spool_dir",
                    format!(
                    "{dir:?} is a relative path; give an absolute one, e.g. {DEFAULT_SPOOL_DIR}"
                ),
                ))
            }
            dir => PathBuf::from(dir),
        };
        let retry_schedule = parse_schedule(&values.text("umw.retry_schedule"))
            .map_err(|e| config_error("umw.retry_schedule", e.to_string()))?;
        let allowed = parse_allowed_networks(&values.text("umw.allowed_networks"))
            .map_err(|e| config_error("umw.allowed_networks", e.to_string()))?;
        let retention_days = values.number("umw.retention_days")?;
        let delivery = match values.choice("umw.delivery")? {
            "agent" => Delivery::Agent,
            _ => Delivery::Embedded,
        };
        Ok(Settings {
            store,
            delivery,
            agent_fallback: Duration::from_secs(values.number("umw.agent_fallback_seconds")?),
            spool_dir,
            retry_schedule,
            timeout: Duration::from_millis(values.number("umw.timeout_ms")?),
            shutdown_timeout: Duration::from_millis(values.number("umw.shutdown_timeout_ms")?),
            max_payload_bytes: values.number("umw.max_payload_bytes")? as usize,
            queue_capacity: values.number("umw.queue_capacity")? as usize,
            durable_emit: values.bool("umw.durable_emit")?,
            policy: AddressPolicy {
                allow_private_networks: values.bool("umw.allow_private_networks")?,
                allowed_networks: allowed,
            },
            max_in_flight: values.number("umw.max_in_flight")? as usize,
            max_in_flight_per_webhook: values.number("umw.max_in_flight_per_webhook")? as usize,
            disable_after: Duration::from_secs_f64(
                values.decimal("umw.disable_after_hours")? * 3600.0,
            ),
            retention: (retention_days > 0).then(|| Duration::from_secs(retention_days * 86_400)),
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
        Settings::from_lookup_with_env(|k| map.get(k).cloned(), |_| None)
    }

    #[test]
    fn defaults_parse() {
        let s = settings(&[]).unwrap();
        assert_eq!(s.retry_schedule.len(), 7);
        assert_eq!(s.timeout, Duration::from_secs(15));
        assert!(!s.policy.allow_private_networks);
        assert_eq!(
            s.store,
            StoreLocation::Sqlite {
                path: DEFAULT_STORE.into()
            }
        );
        assert_eq!(s.spool_dir, PathBuf::from("/var/lib/umw/umw.sqlite.spool"));
        assert_eq!(s.retention, Some(Duration::from_secs(90 * 86_400)));
    }

    #[test]
    fn values_override_and_errors_name_the_setting() {
        let s = settings(&[
            ("umw.timeout_ms", "500"),
            ("umw.allow_private_networks", "On"),
            ("umw.retention_days", "0"),
        ])
        .unwrap();
        assert_eq!(s.timeout, Duration::from_millis(500));
        assert!(s.policy.allow_private_networks);
        assert_eq!(s.retention, None);
        let cases: &[(&str, &str, &str)] = &[
            ("umw.timeout_ms", "fast", "whole number"),
            ("umw.retry_schedule", "x", "not a number"),
            ("umw.durable_emit", "maybe", "1/0"),
            ("umw.allow_private_networks", "2", "1/0"),
            ("umw.store", " ", "is empty"),
            ("umw.store", "umw.sqlite", "relative path"),
            ("umw.store", "env:UMW_NOT_SET", "not set"),
            ("umw.spool_dir", "spool", "relative path"),
            ("umw.disable_after_hours", "-1", "from 0"),
            ("umw.retention_days", "99999", "from 0 to 36500"),
            ("umw.delivery", "sidecar", "one of embedded, agent"),
        ];
        for (name, value, expected) in cases {
            let err = settings(&[(name, value)]).unwrap_err().to_string();
            assert!(err.starts_with(name), "{name}={value:?}: {err}");
            assert!(err.contains(expected), "{name}={value:?}: {err}");
        }
    }

    #[test]
    fn empty_numbers_fall_back_to_defaults() {
        let s = settings(&[("umw.queue_capacity", ""), ("umw.durable_emit", "")]).unwrap();
        assert_eq!(s.queue_capacity, 10_000);
        assert!(!s.durable_emit);
    }

    #[test]
    fn mysql_store_gets_its_own_spool_dir() {
        let s = settings(&[("umw.store", "mysql://u:p@127.0.0.1/wp")]).unwrap();
        assert_eq!(s.store.backend(), "mysql");
        assert_eq!(s.spool_dir, PathBuf::from(DEFAULT_SPOOL_DIR));
        let s = settings(&[
            ("umw.store", "mysql://u:p@127.0.0.1/wp"),
            ("umw.spool_dir", "/srv/umw/spool"),
        ])
        .unwrap();
        assert_eq!(s.spool_dir, PathBuf::from("/srv/umw/spool"));
    }

    #[test]
    fn every_default_parses_by_its_own_kind() {
        for s in SETTINGS {
            match s.kind {
                Kind::Bool => assert!(parse_bool(s.default).is_some(), "{}", s.name),
                Kind::Number { min, max } => {
                    let n: u64 = s.default.parse().unwrap();
                    assert!((min..=max).contains(&n), "{}", s.name);
                }
                Kind::Decimal { min, max } => {
                    let n: f64 = s.default.parse().unwrap();
                    assert!((min..=max).contains(&n), "{}", s.name);
                }
                Kind::Choice(options) => assert!(options.contains(&s.default), "{}", s.name),
                Kind::Text => {}
            }
        }
    }
}
