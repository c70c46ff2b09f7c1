//! From a checked path to a directory handle, one name at a time, never following a link.
//!
//! Each step opens the next name relative to the handle of the directory above it, with
//! `O_NOFOLLOW` and `O_DIRECTORY` (cap-std's `open_dir_nofollow`), and keeps the handle. So a
//! directory renamed, or swapped for a symbolic link, between two steps (or between a check and
//! the use) cannot take the walk anywhere else: a link is refused where it is met, and a handle
//! keeps pointing at the directory it opened. Nothing here ever builds a host path.

use std::io;

use cap_fs_ext::DirExt as _;
use cap_std::fs::{Dir, Metadata};

use super::error::FsError;
use super::path::RelPath;

/// What an entry is, without following a link.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// A regular file.
    File,
    /// A directory.
    Directory,
    /// A symbolic link (never followed).
    Symlink,
    /// A device, FIFO or socket (never opened).
    Other,
}

impl Kind {
    /// The kind of an entry from its `lstat` metadata.
    pub(crate) fn of(metadata: &Metadata) -> Self {
        let file_type = metadata.file_type();
        if file_type.is_symlink() {
            Self::Symlink
        } else if file_type.is_dir() {
            Self::Directory
        } else if file_type.is_file() {
            Self::File
        } else {
            Self::Other
        }
    }
}

/// Opens the directory at `path` (the root for an empty path).
pub(crate) fn open_dir(root: &Dir, path: &RelPath) -> Result<Dir, FsError> {
    descend(root, path, path.names())
}

/// Opens the directory holding the last name of `path`, and returns it with that name. `None`
/// for the root, which has no parent inside the tree.
pub(crate) fn open_parent<'p>(
    root: &Dir,
    path: &'p RelPath,
) -> Result<Option<(Dir, &'p str)>, FsError> {
    let Some((parents, name)) = path.split_last() else {
        return Ok(None);
    };
    Ok(Some((descend(root, path, parents)?, name)))
}

/// Walks `names` down from `root`; `path` is for messages.
fn descend(root: &Dir, path: &RelPath, names: &[String]) -> Result<Dir, FsError> {
    let mut dir = root
        .try_clone()
        .map_err(|e| FsError::io("open", &path.to_string(), e))?;
    for (depth, name) in names.iter().enumerate() {
        dir = match dir.open_dir_nofollow(name) {
            Ok(next) => next,
            Err(e) => {
                let so_far = RelPath::root_join(&names[..=depth]);
                return Err(classify_dir_error(&dir, name, &so_far, e));
            }
        };
    }
    Ok(dir)
}

/// Why `name` in `dir` could not be opened as a directory, looked up without following it.
fn classify_dir_error(dir: &Dir, name: &str, path: &RelPath, error: io::Error) -> FsError {
    let shown = path.to_string();
    match dir.symlink_metadata(name) {
        Ok(metadata) => match Kind::of(&metadata) {
            Kind::Symlink => FsError::Symlink(shown),
            Kind::File | Kind::Other => FsError::NotADirectory(shown),
            Kind::Directory => FsError::io("open", &shown, error),
        },
        Err(e) if e.kind() == io::ErrorKind::NotFound => FsError::NotFound(shown),
        Err(_) => FsError::io("open", &shown, error),
    }
}

/// The `lstat` metadata of `name` in `dir`, or `NotFound` naming `path`.
pub(crate) fn lstat(dir: &Dir, name: &str, path: &RelPath) -> Result<Metadata, FsError> {
    dir.symlink_metadata(name).map_err(|e| {
        if e.kind() == io::ErrorKind::NotFound {
            FsError::NotFound(path.to_string())
        } else {
            FsError::io("look at", &path.to_string(), e)
        }
    })
}

impl RelPath {
    /// The path made of `names` (names that came from a checked path).
    fn root_join(names: &[String]) -> Self {
        names
            .iter()
            .fold(Self::root(), |path, name| path.join(name))
    }
}
