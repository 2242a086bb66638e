//! The durable-emit spool: an append-only file per process that makes `umw.durable_emit=1` cost
//! one `write(2)` instead of one SQLite transaction.
//!
//! A durable emit appends its message here before it returns, then hands it to the writer like
//! any other emit. A `write` that returned is in the OS page cache, so it survives the process
//! being killed — the same promise SQLite's WAL with `synchronous=NORMAL` gives. The writer
//! reports the highest spooled sequence it has committed; segments at or below it are deleted.
//!
//! Each live segment is held under an exclusive `flock`, released by the kernel when its process
//! dies. Any process that can take the lock on a segment therefore holds an orphan: it replays
//! the records into the store (messages already there are skipped) and deletes the file.
//!
//! Record: `len: u32 LE | crc32(body): u32 LE | body`, where body is
//! `seq: u64 | created_at: i64 | id_len: u16 | id | [network_id: i64] | event_len: u16 | event | payload`.
//! The network id is there only for networks other than the main one, flagged by the top bit of
//! `id_len` (records written before networks existed never set it).
//!
//! Segments and the directory are private to the PHP user (0600 / 0700): they hold payloads.
//! A torn or damaged tail (killed mid-`write`) ends the replay of that segment.

use crate::engine::model::NewMessage;
use parking_lot::Mutex;
use std::fs::{File, OpenOptions};
use std::io::{self, Read, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::os::unix::io::AsRawFd;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use thiserror::Error;

/// A segment is rotated (or, when fully committed, truncated) past this size.
const SEGMENT_BYTES: u64 = 4 << 20;
const HEADER: usize = 8;
const EXTENSION: &str = "spool";
/// Set in the id length of records that carry a network id.
const NETWORK_FLAG: u16 = 0x8000;
/// Ids and event names are far shorter; the flag bit must stay free.
const MAX_TEXT: usize = 0x7FFF;

#[derive(Debug, Error)]
pub enum SpoolError {
    #[error("umw spool {path}: {source}")]
    Io {
        path: String,
        #[source]
        source: io::Error,
    },
}

fn io_err(path: &Path) -> impl FnOnce(io::Error) -> SpoolError + '_ {
    move |source| SpoolError::Io {
        path: path.display().to_string(),
        source,
    }
}

struct Segment {
    path: PathBuf,
    /// Holds the segment's flock for as long as it is open.
    file: File,
    len: u64,
    last_seq: u64,
}

impl Segment {
    fn create(dir: &Path) -> Result<Segment, SpoolError> {
        crate::engine::store::sqlite::create_private_dir(dir).map_err(io_err(dir))?;
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0);
        let path = dir.join(format!(
            "{}-{nanos:x}.{EXTENSION}",
            crate::engine::fork::pid()
        ));
        let file = OpenOptions::new()
            .create_new(true)
            .append(true)
            .mode(0o600)
            .custom_flags(libc::O_CLOEXEC)
            .open(&path)
            .map_err(io_err(&path))?;
        if !try_lock(&file) {
            return Err(SpoolError::Io {
                source: io::Error::other("cannot lock a new segment"),
                path: path.display().to_string(),
            });
        }
        Ok(Segment {
            path,
            file,
            len: 0,
            last_seq: 0,
        })
    }

    fn remove(self) {
        let _ = std::fs::remove_file(&self.path);
        // Dropping the file closes it, which releases the lock after the unlink.
    }
}

fn try_lock(file: &File) -> bool {
    // SAFETY: flock on a descriptor this File owns.
    unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) == 0 }
}

/// What only the appending (PHP) thread touches, under one lock.
#[derive(Default)]
struct Appender {
    segment: Option<Segment>,
    /// The last sequence number handed out.
    last_seq: u64,
    /// The record being written, reused across appends.
    record: Vec<u8>,
}

pub struct Spool {
    dir: PathBuf,
    appender: Mutex<Appender>,
    /// Rotated segments still waiting for the writer to commit their last record.
    sealed: Mutex<Vec<Segment>>,
    committed: AtomicU64,
}

