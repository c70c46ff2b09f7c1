//! Changing the tree: write (atomically), make a directory, move, delete. Each change holds the
//! write lock, refuses the root as a target, and never follows a link.

use std::io::{self, Read as _, Write as _};
use std::sync::{Mutex, MutexGuard, PoisonError};

use cap_fs_ext::{DirExt as _, FollowSymlinks, OpenOptionsFollowExt as _};
use cap_std::fs::{Dir, OpenOptions};
use rand::Rng as _;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::error::FsError;
use super::limits::Limits;
use super::path::{RelPath, TEMP_PREFIX};
use super::read::{self, Stat};
use super::usage;
use super::walk::{self, Kind};

/// What `write_file` does when the file exists (or not).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum WriteMode {
    /// Create a new file; refused if the path exists.
    #[default]
    Create,
    /// Create the file, or replace its whole content.
    Overwrite,
    /// Add to the end of the file (creating it if needed).
    Append,
}

/// What a write did.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct WriteOutput {
    /// The file written.
    pub path: String,
    /// Its size now, in bytes.
    pub size: u64,
    /// Whether the file is new.
    pub created: bool,
}

/// What a move did.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct MoveOutput {
    /// Where it was.
    pub from: String,
    /// Where it is now.
    pub to: String,
    /// Whether something at `to` was replaced.
    pub replaced: bool,
}

fn lock(write_lock: &Mutex<()>) -> MutexGuard<'_, ()> {
    // The guarded value is `()`: a panic elsewhere leaves nothing inconsistent behind.
    write_lock.lock().unwrap_or_else(PoisonError::into_inner)
}

/// The parent directory and last name of `path`, or `RootTarget` for the root.
fn parent_of<'p>(root: &Dir, path: &'p RelPath) -> Result<(Dir, &'p str), FsError> {
    walk::open_parent(root, path)?.ok_or(FsError::RootTarget)
}

/// The `lstat` of `name` in `dir`, or `None` when nothing is there.
fn existing(
    dir: &Dir,
    name: &str,
    path: &RelPath,
) -> Result<Option<cap_std::fs::Metadata>, FsError> {
    match walk::lstat(dir, name, path) {
        Ok(metadata) => Ok(Some(metadata)),
        Err(FsError::NotFound(_)) => Ok(None),
        Err(e) => Err(e),
    }
}

pub(super) fn write(
    root: &Dir,
    limits: &Limits,
    write_lock: &Mutex<()>,
    path: &RelPath,
    content: &[u8],
    mode: WriteMode,
) -> Result<WriteOutput, FsError> {
    let shown = path.to_string();
    let _guard = lock(write_lock);
    let (parent, name) = parent_of(root, path).map_err(|e| match e {
        FsError::RootTarget => FsError::IsADirectory(".".to_owned()),
        e => e,
    })?;
    let before = existing(&parent, name, path)?;
    if let Some(metadata) = &before {
        match Kind::of(metadata) {
            Kind::Symlink => return Err(FsError::Symlink(shown)),
            Kind::Directory => return Err(FsError::IsADirectory(shown)),
            Kind::Other => return Err(FsError::NotRegular(shown)),
            Kind::File if mode == WriteMode::Create => return Err(FsError::AlreadyExists(shown)),
            Kind::File => {}
        }
    }
    let old_size = before.as_ref().map_or(0, cap_std::fs::Metadata::len);
    let mut bytes = Vec::new();
    if mode == WriteMode::Append && before.is_some() {
        let new_size = old_size.saturating_add(content.len() as u64);
        check_file_size(new_size, limits)?;
        // The old content is read through the same checks as `read_file`: an appended copy of a
        // hard-linked file would otherwise leak the other name's content.
        let (file, _) = read::open_regular(root, path)?;
        file.take(limits.max_file_bytes)
            .read_to_end(&mut bytes)
            .map_err(|e| FsError::io("read", &shown, e))?;
    }
    bytes.extend_from_slice(content);
    let new_size = bytes.len() as u64;
    check_file_size(new_size, limits)?;
    let in_use = usage::measure(root, limits.max_entries)?;
    let would_be = in_use
        .bytes
        .saturating_sub(old_size)
        .saturating_add(new_size);
    if would_be > limits.quota_bytes {
        return Err(FsError::QuotaExceeded {
            would_be,
            quota: limits.quota_bytes,
        });
    }
    if before.is_none() && in_use.entries + 1 > limits.max_entries {
        return Err(FsError::TooManyEntries(limits.max_entries));
    }
    let temp = write_temp(&parent, &bytes, &shown)?;
    let committed = if before.is_none() {
        rename_no_replace(&parent, &temp, name).map_err(|e| match e.kind() {
            io::ErrorKind::AlreadyExists => FsError::AlreadyExists(shown.clone()),
            _ => FsError::io("create", &shown, e),
        })
    } else {
        parent
            .rename(&temp, &parent, name)
            .map_err(|e| FsError::io("replace", &shown, e))
    };
    if let Err(e) = committed {
        let _ = parent.remove_file(&temp);
        return Err(e);
    }
    sync_dir(&parent);
    Ok(WriteOutput {
        path: shown,
        size: new_size,
        created: before.is_none(),
    })
}

