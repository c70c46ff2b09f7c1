//! Run with: cargo run -p conformance-server -- --token-file /tmp/conformance-token
//!
//! Serves the conformance fixtures at `http://127.0.0.1:PORT/mcp` and writes a token it accepts to
//! `--token-file` (mode 0600, never printed). The suite cannot send an `Authorization` header, so
//! the harness puts a loopback proxy in front that adds this token to each request.
//!
//! With `--issuer URL` (the benchmark in `bench/compare.sh`) it accepts that issuer's tokens instead,
//! with the keys from `URL/jwks`, as a production server would, and mints none.

use std::error::Error;
use std::fs::{self, OpenOptions};
use std::io::Write as _;
use std::net::Ipv4Addr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;
use mcp_scopes::auth::{DevSigner, TokenClaims, ValidatorConfig};
use mcp_scopes::server::McpServer;

/// The issuer of the tokens this fixture mints for itself.
const ISSUER: &str = "https://conformance-fixture.invalid";

/// Command line of the fixture server.
#[derive(Debug, Parser)]
#[command(about = "MCP conformance fixture server (mcp-scopes)")]
struct Cli {
    /// Port on 127.0.0.1 (0 picks a free one; see --ready-file).
    #[arg(long, default_value_t = 0)]
    port: u16,
    /// Where to write the access token the harness sends (created with mode 0600).
    #[arg(long, required_unless_present = "issuer")]
    token_file: Option<PathBuf>,
    /// Accept the tokens of this issuer (a loopback `http://` URL is allowed), checked against the
    /// keys at `<issuer>/jwks`, instead of minting a token for the harness.
    #[arg(long, conflicts_with_all = ["token_file", "key_file"])]
    issuer: Option<String>,
    /// Where to write the MCP endpoint URL once the server listens.
    #[arg(long)]
    ready_file: Option<PathBuf>,
    /// The signing key (PEM), created if missing; without it a key lives in memory only.
    #[arg(long)]
    key_file: Option<PathBuf>,
    /// How many calls one caller may have running at once (the framework's default otherwise).
    #[arg(long, value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..))]
    max_calls_per_caller: Option<usize>,
    /// Lifetime of the minted token, in seconds.
    #[arg(long, default_value_t = 3600)]
    token_ttl: u64,
}

#[tokio::main]
async fn main() -> ExitCode {
    match run(Cli::parse()).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("conformance-server: {err}");
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> Result<(), Box<dyn Error>> {
    let listener = tokio::net::TcpListener::bind((Ipv4Addr::LOCALHOST, cli.port)).await?;
    let resource = format!("http://{}/mcp", listener.local_addr()?);
    let mut builder = McpServer::builder()
        .info("mcp-scopes-conformance-fixture", env!("CARGO_PKG_VERSION"))
        .registry(conformance_server::registry()?);
    if let Some(limit) = cli.max_calls_per_caller {
        builder = builder.max_calls_per_caller(Some(limit));
    }
    let server = if let Some(issuer) = &cli.issuer {
        let keys = format!("{}/jwks", issuer.trim_end_matches('/'));
        builder
            .auth(ValidatorConfig::new(issuer, &resource).jwks_uri(keys))
            .build()?
    } else {
        let signer = match &cli.key_file {
            Some(path) => DevSigner::load_or_create(path)?,
            None => DevSigner::generate(),
        };
        let server = builder
            .auth(ValidatorConfig::new(ISSUER, &resource).static_jwks(signer.jwks()))
            .build()?;
        let token = signer.mint(
            &TokenClaims::new(ISSUER, &resource)
                .subject("conformance-suite")
                .scopes(server.baseline_scopes().iter().cloned())
                .ttl(Duration::from_secs(cli.token_ttl)),
        )?;
        if let Some(path) = &cli.token_file {
            write_private(path, &token)?;
        }
        server
    };
    if let Some(ready) = &cli.ready_file {
        fs::write(ready, &resource)?;
    }
    eprintln!("conformance-server: listening on {resource}");
    axum::serve(listener, server.into_router())
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await?;
    Ok(())
}

/// Writes `secret` to a new file only its owner can read.
fn write_private(path: &Path, secret: &str) -> std::io::Result<()> {
    let _ = fs::remove_file(path);
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(path)?.write_all(secret.as_bytes())
}
