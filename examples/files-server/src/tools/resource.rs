//! Files as MCP resources (`files:read`): the `file:///{path}` template, for clients that attach
//! files as context instead of calling `read_file`.

use mcp_scopes::handler::HandlerError;
use mcp_scopes::resource;
use mcp_scopes::resource::{IntoResourceContents, ResourceContents};
use mcp_scopes::tool::State;

use super::FilesRead;
use crate::fs::{Encoding, FsError, RelPath, Root};

/// A file's whole contents, text or binary, as a resource.
#[derive(Debug)]
pub enum FileContents {
    /// UTF-8 text.
    Text(String),
    /// Anything else.
    Binary(Vec<u8>),
}

impl IntoResourceContents for FileContents {
    fn into_resource_contents(
        self,
        uri: &str,
        mime_type: Option<&str>,
    ) -> Result<Vec<ResourceContents>, HandlerError> {
        Ok(vec![match self {
            Self::Text(text) => ResourceContents::text(uri, mime_type.or(Some("text/plain")), text),
            Self::Binary(bytes) => {
                ResourceContents::blob(uri, mime_type.or(Some("application/octet-stream")), &bytes)
            }
        }])
    }
}

/// A file of the served directory, whole (up to 1 MiB; larger files: `read_file` with `offset`).
/// The path is one template variable, so its slashes are percent-encoded:
/// `file:///notes%2Ftodo.txt` is `notes/todo.txt`. The same confinement as the tools applies.
#[resource(uri_template = "file:///{path}", scope = FilesRead, title = "A file")]
pub async fn file(path: String, State(root): State<Root>) -> Result<FileContents, FsError> {
    let path = RelPath::parse(&path)?;
    let limit = root.limits().max_read_bytes;
    let read = root.read(path, 0, Some(limit)).await?;
    if !read.eof {
        return Err(FsError::TooLarge {
            what: "the file",
            size: read.size,
            limit,
            hint: "; read it in pieces with read_file (offset, length)",
        });
    }
    Ok(match read.encoding {
        Encoding::Utf8 => FileContents::Text(read.content),
        Encoding::Base64 => {
            use base64::Engine as _;
            FileContents::Binary(
                base64::engine::general_purpose::STANDARD
                    .decode(read.content)
                    .map_err(|e| FsError::Internal(e.to_string()))?,
            )
        }
    })
}
