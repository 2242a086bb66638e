//! The event-type catalog: which events exist (Ultimate Multisite's built-ins
//! plus custom registrations), where each one comes from and whether anything
//! fires it, how names are validated, and a sample payload for each one.
//!
//! The built-ins live in `data/ultimate-multisite-events.json`: the events
//! Ultimate Multisite 2.4.10 defines, with their samples in the key order and
//! value types UM builds (`wu_version` last, domain flags as "true"/"false").

use serde_json::{json, Map, Value};

/// The `wu_version` value carried by every sample payload: the Ultimate
/// Multisite version the built-in catalog was taken from.
pub const WU_VERSION_SAMPLE: &str = "2.4.10";

/// The built-in catalog, as data.
const BUILTINS_JSON: &str = include_str!("../../data/ultimate-multisite-events.json");

/// Most entries a catalog holds (built-ins included): registrations are per
/// process and `umw_event_types()` copies them all into PHP.
pub const MAX_ENTRIES: usize = 500;
/// Longest description, in characters.
pub const MAX_DESCRIPTION_CHARS: usize = 1000;
/// Longest origin note, in characters.
pub const MAX_ORIGIN_CHARS: usize = 1000;
/// Largest sample, as compact JSON.
pub const MAX_SAMPLE_BYTES: usize = 16 * 1024;

/// `source` of the built-in Ultimate Multisite events.
pub const SOURCE_BUILTIN: &str = "ultimate-multisite";

/// `source` of events registered at runtime (the default when a registration
/// leaves `source` empty).
pub const SOURCE_CUSTOM: &str = "custom";

/// Longest accepted event name, in characters.
pub const MAX_EVENT_NAME_LEN: usize = 100;

/// One kind of event a webhook can subscribe to.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct EventType {
    /// Machine name, e.g. `payment_received`.
    pub name: String,
    /// Human label, e.g. `Payment Received`.
    pub label: String,
    /// When the event fires and what it carries.
    pub description: String,
    /// A sample payload, shaped as the source sends it.
    pub sample: Map<String, Value>,
    /// `"ultimate-multisite"` for built-ins, `"custom"` for registered ones
    /// (or what the registration says).
    pub source: String,
    /// Where the event comes from: which code defines and fires it.
    #[serde(default)]
    pub origin: String,
    /// Whether its source fires it: `Some(false)` = defined but never fired
    /// (a subscription to it receives nothing), `None` = not known.
    #[serde(default)]
    pub fired: Option<bool>,
}

/// Why an event name was rejected.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum EventNameError {
    #[error("event name is empty; {RULES}")]
    Empty,
    #[error("event name is {len} characters long; {RULES}")]
    TooLong { len: usize },
    #[error("event name has {ch:?} at position {position} (0-based); {RULES}")]
    InvalidChar { ch: char, position: usize },
}

const RULES: &str = "event names are 1-100 characters of letters, digits and _ . : / - \
with no whitespace; \"*\" alone means every event (only in a webhook's event list)";

/// Checks an event name: 1..=100 chars, ASCII letters, digits, `_`, `.`, `:`,
/// `/`, `-`. `"*"` is NOT valid here (it is a subscription wildcard, handled
/// by the caller).
pub fn validate_event_name(name: &str) -> Result<(), EventNameError> {
    if name.is_empty() {
        return Err(EventNameError::Empty);
    }
    let len = name.chars().count();
    if len > MAX_EVENT_NAME_LEN {
        return Err(EventNameError::TooLong { len });
    }
    match name.chars().enumerate().find(|&(_, ch)| !is_name_char(ch)) {
        Some((position, ch)) => Err(EventNameError::InvalidChar { ch, position }),
        None => Ok(()),
    }
}

fn is_name_char(ch: char) -> bool {
    ch.is_ascii_alphanumeric() || matches!(ch, '_' | '.' | ':' | '/' | '-')
}

