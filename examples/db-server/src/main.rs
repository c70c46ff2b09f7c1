//! Run with: cargo run -p db-server
//!
//! The example database MCP server: a small SQLite shop database behind per-tool scopes. Without
//! flags it serves http://127.0.0.1:8080/mcp in development mode; `--help` lists the rest.

use std::process::ExitCode;

use mcp_scopes::cli::Cli;

#[tokio::main]
async fn main() -> ExitCode {
    let registry = match db_server::tools::registry() {
        Ok(registry) => registry,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    };
    Cli::new("db-server", env!("CARGO_PKG_VERSION"))
        .about("An MCP server for a SQLite database, with per-tool OAuth scopes")
        .registry(registry)
        .run(|ctx| {
            let db = db_server::db::Database::open(ctx.data_dir.join(db_server::DATABASE_FILE))?;
            Ok(db_server::server_builder(db))
        })
        .await
}