/// Renames the finished temporary file to `name`, failing if something is there by now (where a
/// plain rename would silently replace it): `RENAME_NOREPLACE`, or where the kernel or file
/// system lacks it, a hard link then an unlink (the file has two names for a moment).
fn rename_no_replace(dir: &Dir, temp: &str, name: &str) -> io::Result<()> {
    #[cfg(target_os = "linux")]
    {
        use rustix::fs::{RenameFlags, renameat_with};
        use rustix::io::Errno;
        match renameat_with(dir, temp, dir, name, RenameFlags::NOREPLACE) {
            Ok(()) => return Ok(()),
            Err(e) if e == Errno::INVAL || e == Errno::NOSYS || e == Errno::OPNOTSUPP => {}
            Err(e) => return Err(e.into()),
        }
    }
    dir.hard_link(temp, dir, name)?;
    dir.remove_file(temp)
}

fn check_file_size(size: u64, limits: &Limits) -> Result<(), FsError> {
    if size > limits.max_file_bytes {
        return Err(FsError::TooLarge {
            what: "the file after this write",
            size,
            limit: limits.max_file_bytes,
            hint: "",
        });
    }
    Ok(())
}

/// Writes `bytes` to a new temporary file in `dir`, flushed to disk; returns its name. Removed
/// again if anything fails.
fn write_temp(dir: &Dir, bytes: &[u8], shown: &str) -> Result<String, FsError> {
    let temp = format!("{TEMP_PREFIX}{:016x}", rand::rng().random::<u64>());
    let mut file = dir
        .open_with(
            &temp,
            OpenOptions::new()
                .write(true)
                .create_new(true)
                .follow(FollowSymlinks::No),
        )
        .map_err(|e| FsError::io("write", shown, e))?;
    let written = file.write_all(bytes).and_then(|()| file.sync_all());
    drop(file);
    if let Err(e) = written {
        let _ = dir.remove_file(&temp);
        return Err(FsError::io("write", shown, e));
    }
    Ok(temp)
}

/// Flushes a directory's entries (the rename or link just made) to disk. Best effort: the data
/// itself is already synced, and not every file system can sync a directory.
fn sync_dir(dir: &Dir) {
    if let Ok(handle) = dir.try_clone() {
        let _ = handle.into_std_file().sync_all();
    }
}