/// Why a registration was refused.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum RegisterError {
    #[error("{0}")]
    Name(#[from] EventNameError),
    #[error(
        "the catalog is full ({MAX_ENTRIES} event types); register only the events your plugins \
         fire, or replace an existing one by registering its name again"
    )]
    Full,
    #[error("\"{field}\" is {len} characters long; at most {max} are allowed")]
    TooLong {
        field: &'static str,
        len: usize,
        max: usize,
    },
    #[error(
        "\"sample\" is {bytes} bytes as JSON; at most {MAX_SAMPLE_BYTES} are allowed \
         (a sample shows the payload's shape: keep one representative item per list)"
    )]
    SampleTooLarge { bytes: usize },
}

fn check_length(field: &'static str, value: &str, max: usize) -> Result<(), RegisterError> {
    let len = value.chars().count();
    if len > max {
        return Err(RegisterError::TooLong { field, len, max });
    }
    Ok(())
}

/// The built-in Ultimate Multisite events, in their canonical order.
pub fn builtin_event_types() -> Vec<EventType> {
    // The file is part of the build and checked by the tests below.
    serde_json::from_str(BUILTINS_JSON).unwrap_or_default()
}

/// A catalog: built-ins plus custom registrations (a custom registration
/// with a built-in's name replaces it). Kept in insertion order.
#[derive(Debug, Clone)]
pub struct Catalog {
    events: Vec<EventType>,
}

impl Catalog {
    /// A catalog holding the built-in events.
    pub fn with_builtins() -> Self {
        Self {
            events: builtin_event_types(),
        }
    }

    /// Adds an event, or replaces the one with the same name in place.
    /// An empty `source` becomes `"custom"`.
    pub fn register(&mut self, mut event: EventType) -> Result<(), RegisterError> {
        validate_event_name(&event.name)?;
        check_length("description", &event.description, MAX_DESCRIPTION_CHARS)?;
        check_length("origin", &event.origin, MAX_ORIGIN_CHARS)?;
        let bytes = serde_json::to_vec(&event.sample).map_or(usize::MAX, |v| v.len());
        if bytes > MAX_SAMPLE_BYTES {
            return Err(RegisterError::SampleTooLarge { bytes });
        }
        if event.source.is_empty() {
            event.source = SOURCE_CUSTOM.to_owned();
        }
        let full = self.events.len() >= MAX_ENTRIES;
        match self.events.iter_mut().find(|e| e.name == event.name) {
            Some(slot) => *slot = event,
            None if full => return Err(RegisterError::Full),
            None => self.events.push(event),
        }
        Ok(())
    }

    /// The event with this exact name.
    pub fn get(&self, name: &str) -> Option<&EventType> {
        self.events.iter().find(|e| e.name == name)
    }

    /// Every event, in insertion order.
    pub fn all(&self) -> &[EventType] {
        &self.events
    }

    /// Sample payload for an event; for an unknown event (or one registered
    /// with an empty sample) a minimal
    /// `{"event": name, "test": true, "wu_version": ...}`.
    pub fn sample_for(&self, name: &str) -> Map<String, Value> {
        match self.get(name) {
            Some(event) if !event.sample.is_empty() => event.sample.clone(),
            _ => {
                let mut out = Map::new();
                out.insert("event".to_owned(), json!(name));
                out.insert("test".to_owned(), json!(true));
                out.insert("wu_version".to_owned(), json!(WU_VERSION_SAMPLE));
                out
            }
        }
    }
}

