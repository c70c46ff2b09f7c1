//! [`Root`]: the served directory handle and the async operations the tools call, each run on the
//! blocking pool with the limits and the write lock.

use std::path::Path;
use std::sync::{Arc, Mutex};

use cap_std::ambient_authority;
use cap_std::fs::Dir;

use super::error::FsError;
use super::limits::Limits;
use super::path::RelPath;
use super::read::{self, Listing, ReadOutput, SearchOutput, Stat};
use super::write::{self, MoveOutput, WriteMode, WriteOutput};
use super::{samples, usage};

/// The served directory. Cheap to clone (shared handle).
///
/// Its operations are `async`: inside a tokio runtime each runs on the blocking pool; polled
/// outside any runtime it runs on the calling thread (the future is then ready at its first poll).
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

    /// Runs a blocking file operation: inside a tokio runtime on its blocking pool, so the
    /// runtime's workers never wait on the disk; outside one (a caller that polls the future
    /// itself, such as the fuzz target, and may block) on the calling thread.
    async fn run<T, F>(&self, operation: F) -> Result<T, FsError>
    where
        T: Send + 'static,
        F: FnOnce(&Dir, &Limits, &Mutex<()>) -> Result<T, FsError> + Send + 'static,
    {
        let inner = Arc::clone(&self.inner);
        if tokio::runtime::Handle::try_current().is_err() {
            return operation(&inner.dir, &inner.limits, &inner.write_lock);
        }
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
