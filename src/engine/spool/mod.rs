//! The spool: per-process segment files on the host's disk that make an emit durable (it
//! survives the process being killed) at the cost of a memory copy.
//!
//! - With `umw.durable_emit=1` (embedded delivery), an emit is appended here before it returns,
//!   then handed to this process's writer like any other emit. The writer reports the highest
//!   sequence it has committed to the store; segments at or below it are reused or deleted.
//! - With `umw.delivery=agent`, every emit is appended here and nothing else happens in the PHP
//!   process: the host's agent reads the segments (`replay::Tailer`), persists what it finds and
//!   deletes segments once they are sealed and read.
//!
//! Each live segment is held under an exclusive `flock`, released by the kernel when its process
//! dies; any process that can take the lock holds an orphan and may replay it (`replay`). Files
//! and the directory are private to the PHP user (0600 / 0700): they hold payloads.

pub mod record;
pub mod replay;
pub mod segment;

use crate::engine::model::NewMessage;
use parking_lot::Mutex;
use segment::{Writable, EXTENSION};
use std::io;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use thiserror::Error;

pub use replay::{recover, Tailer};

/// Record bytes per segment (a larger payload gets a segment of its own size).
pub const SEGMENT_BYTES: usize = 1 << 20;

#[derive(Debug, Error)]
pub enum SpoolError {
    #[error("umw spool {path}: {source}")]
    Io {
        path: String,
        #[source]
        source: io::Error,
    },
}

/// Who empties this process's segments.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Consumer {
    /// This process's own writer: segments are reused or deleted as it commits.
    Writer,
    /// The host's agent: full segments are sealed and let go; the agent deletes them.
    Agent,
}

/// What only the appending (PHP) thread touches, under one lock.
#[derive(Default)]
struct Appender {
    segment: Option<Writable>,
    /// The last sequence number handed out.
    last_seq: u64,
    /// The record being written, reused across appends.
    record: Vec<u8>,
}

pub struct Spool {
    dir: PathBuf,
    consumer: Mutex<Consumer>,
    appender: Mutex<Appender>,
    /// Full segments still waiting for the writer to commit their last record.
    sealed: Mutex<Vec<Writable>>,
    /// Agent mode: full segments let go, which the agent deletes once it has persisted them.
    let_go: Mutex<Vec<PathBuf>>,
    committed: AtomicU64,
}

