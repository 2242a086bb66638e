//! The engine's data: webhooks, messages, deliveries and attempts, as the store and the
//! dispatcher see them.

use std::sync::Arc;
use std::time::Duration;

/// How a payload is put on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// The body is the payload itself — what Ultimate Multisite sends, so existing receivers keep working.
    Flat,
    /// `{"type": event, "timestamp": RFC 3339, "data": payload}`.
    Envelope,
}

impl Format {
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Flat => "flat",
            Format::Envelope => "envelope",
        }
    }
    pub fn parse(s: &str) -> Option<Format> {
        match s {
            "flat" => Some(Format::Flat),
            "envelope" => Some(Format::Envelope),
            _ => None,
        }
    }
}

pub const WILDCARD: &str = "*";

/// The network a webhook belongs to and an event comes from when none is named (the main one).
pub const DEFAULT_NETWORK: i64 = 1;

#[derive(Debug, Clone, PartialEq)]
pub struct Webhook {
    pub id: i64,
    /// Only events emitted for this network reach the webhook (WordPress multi-network installs).
    pub network_id: i64,
    /// A link to where the webhook is managed, when umw is not its source of truth
    /// (e.g. `ultimate-multisite:1:42`); unique across the store.
    pub external_id: Option<String>,
    /// Moves on every change of what or where the webhook sends (and on delete/disable), so a
    /// delivery claimed under an older revision is re-checked before it goes on the wire.
    pub revision: i64,
    pub name: String,
    pub url: String,
    pub events: Vec<String>,
    pub active: bool,
    pub format: Format,
    pub headers: Vec<(String, String)>,
    pub secret: String,
    pub previous_secret: Option<String>,
    pub previous_secret_until: Option<i64>,
    pub created_at: i64,
    pub updated_at: i64,
    pub disabled_at: Option<i64>,
    pub disabled_reason: Option<String>,
    pub failing_since: Option<i64>,
    pub delivered_count: i64,
    pub failed_count: i64,
    pub last_delivery_at: Option<i64>,
    pub last_status: Option<String>,
    pub last_status_code: Option<i64>,
}

impl Webhook {
    pub fn subscribes_to(&self, event: &str) -> bool {
        self.events.iter().any(|e| e == WILDCARD || e == event)
    }

    /// Whether an event emitted for `network_id` reaches this webhook.
    pub fn takes(&self, network_id: i64, event: &str) -> bool {
        self.network_id == network_id && self.subscribes_to(event)
    }

    /// Whether deliveries go out: switched on and not disabled by endpoint health.
    pub fn is_live(&self) -> bool {
        self.active && self.disabled_at.is_none()
    }

    /// The secrets to sign with: the current one, then the previous one while its rotation
    /// grace period lasts.
    pub fn signing_secrets(&self, now_ms: i64) -> Vec<String> {
        let mut secrets = vec![self.secret.clone()];
        if let (Some(previous), Some(until)) = (&self.previous_secret, self.previous_secret_until) {
            if until > now_ms {
                secrets.push(previous.clone());
            }
        }
        secrets
    }

    pub fn target(&self, now_ms: i64) -> Target {
        Target {
            webhook_id: self.id,
            revision: self.revision,
            url: self.url.clone(),
            parsed_url: url::Url::parse(&self.url).ok(),
            format: self.format,
            headers: self.headers.clone(),
            secrets: self.signing_secrets(now_ms),
        }
    }
}

/// Fields given when creating or changing a webhook; `None` = not given.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct WebhookInput {
    pub network_id: Option<i64>,
    /// `Some(None)` clears the link.
    pub external_id: Option<Option<String>>,
    pub name: Option<String>,
    pub url: Option<String>,
    pub events: Option<Vec<String>>,
    pub active: Option<bool>,
    pub secret: Option<String>,
    pub headers: Option<Vec<(String, String)>>,
    pub format: Option<Format>,
}

#[derive(Debug, Clone, Default)]
pub struct WebhookFilter {
    pub event: Option<String>,
    pub active: Option<bool>,
    pub network_id: Option<i64>,
    pub external_id: Option<String>,
}

/// An emitted event, its payload already JSON.
#[derive(Debug, Clone)]
pub struct NewMessage {
    pub id: String,
    pub network_id: i64,
    pub event: String,
    pub payload: Vec<u8>,
    pub created_at: i64,
    /// The spool sequence of a durable emit (see `spool`); 0 when not spooled.
    pub spooled: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeliveryStatus {
    Pending,
    Delivered,
    Retrying,
    Failed,
}

impl DeliveryStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            DeliveryStatus::Pending => "pending",
            DeliveryStatus::Delivered => "delivered",
            DeliveryStatus::Retrying => "retrying",
            DeliveryStatus::Failed => "failed",
        }
    }
    pub fn parse(s: &str) -> Option<DeliveryStatus> {
        match s {
            "pending" => Some(DeliveryStatus::Pending),
            "delivered" => Some(DeliveryStatus::Delivered),
            "retrying" => Some(DeliveryStatus::Retrying),
            "failed" => Some(DeliveryStatus::Failed),
            _ => None,
        }
    }
}

