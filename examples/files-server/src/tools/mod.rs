//! The MCP tools of the files server and the scopes that guard them, named as in Casdoor's MCP
//! setup guide. Each tool is one `#[tool]` function: its doc comment is what the model reads, its
//! `Args<…>` type is the input schema, its `Structured<…>` return is the output schema, and an
//! `Err` becomes a result the model reads (`isError`). The scope gate runs before any of them.
//!
//! No scope implies another: each grants a different power. `files:list` shows names and
//! metadata, `files:read` gives the contents of a file whose name the caller already knows, and
//! `files:write` changes the tree without showing what it holds (an upload-only client needs
//! nothing else). A client that wants all three asks for all three.
//!
//! [`resource`] serves the same files as resources (`file:///{path}`, `files:read`).
//!
//! The tools are registered by linking, not by a list: [`registry`] is
//! [`Registry::collected`], which gathers every `#[tool]` and `#[scope]` linked into the binary.

pub mod list;
pub mod read;
pub mod resource;
pub mod write;

use mcp_scopes::registry::{Registry, RegistryError};
use mcp_scopes::scope;

/// See file names and metadata in directories
#[scope(name = "files:list", display_name = "List Files", baseline)]
pub struct FilesList;

/// View and download files from your storage
#[scope(name = "files:read", display_name = "Read Files")]
pub struct FilesRead;

/// Create, modify, and delete files in your storage
#[scope(name = "files:write", display_name = "Write Files")]
pub struct FilesWrite;

/// Every tool and scope linked into the binary (`Registry::collected`), checked (names unique,
/// scopes declared).
pub fn registry() -> Result<Registry, RegistryError> {
    Registry::collected()
}