impl Spool {
    pub fn new(dir: PathBuf, consumer: Consumer) -> Spool {
        Spool {
            dir,
            consumer: Mutex::new(consumer),
            appender: Mutex::new(Appender::default()),
            sealed: Mutex::new(Vec::new()),
            let_go: Mutex::new(Vec::new()),
            committed: AtomicU64::new(0),
        }
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Append one message durably; returns its sequence number (≥ 1).
    pub fn append(&self, message: &NewMessage) -> Result<u64, SpoolError> {
        let mut guard = self.appender.lock();
        let appender = &mut *guard;
        let seq = appender.last_seq + 1;
        record::encode(&mut appender.record, seq, message);
        let needed = appender.record.len();
        if appender.segment.as_ref().is_some_and(|s| s.room() < needed) {
            self.make_room(appender);
        }
        let segment = match appender.segment.as_mut() {
            Some(segment) => segment,
            None => appender.segment.insert(Writable::create(
                &self.dir,
                SEGMENT_BYTES.max(needed),
                crate::engine::fork::pid(),
            )?),
        };
        segment.append(&appender.record, seq);
        appender.last_seq = seq;
        Ok(seq)
    }

    /// The current segment is full: start over in it if the writer has committed all of it,
    /// otherwise let it go (sealed) and begin another.
    fn make_room(&self, appender: &mut Appender) {
        let consumer = *self.consumer.lock();
        let Some(full) = appender.segment.take() else {
            return;
        };
        match consumer {
            Consumer::Writer if self.committed.load(Ordering::Acquire) >= full.last_seq => {
                let mut full = full;
                full.reset();
                appender.segment = Some(full);
            }
            Consumer::Writer => {
                full.seal();
                self.sealed.lock().push(full);
            }
            Consumer::Agent => {
                // Sealed and unlocked (dropped): the agent reads the rest and deletes it.
                full.seal();
                self.let_go.lock().push(full.map.path.clone());
            }
        }
    }

    /// The writer committed every spooled message up to `seq`: drop the segments it covers.
    pub fn committed(&self, seq: u64) {
        if self.committed.fetch_max(seq, Ordering::AcqRel) >= seq {
            return;
        }
        let mut sealed = self.sealed.lock();
        let (done, waiting): (Vec<_>, Vec<_>) = std::mem::take(&mut *sealed)
            .into_iter()
            .partition(|s| s.last_seq <= seq);
        *sealed = waiting;
        done.into_iter().for_each(Writable::remove);
    }

    /// Bytes this process has appended to its current segment, and how many of them the agent
    /// has persisted.
    pub fn agent_progress(&self) -> Option<(u64, u64)> {
        let appender = self.appender.lock();
        appender
            .segment
            .as_ref()
            .map(|s| (s.map.committed(), s.map.ingested()))
    }

    /// Agent mode: has the agent persisted everything this process appended? (`umw_flush`)
    pub fn agent_caught_up(&self) -> bool {
        let current = self
            .agent_progress()
            .is_none_or(|(written, ingested)| ingested >= written);
        current && self.let_go_done()
    }

    /// From now on this process's own writer empties the spool (the agent is gone): the current
    /// segment is sealed and let go, so the writer's replay picks it up with the other orphans.
    pub fn switch_to_writer(&self) {
        *self.consumer.lock() = Consumer::Writer;
        if let Some(segment) = self.appender.lock().segment.take() {
            segment.seal();
            self.let_go.lock().push(segment.map.path.clone());
        }
    }

    /// Back to the agent (a fallback that could not start its writer).
    pub fn switch_to_agent(&self) {
        *self.consumer.lock() = Consumer::Agent;
    }

    /// Whether every segment this process let go has been read and deleted (by the agent, or
    /// after a fallback by this process's writer replaying it).
    pub fn let_go_done(&self) -> bool {
        let mut let_go = self.let_go.lock();
        let_go.retain(|path| path.exists());
        let_go.is_empty()
    }

    /// Process end, after the writer drained: delete the segment if it is fully committed, keep
    /// it otherwise (locked until exit, then replayed by the next process or the agent).
    pub fn close(&self) {
        if *self.consumer.lock() == Consumer::Agent {
            // Unlocked at exit; the agent reads what is left and deletes it.
            if let Some(segment) = self.appender.lock().segment.take() {
                segment.seal();
            }
            return;
        }
        let committed = self.committed.load(Ordering::Acquire);
        let mut appender = self.appender.lock();
        if appender
            .segment
            .as_ref()
            .is_some_and(|s| s.last_seq <= committed || s.map.committed() == 0)
        {
            if let Some(segment) = appender.segment.take() {
                segment.remove();
            }
        }
    }

    /// A forked child must not keep its parent's segments (and their locks) open.
    pub fn forget_inherited(&self) {
        // Dropping the child's copies unmaps them and closes its descriptors; the parent's
        // descriptor keeps the (shared) flock.
        self.appender.lock().segment.take();
        self.sealed.lock().clear();
    }
}

/// What is in a spool directory, for `umw_stats()` and `php --ri`.
#[derive(Debug, Clone, Default)]
pub struct SpoolStatus {
    pub dir: String,
    pub segments: usize,
    /// Record bytes written and not yet read by a consumer.
    pub bytes: u64,
    pub private: bool,
    pub warnings: Vec<String>,
}

pub fn status(dir: &Path) -> SpoolStatus {
    use std::os::unix::fs::MetadataExt;
    let mut out = SpoolStatus {
        dir: dir.display().to_string(),
        ..Default::default()
    };
    if let Ok(meta) = std::fs::metadata(dir) {
        if meta.mode() & 0o077 != 0 {
            out.warnings.push(format!(
                "{} is mode {:o}",
                dir.display(),
                meta.mode() & 0o777
            ));
        }
    }
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        match path.extension().and_then(|e| e.to_str()) {
            Some(EXTENSION) => {
                out.segments += 1;
                if let Ok(map) = segment::open_for_reading(&path) {
                    out.bytes += map.committed().saturating_sub(map.ingested());
                }
                files.push(path);
            }
            Some(replay::LEGACY_EXTENSION) => {
                out.segments += 1;
                out.bytes += entry.metadata().map(|m| m.len()).unwrap_or(0);
                files.push(path);
            }
            _ => {}
        }
    }
    out.warnings
        .extend(crate::engine::store::sqlite::readable_by_others(&files));
    out.private = out.warnings.is_empty();
    out
}

#[cfg(test)]
mod tests {
    use super::record::decode_all;
    use super::*;

    fn message(i: usize) -> NewMessage {
        NewMessage {
            id: format!("msg_{i:026}"),
            network_id: 1,
            event: "payment_received".into(),
            payload: format!("{{\"n\":{i}}}").into_bytes(),
            created_at: 1_700_000_000_000 + i as i64,
            spooled: 0,
        }
    }

