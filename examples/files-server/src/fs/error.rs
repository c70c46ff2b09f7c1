//! Why a file operation failed, in words the caller (often a model) can act on. Messages name
//! paths as the caller gave them, relative to the root: never the root's place on the host.

use std::io;

/// Why a file operation failed. Every refusal leaves the tree as it was.
#[derive(Debug, thiserror::Error)]
pub enum FsError {
    /// The path is not a plain relative path inside the root (absolute, `..`, NUL, a backslash,
    /// a look-alike of `/` or `.`, too long, …). The message says which rule and how to fix it.
    #[error("refused path `{path}`: {reason}")]
    BadPath {
        /// The path as given (control characters escaped).
        path: String,
        /// Which rule it breaks.
        reason: &'static str,
    },
    /// Nothing exists at the path.
    #[error("`{0}` does not exist")]
    NotFound(String),
    /// Something already exists where the call would create a file or directory.
    #[error(
        "`{0}` already exists; use mode \"overwrite\" (write_file) or overwrite: true (move_path) to replace it"
    )]
    AlreadyExists(String),
    /// A symbolic link on the way or at the end. Links are never followed, so none can lead out.
    #[error(
        "`{0}` is a symbolic link; this server never follows links (delete_path can remove one)"
    )]
    Symlink(String),
    /// A directory where a file is needed.
    #[error("`{0}` is a directory; use list_directory to see what it holds")]
    IsADirectory(String),
    /// A file (or other non-directory) where a directory is needed.
    #[error("`{0}` is not a directory")]
    NotADirectory(String),
    /// A device, FIFO or socket: reading or writing one could block or reach outside the tree.
    #[error(
        "`{0}` is not a regular file (a device, FIFO or socket); only files and directories are served"
    )]
    NotRegular(String),
    /// A regular file with more than one name: another name may be outside the root, so its
    /// contents are not served.
    #[error(
        "`{0}` has other hard links, which may lie outside the served directory; its contents are not served"
    )]
    HardLinked(String),
    /// The root itself as the target of a delete or move.
    #[error("the root directory itself cannot be deleted or moved; name something inside it")]
    RootTarget,
    /// A directory to delete holds entries and `recursive` was not set.
    #[error("`{0}` is not empty; pass recursive: true to delete it with everything inside")]
    NotEmpty(String),
    /// A directory cannot be moved into itself or below itself.
    #[error("cannot move `{0}` into itself")]
    IntoItself(String),
    /// A file (or a write) larger than the per-call limit.
    #[error("{what} is {size} bytes, over the limit of {limit} bytes{hint}")]
    TooLarge {
        /// What is too large.
        what: &'static str,
        /// Its size.
        size: u64,
        /// The limit.
        limit: u64,
        /// How to get around it, if one can.
        hint: &'static str,
    },
    /// The write would take the root past its quota.
    #[error(
        "the served directory would hold {would_be} bytes, over its quota of {quota} bytes; delete something first"
    )]
    QuotaExceeded {
        /// Bytes in use after the write.
        would_be: u64,
        /// The quota.
        quota: u64,
    },
    /// The write would take the root past its entry limit.
    #[error(
        "the served directory would hold more than {0} files and directories; delete something first"
    )]
    TooManyEntries(u64),
    /// The content is not valid for its encoding.
    #[error("content is not valid {0}")]
    BadContent(&'static str),
    /// The glob pattern does not parse.
    #[error("invalid glob pattern: {0}")]
    BadGlob(String),
    /// The file system refused (permissions, disk full, …).
    #[error("cannot {action} `{path}`: {source}")]
    Io {
        /// What was being done.
        action: &'static str,
        /// The path as given.
        path: String,
        /// The operating system's error (never containing a host path).
        source: io::Error,
    },
    /// A task failed: a server fault, not the caller's.
    #[error("internal error: {0}")]
    Internal(String),
}

impl FsError {
    /// An I/O error while doing `action` on `path`.
    pub(crate) fn io(action: &'static str, path: &str, source: io::Error) -> Self {
        Self::Io {
            action,
            path: path.to_owned(),
            source,
        }
    }
}
