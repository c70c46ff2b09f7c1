//! Run with: cargo run -p db-server
//!
//! The example database MCP server: a small shop database behind per-tool scopes, in SQLite
//! (default) or PostgreSQL (`--database-url postgres://…`). Without flags it serves
//! http://127.0.0.1:8080/mcp in development mode; `--help` lists the rest.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args as _, FromArgMatches as _};
use db_server::db::{Database, Limits, PgOptions};
use mcp_scopes::cli::Cli;

/// db-server's own flags: where the database is (named as the flags are).
#[allow(clippy::struct_field_names)]
#[derive(Debug, clap::Args)]
struct DatabaseFlags {
    /// Serve a PostgreSQL database instead of the SQLite file in the data directory:
    /// postgres://user:password@host:port/database[?sslmode=require]. This role runs the
    /// changes (execute, create_/drop_ tools), and the reads too unless --database-reader-url is
    /// set.
    #[arg(long, env = "MCP_DATABASE_URL", hide_env_values = true)]
    database_url: Option<String>,
    /// A second PostgreSQL URL, for a role with only SELECT rights, used for query, list_tables
    /// and describe_table (see the README's two-role setup).
    #[arg(long, env = "MCP_DATABASE_READER_URL", hide_env_values = true)]
    database_reader_url: Option<String>,
    /// The PostgreSQL schema the tools see, and where the sample tables are created when it has
    /// none.
    #[arg(long, env = "MCP_DATABASE_SCHEMA", default_value = "public")]
    database_schema: String,
    /// PEM file of the certificate authorities to trust for TLS to PostgreSQL (default: the
    /// system's).
    #[arg(long, env = "MCP_DATABASE_CA_FILE")]
    database_ca_file: Option<PathBuf>,
}

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
        .about("An MCP server for a SQLite or PostgreSQL database, with per-tool OAuth scopes")
        .registry(registry)
        // Below the read connections, so one caller's slow queries leave some for the others.
        .default_max_calls_per_caller(Limits::default().max_calls_per_caller())
        .flags(DatabaseFlags::augment_args)
        .run(|ctx| {
            let flags = DatabaseFlags::from_arg_matches(&ctx.matches)?;
            // DATABASE_URL too, the name most tools use, when the MCP_ one is not set.
            let url = flags
                .database_url
                .or_else(|| std::env::var("DATABASE_URL").ok().filter(|u| !u.is_empty()));
            let db = match url {
                Some(url) => {
                    let options = PgOptions {
                        url,
                        reader_url: flags.database_reader_url,
                        schema: flags.database_schema,
                        ca_file: flags.database_ca_file,
                    };
                    // Setup is synchronous; connecting is not.
                    tokio::task::block_in_place(|| {
                        tokio::runtime::Handle::current()
                            .block_on(Database::connect_postgres(options, Limits::default()))
                    })?
                }
                None if flags.database_reader_url.is_some() => {
                    return Err(
                        "--database-reader-url needs --database-url (the writer's URL)".into(),
                    );
                }
                None => Database::open(ctx.data_dir.join(db_server::DATABASE_FILE))?,
            };
            Ok(db_server::server_builder(db))
        })
        .await
}
