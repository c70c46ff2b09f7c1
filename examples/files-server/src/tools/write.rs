//! Tools that change the tree (`files:write`).

use base64::Engine as _;
use mcp_scopes::tool;
use mcp_scopes::tool::{Args, State, Structured};
use schemars::JsonSchema;
use serde::Deserialize;

use super::FilesWrite;
use crate::fs::{Encoding, FsError, MoveOutput, RelPath, Root, Stat, WriteMode, WriteOutput};

/// Input of `write_file`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct WriteInput {
    /// The file, relative to the served directory; its directory must exist (see
    /// `create_directory`).
    pub path: String,
    /// The content: text, or base64 with `encoding: "base64"`.
    pub content: String,
    /// `utf8` (default) for text, `base64` for binary data.
    #[serde(default)]
    pub encoding: Encoding,
    /// `create` (default): a new file, refused if the path exists; `overwrite`: create or replace;
    /// `append`: add to the end (creating the file if needed).
    #[serde(default)]
    pub mode: WriteMode,
}

/// Writes a file atomically: readers see the old content or the new, never a mix, even if the
/// server stops mid-write. Files are at most 4 MiB, and the served directory has a size quota.
#[tool(scope = FilesWrite, title = "Write a file", destructive, open_world = false)]
pub async fn write_file(
    Args(input): Args<WriteInput>,
    State(root): State<Root>,
) -> Result<Structured<WriteOutput>, FsError> {
    let path = RelPath::parse(&input.path)?;
    let limit = root.limits().max_file_bytes;
    let bytes = match input.encoding {
        Encoding::Utf8 => input.content.into_bytes(),
        Encoding::Base64 => {
            // Base64 is 4/3 of the bytes it holds: anything longer cannot fit, so skip decoding it.
            let encoded = input.content.len() as u64;
            if encoded / 4 * 3 > limit {
                return Err(FsError::TooLarge {
                    what: "the decoded content",
                    size: encoded / 4 * 3,
                    limit,
                    hint: "",
                });
            }
            base64::engine::general_purpose::STANDARD
                .decode(input.content.trim())
                .map_err(|_| FsError::BadContent("standard base64"))?
        }
    };
    root.write(path, bytes, input.mode).await.map(Structured)
}

/// Input of `create_directory`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateDirectoryInput {
    /// The new directory, relative to the served directory.
    pub path: String,
    /// Also create missing directories above it (like `mkdir -p`).
    #[serde(default)]
    pub parents: bool,
}

/// Creates a directory (refused if something exists at the path).
#[tool(scope = FilesWrite, title = "Create a directory", destructive = false, open_world = false)]
pub async fn create_directory(
    Args(input): Args<CreateDirectoryInput>,
    State(root): State<Root>,
) -> Result<Structured<Stat>, FsError> {
    root.create_dir(RelPath::parse(&input.path)?, input.parents)
        .await
        .map(Structured)
}

/// Input of `move_path`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MoveInput {
    /// What to move or rename, relative to the served directory.
    pub from: String,
    /// Its new path; the directory it goes into must exist.
    pub to: String,
    /// Replace a file already at `to` (never a directory).
    #[serde(default)]
    pub overwrite: bool,
}

/// Moves or renames a file or directory within the served directory. Refused when `to` exists
/// (unless `overwrite`), when a directory would go inside itself, and for the served directory
/// itself.
#[tool(scope = FilesWrite, title = "Move or rename", destructive, open_world = false)]
pub async fn move_path(
    Args(input): Args<MoveInput>,
    State(root): State<Root>,
) -> Result<Structured<MoveOutput>, FsError> {
    let from = RelPath::parse(&input.from)?;
    let to = RelPath::parse(&input.to)?;
    root.rename(from, to, input.overwrite).await.map(Structured)
}

/// Input of `delete_path`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DeleteInput {
    /// What to delete, relative to the served directory.
    pub path: String,
    /// Delete a directory with everything inside it.
    #[serde(default)]
    pub recursive: bool,
}

/// Deletes a file, a symbolic link (the link, not its target) or a directory (a non-empty one only
/// with `recursive`). This cannot be undone. The served directory itself cannot be deleted.
#[tool(scope = FilesWrite, title = "Delete", destructive, open_world = false)]
pub async fn delete_path(
    Args(input): Args<DeleteInput>,
    State(root): State<Root>,
) -> Result<Structured<Stat>, FsError> {
    root.delete(RelPath::parse(&input.path)?, input.recursive)
        .await
        .map(Structured)
}
