//! Counters shared by the PHP thread, the writer and the delivery tasks, and the wait that
//! `umw_flush` does on them.

use parking_lot::{Condvar, Mutex};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// An atomic on a cache line of its own.
#[derive(Default)]
#[repr(align(128))]
pub struct OwnLine(AtomicU64);

impl std::ops::Deref for OwnLine {
    type Target = AtomicU64;
    fn deref(&self) -> &AtomicU64 {
        &self.0
    }
}

/// Counters shared by the PHP thread, the writer and the delivery tasks.
#[derive(Default)]
pub struct Counters {
    /// Bumped by every emit: apart from the counters the writer and tasks update, so the PHP
    /// thread does not pull that cache line across CPUs on each event.
    pub emitted: OwnLine,
    /// Set by the PHP thread when it woke the writer for a filling queue; cleared on drain.
    pub writer_nudged: std::sync::atomic::AtomicBool,
    /// Messages whose deliveries have all had a first attempt (or that matched nothing).
    pub settled: AtomicU64,
    pub outstanding: AtomicU64,
    pub in_flight: AtomicU64,
    pub delivered: AtomicU64,
    pub retrying: AtomicU64,
    pub failed: AtomicU64,
    pub store_errors: AtomicU64,
    /// Threads inside `wait_settled` (an `umw_flush`).
    pub flush_waiters: AtomicU64,
    pub last_error: Mutex<Option<String>>,
    settled_lock: Mutex<()>,
    settled_changed: Condvar,
}

impl Counters {
    pub fn settle(&self, n: u64) {
        if n == 0 {
            return;
        }
        self.settled.fetch_add(n, Ordering::AcqRel);
        let _guard = self.settled_lock.lock();
        self.settled_changed.notify_all();
    }

    /// Wait until `settled >= target` or the deadline; true when reached.
    pub fn wait_settled(&self, target: u64, deadline: Instant) -> bool {
        self.flush_waiters.fetch_add(1, Ordering::AcqRel);
        let reached = self.wait_settled_inner(target, deadline);
        self.flush_waiters.fetch_sub(1, Ordering::AcqRel);
        reached
    }

    fn wait_settled_inner(&self, target: u64, deadline: Instant) -> bool {
        let mut guard = self.settled_lock.lock();
        loop {
            if self.settled.load(Ordering::Acquire) >= target {
                return true;
            }
            if Instant::now() >= deadline {
                return false;
            }
            // Bounded waits: a notify between the check and the wait must not cost the deadline.
            let wait = deadline
                .saturating_duration_since(Instant::now())
                .min(Duration::from_millis(20));
            self.settled_changed.wait_for(&mut guard, wait);
        }
    }

    pub fn note_error(&self, message: String) {
        self.store_errors.fetch_add(1, Ordering::Relaxed);
        *self.last_error.lock() = Some(message);
    }

    pub fn count_outcome(&self, outcome: &crate::engine::store::Outcome) {
        let counter = match outcome.transition {
            crate::engine::store::Transition::Delivered => &self.delivered,
            crate::engine::store::Transition::Retry { .. } => &self.retrying,
            crate::engine::store::Transition::Failed => &self.failed,
        };
        counter.fetch_add(1, Ordering::Relaxed);
    }
}
