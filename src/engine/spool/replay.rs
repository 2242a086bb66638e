//! Reading segments that other processes wrote: replaying the orphans of dead processes (any
//! process that delivers does this), and following every segment of the host as they are
//! written (the agent).

use crate::engine::model::NewMessage;
use crate::engine::spool::record::decode_all;
use crate::engine::spool::segment::{open_for_reading, try_lock, Mapped, EXTENSION, HEADER_BYTES};
use std::collections::HashMap;
use std::fs::OpenOptions;
use std::io::Read;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// Segments written by umw 0.1 (`write(2)` appends, no header).
pub const LEGACY_EXTENSION: &str = "spool";

/// Messages in an orphaned segment file (its owner is gone: we hold its lock), or None when it
/// is live, not a segment, or not finished being created.
fn read_orphan(path: &Path) -> Option<Vec<NewMessage>> {
    match path.extension().and_then(|e| e.to_str()) {
        Some(LEGACY_EXTENSION) => {
            let mut file = OpenOptions::new()
                .read(true)
                .write(true)
                .custom_flags(libc::O_CLOEXEC)
                .open(path)
                .ok()?;
            if !try_lock(&file) {
                return None;
            }
            let mut bytes = Vec::new();
            file.read_to_end(&mut bytes).ok()?;
            Some(decode_all(&bytes).0)
        }
        Some(EXTENSION) => {
            let map = open_for_reading(path).ok()?;
            if map.capacity() == 0 || !try_lock(&map.file) {
                return None;
            }
            Some(decode_all(map.records()).0)
        }
        _ => None,
    }
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
        let Some(messages) = read_orphan(&path) else {
            continue;
        };
        for chunk in messages.chunks(1024) {
            persist(chunk)?;
        }
        replayed += messages.len();
        let _ = std::fs::remove_file(&path);
    }
    Ok(replayed)
}

/// A segment the tailer follows.
struct Followed {
    map: Mapped,
    /// Record bytes persisted so far.
    read: usize,
    /// Its owner is gone (we hold its lock) or it was sealed: nothing more will be appended.
    finished: bool,
}

/// Where a batch of messages ends in each segment it came from.
pub struct Marks(Vec<(PathBuf, usize)>);

/// The agent's view of a spool directory: every segment, live ones included, read as records
/// are published. A segment that is sealed (or whose owner died) and fully persisted is deleted.
pub struct Tailer {
    dir: PathBuf,
    segments: HashMap<PathBuf, Followed>,
    next_scan: Instant,
}

/// How often the directory is listed for new segments.
const SCAN_EVERY: Duration = Duration::from_millis(50);

impl Tailer {
    pub fn new(dir: PathBuf) -> Tailer {
        Tailer {
            dir,
            segments: HashMap::new(),
            next_scan: Instant::now(),
        }
    }

    fn scan(&mut self) {
        if Instant::now() < self.next_scan {
            return;
        }
        self.next_scan = Instant::now() + SCAN_EVERY;
        let Ok(entries) = std::fs::read_dir(&self.dir) else {
            return;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.extension().and_then(|e| e.to_str()) != Some(EXTENSION)
                || self.segments.contains_key(&path)
            {
                continue;
            }
            let Ok(map) = open_for_reading(&path) else {
                continue;
            };
            // Still being created: its size is not final until the capacity is written.
            let capacity = map.capacity() as usize;
            let len = map.file.metadata().map(|m| m.len() as usize).unwrap_or(0);
            if capacity == 0 || len < HEADER_BYTES + capacity {
                continue;
            }
            let read = map.ingested() as usize;
            self.segments.insert(
                path,
                Followed {
                    map,
                    read,
                    finished: false,
                },
            );
        }
    }

    /// Up to `max` new messages from the followed segments, oldest segment first, and where
    /// they end; persist them, then `ack` the marks.
    pub fn poll(&mut self, max: usize) -> (Vec<NewMessage>, Marks) {
        self.scan();
        let mut messages = Vec::new();
        let mut marks = Vec::new();
        let mut paths: Vec<&PathBuf> = self.segments.keys().collect();
        paths.sort();
        for path in paths {
            if messages.len() >= max {
                break;
            }
            let Some(seg) = self.segments.get(path) else {
                continue;
            };
            let records = seg.map.records();
            if records.len() <= seg.read {
                continue;
            }
            let (found, used) = decode_all(&records[seg.read..]);
            if found.is_empty() {
                continue;
            }
            marks.push((path.clone(), seg.read + used));
            messages.extend(found);
        }
        (messages, Marks(marks))
    }

    /// The messages up to these marks are persisted: remember it (in the segment too, for the
    /// writer's `umw_flush`), and delete segments that are finished and fully read.
    pub fn ack(&mut self, marks: Marks) {
        for (path, end) in marks.0 {
            if let Some(seg) = self.segments.get_mut(&path) {
                seg.read = seg.read.max(end);
                seg.map.set_ingested(seg.read as u64);
            }
        }
        self.collect();
    }

    /// Delete what is done with; notice owners that died.
    pub fn collect(&mut self) {
        let mut done = Vec::new();
        for (path, seg) in self.segments.iter_mut() {
            let all_read = seg.read >= seg.map.records().len();
            if !all_read {
                continue;
            }
            if !seg.finished {
                seg.finished = seg.map.sealed() || try_lock(&seg.map.file);
            }
            // Read once more after noticing: a last record may have landed before the owner died.
            if seg.finished && seg.read >= seg.map.records().len() {
                done.push(path.clone());
            }
        }
        for path in done {
            let _ = std::fs::remove_file(&path);
            self.segments.remove(&path);
        }
    }

    /// Segments followed now, and record bytes written but not yet persisted.
    pub fn backlog(&self) -> (usize, u64) {
        let bytes = self
            .segments
            .values()
            .map(|s| (s.map.records().len().saturating_sub(s.read)) as u64)
            .sum();
        (self.segments.len(), bytes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::spool::{Consumer, Spool};

    fn message(i: usize) -> NewMessage {
        NewMessage {
            id: format!("msg_{i:026}"),
            network_id: 1,
            event: "e".into(),
            payload: vec![b'p'; 100],
            created_at: i as i64,
            spooled: 0,
        }
    }

    #[test]
    fn the_tailer_follows_live_segments_and_deletes_finished_ones() {
        let dir = std::env::temp_dir().join(format!("umw-tailer-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let spool = Spool::new(dir.clone(), Consumer::Agent);
        let mut tailer = Tailer::new(dir.clone());
        for i in 0..3 {
            spool.append(&message(i)).unwrap();
        }
        let (got, marks) = tailer.poll(100);
        assert_eq!(got.len(), 3);
        // Not acknowledged (the store failed): read again.
        drop(marks);
        let (again, marks) = tailer.poll(100);
        assert_eq!(again.len(), 3);
        tailer.ack(marks);
        assert_eq!(spool.agent_progress().map(|(w, i)| w == i), Some(true));
        spool.append(&message(3)).unwrap();
        let (more, marks) = tailer.poll(100);
        assert_eq!(
            more.iter().map(|m| m.id.clone()).collect::<Vec<_>>(),
            vec![message(3).id]
        );
        tailer.ack(marks);
        assert_eq!(tailer.backlog().0, 1, "the live segment stays");
        // The owner ends (its segment is sealed and unlocked): deleted once read.
        spool.close();
        tailer.collect();
        assert_eq!(tailer.backlog(), (0, 0));
        assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 0);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