impl Spool {
    pub fn new(dir: PathBuf) -> Spool {
        Spool {
            dir,
            appender: Mutex::new(Appender::default()),
            sealed: Mutex::new(Vec::new()),
            committed: AtomicU64::new(0),
        }
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Append one message durably; returns its sequence number (≥ 1). On a short write the
    /// segment is cut back so no torn record hides the ones after it.
    pub fn append(&self, message: &NewMessage) -> Result<u64, SpoolError> {
        let mut guard = self.appender.lock();
        let appender = &mut *guard;
        if let Some(segment) = appender.segment.as_mut() {
            if segment.len >= SEGMENT_BYTES {
                if self.committed.load(Ordering::Acquire) >= segment.last_seq {
                    segment.file.set_len(0).map_err(io_err(&segment.path))?;
                    segment.len = 0;
                } else if let Some(full) = appender.segment.take() {
                    self.sealed.lock().push(full);
                }
            }
        }
        let segment = match appender.segment.as_mut() {
            Some(segment) => segment,
            None => appender.segment.insert(Segment::create(&self.dir)?),
        };
        let seq = appender.last_seq + 1;
        let record = &mut appender.record;
        encode(record, seq, message);
        match segment.file.write(record) {
            Ok(n) if n == record.len() => {}
            result => {
                let _ = segment.file.set_len(segment.len);
                let source = match result {
                    Err(e) => e,
                    // A short write to a regular file means the file system ran out of room.
                    Ok(_) => io::Error::from_raw_os_error(libc::ENOSPC),
                };
                return Err(SpoolError::Io {
                    path: segment.path.display().to_string(),
                    source,
                });
            }
        }
        segment.len += record.len() as u64;
        segment.last_seq = seq;
        appender.last_seq = seq;
        Ok(seq)
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
        done.into_iter().for_each(Segment::remove);
    }

    /// Process end, after the writer drained: delete the segment if it is fully committed, keep
    /// it otherwise (locked until exit, then replayed by the next process).
    pub fn close(&self) {
        let committed = self.committed.load(Ordering::Acquire);
        let mut appender = self.appender.lock();
        if appender
            .segment
            .as_ref()
            .is_some_and(|s| s.last_seq <= committed || s.len == 0)
        {
            if let Some(segment) = appender.segment.take() {
                segment.remove();
            }
        }
    }

    /// A forked child must not keep its parent's segments (and their locks) open.
    pub fn forget_inherited(&self) {
        self.appender.lock().segment.take();
        self.sealed.lock().clear();
    }
}

fn encode(out: &mut Vec<u8>, seq: u64, m: &NewMessage) {
    out.clear();
    out.extend_from_slice(&[0; HEADER]);
    out.extend_from_slice(&seq.to_le_bytes());
    out.extend_from_slice(&m.created_at.to_le_bytes());
    let other_network = m.network_id != crate::engine::model::DEFAULT_NETWORK;
    for (i, s) in [&m.id, &m.event].into_iter().enumerate() {
        let bytes = s.as_bytes();
        let len = bytes.len().min(MAX_TEXT);
        let flag = if i == 0 && other_network {
            NETWORK_FLAG
        } else {
            0
        };
        out.extend_from_slice(&(len as u16 | flag).to_le_bytes());
        out.extend_from_slice(&bytes[..len]);
        if i == 0 && other_network {
            out.extend_from_slice(&m.network_id.to_le_bytes());
        }
    }
    out.extend_from_slice(&m.payload);
    let body_len = (out.len() - HEADER) as u32;
    let crc = crc32fast::hash(&out[HEADER..]);
    out[0..4].copy_from_slice(&body_len.to_le_bytes());
    out[4..8].copy_from_slice(&crc.to_le_bytes());
}

/// The complete records of a segment's bytes, stopping at the first torn or damaged one.
fn decode_all(bytes: &[u8]) -> Vec<NewMessage> {
    let mut out = Vec::new();
    let mut at = 0usize;
    while let Some((message, next)) = decode_one(bytes, at) {
        out.push(message);
        at = next;
    }
    out
}

fn decode_one(bytes: &[u8], at: usize) -> Option<(NewMessage, usize)> {
    let header = bytes.get(at..at + HEADER)?;
    let len = u32::from_le_bytes(header[0..4].try_into().ok()?) as usize;
    let crc = u32::from_le_bytes(header[4..8].try_into().ok()?);
    let body = bytes.get(at + HEADER..at + HEADER + len)?;
    if crc32fast::hash(body) != crc {
        return None;
    }
    let created_at = i64::from_le_bytes(body.get(8..16)?.try_into().ok()?);
    let mut pos = 16;
    let mut text = || -> Option<(String, bool)> {
        let raw = u16::from_le_bytes(body.get(pos..pos + 2)?.try_into().ok()?);
        let n = (raw & !NETWORK_FLAG) as usize;
        let s = std::str::from_utf8(body.get(pos + 2..pos + 2 + n)?).ok()?;
        pos += 2 + n;
        Some((s.to_string(), raw & NETWORK_FLAG != 0))
    };
    let (id, has_network) = text()?;
    let network_id = if has_network {
        let n = i64::from_le_bytes(body.get(pos..pos + 8)?.try_into().ok()?);
        pos += 8;
        n
    } else {
        crate::engine::model::DEFAULT_NETWORK
    };
    let mut text = || -> Option<String> {
        let n = u16::from_le_bytes(body.get(pos..pos + 2)?.try_into().ok()?) as usize;
        let s = std::str::from_utf8(body.get(pos + 2..pos + 2 + n)?).ok()?;
        pos += 2 + n;
        Some(s.to_string())
    };
    let event = text()?;
    let payload = body.get(pos..)?.to_vec();
    Some((
        NewMessage {
            id,
            network_id,
            event,
            payload,
            created_at,
            spooled: 0,
        },
        at + HEADER + len,
    ))
}

/// What is in a spool directory, for `umw_stats()` and `php --ri`.
#[derive(Debug, Clone, Default)]
pub struct SpoolStatus {
    pub dir: String,
    pub segments: usize,
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
        if path.extension().and_then(|e| e.to_str()) == Some(EXTENSION) {
            out.segments += 1;
            out.bytes += entry.metadata().map(|m| m.len()).unwrap_or(0);
            files.push(path);
        }
    }
    out.warnings
        .extend(crate::engine::store::sqlite::readable_by_others(&files));
    out.private = out.warnings.is_empty();
    out
}