pub(super) fn create_dir(
    root: &Dir,
    limits: &Limits,
    write_lock: &Mutex<()>,
    path: &RelPath,
    parents: bool,
) -> Result<Stat, FsError> {
    let _guard = lock(write_lock);
    if path.is_root() {
        return Err(FsError::AlreadyExists(".".to_owned()));
    }
    let last = path.names().len() - 1;
    let in_use = usage::measure(root, limits.max_entries)?;
    let mut dir = root.try_clone().map_err(|e| FsError::io("open", ".", e))?;
    let mut so_far = RelPath::root();
    let mut created = 0_u64;
    for (index, name) in path.names().iter().enumerate() {
        so_far = so_far.join(name);
        let is_last = index == last;
        match existing(&dir, name, &so_far)? {
            Some(metadata) if is_last => {
                return Err(match Kind::of(&metadata) {
                    Kind::Symlink => FsError::Symlink(so_far.to_string()),
                    _ => FsError::AlreadyExists(so_far.to_string()),
                });
            }
            Some(_) => {}
            None if !is_last && !parents => {
                return Err(FsError::NotFound(so_far.to_string()));
            }
            None => {
                if in_use.entries + created + 1 > limits.max_entries {
                    return Err(FsError::TooManyEntries(limits.max_entries));
                }
                dir.create_dir(name).map_err(|e| match e.kind() {
                    io::ErrorKind::AlreadyExists => FsError::AlreadyExists(so_far.to_string()),
                    _ => FsError::io("create", &so_far.to_string(), e),
                })?;
                created += 1;
            }
        }
        dir = walk::open_dir(&dir, &RelPath::root().join(name)).map_err(|e| relabel(e, &so_far))?;
    }
    read::stat(root, path)
}

/// An error from a one-name walk, named by the whole path.
fn relabel(error: FsError, path: &RelPath) -> FsError {
    let shown = path.to_string();
    match error {
        FsError::Symlink(_) => FsError::Symlink(shown),
        FsError::NotADirectory(_) => FsError::NotADirectory(shown),
        FsError::NotFound(_) => FsError::NotFound(shown),
        e => e,
    }
}

pub(super) fn rename(
    root: &Dir,
    write_lock: &Mutex<()>,
    from: &RelPath,
    to: &RelPath,
    overwrite: bool,
) -> Result<MoveOutput, FsError> {
    let _guard = lock(write_lock);
    let (from_dir, from_name) = parent_of(root, from)?;
    let (to_dir, to_name) = parent_of(root, to)?;
    let moving = walk::lstat(&from_dir, from_name, from)?;
    if Kind::of(&moving) == Kind::Directory && from.contains(to) {
        return Err(FsError::IntoItself(from.to_string()));
    }
    let replaced = match existing(&to_dir, to_name, to)? {
        Some(_) if from == to => false,
        Some(_) if !overwrite => return Err(FsError::AlreadyExists(to.to_string())),
        Some(target) => {
            if Kind::of(&target) == Kind::Directory {
                return Err(FsError::IsADirectory(to.to_string()));
            }
            true
        }
        None => false,
    };
    from_dir
        .rename(from_name, &to_dir, to_name)
        .map_err(|e| FsError::io("move", &from.to_string(), e))?;
    sync_dir(&to_dir);
    Ok(MoveOutput {
        from: from.to_string(),
        to: to.to_string(),
        replaced,
    })
}

pub(super) fn delete(
    root: &Dir,
    write_lock: &Mutex<()>,
    path: &RelPath,
    recursive: bool,
) -> Result<Stat, FsError> {
    let _guard = lock(write_lock);
    let before = read::stat(root, path)?;
    let (parent, name) = parent_of(root, path)?;
    let shown = path.to_string();
    let removed = match before.kind {
        Kind::Directory if recursive => parent.remove_dir_all(name),
        Kind::Directory => parent.remove_dir(name),
        // Removes the link itself (or the device node), never what it points to.
        Kind::File | Kind::Symlink | Kind::Other => parent.remove_file_or_symlink(name),
    };
    removed.map_err(|e| match e.kind() {
        io::ErrorKind::DirectoryNotEmpty => FsError::NotEmpty(shown.clone()),
        io::ErrorKind::NotFound => FsError::NotFound(shown.clone()),
        _ => FsError::io("delete", &shown, e),
    })?;
    sync_dir(&parent);
    Ok(before)
}
