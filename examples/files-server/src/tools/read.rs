//! The tool that reads file contents (`files:read`).

use mcp_scopes::tool;
use mcp_scopes::tool::{Args, State, Structured};
use schemars::JsonSchema;
use serde::Deserialize;

use super::FilesRead;
use crate::fs::{FsError, ReadOutput, RelPath, Root};

/// Input of `read_file`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ReadInput {
    /// The file, relative to the served directory, e.g. `notes/todo.txt`.
    pub path: String,
    /// The byte to start at (default 0).
    #[serde(default)]
    pub offset: u64,
    /// The most bytes to return (default and maximum: 1 MiB).
    #[serde(default)]
    pub length: Option<u64>,
}

/// Reads a file: UTF-8 text comes back as text, anything else as base64 (`encoding` says which).
/// At most 1 MiB per call; for larger files read on from `offset + length` until `eof`. Symbolic
/// links, devices and files with other hard links are refused.
#[tool(scope = FilesRead, title = "Read a file", read_only, idempotent, open_world = false)]
pub async fn read_file(
    Args(input): Args<ReadInput>,
    State(root): State<Root>,
) -> Result<Structured<ReadOutput>, FsError> {
    root.read(RelPath::parse(&input.path)?, input.offset, input.length)
        .await
        .map(Structured)
}