/// Segments left by processes that died: each one locked, read, handed to `persist` (which
/// must skip messages already stored), then deleted. Returns how many messages were replayed.
pub fn recover<E>(
    dir: &Path,
    mut persist: impl FnMut(&[NewMessage]) -> Result<(), E>,
) -> Result<usize, E> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Ok(0);
    };
    let mut replayed = 0;
    for entry in entries.flatten() {
        let path = entry.path();
        if path.extension().and_then(|e| e.to_str()) != Some(EXTENSION) {
            continue;
        }
        let Ok(mut file) = OpenOptions::new()
            .read(true)
            .write(true)
            .custom_flags(libc::O_CLOEXEC)
            .open(&path)
        else {
            continue;
        };
        if !try_lock(&file) {
            continue; // its process is alive (or another process is replaying it)
        }
        let mut bytes = Vec::new();
        if file.read_to_end(&mut bytes).is_err() {
            continue;
        }
        let messages = decode_all(&bytes);
        for chunk in messages.chunks(1024) {
            persist(chunk)?;
        }
        replayed += messages.len();
        let _ = std::fs::remove_file(&path);
    }
    Ok(replayed)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message(i: usize) -> NewMessage {
        NewMessage {
            id: format!("msg_{i:026}"),
            network_id: if i % 2 == 0 { 1 } else { 7 },
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
    fn records_round_trip_and_a_torn_tail_ends_the_replay() {
        let mut bytes = Vec::new();
        let mut record = Vec::new();
        for i in 0..3 {
            encode(&mut record, i as u64 + 1, &message(i));
            bytes.extend_from_slice(&record);
        }
        let whole = decode_all(&bytes);
        assert_eq!(whole.len(), 3);
        assert_eq!(whole[2].id, message(2).id);
        assert_eq!(whole[1].payload, message(1).payload);
        assert_eq!(whole[0].created_at, message(0).created_at);
        assert_eq!(
            whole.iter().map(|m| m.network_id).collect::<Vec<_>>(),
            vec![1, 7, 1]
        );
        assert_eq!(whole[1].event, "payment_received");
        // Cut mid-record: the first two survive.
        assert_eq!(decode_all(&bytes[..bytes.len() - 5]).len(), 2);
        // A flipped byte in the second record's body: only the first survives.
        let mut damaged = bytes.clone();
        let second = record.len() + HEADER + 20;
        damaged[second] ^= 0xFF;
        assert_eq!(decode_all(&damaged).len(), 1);
        assert!(decode_all(&[]).is_empty());
    }

    #[test]
    fn live_segments_are_not_recovered_orphans_are_once() {
        let dir = temp_dir("orphans");
        let spool = Spool::new(dir.clone());
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
        let spool = Spool::new(dir.clone());
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
        let spool = Spool::new(dir.clone());
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
        let spool = Spool::new(dir.clone());
        let mut big = message(0);
        big.payload = vec![b'x'; 1 << 20];
        for _ in 0..5 {
            spool.append(&big).unwrap();
        }
        // The fifth append found a full segment with nothing committed: a second one began.
        assert_eq!(files(&dir), 2);
        spool.committed(4);
        assert_eq!(files(&dir), 1, "the sealed segment (seq 1-4) is deleted");
        for _ in 0..3 {
            spool.append(&big).unwrap();
        }
        spool.committed(8);
        // Full and committed: the next append truncates instead of rotating.
        spool.append(&message(10)).unwrap();
        assert_eq!(files(&dir), 1);
        let size = std::fs::metadata(
            std::fs::read_dir(&dir)
                .unwrap()
                .next()
                .unwrap()
                .unwrap()
                .path(),
        )
        .unwrap()
        .len();
        assert!(size < 1024, "truncated, got {size}");
        let _ = std::fs::remove_dir_all(&dir);
    }
}
