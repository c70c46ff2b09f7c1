//! The example file MCP server as a library, so its tests can start it in-process.
//!
//! [`fs`] is the served directory tree: it owns every safety guarantee the tools advertise
//! (confinement, atomic writes, limits). [`tools`] declares the scopes and the MCP tools on top
//! of it. [`server_builder`] puts them together; the binary adds the command line
//! (`mcp_scopes::cli`), which configures authentication, and [`FilesFlags`], which says what to
//! serve.

pub mod fs;
pub mod tools;

use std::path::{Path, PathBuf};

use mcp_scopes::server::{McpServer, McpServerBuilder};

use crate::fs::{FsError, Limits, Root};

/// The port the server listens on by default (db-server has 8080, so both can run at once).
pub const DEFAULT_PORT: u16 = 8081;

/// The served directory's name inside the data directory, when `--root` is not given.
pub const DEFAULT_ROOT: &str = "files";

/// The largest request body: a 4 MiB file as base64 (5.4 MiB) with room for the JSON around it.
const MAX_BODY_BYTES: usize = 6 * 1024 * 1024;

/// What the model is told about this server as a whole.
const INSTRUCTIONS: &str = "A directory of files. Paths are relative to it, with `/` between \
names (`` or `.` is the directory itself); `..`, absolute paths and symbolic links are refused. \
Use list_directory, stat_path and search_files to find files, read_file to read one (text as text, \
binary as base64, 1 MiB per call with offset/length for more), and write_file, create_directory, \
move_path and delete_path to change them. Writes are atomic; write_file's default mode refuses to \
replace an existing file.";

/// The server with its tools, instructions and served directory; authentication is still to be
/// set (`.auth(…)`), which the command line does. Tools come from [`tools::registry`].
pub fn server_builder(root: Root) -> McpServerBuilder {
    McpServer::builder()
        .info("files-server", env!("CARGO_PKG_VERSION"))
        .title("Files")
        .instructions(INSTRUCTIONS)
        .max_body_bytes(MAX_BODY_BYTES)
        .state(root)
}

/// This server's own command-line flags, next to the common ones of `mcp_scopes::cli`.
#[derive(Debug, Clone, clap::Args)]
pub struct FilesFlags {
    /// The directory to serve (it must exist). Default: `files` in the data directory, created
    /// with a few sample files on first start.
    #[arg(long, env = "FILES_ROOT", value_name = "DIR")]
    pub root: Option<PathBuf>,
    /// The most bytes all files in the served directory may hold together; a write past it is
    /// refused.
    #[arg(long, env = "FILES_QUOTA", value_name = "BYTES", default_value_t = Limits::default().quota_bytes)]
    pub quota: u64,
    /// The most files and directories the served directory may hold; creating one past it is
    /// refused.
    #[arg(long, env = "FILES_MAX_ENTRIES", value_name = "N", default_value_t = Limits::default().max_entries)]
    pub max_entries: u64,
}

/// Why the served directory cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum RootError {
    /// The served directory holds the data directory, whose development key signs tokens.
    #[error(
        "--root: {root} contains the data directory {data_dir}, whose development signing key would then be readable with files:read; serve a directory that does not hold it, or move the data directory with --data-dir"
    )]
    HoldsDataDir {
        /// The directory to serve.
        root: String,
        /// The data directory.
        data_dir: String,
    },
    /// The directory cannot be opened.
    #[error("--root: {0}")]
    Open(#[from] FsError),
}

impl FilesFlags {
    /// Opens the directory to serve: `--root`, or the default inside `data_dir` (created with
    /// samples). Refuses a root that holds `data_dir`.
    pub fn open_root(&self, data_dir: &Path) -> Result<Root, RootError> {
        let limits = Limits {
            quota_bytes: self.quota,
            max_entries: self.max_entries,
            ..Limits::default()
        };
        let Some(root) = &self.root else {
            return Ok(Root::open_or_create_with_samples(
                &data_dir.join(DEFAULT_ROOT),
                limits,
            )?);
        };
        let resolved = |p: &Path| std::fs::canonicalize(p);
        if let (Ok(root_path), Ok(data_path)) = (resolved(root), resolved(data_dir))
            && data_path.starts_with(&root_path)
        {
            return Err(RootError::HoldsDataDir {
                root: root.display().to_string(),
                data_dir: data_dir.display().to_string(),
            });
        }
        Ok(Root::open(root, limits)?)
    }
}
