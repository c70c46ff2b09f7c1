//! Run with: cargo run -p files-server
//!
//! The example file MCP server of Casdoor's MCP setup guide: a directory behind the scopes
//! `files:list`, `files:read` and `files:write`. Without flags it serves
//! http://127.0.0.1:8081/mcp in development mode; `--help` lists the rest.
//!
//! No registry is passed to the command line, so it serves `Registry::collected()`: every
//! `#[tool]` and `#[scope]` linked into this binary. A crate the binary never refers to is not
//! linked at all, and its tools would silently be missing; this binary refers to `files_server`
//! (for `server_builder` and `FilesFlags`), which links the whole library, tools included. The
//! binary test checks that `tools/list` shows every tool.

use std::process::ExitCode;

use clap::{Args as _, FromArgMatches as _};
use files_server::FilesFlags;
use mcp_scopes::cli::Cli;

#[tokio::main]
async fn main() -> ExitCode {
    Cli::new("files-server", env!("CARGO_PKG_VERSION"))
        .about("An MCP server for a directory of files, with per-tool OAuth scopes")
        .default_port(files_server::DEFAULT_PORT)
        .flags(FilesFlags::augment_args)
        .run(|ctx| {
            let flags = FilesFlags::from_arg_matches(&ctx.matches)?;
            let root = flags.open_root(&ctx.data_dir)?;
            Ok(files_server::server_builder(root))
        })
        .await
}
