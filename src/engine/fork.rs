//! Fork safety for the store. A store client can keep process-global locks (SQLite's memory
//! accounting and unix VFS inode list, a client library's connection state); if `fork()` happens
//! while a background thread holds one, the child inherits it locked and deadlocks on its first
//! query. Background threads hold a read guard of this gate around every store call; a
//! `pthread_atfork` prepare handler takes the write side, so a fork only happens between store
//! calls, and both sides release it afterwards.

use parking_lot::RwLock;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Once;

static GATE: RwLock<()> = RwLock::new(());
static INSTALL: Once = Once::new();
/// This process's id, refreshed in a forked child by the atfork handler: glibc no longer caches
/// getpid(), and a system call per `umw_emit` (to notice a fork) is measurable.
static PID: AtomicU32 = AtomicU32::new(0);

/// The current process id, without a system call once the fork handlers are installed.
pub fn pid() -> u32 {
    install_fork_guard();
    PID.load(Ordering::Acquire)
}

/// Held by background threads while they use the store.
pub fn store_in_use() -> parking_lot::RwLockReadGuard<'static, ()> {
    GATE.read()
}

extern "C" fn prepare() {
    std::mem::forget(GATE.write());
}

extern "C" fn release_in_child() {
    PID.store(std::process::id(), Ordering::Release);
    release();
}

extern "C" fn release() {
    // SAFETY: `prepare` took the write lock in this thread (in the child, the copy of it) and
    // forgot the guard; this is its matching unlock.
    unsafe { GATE.force_unlock_write() };
}

/// Register the fork handlers once per process image (children inherit them).
pub fn install_fork_guard() {
    INSTALL.call_once(|| {
        PID.store(std::process::id(), Ordering::Release);
        // SAFETY: the handlers are plain functions that only touch the static gate and pid.
        unsafe {
            libc::pthread_atfork(Some(prepare), Some(release), Some(release_in_child));
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pid_is_this_process() {
        assert_eq!(pid(), std::process::id());
    }

    #[test]
    fn gate_is_released_after_prepare_and_release() {
        prepare();
        assert!(GATE.try_read().is_none());
        release();
        assert!(GATE.try_read().is_some());
    }
}