impl Default for Catalog {
    fn default() -> Self {
        Self::with_builtins()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    const CUSTOMER: &[&str] = &[
        "customer_id",
        "customer_name",
        "customer_user_id",
        "customer_user_email",
        "customer_email_verification",
        "customer_avatar",
        "customer_billing_address",
        "customer_manage_url",
    ];
    const MEMBERSHIP: &[&str] = &[
        "membership_id",
        "membership_status",
        "membership_reference_code",
        "membership_initial_amount",
        "membership_initial_amount_raw",
        "membership_amount",
        "membership_amount_raw",
        "membership_currency",
        "membership_description",
        "membership_gateway",
        "membership_date_expiration",
        "membership_manage_url",
    ];
    const PAYMENT: &[&str] = &[
        "payment_id",
        "payment_status",
        "payment_reference_code",
        "payment_subtotal",
        "payment_subtotal_raw",
        "payment_tax_total",
        "payment_tax_total_raw",
        "payment_total",
        "payment_total_raw",
        "payment_currency",
        "payment_product_names",
        "payment_date_created",
        "payment_gateway",
        "payment_invoice_url",
        "payment_manage_url",
    ];
    const SITE: &[&str] = &[
        "site_id",
        "site_title",
        "site_description",
        "site_url",
        "site_admin_url",
        "site_manage_url",
    ];
    const DOMAIN: &[&str] = &[
        "domain_id",
        "domain_domain",
        "domain_site_id",
        "domain_stage",
        "domain_active",
        "domain_primary",
        "domain_secure",
        "domain_date_created",
        "domain_manage_url",
    ];
    // Billing_Address::fields() order (inc/objects/class-billing-address.php).
    const BILLING: &[&str] = &[
        "company_name",
        "billing_email",
        "billing_address_line_1",
        "billing_address_line_2",
        "billing_country",
        "billing_state",
        "billing_city",
        "billing_zip_code",
    ];

    /// (event, label, fired, key groups in order) — Ultimate Multisite 2.4.10:
    /// Event_Manager::register_all_events merges wu_generate_event_payload()
    /// groups in this order; get_model_payload() for the model events; then
    /// do_event()/wu_maybe_lazy_load_payload() append `wu_version` last.
    #[allow(clippy::type_complexity)]
    fn expected() -> Vec<(
        &'static str,
        &'static str,
        bool,
        Vec<&'static [&'static str]>,
    )> {
        vec![
            (
                "payment_received",
                "Payment Received",
                true,
                vec![PAYMENT, MEMBERSHIP, CUSTOMER],
            ),
            (
                "site_published",
                "Site Published",
                true,
                vec![SITE, CUSTOMER, MEMBERSHIP],
            ),
            (
                "confirm_email_address",
                "Email Verification Needed",
                true,
                vec![&["verification_link"], CUSTOMER],
            ),
            (
                "domain_created",
                "New Domain Mapping Added",
                true,
                vec![DOMAIN, SITE, MEMBERSHIP, CUSTOMER],
            ),
            (
                "renewal_payment_created",
                "New Renewal Payment Created",
                true,
                vec![&["default_payment_url"], PAYMENT, MEMBERSHIP, CUSTOMER],
            ),
            (
                "customer_created",
                "Customer Created",
                false,
                vec![CUSTOMER, BILLING],
            ),
            (
                "customer_updated",
                "Customer Updated",
                false,
                vec![CUSTOMER, BILLING],
            ),
            (
                "membership_created",
                "Membership Created",
                false,
                vec![MEMBERSHIP, CUSTOMER, BILLING],
            ),
            (
                "membership_updated",
                "Membership Updated",
                false,
                vec![MEMBERSHIP, CUSTOMER, BILLING],
            ),
            (
                "payment_created",
                "Payment Created",
                false,
                vec![PAYMENT, MEMBERSHIP, CUSTOMER, BILLING],
            ),
            (
                "payment_updated",
                "Payment Updated",
                false,
                vec![PAYMENT, MEMBERSHIP, CUSTOMER, BILLING],
            ),
        ]
    }

    #[test]
    fn builtins_match_ultimate_multisite_in_order_and_key_order() {
        let builtins = builtin_event_types();
        let table = expected();
        let names: Vec<&str> = builtins.iter().map(|e| e.name.as_str()).collect();
        let want: Vec<&str> = table.iter().map(|(n, _, _, _)| *n).collect();
        assert_eq!(names, want);

        for (event, (name, label, fired, groups)) in builtins.iter().zip(table) {
            assert_eq!(event.label, label, "{name}");
            assert_eq!(event.source, SOURCE_BUILTIN, "{name}");
            assert_eq!(event.fired, Some(fired), "{name}");
            let mut keys: Vec<&str> = groups.into_iter().flatten().copied().collect();
            keys.push("wu_version");
            let got: Vec<&str> = event.sample.keys().map(String::as_str).collect();
            assert_eq!(got, keys, "{name}: keys in UM's order, wu_version last");
            assert_eq!(
                event.sample["wu_version"],
                json!(WU_VERSION_SAMPLE),
                "{name}"
            );
        }
    }