    fn temp_dir(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("umw-spool-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        dir
    }

    fn files(dir: &Path) -> usize {
        std::fs::read_dir(dir).map(|d| d.count()).unwrap_or(0)
    }

    #[test]
    fn live_segments_are_not_recovered_orphans_are_once() {
        let dir = temp_dir("orphans");
        let spool = Spool::new(dir.clone(), Consumer::Writer);
        for i in 0..5 {
            assert_eq!(spool.append(&message(i)).unwrap(), i as u64 + 1);
        }
        let mut seen = Vec::new();
        let replay = |seen: &mut Vec<String>| {
            recover(&dir, |batch| {
                seen.extend(batch.iter().map(|m| m.id.clone()));
                Ok::<_, ()>(())
            })
            .unwrap()
        };
        assert_eq!(
            replay(&mut seen),
            0,
            "a segment whose owner lives is locked"
        );
        // The owner goes away without committing (as if killed): its lock is released.
        spool.forget_inherited();
        assert_eq!(replay(&mut seen), 5);
        assert_eq!(seen, (0..5).map(|i| message(i).id).collect::<Vec<_>>());
        assert_eq!(files(&dir), 0, "replayed segments are deleted");
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn a_failed_replay_keeps_the_segment() {
        let dir = temp_dir("failed");
        let spool = Spool::new(dir.clone(), Consumer::Writer);
        spool.append(&message(1)).unwrap();
        spool.forget_inherited();
        assert!(recover(&dir, |_| Err("store down")).is_err());
        assert_eq!(files(&dir), 1);
        assert_eq!(recover(&dir, |_| Ok::<_, ()>(())).unwrap(), 1);
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn committed_segments_are_deleted_at_close_uncommitted_kept() {
        let dir = temp_dir("close");
        let spool = Spool::new(dir.clone(), Consumer::Writer);
        spool.append(&message(1)).unwrap();
        spool.append(&message(2)).unwrap();
        spool.committed(1);
        spool.close();
        assert_eq!(files(&dir), 1, "seq 2 is not committed yet");
        spool.committed(2);
        spool.close();
        assert_eq!(files(&dir), 0);
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn full_segments_rotate_and_go_once_committed() {
        let dir = temp_dir("rotate");
        let spool = Spool::new(dir.clone(), Consumer::Writer);
        let mut big = message(0);
        big.payload = vec![b'x'; 300 * 1024];
        for _ in 0..4 {
            spool.append(&big).unwrap();
        }
        // The fourth append found a full segment with nothing committed: a second one began.
        assert_eq!(files(&dir), 2);
        spool.committed(3);
        assert_eq!(files(&dir), 1, "the sealed segment (seq 1-3) is deleted");
        for _ in 0..2 {
            spool.append(&big).unwrap();
        }
        spool.committed(6);
        // Full and committed: the next appends start over in the same file.
        spool.append(&big).unwrap();
        spool.append(&message(10)).unwrap();
        assert_eq!(files(&dir), 1);
        spool.forget_inherited();
        let mut seen = 0;
        recover(&dir, |batch| {
            seen += batch.len();
            Ok::<_, ()>(())
        })
        .unwrap();
        assert_eq!(
            seen, 2,
            "only what was appended after the restart is replayed"
        );
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn a_payload_larger_than_a_segment_gets_its_own() {
        let dir = temp_dir("large");
        let spool = Spool::new(dir.clone(), Consumer::Writer);
        let mut big = message(0);
        big.payload = vec![b'y'; SEGMENT_BYTES + 10];
        spool.append(&message(1)).unwrap();
        spool.append(&big).unwrap();
        spool.forget_inherited();
        let mut sizes = Vec::new();
        recover(&dir, |batch| {
            sizes.extend(batch.iter().map(|m| m.payload.len()));
            Ok::<_, ()>(())
        })
        .unwrap();
        sizes.sort();
        assert_eq!(sizes, vec![7, SEGMENT_BYTES + 10]);
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn agent_segments_are_sealed_and_let_go_when_full() {
        let dir = temp_dir("agent");
        let spool = Spool::new(dir.clone(), Consumer::Agent);
        let mut big = message(0);
        big.payload = vec![b'x'; 400 * 1024];
        for _ in 0..3 {
            spool.append(&big).unwrap();
        }
        assert_eq!(files(&dir), 2);
        // The first is sealed and unlocked: a reader sees all of it.
        let mut sealed = 0;
        for entry in std::fs::read_dir(&dir).unwrap() {
            let map = segment::open_for_reading(&entry.unwrap().path()).unwrap();
            if map.sealed() {
                sealed += 1;
                assert_eq!(decode_all(map.records()).0.len(), 2);
            }
        }
        assert_eq!(sealed, 1);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
