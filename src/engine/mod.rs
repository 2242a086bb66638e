//! The engine: everything that stores, matches, signs and delivers webhooks.
//!
//! Nothing in here touches ext-php-rs types, so all of it is unit-tested as plain Rust.
//! The PHP layer (`crate::php`) converts zvals into these types and errors into exceptions.

pub mod address_policy;
pub mod admin;
pub mod agent;
pub mod catalog;
pub mod config;
pub mod counters;
pub mod delivery;
pub mod directory;
pub mod dispatch;
pub mod error;
pub mod fork;
pub mod http;
pub mod ids;
pub mod model;
pub mod retry;
pub mod rules;
pub mod runtime;
pub mod signing;
pub mod spool;
pub mod stats;
pub mod store;
pub mod validate;
pub mod writer;

pub use error::{Error, Result};

/// Milliseconds since the Unix epoch, the unit every stored time uses.
pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}