    #[test]
    fn builtins_file_parses() {
        let parsed: Result<Vec<EventType>, _> = serde_json::from_str(BUILTINS_JSON);
        assert!(parsed.is_ok(), "{parsed:?}");
    }

    #[test]
    fn builtins_are_well_formed_and_unique() {
        let builtins = builtin_event_types();
        assert_eq!(builtins.len(), 11);
        let mut seen = BTreeSet::new();
        for event in &builtins {
            assert_eq!(validate_event_name(&event.name), Ok(()), "{}", event.name);
            assert!(seen.insert(event.name.clone()), "duplicate {}", event.name);
            assert!(!event.label.trim().is_empty(), "{}", event.name);
            assert!(event.description.ends_with('.'), "{}", event.name);
            assert!(
                event.origin.contains("Ultimate Multisite 2.4.10"),
                "{}",
                event.name
            );
            assert!(
                event.origin.contains(".php"),
                "{}: names the file",
                event.name
            );
            // UM's event column is varchar(40) (Webhooks_Table::set_schema).
            assert!(event.name.len() <= 40, "{}", event.name);
        }
    }

    #[test]
    fn unfired_events_say_why() {
        for event in builtin_event_types() {
            if event.fired == Some(false) {
                assert!(event.origin.contains("never fires it"), "{}", event.name);
                assert!(
                    event.origin.contains("register_all_events"),
                    "{}",
                    event.name
                );
            }
        }
    }

    #[test]
    fn sample_value_types_are_the_ones_um_sends() {
        let catalog = Catalog::with_builtins();
        let s = catalog.sample_for("payment_received");
        assert!(s["payment_total"].is_string());
        assert!(s["payment_total_raw"].is_f64());
        assert!(s["membership_amount_raw"].is_f64());
        assert!(s["payment_id"].is_u64());
        assert!(s["customer_id"].is_u64());
        // get_avatar() HTML and Billing_Address::to_string() (PHP_EOL-joined).
        assert!(s["customer_avatar"]
            .as_str()
            .is_some_and(|a| a.starts_with("<img ")));
        assert!(s["customer_billing_address"]
            .as_str()
            .is_some_and(|a| a.contains('\n')));
        for (key, value) in &s {
            if key.ends_with("_url") {
                let url = value.as_str().unwrap_or_default();
                assert!(url.starts_with("https://network.example.com"), "{key}");
            }
        }
        // wu_generate_event_payload('domain'): var_export(bool, true) = "true" / "false".
        let d = catalog.sample_for("domain_created");
        for key in ["domain_active", "domain_primary", "domain_secure"] {
            let value = d[key].as_str().unwrap_or_default();
            assert!(value == "true" || value == "false", "{key}: {value}");
        }
        // Literal sample values UM hard-codes.
        assert_eq!(
            catalog.sample_for("confirm_email_address")["verification_link"],
            json!("https://linktoverifyemail.com")
        );
        assert_eq!(
            catalog.sample_for("renewal_payment_created")["default_payment_url"],
            json!("https://linktopayment.com")
        );
    }

    #[test]
    fn events_um_does_not_define_are_not_in_the_catalog() {
        let catalog = Catalog::with_builtins();
        for name in [
            "invoice_sent",
            "payment_failed",
            "membership_expired",
            "demo_site_expiring",
            "checkout_started",
            "checkout_completed",
            "subsite_post_created",
            "subsite_woocommerce_order",
        ] {
            assert!(catalog.get(name).is_none(), "{name}");
        }
    }

    #[test]
    fn valid_names() {
        for name in [
            "a",
            "payment_received",
            "my-plugin/order.paid",
            "acme:invoice_sent",
            "A1_b2.c3:d4/e5-f6",
            &"x".repeat(100),
        ] {
            assert_eq!(validate_event_name(name), Ok(()), "{name}");
        }
    }

