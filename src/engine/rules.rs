//! Every rule the extension and the WordPress plugin share, in one place: the plugin reads them
//! through `umw_rules()` and the `UMW_*` constants instead of keeping copies that drift.

use crate::engine::catalog::MAX_EVENT_NAME_LEN;
use crate::engine::config::{Kind, Settings, SETTINGS};
use crate::engine::model::{DeliveryStatus, Format, WILDCARD};
use crate::engine::signing::{MAX_KEY_BYTES, MIN_KEY_BYTES, SECRET_PREFIX};
use crate::engine::validate::*;
use serde_json::{json, Value};

/// Characters an event name may use (besides ASCII letters and digits).
pub const EVENT_NAME_PUNCTUATION: &str = "_.:/-";
/// The same rule as a PCRE pattern (what `catalog::validate_event_name` checks).
pub const EVENT_NAME_PATTERN: &str = "/^[A-Za-z0-9_.:\\/-]{1,100}$/D";
/// Header names: an HTTP token.
pub const HEADER_NAME_PATTERN: &str = "/^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,128}$/D";
/// Largest page `umw_deliveries()` returns.
pub const LIST_LIMIT_MAX: i64 = 1000;
pub const STATUSES: &[DeliveryStatus] = &[
    DeliveryStatus::Pending,
    DeliveryStatus::Retrying,
    DeliveryStatus::Delivered,
    DeliveryStatus::Failed,
];

/// `(name, value)` of the `UMW_*` constants.
pub enum Constant {
    Text(&'static str),
    Int(i64),
}

pub fn constants() -> Vec<(&'static str, Constant)> {
    vec![
        ("UMW_VERSION", Constant::Text(env!("CARGO_PKG_VERSION"))),
        ("UMW_EVENT_NAME_PATTERN", Constant::Text(EVENT_NAME_PATTERN)),
        (
            "UMW_EVENT_NAME_MAX_LENGTH",
            Constant::Int(MAX_EVENT_NAME_LEN as i64),
        ),
        (
            "UMW_WEBHOOK_NAME_MAX_LENGTH",
            Constant::Int(MAX_NAME_CHARS as i64),
        ),
        ("UMW_URL_MAX_BYTES", Constant::Int(MAX_URL_BYTES as i64)),
        (
            "UMW_EVENTS_PER_WEBHOOK_MAX",
            Constant::Int(MAX_EVENTS as i64),
        ),
        ("UMW_HEADERS_MAX", Constant::Int(MAX_HEADERS as i64)),
        ("UMW_SECRET_PREFIX", Constant::Text(SECRET_PREFIX)),
        ("UMW_LIST_LIMIT_MAX", Constant::Int(LIST_LIMIT_MAX)),
        ("UMW_WILDCARD", Constant::Text(WILDCARD)),
    ]
}

/// Everything, for `umw_rules()`. `settings` adds the values this process runs with.
pub fn all(settings: Option<&Settings>) -> Value {
    let settings_table: Vec<Value> = SETTINGS
        .iter()
        .map(|s| {
            let (kind, min, max) = match s.kind {
                Kind::Bool => ("bool", Value::Null, Value::Null),
                Kind::Number { min, max } => ("int", json!(min), json!(max)),
                Kind::Decimal { min, max } => ("float", json!(min), json!(max)),
                Kind::Text | Kind::Choice(_) => ("string", Value::Null, Value::Null),
            };
            let options = match s.kind {
                Kind::Choice(options) => json!(options),
                _ => Value::Null,
            };
            json!({"name": s.name, "default": s.default, "type": kind, "min": min, "max": max, "options": options, "doc": s.doc})
        })
        .collect();
    json!({
        "event_name": {
            "pattern": EVENT_NAME_PATTERN,
            "max_length": MAX_EVENT_NAME_LEN,
            "punctuation": EVENT_NAME_PUNCTUATION,
            "wildcard": WILDCARD,
            "description": "1-100 characters of letters, digits and _ . : / - with no whitespace; \"*\" alone (in a webhook's event list) means every event",
        },
        "webhook": {
            "name_max_length": MAX_NAME_CHARS,
            "url_max_bytes": MAX_URL_BYTES,
            "url_schemes": ["http", "https"],
            "events_max": MAX_EVENTS,
            "external_id_max_length": MAX_EXTERNAL_ID_CHARS,
            "formats": [Format::Flat.as_str(), Format::Envelope.as_str()],
        },
        "headers": {
            "max": MAX_HEADERS,
            "name_pattern": HEADER_NAME_PATTERN,
            "name_max_bytes": MAX_HEADER_NAME_BYTES,
            "value_max_bytes": MAX_HEADER_VALUE_BYTES,
            "reserved": RESERVED_HEADERS,
            "reserved_prefixes": ["proxy-"],
            "value_forbids": "control characters other than tab",
        },
        "secret": {
            "prefix": SECRET_PREFIX,
            "min_bytes": MIN_KEY_BYTES,
            "max_bytes": MAX_KEY_BYTES,
            "encoding": "base64 of the key after the prefix",
        },
        "statuses": STATUSES.iter().map(|s| s.as_str()).collect::<Vec<_>>(),
        "list_limit_max": LIST_LIMIT_MAX,
        "max_payload_bytes": settings.map(|s| s.max_payload_bytes),
        "settings": settings_table,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::catalog::validate_event_name;

    /// The pattern's character class, read back out of the pattern string.
    fn pattern_allows(c: char) -> bool {
        c.is_ascii_alphanumeric() || EVENT_NAME_PUNCTUATION.contains(c)
    }

    #[test]
    fn event_pattern_matches_the_validator() {
        assert!(EVENT_NAME_PATTERN.contains(&format!("{{1,{MAX_EVENT_NAME_LEN}}}")));
        for punct in EVENT_NAME_PUNCTUATION.chars() {
            let escaped = if punct == '/' {
                "\\/".to_string()
            } else {
                punct.to_string()
            };
            assert!(EVENT_NAME_PATTERN.contains(&escaped), "{punct}");
        }
        for code in 0u32..0x250 {
            let Some(c) = char::from_u32(code) else {
                continue;
            };
            assert_eq!(
                validate_event_name(&c.to_string()).is_ok(),
                pattern_allows(c),
                "{c:?}"
            );
        }
    }

    #[test]
    fn header_pattern_and_reserved_names_match_the_validator() {
        for name in [
            "X-Api-Key",
            "a!#$%&'*+.^_`|~-",
            "User-Agent",
            "Bad Name",
            "é",
        ] {
            let token = name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "!#$%&'*+-.^_`|~".contains(c));
            let reserved = RESERVED_HEADERS.contains(&name.to_ascii_lowercase().as_str());
            let ok = headers(&[(name.to_string(), "v".to_string())]).is_ok();
            assert_eq!(ok, token && !reserved, "{name}");
        }
    }

    #[test]
    fn rules_carry_the_limits() {
        let r = all(None);
        assert_eq!(r["event_name"]["max_length"], 100);
        assert_eq!(r["headers"]["reserved"][0], "user-agent");
        assert_eq!(
            r["statuses"],
            json!(["pending", "retrying", "delivered", "failed"])
        );
        assert!(r["settings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s["name"] == "umw.retention_days"));
    }
}
