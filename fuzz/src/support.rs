//! What several targets share: one current-thread runtime per process, digests of files that must
//! not change, and the check that a read-only path left a SQLite database's bytes alone.

use std::path::{Path, PathBuf};
use std::sync::LazyLock;
use std::sync::atomic::{AtomicU64, Ordering};

use sha2::{Digest, Sha256};
use tokio::runtime::Runtime;

/// The runtime every target drives its futures on (current-thread: one fuzz input at a time).
pub static RUNTIME: LazyLock<Runtime> = LazyLock::new(|| {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime")
});

/// SHA-256 of each file in `paths` that exists (a missing file digests as "absent").
#[must_use]
pub fn digest(paths: &[&Path]) -> Vec<[u8; 32]> {
    paths
        .iter()
        .map(|path| match std::fs::read(path) {
            Ok(bytes) => Sha256::digest(&bytes).into(),
            Err(_) => [0; 32],
        })
        .collect()
}

/// Splits `data` at the first `separator` byte: (before, after), or (all, empty).
#[must_use]
pub fn split_at_byte(data: &[u8], separator: u8) -> (&[u8], &[u8]) {
    match data.iter().position(|&b| b == separator) {
        Some(at) => (&data[..at], &data[at + 1..]),
        None => (data, &[]),
    }
}

/// A SQLite database file and its WAL, with their digests when the fixture was built: a target
/// whose inputs may only read the database compares them every few inputs.
pub struct UnchangedDatabase {
    files: [PathBuf; 2],
    at_start: Vec<[u8; 32]>,
    every: u64,
    inputs: AtomicU64,
}

impl UnchangedDatabase {
    /// Digests `database` and its `-wal` file now; [`Self::due`] says yes every `every` inputs.
    #[must_use]
    pub fn new(database: &Path, every: u64) -> Self {
        let mut wal = database.as_os_str().to_owned();
        wal.push("-wal");
        let files = [database.to_owned(), PathBuf::from(wal)];
        let at_start = digest(&[&files[0], &files[1]]);
        Self {
            files,
            at_start,
            every,
            inputs: AtomicU64::new(0),
        }
    }

    /// Counts one input; true for the first and then every `every`-th.
    pub fn due(&self) -> bool {
        self.inputs
            .fetch_add(1, Ordering::Relaxed)
            .is_multiple_of(self.every)
    }

    /// Fails the run if either file's bytes differ from those at start; `through` names what
    /// must not have changed them.
    pub fn assert_unchanged(&self, through: &str) {
        assert_eq!(
            digest(&[&self.files[0], &self.files[1]]),
            self.at_start,
            "the database changed through {through}"
        );
    }
}
