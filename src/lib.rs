//! umw — native webhooks for WordPress multisite, as a PHP extension.
//!
//! Map of the crate:
//! - [`engine`]: plain Rust, no PHP types; unit-tested on its own.
//!   - `config`: php.ini strings → `Settings`.
//!   - `model`: webhooks, messages, deliveries, attempts.
//!   - `validate`: field rules for webhooks (names, URLs, events, headers, secrets).
//!   - `catalog`: the event types (Ultimate Multisite's built-ins + registered ones).
//!   - `ids`: time-sortable `msg_…` / `dlv_…` ids.
//!   - `store`: the `Store` trait and its SQLite implementation (the durable outbox).
//!   - `writer`: the per-process writer thread (batches persists and outcomes, claims due work).
//!   - `delivery`: one HTTP attempt and the retry decision.
//!   - `http`: the reqwest client with the SSRF-filtering resolver.
//!   - `signing`, `address_policy`, `retry`: pure functions (Standard Webhooks, SSRF ranges,
//!     retry timing and Retry-After).
//!   - `runtime`: the per-process engine, started lazily and keyed on the pid (fork-safe).
//! - `php` (not in unit tests, which run without a PHP binary): the thin PHP layer — module
//!   and INI entries, the `umw_*` functions, zval ↔ JSON conversion, errors → exceptions.

#![cfg_attr(windows, feature(abi_vectorcall))]

pub mod engine;

#[cfg(not(test))]
mod php;
