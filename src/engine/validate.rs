//! Validation of webhook fields, shared by create and update. Errors name the field and say
//! what is allowed, because they reach the network admin verbatim as `ValueError`s.

use crate::engine::address_policy::AddressPolicy;
use crate::engine::catalog::validate_event_name;
use crate::engine::error::{Error, Result};
use crate::engine::model::{WebhookInput, WILDCARD};
use crate::engine::signing::decode_secret;

pub const MAX_NAME_CHARS: usize = 191;
pub const MAX_URL_BYTES: usize = 2048;
pub const MAX_EVENTS: usize = 100;
pub const MAX_HEADERS: usize = 32;
pub const MAX_HEADER_NAME_BYTES: usize = 128;
pub const MAX_HEADER_VALUE_BYTES: usize = 4096;
pub const MAX_EXTERNAL_ID_CHARS: usize = 191;

/// Headers the engine owns: overriding them would break framing, signing or routing (and
/// `user-agent` always says `umw/<version>`, as the README promises).
pub const RESERVED_HEADERS: &[&str] = &[
    "user-agent",
    "host",
    "content-length",
    "content-type",
    "transfer-encoding",
    "connection",
    "keep-alive",
    "upgrade",
    "te",
    "trailer",
    "expect",
    "proxy-authorization",
    "proxy-connection",
    "webhook-id",
    "webhook-timestamp",
    "webhook-signature",
    "x-umw-event",
];

pub fn name(value: &str) -> Result<String> {
    let trimmed = value.trim();
    if trimmed.is_empty() {
        return Err(Error::invalid("name", "must not be empty"));
    }
    if trimmed.chars().count() > MAX_NAME_CHARS {
        return Err(Error::invalid(
            "name",
            format!("must be at most {MAX_NAME_CHARS} characters"),
        ));
    }
    if trimmed.chars().any(char::is_control) {
        return Err(Error::invalid(
            "name",
            "must not contain control characters (newlines, tabs, NUL)",
        ));
    }
    Ok(trimmed.to_string())
}

pub fn url(value: &str, policy: &AddressPolicy) -> Result<String> {
    let value = value.trim();
    if value.is_empty() {
        return Err(Error::invalid("url", "must not be empty"));
    }
    // WHATWG parsing silently drops tabs and newlines inside a URL; refuse them instead.
    if value.chars().any(char::is_control) {
        return Err(Error::invalid(
            "url",
            "must not contain control characters (CR, LF, tab, NUL)",
        ));
    }
    if value.len() > MAX_URL_BYTES {
        return Err(Error::invalid(
            "url",
            format!("must be at most {MAX_URL_BYTES} bytes"),
        ));
    }
    let parsed = url::Url::parse(value).map_err(|e| {
        Error::invalid(
            "url",
            format!("is not a valid URL ({e}); expected e.g. https://example.com/webhooks"),
        )
    })?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(Error::invalid(
            "url",
            format!(
                "scheme {:?} is not allowed; use http or https",
                parsed.scheme()
            ),
        ));
    }
    if parsed.host().is_none() {
        return Err(Error::invalid("url", "must have a host"));
    }
    if parsed.port() == Some(0) {
        return Err(Error::invalid(
            "url",
            "port 0 is not a port anything listens on; give 1-65535 or none",
        ));
    }
    policy.check_url_host(&parsed).map_err(|blocked| {
        Error::invalid(
            "url",
            format!(
                "{blocked}; deliveries to it are refused (SSRF protection). \
                 Set umw.allow_private_networks=1 for local development, or list the network in umw.allowed_networks"
            ),
        )
    })?;
    Ok(parsed.to_string())
}

pub fn events(values: &[String]) -> Result<Vec<String>> {
    if values.is_empty() {
        return Err(Error::invalid(
            "events",
            "must name at least one event, or \"*\" for every event",
        ));
    }
    if values.len() > MAX_EVENTS {
        return Err(Error::invalid(
            "events",
            format!("at most {MAX_EVENTS} events per webhook"),
        ));
    }
    let mut out: Vec<String> = Vec::with_capacity(values.len());
    for event in values {
        if event != WILDCARD {
            validate_event_name(event).map_err(|e| Error::invalid("events", e.to_string()))?;
        }
        if !out.contains(event) {
            out.push(event.clone());
        }
    }
    Ok(out)
}

pub fn secret(value: &str) -> Result<String> {
    decode_secret(value).map_err(|e| Error::invalid("secret", e.to_string()))?;
    Ok(value.to_string())
}

fn is_token_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || "!#$%&'*+-.^_`|~".contains(c)
}

