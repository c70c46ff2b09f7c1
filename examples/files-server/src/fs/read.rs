//! Looking without changing: list, stat, search by name, read.

use std::collections::VecDeque;
use std::io::{self, Read as _, Seek as _, SeekFrom};

use base64::Engine as _;
use cap_fs_ext::{FollowSymlinks, OpenOptionsFollowExt as _};
use cap_std::fs::{Dir, File, Metadata, MetadataExt as _, OpenOptions, OpenOptionsExt as _};
use schemars::JsonSchema;
use serde::Serialize;

use super::error::FsError;
use super::limits::Limits;
use super::path::{RelPath, TEMP_PREFIX};
use super::walk::{self, Kind};

/// The most names read from one directory (listing or search); past it the answer says so.
const MAX_NAMES_PER_DIR: usize = 100_000;
/// How deep a search goes below its starting directory.
const MAX_SEARCH_DEPTH: usize = 32;
/// How many entries a search looks at before it stops and says `truncated`.
const MAX_SEARCH_VISITS: usize = 50_000;

/// One directory entry.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct DirEntry {
    /// The entry's name.
    pub name: String,
    /// What it is (links are shown, never followed).
    pub kind: Kind,
    /// Size in bytes (regular files only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub size: Option<u64>,
    /// Last modification, RFC 3339 in UTC.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub modified: Option<String>,
}

/// A page of a directory listing.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct Listing {
    /// The directory listed (`.` is the served directory itself).
    pub path: String,
    /// The entries of this page, sorted by name.
    pub entries: Vec<DirEntry>,
    /// How many entries the directory holds in all.
    pub total: usize,
    /// Pass as `offset` to get the next page; absent on the last page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_offset: Option<usize>,
}

/// What is at a path.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct Stat {
    /// The path.
    pub path: String,
    /// What it is.
    pub kind: Kind,
    /// Size in bytes (regular files only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub size: Option<u64>,
    /// Last modification, RFC 3339 in UTC.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub modified: Option<String>,
    /// How many names the file has (regular files only); above 1, its contents are not served.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub links: Option<u64>,
}

/// One search hit.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct Found {
    /// Its path from the served directory.
    pub path: String,
    /// What it is.
    pub kind: Kind,
    /// Size in bytes (regular files only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub size: Option<u64>,
}

/// The result of a search.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct SearchOutput {
    /// The matches, in the order found (breadth first, by name within a directory).
    pub matches: Vec<Found>,
    /// Whether the search stopped early (at `max_results`, or at its depth or size limits).
    pub truncated: bool,
}

/// How `content` is written.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, serde::Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Encoding {
    /// The bytes are UTF-8 text, given as is.
    #[default]
    Utf8,
    /// The bytes are binary (or not UTF-8), given as standard base64.
    Base64,
}

/// A piece of a file.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct ReadOutput {
    /// The file.
    pub path: String,
    /// The file's whole size in bytes.
    pub size: u64,
    /// Where this piece starts.
    pub offset: u64,
    /// How many bytes this piece holds.
    pub length: u64,
    /// Whether this piece reaches the end of the file; if not, read on from `offset + length`.
    pub eof: bool,
    /// How `content` is written.
    pub encoding: Encoding,
    /// The bytes.
    pub content: String,
}

/// RFC 3339 (UTC, whole seconds) of the entry's modification time, when the system has one.
fn modified(metadata: &Metadata) -> Option<String> {
    let time = metadata.modified().ok()?.into_std();
    Some(humantime::format_rfc3339_seconds(time).to_string())
}

/// Size of a regular file.
fn file_size(kind: Kind, metadata: &Metadata) -> Option<u64> {
    (kind == Kind::File).then(|| metadata.len())
}

/// The names in `dir`, sorted, without our temporary files.
fn names(dir: &Dir, path: &RelPath) -> Result<Vec<String>, FsError> {
    let shown = path.to_string();
    let mut names = Vec::new();
    for entry in dir.entries().map_err(|e| FsError::io("list", &shown, e))? {
        let entry = entry.map_err(|e| FsError::io("list", &shown, e))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if !name.starts_with(TEMP_PREFIX) {
            names.push(name);
        }
        if names.len() >= MAX_NAMES_PER_DIR {
            break;
        }
    }
    names.sort();
    Ok(names)
}

pub(super) fn list(
    root: &Dir,
    path: &RelPath,
    offset: usize,
    limit: usize,
) -> Result<Listing, FsError> {
    let dir = walk::open_dir(root, path)?;
    let names = names(&dir, path)?;
    let total = names.len();
    let end = offset.saturating_add(limit).min(total);
    let mut entries = Vec::new();
    for name in names.get(offset..end).unwrap_or_default() {
        // Gone since it was listed: leave it out.
        let Ok(metadata) = dir.symlink_metadata(name) else {
            continue;
        };
        let kind = Kind::of(&metadata);
        entries.push(DirEntry {
            name: name.clone(),
            kind,
            size: file_size(kind, &metadata),
            modified: modified(&metadata),
        });
    }
    Ok(Listing {
        path: path.to_string(),
        entries,
        total,
        next_offset: (end < total).then_some(end),
    })
}

pub(super) fn stat(root: &Dir, path: &RelPath) -> Result<Stat, FsError> {
    let metadata = match walk::open_parent(root, path)? {
        Some((parent, name)) => walk::lstat(&parent, name, path)?,
        None => root
            .dir_metadata()
            .map_err(|e| FsError::io("look at", ".", e))?,
    };
    let kind = Kind::of(&metadata);
    Ok(Stat {
        path: path.to_string(),
        kind,
        size: file_size(kind, &metadata),
        modified: modified(&metadata),
        links: (kind == Kind::File).then(|| metadata.nlink()),
    })
}

