//! The served directory tree: every guarantee the tools advertise lives here.
//!
//! [`Root`] holds a directory handle (a `cap_std::fs::Dir`) and never a host path: every
//! operation starts from that handle and goes down one checked name at a time with no-follow
//! opens ([`walk`]), so nothing outside the tree can be named, and a symbolic link, wherever it
//! is and whenever it appears, is refused instead of followed. Why cap-std: it is the Bytecode
//! Alliance's capability-based file system layer under wasmtime's WASI sandbox, maintained and
//! reviewed for exactly this job, and it gives `openat`-style operations (open, create, rename,
//! link, unlink relative to a directory handle, with `O_NOFOLLOW`) as safe Rust, where the
//! workspace forbids `unsafe`. Its own sandboxing (no path it resolves can leave the handle's
//! directory) is a second fence behind the one-name-at-a-time walk.
//!
//! Writes go to a temporary file in the same directory, are flushed to disk, then renamed to the
//! target name (for a new file, never over one that appeared meanwhile), so a reader, a crash or
//! a kill sees the old file or the new one, never half of one. Sizes are limited per call, and
//! the tree's total by a quota.

pub mod error;
pub mod path;
mod read;
mod samples;
mod usage;
pub mod walk;
mod write;

use std::path::Path;
use std::sync::{Arc, Mutex};

use cap_std::ambient_authority;
use cap_std::fs::Dir;

pub use self::error::FsError;
pub use self::path::RelPath;
pub use self::read::{DirEntry, Encoding, Found, Listing, ReadOutput, SearchOutput, Stat};
pub use self::walk::Kind;
pub use self::write::{MoveOutput, WriteMode, WriteOutput};

/// The limits a [`Root`] enforces.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// The most bytes one `read_file` call returns.
    pub max_read_bytes: u64,
    /// The largest file `write_file` creates (after decoding, appends included).
    pub max_file_bytes: u64,
    /// The most bytes all regular files in the tree may hold together.
    pub quota_bytes: u64,
    /// The most files and directories the tree may hold.
    pub max_entries: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_read_bytes: 1024 * 1024,
            max_file_bytes: 4 * 1024 * 1024,
            quota_bytes: 100 * 1024 * 1024,
            max_entries: 10_000,
        }
    }
}

/// The served directory. Cheap to clone (shared handle).
#[derive(Debug, Clone)]
pub struct Root {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    dir: Dir,
    limits: Limits,
    /// Held by every change, so a quota check and the write it allows are one step, and the
    /// usage walk sees no half-done change of ours.
    write_lock: Mutex<()>,
}

impl Root {
    /// Serves the existing directory `path`. Leftover temporary files of writes interrupted by a
    /// crash are removed.
    pub fn open(path: &Path, limits: Limits) -> Result<Self, FsError> {
        let shown = path.display().to_string();
        let dir = Dir::open_ambient_dir(path, ambient_authority()).map_err(|e| {
            if e.kind() == std::io::ErrorKind::NotFound {
                FsError::NotFound(shown.clone())
            } else {
                FsError::io("open the directory", &shown, e)
            }
        })?;
        usage::remove_leftover_temp_files(&dir);
        Ok(Self {
            inner: Arc::new(Inner {
                dir,
                limits,
                write_lock: Mutex::new(()),
            }),
        })
    }

    /// Serves `path`, creating it with a few sample files first if it does not exist.
    pub fn open_or_create_with_samples(path: &Path, limits: Limits) -> Result<Self, FsError> {
        if !path.exists() {
            samples::create(path)?;
        }
        Self::open(path, limits)
    }

    /// The limits in force.
    pub fn limits(&self) -> Limits {
        self.inner.limits
    }

    /// Runs a blocking file operation on the blocking pool.
    async fn run<T, F>(&self, operation: F) -> Result<T, FsError>
    where
        T: Send + 'static,
        F: FnOnce(&Dir, &Limits, &Mutex<()>) -> Result<T, FsError> + Send + 'static,
    {
        let inner = Arc::clone(&self.inner);
        tokio::task::spawn_blocking(move || operation(&inner.dir, &inner.limits, &inner.write_lock))
            .await
            .map_err(|e| FsError::Internal(format!("a file task failed: {e}")))?
    }

    /// Lists a directory, sorted by name, `limit` entries from `offset`.
    pub async fn list(
        &self,
        path: RelPath,
        offset: usize,
        limit: usize,
    ) -> Result<Listing, FsError> {
        self.run(move |dir, _, _| read::list(dir, &path, offset, limit))
            .await
    }

    /// What is at `path`, without following a link.
    pub async fn stat(&self, path: RelPath) -> Result<Stat, FsError> {
        self.run(move |dir, _, _| read::stat(dir, &path)).await
    }

    /// Entries under `path` (recursively) whose name matches the glob `pattern`.
    pub async fn search(
        &self,
        path: RelPath,
        pattern: String,
        max_results: usize,
    ) -> Result<SearchOutput, FsError> {
        self.run(move |dir, _, _| read::search(dir, &path, &pattern, max_results))
            .await
    }

    /// Reads up to `length` bytes (capped by the limit) of the file at `path` from `offset`.
    pub async fn read(
        &self,
        path: RelPath,
        offset: u64,
        length: Option<u64>,
    ) -> Result<ReadOutput, FsError> {
        self.run(move |dir, limits, _| read::read(dir, limits, &path, offset, length))
            .await
    }

    /// Writes `content` to the file at `path`, atomically.
    pub async fn write(
        &self,
        path: RelPath,
        content: Vec<u8>,
        mode: WriteMode,
    ) -> Result<WriteOutput, FsError> {
        self.run(move |dir, limits, lock| write::write(dir, limits, lock, &path, &content, mode))
            .await
    }

    /// Creates the directory at `path` (and missing parents with `parents`).
    pub async fn create_dir(&self, path: RelPath, parents: bool) -> Result<Stat, FsError> {
        self.run(move |dir, limits, lock| write::create_dir(dir, limits, lock, &path, parents))
            .await
    }

    /// Moves or renames `from` to `to`.
    pub async fn rename(
        &self,
        from: RelPath,
        to: RelPath,
        overwrite: bool,
    ) -> Result<MoveOutput, FsError> {
        self.run(move |dir, _, lock| write::rename(dir, lock, &from, &to, overwrite))
            .await
    }

    /// Deletes what is at `path` (a non-empty directory only with `recursive`).
    pub async fn delete(&self, path: RelPath, recursive: bool) -> Result<Stat, FsError> {
        self.run(move |dir, _, lock| write::delete(dir, lock, &path, recursive))
            .await
    }
}
