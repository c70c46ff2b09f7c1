//! Tools that show names and metadata (`files:list`).

use mcp_scopes::tool;
use mcp_scopes::tool::{Args, State, Structured};
use schemars::JsonSchema;
use serde::Deserialize;

use super::FilesList;
use crate::fs::{FsError, Listing, RelPath, Root, SearchOutput, Stat};

/// The most entries `list_directory` returns per page.
const MAX_PAGE: usize = 1000;
/// The most matches `search_files` returns.
const MAX_MATCHES: usize = 1000;

/// Input of `list_directory`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ListInput {
    /// The directory, relative to the served directory, with `/` between names (default: the
    /// served directory itself, also written `` or `.`).
    #[serde(default)]
    pub path: String,
    /// Skip this many entries (from `next_offset` of the previous page).
    #[serde(default)]
    pub offset: usize,
    /// The most entries to return (default 100, at most 1000).
    #[serde(default)]
    pub limit: Option<usize>,
}

/// Lists a directory: each entry's name, kind (file, directory, symlink, other), size and last
/// modification time, sorted by name and paged (`next_offset` is set while more remain).
#[tool(scope = FilesList, title = "List a directory", read_only, idempotent, open_world = false)]
pub async fn list_directory(
    Args(input): Args<ListInput>,
    State(root): State<Root>,
) -> Result<Structured<Listing>, FsError> {
    let path = RelPath::parse(&input.path)?;
    let limit = input.limit.unwrap_or(100).clamp(1, MAX_PAGE);
    root.list(path, input.offset, limit).await.map(Structured)
}

/// Input of `stat_path`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct StatInput {
    /// The file or directory, relative to the served directory.
    pub path: String,
}

/// Tells what is at a path without opening it: kind, size, last modification time, and for files
/// the number of hard links. Symbolic links are described, never followed.
#[tool(scope = FilesList, title = "Describe a path", read_only, idempotent, open_world = false)]
pub async fn stat_path(
    Args(input): Args<StatInput>,
    State(root): State<Root>,
) -> Result<Structured<Stat>, FsError> {
    root.stat(RelPath::parse(&input.path)?)
        .await
        .map(Structured)
}

/// Input of `search_files`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SearchInput {
    /// A glob matched against each name (not the whole path), case-insensitively: `*` any run of
    /// characters, `?` one character, `[abc]` one of these, e.g. `*.csv` or `report-202?-*`.
    pub pattern: String,
    /// Where to start, relative to the served directory (default: the served directory).
    #[serde(default)]
    pub path: String,
    /// The most matches to return (default 100, at most 1000).
    #[serde(default)]
    pub max_results: Option<usize>,
}

/// Finds files and directories by name below a directory (all levels, breadth first). Returns
/// each match's path, kind and size; `truncated` says the search stopped early.
#[tool(scope = FilesList, title = "Search by name", read_only, idempotent, open_world = false)]
pub async fn search_files(
    Args(input): Args<SearchInput>,
    State(root): State<Root>,
) -> Result<Structured<SearchOutput>, FsError> {
    let path = RelPath::parse(&input.path)?;
    let max = input.max_results.unwrap_or(100).clamp(1, MAX_MATCHES);
    root.search(path, input.pattern, max).await.map(Structured)
}