pub(super) fn search(
    root: &Dir,
    path: &RelPath,
    pattern: &str,
    max_results: usize,
) -> Result<SearchOutput, FsError> {
    let glob = glob::Pattern::new(pattern).map_err(|e| FsError::BadGlob(e.to_string()))?;
    let options = glob::MatchOptions {
        case_sensitive: false,
        require_literal_separator: true,
        require_literal_leading_dot: false,
    };
    let mut queue = VecDeque::from([(walk::open_dir(root, path)?, path.clone(), 0_usize)]);
    let mut matches = Vec::new();
    let mut visits = 0_usize;
    let mut truncated = false;
    while let Some((dir, dir_path, depth)) = queue.pop_front() {
        // A directory that cannot be read (permissions) is skipped, not fatal.
        let Ok(names) = names(&dir, &dir_path) else {
            continue;
        };
        for name in names {
            visits += 1;
            if visits > MAX_SEARCH_VISITS || matches.len() >= max_results {
                truncated = true;
                return Ok(SearchOutput { matches, truncated });
            }
            let Ok(metadata) = dir.symlink_metadata(&name) else {
                continue;
            };
            let kind = Kind::of(&metadata);
            let entry_path = dir_path.join(&name);
            if glob.matches_with(&name, options) {
                matches.push(Found {
                    path: entry_path.to_string(),
                    kind,
                    size: file_size(kind, &metadata),
                });
            }
            if kind == Kind::Directory {
                if depth + 1 > MAX_SEARCH_DEPTH {
                    truncated = true;
                } else if let Ok(child) = cap_fs_ext::DirExt::open_dir_nofollow(&dir, &name) {
                    queue.push_back((child, entry_path, depth + 1));
                }
            }
        }
    }
    Ok(SearchOutput { matches, truncated })
}

/// Opens the regular file at `path` for reading: never through a link, never a device, FIFO or
/// socket (non-blocking, checked again on the open handle), never one with other hard links.
pub(super) fn open_regular(root: &Dir, path: &RelPath) -> Result<(File, Metadata), FsError> {
    let shown = path.to_string();
    let Some((parent, name)) = walk::open_parent(root, path)? else {
        return Err(FsError::IsADirectory(shown));
    };
    check_regular(&walk::lstat(&parent, name, path)?, &shown)?;
    let file = parent
        .open_with(
            name,
            OpenOptions::new()
                .read(true)
                .follow(FollowSymlinks::No)
                .custom_flags(nonblocking_flag()),
        )
        .map_err(|e| match e.kind() {
            io::ErrorKind::NotFound => FsError::NotFound(shown.clone()),
            // Swapped for a link since the check: O_NOFOLLOW refused it.
            _ if is_symlink_refusal(&e) => FsError::Symlink(shown.clone()),
            _ => FsError::io("open", &shown, e),
        })?;
    let metadata = file
        .metadata()
        .map_err(|e| FsError::io("look at", &shown, e))?;
    check_regular(&metadata, &shown)?;
    Ok((file, metadata))
}

/// Refuses anything but a regular file with one name.
fn check_regular(metadata: &Metadata, shown: &str) -> Result<(), FsError> {
    match Kind::of(metadata) {
        Kind::Symlink => Err(FsError::Symlink(shown.to_owned())),
        Kind::Directory => Err(FsError::IsADirectory(shown.to_owned())),
        Kind::Other => Err(FsError::NotRegular(shown.to_owned())),
        Kind::File if metadata.nlink() > 1 => Err(FsError::HardLinked(shown.to_owned())),
        Kind::File => Ok(()),
    }
}

/// `O_NONBLOCK`: opening a FIFO swapped in after the check must not hang the server.
fn nonblocking_flag() -> i32 {
    i32::try_from(rustix::fs::OFlags::NONBLOCK.bits()).unwrap_or(0)
}

/// Whether an open failed because the last name was a link and `O_NOFOLLOW` was set.
fn is_symlink_refusal(error: &io::Error) -> bool {
    error.raw_os_error() == Some(rustix::io::Errno::LOOP.raw_os_error())
}

pub(super) fn read(
    root: &Dir,
    limits: &Limits,
    path: &RelPath,
    offset: u64,
    length: Option<u64>,
) -> Result<ReadOutput, FsError> {
    let shown = path.to_string();
    let (mut file, metadata) = open_regular(root, path)?;
    let size = metadata.len();
    let want = length
        .unwrap_or(limits.max_read_bytes)
        .min(limits.max_read_bytes);
    let mut bytes = Vec::new();
    if offset < size {
        file.seek(SeekFrom::Start(offset))
            .map_err(|e| FsError::io("read", &shown, e))?;
        file.take(want)
            .read_to_end(&mut bytes)
            .map_err(|e| FsError::io("read", &shown, e))?;
    }
    // A piece that cuts a UTF-8 character in two ends before it, so text stays text.
    let text_len = match std::str::from_utf8(&bytes) {
        Ok(_) => Some(bytes.len()),
        Err(e) if e.error_len().is_none() && e.valid_up_to() > 0 => Some(e.valid_up_to()),
        Err(_) => None,
    };
    let (encoding, content) = match text_len {
        Some(len) => {
            bytes.truncate(len);
            (Encoding::Utf8, String::from_utf8_lossy(&bytes).into_owned())
        }
        None => (
            Encoding::Base64,
            base64::engine::general_purpose::STANDARD.encode(&bytes),
        ),
    };
    let length = bytes.len() as u64;
    Ok(ReadOutput {
        path: shown,
        size,
        offset,
        length,
        eof: offset.saturating_add(length) >= size,
        encoding,
        content,
    })
}