    #[test]
    fn invalid_names() {
        assert_eq!(validate_event_name(""), Err(EventNameError::Empty));
        assert_eq!(
            validate_event_name(&"x".repeat(101)),
            Err(EventNameError::TooLong { len: 101 })
        );
        assert_eq!(
            validate_event_name("*"),
            Err(EventNameError::InvalidChar {
                ch: '*',
                position: 0
            })
        );
        assert_eq!(
            validate_event_name("a b"),
            Err(EventNameError::InvalidChar {
                ch: ' ',
                position: 1
            })
        );
        assert_eq!(
            validate_event_name("tab\t"),
            Err(EventNameError::InvalidChar {
                ch: '\t',
                position: 3
            })
        );
        assert_eq!(
            validate_event_name(" "),
            Err(EventNameError::InvalidChar {
                ch: ' ',
                position: 0
            })
        );
        assert_eq!(
            validate_event_name("line\nbreak"),
            Err(EventNameError::InvalidChar {
                ch: '\n',
                position: 4
            })
        );
        assert_eq!(
            validate_event_name("café"),
            Err(EventNameError::InvalidChar {
                ch: 'é',
                position: 3
            })
        );
        assert_eq!(
            validate_event_name("événement"),
            Err(EventNameError::InvalidChar {
                ch: 'é',
                position: 0
            })
        );
        assert_eq!(
            validate_event_name("orders.*"),
            Err(EventNameError::InvalidChar {
                ch: '*',
                position: 7
            })
        );
        // Length counts characters, not bytes.
        assert_eq!(
            validate_event_name(&"é".repeat(101)),
            Err(EventNameError::TooLong { len: 101 })
        );
    }

    #[test]
    fn error_messages_say_what_is_allowed() {
        for err in [
            EventNameError::Empty,
            EventNameError::TooLong { len: 101 },
            EventNameError::InvalidChar {
                ch: '*',
                position: 0,
            },
        ] {
            let msg = err.to_string();
            assert!(msg.contains("1-100 characters"), "{msg}");
            assert!(msg.contains("_ . : / -"), "{msg}");
            assert!(msg.contains("\"*\" alone means every event"), "{msg}");
        }
        assert!(EventNameError::InvalidChar {
            ch: '\t',
            position: 3
        }
        .to_string()
        .contains("'\\t' at position 3"));
    }

    fn custom(name: &str, source: &str) -> EventType {
        let mut sample = Map::new();
        sample.insert("order_ref".to_owned(), json!("A-1"));
        EventType {
            name: name.to_owned(),
            label: "Custom".to_owned(),
            description: "A custom event.".to_owned(),
            sample,
            source: source.to_owned(),
            origin: String::new(),
            fired: None,
        }
    }

    #[test]
    fn register_adds_at_the_end() {
        let mut catalog = Catalog::with_builtins();
        let before = catalog.all().len();
        assert_eq!(
            catalog.register(custom("acme/order.paid", "custom")),
            Ok(())
        );
        assert_eq!(catalog.all().len(), before + 1);
        assert_eq!(
            catalog.all().last().map(|e| e.name.as_str()),
            Some("acme/order.paid")
        );
        assert_eq!(
            catalog.get("acme/order.paid").map(|e| e.source.as_str()),
            Some("custom")
        );
        assert_eq!(
            catalog.sample_for("acme/order.paid")["order_ref"],
            json!("A-1")
        );
    }

    #[test]
    fn register_replaces_in_place() {
        let mut catalog = Catalog::with_builtins();
        let before = catalog.all().len();
        let position = catalog
            .all()
            .iter()
            .position(|e| e.name == "customer_created");
        assert_eq!(catalog.register(custom("customer_created", "")), Ok(()));
        assert_eq!(catalog.all().len(), before);
        let after = catalog
            .all()
            .iter()
            .position(|e| e.name == "customer_created");
        assert_eq!(position, after);
        let event = catalog.get("customer_created");
        assert_eq!(event.map(|e| e.label.as_str()), Some("Custom"));
        assert_eq!(event.map(|e| e.source.as_str()), Some(SOURCE_CUSTOM));

        // Registering twice replaces the custom one too.
        let mut again = custom("acme:x", "custom");
        assert_eq!(catalog.register(again.clone()), Ok(()));
        again.label = "Second".to_owned();
        assert_eq!(catalog.register(again), Ok(()));
        assert_eq!(catalog.all().len(), before + 1);
        assert_eq!(
            catalog.get("acme:x").map(|e| e.label.as_str()),
            Some("Second")
        );
    }

