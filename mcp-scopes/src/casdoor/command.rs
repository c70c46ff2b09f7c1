//! `<server> casdoor sync …`: the command-line face of [`super::sync`], wired into
//! [`crate::cli`] so every server built with the `cli` feature can push its own manifest.
//!
//! Credentials come from flags or `CASDOOR_CLIENT_ID` / `CASDOOR_CLIENT_SECRET`; the environment is
//! the better place (a flag shows in `ps`), and `--help` never prints their values.

use std::process::ExitCode;

use super::credentials::{CLIENT_ID_ENV, CLIENT_SECRET_ENV, Credentials};
use super::error::SyncError;
use super::options::SyncOptions;
use super::sync::sync;
use crate::manifest::casdoor_scopes;
use crate::registry::Registry;

/// `casdoor …` subcommands.
#[derive(Debug, Clone, clap::Subcommand)]
pub(crate) enum CasdoorCommand {
    /// Put this server's scopes into a Casdoor application: reads it, replaces the entries of
    /// `scopes` and `customScopes` this server declares, keeps the others (unless --prune), prints
    /// the changes, and writes the application back only if something changed and nothing else
    /// changed meanwhile.
    Sync(SyncArgs),
}

/// The flags of `casdoor sync`. `Debug` leaves the client secret out (the parsed command line can end
/// up in a `{:?}`).
// Each bool is one independent command-line switch, as clap parses it.
#[allow(clippy::struct_excessive_bools)]
#[derive(Clone, clap::Args)]
pub(crate) struct SyncArgs {
    /// Casdoor's origin, e.g. https://door.example.com (default: the --casdoor flag).
    #[arg(long, env = "CASDOOR_ENDPOINT", value_name = "URL")]
    endpoint: Option<String>,
    /// The application to update, as `owner/name` (applications made in the admin UI are owned
    /// by `admin`), e.g. admin/my-mcp-server.
    #[arg(long, env = "CASDOOR_APPLICATION", value_name = "OWNER/NAME")]
    application: String,
    /// Client id of a Casdoor application allowed to administer it. Such credentials are full
    /// admin: use them from a deployment pipeline, never in the running server.
    #[arg(long, env = CLIENT_ID_ENV, value_name = "ID", hide_env_values = true)]
    client_id: Option<String>,
    /// Its client secret (prefer the environment variable: a flag is visible in `ps`).
    #[arg(long, env = CLIENT_SECRET_ENV, value_name = "SECRET", hide_env_values = true)]
    client_secret: Option<String>,
    /// Also manage the standard OIDC scopes (openid, profile, email, offline_access), which
    /// Casdoor refuses once an application lists any scope but not them.
    #[arg(long)]
    oidc_scopes: bool,
    /// Print the changes; write nothing.
    #[arg(long)]
    dry_run: bool,
    /// Also remove scope entries this server does not declare.
    #[arg(long)]
    prune: bool,
    /// Leave the application's `customScopes` (what the consent screen shows) as it is; by
    /// default it gets the same scopes, display names and descriptions as `scopes`.
    #[arg(long)]
    no_custom_scopes: bool,
}

impl std::fmt::Debug for SyncArgs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SyncArgs")
            .field("endpoint", &self.endpoint)
            .field("application", &self.application)
            .field("client_id", &self.client_id)
            .field(
                "client_secret",
                &self.client_secret.as_ref().map(|_| "<redacted>"),
            )
            .field("oidc_scopes", &self.oidc_scopes)
            .field("dry_run", &self.dry_run)
            .field("prune", &self.prune)
            .field("no_custom_scopes", &self.no_custom_scopes)
            .finish()
    }
}

/// Exit status for usage errors (as clap uses).
const USAGE_ERROR: u8 = 2;

/// Runs a `casdoor` subcommand: the report on stdout, an error as one `error:` line on stderr.
pub(crate) async fn run(
    command: CasdoorCommand,
    registry: &Registry,
    casdoor_flag: Option<&str>,
) -> ExitCode {
    let CasdoorCommand::Sync(args) = command;
    let Some(endpoint) = args.endpoint.as_deref().or(casdoor_flag) else {
        eprintln!(
            "error: --endpoint: give Casdoor's origin, e.g. --endpoint https://door.example.com"
        );
        return ExitCode::from(USAGE_ERROR);
    };
    let scopes = match casdoor_scopes(registry, args.oidc_scopes) {
        Ok(scopes) => scopes,
        Err(e) => return failure(&e),
    };
    let credentials = Credentials::new(
        args.client_id.unwrap_or_default(),
        args.client_secret.unwrap_or_default(),
    );
    let options = SyncOptions::new(endpoint, &args.application, credentials, scopes)
        .dry_run(args.dry_run)
        .prune(args.prune)
        .custom_scopes(!args.no_custom_scopes);
    match sync(&options).await {
        Ok(report) => {
            println!("{report}");
            ExitCode::SUCCESS
        }
        Err(
            e @ (SyncError::InvalidEndpoint(_)
            | SyncError::InsecureEndpoint(_)
            | SyncError::InvalidApplication(_)
            | SyncError::MissingCredentials),
        ) => {
            eprintln!("error: {e}");
            ExitCode::from(USAGE_ERROR)
        }
        Err(e) => failure(&e),
    }
}

fn failure(error: &dyn std::fmt::Display) -> ExitCode {
    eprintln!("error: {error}");
    ExitCode::FAILURE
}

#[cfg(test)]
mod tests {
    use clap::Parser as _;

    use super::CasdoorCommand;

    #[derive(clap::Parser)]
    struct Line {
        #[command(subcommand)]
        command: CasdoorCommand,
    }

    #[test]
    fn debug_never_shows_the_client_secret() {
        let line = Line::try_parse_from([
            "server",
            "sync",
            "--endpoint",
            "https://door.example.com",
            "--application",
            "admin/app",
            "--client-id",
            "app-id",
            "--client-secret",
            "s3cr3t-value",
        ])
        .expect("valid arguments");
        let shown = format!("{:?}", line.command);
        assert!(
            shown.contains("app-id") && shown.contains("admin/app"),
            "{shown}"
        );
        assert!(!shown.contains("s3cr3t"), "{shown}");
    }
}