pub fn headers(values: &[(String, String)]) -> Result<Vec<(String, String)>> {
    if values.len() > MAX_HEADERS {
        return Err(Error::invalid(
            "headers",
            format!("at most {MAX_HEADERS} extra headers"),
        ));
    }
    let mut out = Vec::with_capacity(values.len());
    for (name, value) in values {
        if name.chars().any(|c| c == '\r' || c == '\n' || c == '\0') {
            return Err(Error::invalid(
                "headers",
                format!(
                    "header name {:?} must not contain CR, LF or NUL",
                    name.trim()
                ),
            ));
        }
        let name = name.trim();
        if name.is_empty() || name.len() > MAX_HEADER_NAME_BYTES || !name.chars().all(is_token_char)
        {
            return Err(Error::invalid(
                "headers",
                format!("header name {name:?} is invalid; use letters, digits and -, at most {MAX_HEADER_NAME_BYTES} bytes"),
            ));
        }
        let lower = name.to_ascii_lowercase();
        if RESERVED_HEADERS.contains(&lower.as_str()) || lower.starts_with("proxy-") {
            return Err(Error::invalid(
                "headers",
                format!("header {name:?} is set by umw and cannot be overridden"),
            ));
        }
        if value.len() > MAX_HEADER_VALUE_BYTES {
            return Err(Error::invalid(
                "headers",
                format!("value of {name:?} is over {MAX_HEADER_VALUE_BYTES} bytes"),
            ));
        }
        // HTTP allows tab and visible characters in a value; any other control character
        // would make every attempt fail (or split the header).
        if let Some(c) = value.chars().find(|c| c.is_control() && *c != '\t') {
            return Err(Error::invalid(
                "headers",
                format!(
                    "value of {name:?} must not contain control characters (found U+{:04X}); CR, LF and NUL included",
                    c as u32
                ),
            ));
        }
        out.push((name.to_string(), value.trim().to_string()));
    }
    Ok(out)
}

pub fn network_id(value: i64) -> Result<i64> {
    if value < 1 {
        return Err(Error::invalid(
            "network_id",
            format!("must be a network id (1 or more), got {value}"),
        ));
    }
    Ok(value)
}

pub fn external_id(value: &str) -> Result<String> {
    let value = value.trim();
    if value.is_empty() {
        return Err(Error::invalid(
            "external_id",
            "must not be empty; use null to remove the link",
        ));
    }
    if value.chars().count() > MAX_EXTERNAL_ID_CHARS {
        return Err(Error::invalid(
            "external_id",
            format!("must be at most {MAX_EXTERNAL_ID_CHARS} characters"),
        ));
    }
    if value.chars().any(char::is_control) {
        return Err(Error::invalid(
            "external_id",
            "must not contain control characters",
        ));
    }
    Ok(value.to_string())
}

/// Validate every given field of an input in place.
pub fn input(mut input: WebhookInput, policy: &AddressPolicy) -> Result<WebhookInput> {
    if let Some(v) = input.network_id {
        input.network_id = Some(network_id(v)?);
    }
    if let Some(Some(v)) = &input.external_id {
        input.external_id = Some(Some(external_id(v)?));
    }
    if let Some(v) = &input.name {
        input.name = Some(name(v)?);
    }
    if let Some(v) = &input.url {
        input.url = Some(url(v, policy)?);
    }
    if let Some(v) = &input.events {
        input.events = Some(events(v)?);
    }
    if let Some(v) = &input.secret {
        input.secret = Some(secret(v)?);
    }
    if let Some(v) = &input.headers {
        input.headers = Some(headers(v)?);
    }
    Ok(input)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn private_ok() -> AddressPolicy {
        AddressPolicy {
            allow_private_networks: true,
            allowed_networks: vec![],
        }
    }

    #[test]
    fn names() {
        assert_eq!(name("  Zapier  ").unwrap(), "Zapier");
        for bad in ["", "   ", "a\nb", &"x".repeat(192)] {
            let err = name(bad).unwrap_err().to_string();
            assert!(err.starts_with("name: "), "{err}");
        }
    }

    #[test]
    fn urls() {
        let open = private_ok();
        assert!(url("https://example.com/hook", &open).is_ok());
        assert!(url("http://127.0.0.1:8080/x", &open).is_ok());
        for bad in [
            "",
            "javascript:alert(1)",
            "ftp://example.com/",
            "not a url",
            "file:///etc/passwd",
        ] {
            let err = url(bad, &open).unwrap_err().to_string();
            assert!(err.starts_with("url: "), "{bad}: {err}");
        }
        assert!(url("http://example.com:0/", &open)
            .unwrap_err()
            .to_string()
            .contains("port 0"));
        let strict = AddressPolicy::default();
        let err = url("http://127.0.0.1/", &strict).unwrap_err().to_string();
        assert!(err.contains("blocked: 127.0.0.1 is loopback"), "{err}");
        assert!(err.contains("umw.allow_private_networks"), "{err}");
        assert!(url("http://hooks.example.com/", &strict).is_ok());
    }

    #[test]
    fn events_lists() {
        assert_eq!(
            events(&["*".into(), "a".into(), "a".into()]).unwrap(),
            vec!["*", "a"]
        );
        assert!(events(&[]).is_err());
        assert!(events(&["has space".into()]).is_err());
    }

    #[test]
    fn header_rules() {
        let ok = headers(&[("X-Api-Key".into(), "abc".into())]).unwrap();
        assert_eq!(ok, vec![("X-Api-Key".to_string(), "abc".to_string())]);
        for (n, v) in [
            ("Host", "evil"),
            ("User-Agent", "evil/1"),
            ("X-Ctl", "a\x01b"),
            ("X-Del", "a\x7fb"),
            ("Content-Length", "1"),
            ("webhook-signature", "x"),
            ("X-Bad", "a\r\nInjected: 1"),
            ("Bad Name", "x"),
            ("", "x"),
        ] {
            assert!(
                headers(&[(n.to_string(), v.to_string())]).is_err(),
                "{n}: {v}"
            );
        }
        let huge = "v".repeat(MAX_HEADER_VALUE_BYTES + 1);
        assert!(headers(&[("X-Big".into(), huge)]).is_err());
    }

    #[test]
    fn secrets_never_echo_the_value() {
        let err = secret("whsec_not-base64!!").unwrap_err().to_string();
        assert!(!err.contains("not-base64"), "{err}");
    }
}
