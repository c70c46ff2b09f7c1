//! What several targets share: one current-thread runtime per process, and a digest of files
//! that must not change.

use std::path::Path;
use std::sync::LazyLock;

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
