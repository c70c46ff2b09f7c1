//! How much the tree holds (for the quota), and clearing what an interrupted write left behind.
//!
//! The tree is measured afresh for every change instead of counted once and kept up to date, so
//! files added or removed behind the server's back are counted too. The walk is bounded: the
//! entry limit caps what it visits, and it never follows a link.

use cap_fs_ext::DirExt as _;
use cap_std::fs::Dir;

use super::error::FsError;
use super::path::TEMP_PREFIX;

/// How deep the measuring walk goes; deeper trees are not counted past it.
const MAX_DEPTH: usize = 64;

/// What the tree holds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(super) struct Usage {
    /// Bytes in regular files.
    pub(super) bytes: u64,
    /// Files, directories and other entries.
    pub(super) entries: u64,
}

/// Measures the tree, stopping once it has seen more than `max_entries` entries (the answer is
/// then already over the limit).
pub(super) fn measure(root: &Dir, max_entries: u64) -> Result<Usage, FsError> {
    let mut usage = Usage::default();
    let root = root
        .try_clone()
        .map_err(|e| FsError::io("measure", ".", e))?;
    let mut stack = vec![(root, 0_usize)];
    while let Some((dir, depth)) = stack.pop() {
        let Ok(entries) = dir.entries() else {
            continue;
        };
        for entry in entries.flatten() {
            usage.entries += 1;
            if usage.entries > max_entries {
                return Ok(usage);
            }
            let Ok(file_type) = entry.file_type() else {
                continue;
            };
            if file_type.is_dir() {
                if depth < MAX_DEPTH
                    && let Ok(child) = dir.open_dir_nofollow(entry.file_name())
                {
                    stack.push((child, depth + 1));
                }
            } else if file_type.is_file()
                && let Ok(metadata) = entry.metadata()
            {
                usage.bytes = usage.bytes.saturating_add(metadata.len());
            }
        }
    }
    Ok(usage)
}

/// Removes the temporary files of writes a crash or a kill interrupted, anywhere in the tree.
/// Best effort: what cannot be removed stays hidden from listings.
pub(super) fn remove_leftover_temp_files(root: &Dir) {
    let Ok(root) = root.try_clone() else {
        return;
    };
    let mut stack = vec![(root, 0_usize)];
    while let Some((dir, depth)) = stack.pop() {
        let Ok(entries) = dir.entries() else {
            continue;
        };
        for entry in entries.flatten() {
            let name = entry.file_name();
            let Ok(file_type) = entry.file_type() else {
                continue;
            };
            if file_type.is_dir() {
                if depth < MAX_DEPTH
                    && let Ok(child) = dir.open_dir_nofollow(&name)
                {
                    stack.push((child, depth + 1));
                }
            } else if file_type.is_file() && name.to_string_lossy().starts_with(TEMP_PREFIX) {
                let _ = dir.remove_file(&name);
            }
        }
    }
}