/// Where and how to send: a snapshot of the webhook taken when the delivery was claimed.
#[derive(Debug, Clone)]
pub struct Target {
    pub webhook_id: i64,
    pub revision: i64,
    pub url: String,
    /// `url` parsed once per claim, not once per attempt (None if it does not parse; the
    /// attempt then reports why).
    pub parsed_url: Option<url::Url>,
    pub format: Format,
    pub headers: Vec<(String, String)>,
    pub secrets: Vec<String>,
}

/// One delivery claimed by this process, ready for an attempt.
#[derive(Debug, Clone)]
pub struct Job {
    pub delivery_id: String,
    pub message_id: String,
    /// The network the message was emitted for.
    pub network_id: i64,
    pub event: String,
    pub payload: Arc<Vec<u8>>,
    pub message_created_at: i64,
    /// Attempts made before this one.
    pub attempts_made: u32,
    pub is_test: bool,
    pub target: Arc<Target>,
}

/// What one HTTP attempt produced.
#[derive(Debug, Clone, Default)]
pub struct AttemptResult {
    pub time_ms: i64,
    /// Where it was sent (empty when nothing was sent).
    pub url: String,
    /// The headers sent, extra header values masked (they may hold credentials).
    pub request_headers: Vec<(String, String)>,
    pub status_code: Option<u16>,
    pub duration_ms: f64,
    pub error: Option<String>,
    pub response_body: String,
    pub response_headers: Vec<(String, String)>,
    pub retry_after: Option<Duration>,
}

impl AttemptResult {
    pub fn succeeded(&self) -> bool {
        self.error.is_none() && matches!(self.status_code, Some(200..=299))
    }
}

#[derive(Debug, Clone)]
pub struct AttemptView {
    pub time_ms: i64,
    pub url: Option<String>,
    pub request_headers: Vec<(String, String)>,
    pub status_code: Option<i64>,
    pub duration_ms: f64,
    pub error: Option<String>,
    pub response_headers: Vec<(String, String)>,
    pub response_body: String,
}

#[derive(Debug, Clone)]
pub struct DeliveryView {
    pub id: String,
    pub message_id: String,
    pub webhook_id: i64,
    pub event: String,
    pub status: String,
    pub is_test: bool,
    pub attempts: Vec<AttemptView>,
    /// When a delivery waiting for its next attempt gets it; None once done or while in flight.
    pub next_attempt_at: Option<i64>,
    /// Claimed by a running process whose lease has not run out: being sent now.
    pub in_flight: bool,
    pub created_at: i64,
    /// Only when asked for (`DeliveryFilter::with_payload`, or a single delivery): payloads can
    /// be megabytes each.
    pub payload: Option<String>,
}

#[derive(Debug, Clone, Default)]
pub struct DeliveryFilter {
    pub webhook_id: Option<i64>,
    pub network_id: Option<i64>,
    pub event: Option<String>,
    pub status: Option<DeliveryStatus>,
    pub message_id: Option<String>,
    pub since_ms: Option<i64>,
    pub until_ms: Option<i64>,
    pub is_test: Option<bool>,
    pub with_payload: bool,
    pub limit: usize,
    pub offset: usize,
}

/// Counts of deliveries by status across the whole store.
#[derive(Debug, Clone, Default)]
pub struct StoreCounts {
    pub pending: i64,
    pub retrying: i64,
    pub delivered: i64,
    pub failed: i64,
    pub webhooks: i64,
    /// When the oldest delivery still waiting (pending or retrying) was created.
    pub oldest_waiting_created_at: Option<i64>,
}

/// What `Store::delivery_stats` aggregates: attempts per time bucket, by outcome.
#[derive(Debug, Clone)]
pub struct StatsQuery {
    pub webhook_id: Option<i64>,
    pub since_ms: i64,
    pub until_ms: i64,
    pub bucket_ms: i64,
}

/// Attempts in one bucket of time, by what they led to; durations as a histogram
/// (`crate::engine::stats`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct StatsBucket {
    pub start_ms: i64,
    pub delivered: i64,
    pub retrying: i64,
    pub failed: i64,
    pub durations: crate::engine::stats::Histogram,
}

/// What one pruning pass removed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PruneReport {
    pub deliveries: u64,
    pub attempts: u64,
    pub messages: u64,
}

impl PruneReport {
    pub fn add(&mut self, other: PruneReport) {
        self.deliveries += other.deliveries;
        self.attempts += other.attempts;
        self.messages += other.messages;
    }
}
