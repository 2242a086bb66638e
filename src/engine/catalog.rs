//! The event-type catalog: which events exist (Ultimate Multisite's built-ins
//! plus custom registrations), how their names are validated, and what a
//! realistic sample payload for each one looks like.

use serde_json::{json, Map, Value};

/// The `wu_version` value carried by every sample payload.
pub const WU_VERSION_SAMPLE: &str = "2.3.4";

/// `source` of the built-in Ultimate Multisite events.
pub const SOURCE_BUILTIN: &str = "ultimate-multisite";

/// `source` of events registered at runtime (the default when a registration
/// leaves `source` empty).
pub const SOURCE_CUSTOM: &str = "custom";

/// Longest accepted event name, in characters.
pub const MAX_EVENT_NAME_LEN: usize = 100;

/// One kind of event a webhook can subscribe to.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct EventType {
    /// Machine name, e.g. `payment_received`.
    pub name: String,
    /// Human label, e.g. `Payment Received`.
    pub label: String,
    /// When the event fires and what it carries.
    pub description: String,
    /// A realistic sample payload.
    pub sample: Map<String, Value>,
    /// `"ultimate-multisite"` for built-ins, `"custom"` for registered ones.
    pub source: String,
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

// ---------------------------------------------------------------------------
// Payload groups. Each returns the keys of one Ultimate Multisite group with
// sample values; events merge the groups they carry.
// ---------------------------------------------------------------------------

fn object(value: Value) -> Map<String, Value> {
    match value {
        Value::Object(map) => map,
        _ => Map::new(),
    }
}

fn customer() -> Map<String, Value> {
    object(json!({
        "customer_id": 42,
        "customer_name": "Maria Silva",
        "customer_user_id": 187,
        "customer_user_email": "maria.silva@example.com",
        "customer_email_verification": "verified",
        "customer_avatar": "https://network.example.com/avatars/187.png",
        "customer_billing_address": "Rua Augusta 274, 1100-053 Lisbon, PT",
        "customer_manage_url": "https://network.example.com/wp-admin/network/customers/42/",
    }))
}

fn membership() -> Map<String, Value> {
    object(json!({
        "membership_id": 318,
        "membership_status": "active",
        "membership_reference_code": "MBR7Q2KX9",
        "membership_initial_amount": "$49.00",
        "membership_initial_amount_raw": 49.0,
        "membership_amount": "$29.00",
        "membership_amount_raw": 29.0,
        "membership_currency": "USD",
        "membership_description": "$29.00 / month, $49.00 setup",
        "membership_gateway": "stripe",
        "membership_date_expiration": "2026-12-28 14:03:12",
        "membership_manage_url": "https://network.example.com/wp-admin/network/memberships/318/",
    }))
}

fn payment() -> Map<String, Value> {
    object(json!({
        "payment_id": 1204,
        "payment_status": "completed",
        "payment_reference_code": "PAYK4M8ZT",
        "payment_subtotal": "$29.00",
        "payment_subtotal_raw": 29.0,
        "payment_tax_total": "$6.67",
        "payment_tax_total_raw": 6.67,
        "payment_total": "$35.67",
        "payment_total_raw": 35.67,
        "payment_currency": "USD",
        "payment_product_names": "Premium Plan",
        "payment_date_created": "2026-11-28 14:03:12",
        "payment_gateway": "stripe",
        "payment_invoice_url": "https://network.example.com/invoice/PAYK4M8ZT/",
        "payment_manage_url": "https://network.example.com/wp-admin/network/payments/1204/",
    }))
}

fn site() -> Map<String, Value> {
    object(json!({
        "site_id": 57,
        "site_title": "Silva Bakery",
        "site_description": "Fresh bread and pastries in the heart of Lisbon",
        "site_url": "https://network.example.com/silvabakery/",
        "site_admin_url": "https://network.example.com/silvabakery/wp-admin/",
        "site_manage_url": "https://network.example.com/wp-admin/network/sites/57/",
    }))
}

fn domain() -> Map<String, Value> {
    object(json!({
        "domain_id": 23,
        "domain_domain": "silvabakery.example.org",
        "domain_site_id": 57,
        "domain_stage": "checking-dns",
        "domain_active": true,
        "domain_primary": true,
        "domain_secure": false,
        "domain_date_created": "2026-11-28 15:21:40",
        "domain_manage_url": "https://network.example.com/wp-admin/network/domains/23/",
    }))
}

