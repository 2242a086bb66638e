//! A spool segment: a file mapped into memory (`MAP_SHARED`), so an append is a copy into the
//! page cache, not a system call. Like a returned `write(2)`, a copied record survives the
//! process being killed; only power loss can take it.
//!
//! Layout: one header page, then records (see `record`).
//! - `magic` (8 bytes), then little-endian u64s: `committed` (bytes of complete records, stored
//!   with release ordering after the record is copied, so a reader never sees a torn one),
//!   `sealed` (1 once the owner appends no more), `pid`, `created_at` (ms), `capacity` (record
//!   bytes), `ingested` (bytes a delivery agent has persisted, written by the agent).
//!
//! The file is allocated in full when created (`posix_fallocate`): a full disk refuses the new
//! segment with an error instead of killing the process with SIGBUS on a later copy.

use crate::engine::spool::SpoolError;
use std::fs::{File, OpenOptions};
use std::io;
use std::os::unix::fs::OpenOptionsExt;
use std::os::unix::io::AsRawFd;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

pub const MAGIC: &[u8; 8] = b"UMWSEG02";
pub const HEADER_BYTES: usize = 4096;
pub const EXTENSION: &str = "seg";

const COMMITTED: usize = 8;
const SEALED: usize = 16;
const PID: usize = 24;
const CREATED_AT: usize = 32;
const CAPACITY: usize = 40;
const INGESTED: usize = 48;

fn io_err(path: &Path, source: io::Error) -> SpoolError {
    SpoolError::Io {
        path: path.display().to_string(),
        source,
    }
}

pub fn try_lock(file: &File) -> bool {
    // SAFETY: flock on a descriptor this File owns.
    unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) == 0 }
}

/// A mapping of a whole segment file.
pub struct Mapped {
    pub path: PathBuf,
    /// Holds the file (and, for the owner, its flock) for as long as the mapping lives.
    pub file: File,
    ptr: *mut u8,
    len: usize,
}

// SAFETY: the mapping is plain shared memory; concurrent access goes through the atomics in the
// header, and record bytes are only read below `committed`, which is published after they are
// written.
unsafe impl Send for Mapped {}
unsafe impl Sync for Mapped {}

impl Mapped {
    fn map(path: &Path, file: File, len: usize, writable: bool) -> Result<Mapped, SpoolError> {
        let prot = if writable {
            libc::PROT_READ | libc::PROT_WRITE
        } else {
            libc::PROT_READ
        };
        // SAFETY: mapping `len` bytes of a file we hold open; checked for MAP_FAILED.
        let ptr = unsafe {
            libc::mmap(
                std::ptr::null_mut(),
                len,
                prot,
                libc::MAP_SHARED,
                file.as_raw_fd(),
                0,
            )
        };
        if ptr == libc::MAP_FAILED {
            return Err(io_err(path, io::Error::last_os_error()));
        }
        Ok(Mapped {
            path: path.to_path_buf(),
            file,
            ptr: ptr as *mut u8,
            len,
        })
    }

    fn word(&self, offset: usize) -> &AtomicU64 {
        // SAFETY: offsets are 8-aligned inside the first page of a page-aligned mapping that
        // lives as long as `self`.
        unsafe { &*(self.ptr.add(offset) as *const AtomicU64) }
    }

    pub fn committed(&self) -> u64 {
        self.word(COMMITTED).load(Ordering::Acquire)
    }

    pub fn sealed(&self) -> bool {
        self.word(SEALED).load(Ordering::Acquire) != 0
    }

    pub fn capacity(&self) -> u64 {
        self.word(CAPACITY).load(Ordering::Acquire)
    }

    pub fn pid(&self) -> u64 {
        self.word(PID).load(Ordering::Acquire)
    }

    pub fn ingested(&self) -> u64 {
        self.word(INGESTED).load(Ordering::Acquire)
    }

    pub fn set_ingested(&self, bytes: u64) {
        self.word(INGESTED).fetch_max(bytes, Ordering::AcqRel);
    }

    /// The complete records' bytes.
    pub fn records(&self) -> &[u8] {
        let committed = (self.committed() as usize).min(self.len - HEADER_BYTES);
        // SAFETY: within the mapping; bytes below `committed` were written before it was
        // published (acquire above).
        unsafe { std::slice::from_raw_parts(self.ptr.add(HEADER_BYTES), committed) }
    }
}

impl Drop for Mapped {
    fn drop(&mut self) {
        // SAFETY: unmapping exactly what `map` mapped.
        unsafe {
            libc::munmap(self.ptr as *mut libc::c_void, self.len);
        }
    }
}

/// A segment this process appends to (and holds the flock of).
pub struct Writable {
    pub map: Mapped,
    /// The last sequence number appended.
    pub last_seq: u64,
}