    #[test]
    fn register_rejects_invalid_names() {
        let mut catalog = Catalog::with_builtins();
        let before = catalog.all().len();
        for name in ["", "*", "a b", "tab\t", "naïve", &"x".repeat(101)] {
            assert!(
                catalog.register(custom(name, "custom")).is_err(),
                "{name:?}"
            );
        }
        assert_eq!(catalog.all().len(), before);
        assert_eq!(catalog.all(), builtin_event_types().as_slice());
    }

    #[test]
    fn sample_for_unknown_event_is_minimal() {
        let catalog = Catalog::with_builtins();
        let sample = catalog.sample_for("acme/never.registered");
        assert_eq!(
            Value::Object(sample),
            json!({ "event": "acme/never.registered", "test": true, "wu_version": WU_VERSION_SAMPLE })
        );
        assert!(catalog.get("acme/never.registered").is_none());
    }

    #[test]
    fn sample_for_registered_event_with_empty_sample_is_minimal() {
        let mut catalog = Catalog::with_builtins();
        let mut event = custom("acme:empty", "custom");
        event.sample.clear();
        assert_eq!(catalog.register(event), Ok(()));
        let sample = catalog.sample_for("acme:empty");
        assert_eq!(sample["event"], json!("acme:empty"));
        assert_eq!(sample["test"], json!(true));
    }

    #[test]
    fn event_type_serializes_with_all_fields() {
        let event = builtin_event_types().into_iter().next();
        let value = serde_json::to_value(event).unwrap_or(Value::Null);
        for key in [
            "name",
            "label",
            "description",
            "sample",
            "source",
            "origin",
            "fired",
        ] {
            assert!(value.get(key).is_some(), "{key}");
        }
    }

    #[test]
    fn register_bounds_entries_descriptions_origins_and_samples() {
        let mut catalog = Catalog::with_builtins();
        let mut long = custom("acme:long", "custom");
        long.description = "x".repeat(MAX_DESCRIPTION_CHARS + 1);
        let err = catalog.register(long).err();
        assert_eq!(
            err,
            Some(RegisterError::TooLong {
                field: "description",
                len: MAX_DESCRIPTION_CHARS + 1,
                max: MAX_DESCRIPTION_CHARS
            })
        );
        assert!(err
            .map(|e| e.to_string())
            .unwrap_or_default()
            .contains("at most 1000"));

        let mut origin = custom("acme:origin", "custom");
        origin.origin = "é".repeat(MAX_ORIGIN_CHARS + 1);
        assert!(matches!(
            catalog.register(origin),
            Err(RegisterError::TooLong {
                field: "origin",
                ..
            })
        ));

        let mut big = custom("acme:big", "custom");
        big.sample
            .insert("blob".to_owned(), json!("y".repeat(MAX_SAMPLE_BYTES)));
        let err = catalog.register(big).err();
        assert!(matches!(err, Some(RegisterError::SampleTooLarge { .. })));
        assert!(err
            .map(|e| e.to_string())
            .unwrap_or_default()
            .contains("at most 16384"));

        // Fill up: replacing an existing name still works when full.
        let room = MAX_ENTRIES - catalog.all().len();
        for i in 0..room {
            assert_eq!(catalog.register(custom(&format!("acme:e{i}"), "")), Ok(()));
        }
        assert_eq!(catalog.all().len(), MAX_ENTRIES);
        assert_eq!(
            catalog.register(custom("acme:one_more", "")),
            Err(RegisterError::Full)
        );
        assert_eq!(catalog.register(custom("acme:e0", "")), Ok(()));
        assert_eq!(catalog.all().len(), MAX_ENTRIES);
    }
}
