//! The sizes a [`Root`](super::Root) enforces, read by both the read and the write operations.

/// The limits a [`Root`](super::Root) enforces.
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