impl Writable {
    /// Create a new segment with room for at least `capacity` record bytes.
    pub fn create(dir: &Path, capacity: usize, pid: u32) -> Result<Writable, SpoolError> {
        crate::engine::store::sqlite::create_private_dir(dir).map_err(|e| io_err(dir, e))?;
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0);
        let path = dir.join(format!("{pid}-{nanos:x}.{EXTENSION}"));
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .create_new(true)
            .mode(0o600)
            .custom_flags(libc::O_CLOEXEC)
            .open(&path)
            .map_err(|e| io_err(&path, e))?;
        let cleanup = |e: SpoolError| {
            let _ = std::fs::remove_file(&path);
            e
        };
        if !try_lock(&file) {
            return Err(cleanup(io_err(
                &path,
                io::Error::other("cannot lock a new segment"),
            )));
        }
        let len = HEADER_BYTES + capacity.div_ceil(HEADER_BYTES) * HEADER_BYTES;
        allocate(&file, len).map_err(|e| cleanup(io_err(&path, e)))?;
        let map = Mapped::map(&path, file, len, true).map_err(cleanup)?;
        // SAFETY: the header page is ours; nobody reads the file before the magic is written
        // (readers check it).
        unsafe {
            std::ptr::copy_nonoverlapping(MAGIC.as_ptr(), map.ptr, MAGIC.len());
        }
        map.word(PID).store(u64::from(pid), Ordering::Release);
        map.word(CREATED_AT)
            .store(crate::engine::now_ms() as u64, Ordering::Release);
        map.word(CAPACITY)
            .store((len - HEADER_BYTES) as u64, Ordering::Release);
        Ok(Writable { map, last_seq: 0 })
    }

    pub fn room(&self) -> usize {
        (self.map.capacity() - self.map.committed()) as usize
    }

    /// Copy one encoded record in and publish it. The caller checked `room()`.
    pub fn append(&mut self, record: &[u8], seq: u64) {
        let at = self.map.committed() as usize;
        // SAFETY: `at + record.len()` is within the capacity (checked by the caller), past the
        // header; only this appender writes record bytes.
        unsafe {
            std::ptr::copy_nonoverlapping(
                record.as_ptr(),
                self.map.ptr.add(HEADER_BYTES + at),
                record.len(),
            );
        }
        self.map
            .word(COMMITTED)
            .store((at + record.len()) as u64, Ordering::Release);
        self.last_seq = seq;
    }

    /// Start over in the same file (everything in it was persisted by this process's writer).
    pub fn reset(&mut self) {
        self.map.word(COMMITTED).store(0, Ordering::Release);
        self.map.word(INGESTED).store(0, Ordering::Release);
    }

    pub fn seal(&self) {
        self.map.word(SEALED).store(1, Ordering::Release);
    }

    pub fn remove(self) {
        let _ = std::fs::remove_file(&self.map.path);
        // Dropping the mapping and the file releases the lock after the unlink.
    }
}

/// Reserve the file's blocks now. Where the file system cannot, write zeros instead, which
/// reserves them too.
fn allocate(file: &File, len: usize) -> io::Result<()> {
    // SAFETY: plain system call on a descriptor we own.
    let rc = unsafe { libc::posix_fallocate(file.as_raw_fd(), 0, len as libc::off_t) };
    match rc {
        0 => Ok(()),
        libc::EOPNOTSUPP | libc::EINVAL => {
            use std::io::Write;
            let zeros = vec![0u8; 64 * 1024];
            let mut left = len;
            let mut f = file;
            while left > 0 {
                let n = left.min(zeros.len());
                f.write_all(&zeros[..n])?;
                left -= n;
            }
            Ok(())
        }
        code => Err(io::Error::from_raw_os_error(code)),
    }
}

/// A segment opened by someone else than its owner (replay, the agent).
pub fn open_for_reading(path: &Path) -> Result<Mapped, SpoolError> {
    let file = OpenOptions::new()
        .read(true)
        .write(true)
        .custom_flags(libc::O_CLOEXEC)
        .open(path)
        .map_err(|e| io_err(path, e))?;
    let len = file.metadata().map_err(|e| io_err(path, e))?.len() as usize;
    if len < HEADER_BYTES {
        return Err(io_err(path, io::Error::other("not a segment (too short)")));
    }
    // Writable mapping: the agent records `ingested` in the header.
    let map = Mapped::map(path, file, len, true)?;
    // SAFETY: the first page is mapped.
    let magic = unsafe { std::slice::from_raw_parts(map.ptr, MAGIC.len()) };
    if magic != MAGIC {
        return Err(io_err(path, io::Error::other("not a segment (bad magic)")));
    }
    Ok(map)
}
