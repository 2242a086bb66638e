//! Fault-injection suite: real PHP processes, the built extension, real HTTP receivers on
//! 127.0.0.1, real php-fpm and nginx. Each scenario prints
//! `scenario: emitted=N delivered=N duplicates=N lost=N` and fails on any loss the docs rule out.
//!
//! Short versions by default (`cargo test --release --test faults`); long ones with `UMW_SOAK=1`
//! (`UMW_SOAK=1 cargo test --release --test faults -- --nocapture --test-threads=1`).
//! Set `UMW_FAULTS_TABLE=/path/rows.md` (and `UMW_FAULTS_NOTES=/path/notes.md`) to collect the
//! markdown rows of tests/faults/README-table.md.
#![allow(clippy::doc_lazy_continuation)]
#![allow(dead_code)]

mod common;

#[path = "faults/support.rs"]
mod support;

#[path = "faults/sigkill.rs"]
mod sigkill;

#[test]
fn f1_sigkill_mid_flight() {
    sigkill::scenario();
}

#[path = "faults/graceful.rs"]
mod graceful;

#[test]
fn f2_graceful_ends() {
    graceful::scenario();
}

#[path = "faults/fpm.rs"]
mod fpm;

#[test]
fn f3_fpm_recycling_under_load() {
    fpm::scenario();
}

#[path = "faults/outage.rs"]
mod outage;

#[test]
fn f4_outage_and_flapping() {
    outage::scenario();
}

#[path = "faults/writers.rs"]
mod writers;

#[test]
fn f5_many_writers() {
    writers::scenario();
}

#[path = "faults/store.rs"]
mod store;

#[test]
fn f6_store_trouble() {
    store::scenario();
}

#[path = "faults/slowloris.rs"]
mod slowloris;

#[test]
fn f7_slow_loris_receivers() {
    slowloris::scenario();
}

#[path = "faults/agent.rs"]
mod agent;

#[test]
fn f8_agent_killed_mid_drain() {
    agent::killed_mid_drain();
}

#[test]
fn f9_agent_mode_php_killed_mid_burst() {
    agent::php_killed_mid_burst();
}

#[test]
fn f9b_agent_mode_fpm_workers_killed_mid_burst() {
    agent::fpm_workers_killed_mid_burst();
}

#[test]
fn f10_agent_absent_or_dead_falls_back() {
    agent::no_agent_falls_back();
}

#[path = "faults/multihost.rs"]
mod multihost;

#[test]
fn f11_two_hosts_share_webhooks() {
    multihost::webhooks_are_shared();
}

#[test]
fn f12_two_hosts_eight_writers() {
    multihost::writers_on_both_hosts();
}

#[test]
fn f13_two_hosts_one_killed_for_good() {
    multihost::host_killed_for_good();
}

#[test]
fn f14_two_hosts_database_restarted() {
    multihost::database_restarted();
}
