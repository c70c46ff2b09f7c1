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
//!
//! Where things are: [`Root`] and its operations in `root.rs`, the [`Limits`] in `limits.rs`, the
//! read and write operations in `read.rs` and `write.rs`. This file only declares the parts and
//! re-exports them, so no part imports a file that imports it.

pub mod error;
mod limits;
pub mod path;
mod read;
mod root;
mod samples;
mod usage;
pub mod walk;
mod write;

pub use self::error::FsError;
pub use self::limits::Limits;
pub use self::path::RelPath;
pub use self::read::{DirEntry, Encoding, Found, Listing, ReadOutput, SearchOutput, Stat};
pub use self::root::Root;
pub use self::walk::Kind;
pub use self::write::{MoveOutput, WriteMode, WriteOutput};