fn billing() -> Map<String, Value> {
    object(json!({
        "company_name": "Silva Bakery Lda.",
        "billing_email": "billing@silvabakery.example.org",
        "billing_address_line_1": "Rua Augusta 274",
        "billing_address_line_2": "2nd floor",
        "billing_country": "PT",
        "billing_state": "Lisboa",
        "billing_city": "Lisbon",
        "billing_zip_code": "1100-053",
    }))
}

/// The post keys shared by `subsite_post_created` and `subsite_cpt_created`.
fn subsite_post(id: u64, title: &str, post_type: &str, status: &str) -> Map<String, Value> {
    object(json!({
        "post_id": id,
        "post_title": title,
        "post_type": post_type,
        "post_status": status,
        "post_author_id": 187,
    }))
}

/// Starts a payload with `wu_version`, then merges each group in order.
fn payload<I>(groups: I) -> Map<String, Value>
where
    I: IntoIterator<Item = Map<String, Value>>,
{
    let mut out = Map::new();
    out.insert("wu_version".to_owned(), json!(WU_VERSION_SAMPLE));
    for group in groups {
        out.extend(group);
    }
    out
}

fn builtin(name: &str, label: &str, description: &str, sample: Map<String, Value>) -> EventType {
    EventType {
        name: name.to_owned(),
        label: label.to_owned(),
        description: description.to_owned(),
        sample,
        source: SOURCE_BUILTIN.to_owned(),
    }
}

/// The built-in Ultimate Multisite events, in their canonical order.
pub fn builtin_event_types() -> Vec<EventType> {
    vec![
        builtin(
            "payment_received",
            "Payment Received",
            "Fires when a payment is completed, whether a first payment or a renewal. \
             Carries the payment, its membership and the paying customer.",
            payload([payment(), membership(), customer()]),
        ),
        builtin(
            "site_published",
            "Site Published",
            "Fires when a customer's new site has been created and published on the network. \
             Carries the site, its owner and the membership it belongs to.",
            payload([site(), customer(), membership()]),
        ),
        builtin(
            "confirm_email_address",
            "Email Verification Needed",
            "Fires when a customer must confirm their email address before continuing. \
             Carries the verification link and the customer.",
            payload([
                object(json!({
                    "verification_link": "https://network.example.com/?wu-confirm-email=42&key=c81e728d9d4c2f63",
                })),
                customer(),
            ]),
        ),
        builtin(
            "domain_created",
            "New Domain Mapping Added",
            "Fires when a custom domain is mapped to a site. \
             Carries the domain mapping, the site, its membership and the customer.",
            payload([domain(), site(), membership(), customer()]),
        ),
        builtin(
            "renewal_payment_created",
            "New Renewal Payment Created",
            "Fires when a pending renewal payment is generated for a membership. \
             Carries the payment link, the payment, its membership and the customer.",
            payload([
                object(json!({
                    "default_payment_url": "https://network.example.com/pay/?payment=PAYK4M8ZT",
                })),
                payment(),
                membership(),
                customer(),
            ]),
        ),
        builtin(
            "invoice_sent",
            "Invoice Sent",
            "Fires when an invoice is sent to a customer. \
             Carries the payment link, the message sent with it, the payment and the customer.",
            payload([
                object(json!({
                    "payment_url": "https://network.example.com/pay/?payment=PAYK4M8ZT",
                    "invoice_message": "Hi Maria, your invoice for the Premium Plan is ready. Thank you for your business!",
                })),
                payment(),
                customer(),
            ]),
        ),
        builtin(
            "payment_failed",
            "Recurring Payment Failed",
            "Fires when the gateway reports that a recurring payment failed. \
             Carries the membership, the customer and the gateway that reported the failure.",
            payload([
                membership(),
                customer(),
                object(json!({ "payment_gateway": "stripe" })),
            ]),
        ),
        builtin(
            "membership_expired",
            "Membership Expired",
            "Fires when a membership reaches its expiration date without being renewed. \
             Carries the membership and the customer.",
            payload([membership(), customer()]),
        ),
        builtin(
            "demo_site_expiring",
            "Demo Site Expiring",
            "Fires shortly before a demo site is due to be deleted. \
             Carries the site, its membership, the customer and when the demo expires.",
            payload([
                site(),
                membership(),
                customer(),
                object(json!({
                    "demo_expires_at": "2026-11-29 14:03:12",
                    "demo_time_remaining": "23 hours",
                })),
            ]),
        ),
        builtin(
            "customer_created",
            "Customer Created",
            "Fires when a new customer record is created. \
             Carries the customer and their billing details.",
            payload([customer(), billing()]),
        ),
        builtin(
            "customer_updated",
            "Customer Updated",
            "Fires when a customer record is changed. \
             Carries the updated customer and their billing details.",
            payload([customer(), billing()]),
        ),
        builtin(
            "membership_created",
            "Membership Created",
            "Fires when a new membership is created. \
             Carries the membership, the customer and their billing details.",
            payload([membership(), customer(), billing()]),
        ),
        builtin(
            "membership_updated",
            "Membership Updated",
            "Fires when a membership is changed, for example upgraded, renewed or cancelled. \
             Carries the updated membership, the customer and their billing details.",
            payload([membership(), customer(), billing()]),
        ),
        builtin(
            "payment_created",
            "Payment Created",
            "Fires when a new payment record is created, before or after it is paid. \
             Carries the payment, its membership, the customer and their billing details.",
            payload([payment(), membership(), customer(), billing()]),
        ),
        builtin(
            "payment_updated",
            "Payment Updated",
            "Fires when a payment record is changed, for example when its status moves to completed or refunded. \
             Carries the payment, its membership, the customer and their billing details.",
            payload([payment(), membership(), customer(), billing()]),
        ),
        builtin(
            "checkout_started",
            "Checkout Started",
            "Fires when a visitor opens a checkout form. \
             Carries the form, the visitor's user id (0 if logged out), IP address and referrer.",
            payload([object(json!({
                "form_slug": "main-form",
                "user_id": 0,
                "ip_address": "203.0.113.42",
                "referrer": "https://network.example.com/pricing/",
            }))]),
        ),
        builtin(
            "checkout_step_completed",
            "Checkout Step Completed",
            "Fires when a customer completes one step of a multi-step checkout. \
             Carries the pending membership, the customer, the cart type and whether the order is free.",
            payload([
                membership(),
                customer(),
                object(json!({ "cart_type": "new", "is_free": false })),
            ]),
        ),
        builtin(
            "checkout_completed",
            "Checkout Completed",
            "Fires when a checkout finishes successfully. \
             Carries the payment, the membership, the customer, the cart type, the gateway and whether the order was free.",
            payload([
                payment(),
                membership(),
                customer(),
                object(json!({ "cart_type": "upgrade", "gateway": "stripe", "is_free": false })),
            ]),
        ),
        builtin(
            "checkout_failed",
            "Checkout Failed",
            "Fires when a checkout submission is rejected. \
             Carries the error codes and messages and the user id (0 if logged out).",
            payload([object(json!({
                "error_codes": ["invalid_email", "card_declined"],
                "error_messages": [
                    "The email address is not valid.",
                    "Your card was declined.",
                ],
                "user_id": 0,
            }))]),
        ),
        builtin(
            "subsite_post_created",
            "Subsite Post Created",
            "Fires when a post is created on a customer's site. \
             Carries the post, the site and its membership.",
            payload([
                subsite_post(912, "Our new sourdough schedule", "post", "publish"),
                site(),
                membership(),
            ]),
        ),
        builtin(
            "subsite_cpt_created",
            "Subsite Custom Post Type Entry Created",
            "Fires when an entry of a custom post type is created on a customer's site. \
             Carries the entry, the site and its membership.",
            payload([
                subsite_post(913, "Pastel de Nata (box of 6)", "product", "draft"),
                site(),
                membership(),
            ]),
        ),
        builtin(
            "subsite_user_registered",
            "Subsite User Registered",
            "Fires when a new user registers on a customer's site. \
             Carries the new user, the site and its membership.",
            payload([
                object(json!({
                    "new_user_id": 2291,
                    "new_user_login": "joao.pereira",
                    "new_user_email": "joao.pereira@example.net",
                    "new_user_role": "subscriber",
                })),
                site(),
                membership(),
            ]),
        ),
        builtin(
            "subsite_woocommerce_order",
            "Subsite WooCommerce Order Placed",
            "Fires when a WooCommerce order is placed on a customer's site. \
             Carries the order with its items, the site and its membership.",
            payload([
                object(json!({
                    "order_id": 5530,
                    "order_total": "€18.40",
                    "order_status": "processing",
                    "order_items": [
                        { "product_id": 913, "name": "Pastel de Nata (box of 6)", "quantity": 2, "total": "€14.40" },
                        { "product_id": 921, "name": "Sourdough loaf", "quantity": 1, "total": "€4.00" },
                    ],
                })),
                site(),
                membership(),
            ]),
        ),
    ]
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
    pub fn register(&mut self, mut event: EventType) -> Result<(), EventNameError> {
        validate_event_name(&event.name)?;
        if event.source.is_empty() {
            event.source = SOURCE_CUSTOM.to_owned();
        }
        match self.events.iter_mut().find(|e| e.name == event.name) {
            Some(slot) => *slot = event,
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
    const POST: &[&str] = &[
        "post_id",
        "post_title",
        "post_type",
        "post_status",
        "post_author_id",
    ];

    /// (event, label, key groups) — the documented table.
    fn expected() -> Vec<(&'static str, &'static str, Vec<&'static [&'static str]>)> {
        vec![
            (
                "payment_received",
                "Payment Received",
                vec![PAYMENT, MEMBERSHIP, CUSTOMER],
            ),
            (
                "site_published",
                "Site Published",
                vec![SITE, CUSTOMER, MEMBERSHIP],
            ),
            (
                "confirm_email_address",
                "Email Verification Needed",
                vec![&["verification_link"], CUSTOMER],
            ),
            (
                "domain_created",
                "New Domain Mapping Added",
                vec![DOMAIN, SITE, MEMBERSHIP, CUSTOMER],
            ),
            (
                "renewal_payment_created",
                "New Renewal Payment Created",
                vec![&["default_payment_url"], PAYMENT, MEMBERSHIP, CUSTOMER],
            ),
            (
                "invoice_sent",
                "Invoice Sent",
                vec![&["payment_url", "invoice_message"], PAYMENT, CUSTOMER],
            ),
            (
                "payment_failed",
                "Recurring Payment Failed",
                vec![MEMBERSHIP, CUSTOMER, &["payment_gateway"]],
            ),
            (
                "membership_expired",
                "Membership Expired",
                vec![MEMBERSHIP, CUSTOMER],
            ),
            (
                "demo_site_expiring",
                "Demo Site Expiring",
                vec![
                    SITE,
                    MEMBERSHIP,
                    CUSTOMER,
                    &["demo_expires_at", "demo_time_remaining"],
                ],
            ),
            (
                "customer_created",
                "Customer Created",
                vec![CUSTOMER, BILLING],
            ),
            (
                "customer_updated",
                "Customer Updated",
                vec![CUSTOMER, BILLING],
            ),
            (
                "membership_created",
                "Membership Created",
                vec![MEMBERSHIP, CUSTOMER, BILLING],
            ),
            (
                "membership_updated",
                "Membership Updated",
                vec![MEMBERSHIP, CUSTOMER, BILLING],
            ),
            (
                "payment_created",
                "Payment Created",
                vec![PAYMENT, MEMBERSHIP, CUSTOMER, BILLING],
            ),
            (
                "payment_updated",
                "Payment Updated",
                vec![PAYMENT, MEMBERSHIP, CUSTOMER, BILLING],
            ),
            (
                "checkout_started",
                "Checkout Started",
                vec![&["form_slug", "user_id", "ip_address", "referrer"]],
            ),
            (
                "checkout_step_completed",
                "Checkout Step Completed",
                vec![MEMBERSHIP, CUSTOMER, &["cart_type", "is_free"]],
            ),
            (
                "checkout_completed",
                "Checkout Completed",
                vec![
                    PAYMENT,
                    MEMBERSHIP,
                    CUSTOMER,
                    &["cart_type", "gateway", "is_free"],
                ],
            ),
            (
                "checkout_failed",
                "Checkout Failed",
                vec![&["error_codes", "error_messages", "user_id"]],
            ),
            (
                "subsite_post_created",
                "Subsite Post Created",
                vec![POST, SITE, MEMBERSHIP],
            ),
            (
                "subsite_cpt_created",
                "Subsite Custom Post Type Entry Created",
                vec![POST, SITE, MEMBERSHIP],
            ),
            (
                "subsite_user_registered",
                "Subsite User Registered",
                vec![
                    &[
                        "new_user_id",
                        "new_user_login",
                        "new_user_email",
                        "new_user_role",
                    ],
                    SITE,
                    MEMBERSHIP,
                ],
            ),
            (
                "subsite_woocommerce_order",
                "Subsite WooCommerce Order Placed",
                vec![
                    &["order_id", "order_total", "order_status", "order_items"],
                    SITE,
                    MEMBERSHIP,
                ],
            ),
        ]
    }

    #[test]
    fn builtins_match_the_documented_table_in_order() {
        let builtins = builtin_event_types();
        let table = expected();
        let names: Vec<&str> = builtins.iter().map(|e| e.name.as_str()).collect();
        let want: Vec<&str> = table.iter().map(|(n, _, _)| *n).collect();
        assert_eq!(names, want);

        for (event, (name, label, groups)) in builtins.iter().zip(table) {
            assert_eq!(event.label, label, "{name}");
            assert_eq!(event.source, SOURCE_BUILTIN, "{name}");
            let mut keys: BTreeSet<&str> = groups.into_iter().flatten().copied().collect();
            keys.insert("wu_version");
            let got: BTreeSet<&str> = event.sample.keys().map(String::as_str).collect();
            assert_eq!(got, keys, "{name}");
            assert_eq!(
                event.sample["wu_version"],
                json!(WU_VERSION_SAMPLE),
                "{name}"
            );
        }
    }

    #[test]
    fn builtins_are_well_formed_and_unique() {
        let builtins = builtin_event_types();
        let mut seen = BTreeSet::new();
        for event in &builtins {
            assert_eq!(validate_event_name(&event.name), Ok(()), "{}", event.name);
            assert!(seen.insert(event.name.clone()), "duplicate {}", event.name);
            assert!(!event.label.trim().is_empty(), "{}", event.name);
            assert!(!event.description.trim().is_empty(), "{}", event.name);
            assert!(event.description.ends_with('.'), "{}", event.name);
            assert!(!event.description.contains("  "), "{}", event.name);
        }
    }

    #[test]
    fn sample_value_types_are_realistic() {
        let catalog = Catalog::with_builtins();
        let s = catalog.sample_for("payment_received");
        assert!(s["payment_total"].is_string());
        assert!(s["payment_total_raw"].is_f64());
        assert!(s["membership_amount_raw"].is_f64());
        assert!(s["payment_id"].is_u64());
        assert!(s["customer_id"].is_u64());
        for (key, value) in &s {
            if key.ends_with("_url") {
                let url = value.as_str().unwrap_or_default();
                assert!(url.starts_with("https://network.example.com/"), "{key}");
            }
        }
        let d = catalog.sample_for("domain_created");
        assert!(d["domain_active"].is_boolean());
        let started = catalog.sample_for("checkout_started");
        assert_eq!(started["ip_address"], json!("203.0.113.42"));
        let failed = catalog.sample_for("checkout_failed");
        assert!(failed["error_codes"].is_array());
        assert!(failed["error_messages"].is_array());
        let order = catalog.sample_for("subsite_woocommerce_order");
        let items = order["order_items"].as_array().cloned().unwrap_or_default();
        assert!(!items.is_empty());
        assert!(items.iter().all(Value::is_object));
    }

    #[test]
    fn payment_received_is_about_one_kilobyte() {
        let sample = Catalog::with_builtins().sample_for("payment_received");
        let len = serde_json::to_string(&sample).map(|s| s.len()).unwrap_or(0);
        // 36 keys are ~810 bytes of names alone; keep the whole under 1.5 KiB.
        assert!((1000..=1536).contains(&len), "{len} bytes");
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
        let position = catalog.all().iter().position(|e| e.name == "invoice_sent");
        assert_eq!(catalog.register(custom("invoice_sent", "")), Ok(()));
        assert_eq!(catalog.all().len(), before);
        let after = catalog.all().iter().position(|e| e.name == "invoice_sent");
        assert_eq!(position, after);
        let event = catalog.get("invoice_sent");
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
        for key in ["name", "label", "description", "sample", "source"] {
            assert!(value.get(key).is_some(), "{key}");
        }
    }
}
