//! The command line, as clap parses it. Every server flag can also come from an `MCP_…`
//! environment variable, so a container or service unit needs no command line at all.

use std::net::IpAddr;
use std::path::PathBuf;
use std::time::Duration;

use clap::{Parser, Subcommand};

use crate::manifest::ManifestFormat;

/// The parsed command line.
#[derive(Debug, Parser)]
pub(crate) struct Args {
    /// What to do (default: serve).
    #[command(subcommand)]
    pub(crate) command: Option<Command>,
    /// How the server is reached and how it checks tokens.
    #[command(flatten)]
    pub(crate) server: ServerArgs,
}

/// The server's configuration flags, shared by every subcommand.
#[derive(Debug, Clone, clap::Args)]
pub(crate) struct ServerArgs {
    /// Address to listen on. Without --issuer or --casdoor (development mode) only loopback
    /// addresses are allowed.
    #[arg(
        long,
        env = "MCP_BIND",
        value_name = "IP",
        default_value = "127.0.0.1",
        global = true
    )]
    pub(crate) bind: IpAddr,
    /// Port to listen on (0 picks a free one).
    #[arg(
        long,
        env = "MCP_PORT",
        value_name = "PORT",
        default_value_t = 8080,
        global = true
    )]
    pub(crate) port: u16,
    /// Issuer of the access tokens to accept, exactly as in their `iss` claim (https, or http to a
    /// loopback host). Turns development mode off; needs --resource.
    #[arg(long, env = "MCP_ISSUER", value_name = "URL", global = true)]
    pub(crate) issuer: Option<String>,
    /// This server's public URL, the audience tokens must name, e.g.
    /// https://mcp.example.com/mcp. Development mode default: http://<bind>:<port>/mcp.
    #[arg(long, env = "MCP_RESOURCE", value_name = "URL", global = true)]
    pub(crate) resource: Option<String>,
    /// Where to fetch the issuer's signing keys, https or loopback http (default: discovered from
    /// the issuer; with --casdoor, <endpoint>/.well-known/jwks).
    #[arg(long, env = "MCP_JWKS_URI", value_name = "URL", global = true)]
    pub(crate) jwks_uri: Option<String>,
    /// A Casdoor server (its origin, e.g. https://door.example.com; http only on a loopback host):
    /// accept its access tokens, with Casdoor's issuer, keys and token rules. Turns development
    /// mode off; needs --resource.
    #[arg(
        long,
        env = "MCP_CASDOOR",
        value_name = "URL",
        global = true,
        conflicts_with = "issuer"
    )]
    pub(crate) casdoor: Option<String>,
    /// Accept only tokens issued to this OAuth client (the token's `azp`, else `client_id`); repeat
    /// the flag or separate ids with commas. With Casdoor: the client id of this server's
    /// application(s). Without it (or --allowed-organization), any client of the authorization
    /// server that gets a token for this server's URL is accepted.
    #[arg(
        long = "allowed-client",
        env = "MCP_ALLOWED_CLIENTS",
        value_name = "CLIENT_ID",
        value_delimiter = ',',
        global = true
    )]
    pub(crate) allowed_clients: Vec<String>,
    /// With --casdoor: accept only users of this Casdoor organization (the token's `owner`);
    /// repeat the flag or separate names with commas.
    #[arg(
        long = "allowed-organization",
        env = "MCP_ALLOWED_ORGANIZATIONS",
        value_name = "ORG",
        value_delimiter = ',',
        global = true
    )]
    pub(crate) allowed_organizations: Vec<String>,
    /// With --issuer: accept only tokens whose `typ` header is `at+jwt` (RFC 9068 access tokens),
    /// so an ID token signed by the same issuer is never taken for an access token.
    #[arg(long, env = "MCP_REQUIRE_TYP", global = true)]
    pub(crate) require_typ: bool,
    /// Refuse tokens that were issued to live longer than this (`exp` - `iat`; seconds, or a
    /// number with s, m, h or d), however long the authorization server made them.
    #[arg(
        long,
        env = "MCP_MAX_TOKEN_LIFETIME",
        value_name = "DURATION",
        value_parser = parse_duration,
        global = true
    )]
    pub(crate) max_token_lifetime: Option<Duration>,
    /// Honour a scope only for users holding a Casdoor role or permission, as SCOPE=ROLE (e.g.
    /// db:admin=dba; owner/name also works); repeat the flag or separate rules with commas. Read
    /// from the token's `roles` and `permissions` claims, which only Casdoor's default `JWT`
    /// token format carries: with other formats such scopes are refused.
    #[arg(
        long = "scope-role",
        env = "MCP_SCOPE_ROLES",
        value_name = "SCOPE=ROLE",
        value_delimiter = ',',
        global = true
    )]
    pub(crate) scope_roles: Vec<String>,
    /// Development mode: how long access tokens from the built-in authorization server live
    /// (seconds, or a number with s, m, h or d; default 1h).
    #[arg(
        long,
        env = "MCP_DEV_TOKEN_LIFETIME",
        value_name = "DURATION",
        value_parser = parse_duration,
        global = true
    )]
    pub(crate) dev_token_lifetime: Option<Duration>,
    /// Development mode: how long refresh tokens from the built-in authorization server live
    /// (default 1d; clients that registered for refresh tokens get them).
    #[arg(
        long,
        env = "MCP_DEV_REFRESH_LIFETIME",
        value_name = "DURATION",
        value_parser = parse_duration,
        global = true
    )]
    pub(crate) dev_refresh_lifetime: Option<Duration>,
    /// Directory for the server's files (the development signing key, and whatever the server
    /// keeps). Created with owner-only permissions.
    #[arg(long, env = "MCP_DATA_DIR", value_name = "DIR", global = true)]
    pub(crate) data_dir: Option<PathBuf>,
    /// After Ctrl-C or SIGTERM, how long requests in flight may take to finish before the server
    /// stops anyway (seconds, or a number with s, m, h or d). A second Ctrl-C or SIGTERM stops it
    /// at once. Either way, work already running on blocking threads (database transactions)
    /// finishes before the process exits.
    #[arg(
        long,
        env = "MCP_SHUTDOWN_GRACE",
        value_name = "DURATION",
        default_value = "10s",
        value_parser = parse_duration,
        global = true
    )]
    pub(crate) shutdown_grace: Duration,
    /// How long a client may take to send a request's headers (seconds, or a number with s, m, h
    /// or d), counted from connecting or from its previous response; a slower or idle client is
    /// disconnected, so half-sent requests cannot use up the server's connections.
    #[arg(
        long,
        env = "MCP_HEADER_TIMEOUT",
        value_name = "DURATION",
        default_value = "10s",
        value_parser = parse_duration,
        global = true
    )]
    pub(crate) header_timeout: Duration,
    /// How long writing an answer may make no progress because the client reads nothing
    /// (seconds, or a number with s, m, h or d) before the client is disconnected, so clients
    /// that never read cannot hold the server's connections.
    #[arg(
        long,
        env = "MCP_WRITE_TIMEOUT",
        value_name = "DURATION",
        default_value = "30s",
        value_parser = parse_duration,
        global = true
    )]
    pub(crate) write_timeout: Duration,
    /// How many client connections may be open at once; further clients wait until one closes.
    #[arg(
        long,
        env = "MCP_MAX_CONNECTIONS",
        value_name = "N",
        default_value_t = crate::server::DEFAULT_MAX_CONNECTIONS,
        value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..),
        global = true
    )]
    pub(crate) max_connections: usize,
    /// How many tool calls (and resource, prompt and completion requests) one caller (the token's
    /// issuer, subject and client) may have running at once; one more is answered at once with
    /// HTTP 429 and `Retry-After: 1`, and its handler never runs.
    #[arg(
        long,
        env = "MCP_MAX_CALLS_PER_CALLER",
        value_name = "N",
        default_value_t = crate::server::DEFAULT_MAX_CALLS_PER_CALLER,
        value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..),
        global = true
    )]
    pub(crate) max_calls_per_caller: usize,
    /// How long a tool call (or a resource, prompt or completion request) may run (seconds, or a
    /// number with s, m, h or d); a longer one is stopped and answered with an error result saying
    /// it did not finish in time.
    #[arg(
        long,
        env = "MCP_CALL_TIMEOUT",
        value_name = "DURATION",
        default_value = "1m",
        value_parser = parse_duration,
        global = true
    )]
    pub(crate) call_timeout: Duration,
}

/// The subcommands.
#[derive(Debug, Clone, Subcommand)]
pub(crate) enum Command {
    /// Serve MCP over HTTP (what runs without a subcommand).
    Serve,
    /// Print an access token signed by the development key (development mode only).
    Token {
        /// A scope to grant; repeat the flag or separate scopes with spaces (default: the
        /// baseline scopes).
        #[arg(long = "scope", value_name = "SCOPE")]
        scopes: Vec<String>,
        /// How long the token is valid: seconds, or a number with s, m, h or d.
        #[arg(long, value_name = "DURATION", default_value = "1h", value_parser = parse_duration)]
        ttl: Duration,
        /// The token's subject (`sub`).
        #[arg(long, value_name = "NAME", default_value = "dev-user")]
        subject: String,
    },
    /// Print the scope manifest: every scope with its tools, for the authorization server.
    Manifest {
        /// `casdoor` (an application's `scopes` array) or `json` (with baseline flags and
        /// implications).
        #[arg(long, value_name = "FORMAT", default_value = "casdoor", value_parser = parse_format)]
        format: ManifestFormat,
        /// Also list the standard OIDC scopes (openid, profile, email, offline_access), which
        /// Casdoor must know once an application lists any scope.
        #[arg(long)]
        oidc_scopes: bool,
        /// Write the manifest to this file (atomically) instead of printing it.
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
    },
    /// Work with a Casdoor server (`casdoor sync`: put this server's scopes into an application).
    Casdoor {
        /// The Casdoor command.
        #[command(subcommand)]
        command: crate::casdoor::CasdoorCommand,
    },
}

fn parse_format(s: &str) -> Result<ManifestFormat, String> {
    s.parse()
        .map_err(|_| format!("`{s}` is not a manifest format; use `casdoor` or `json`"))
}

/// The longest duration accepted: a year. Longer token lifetimes make no sense, and far larger
/// ones would overflow the token's `exp`.
const MAX_DURATION_SECS: u64 = 365 * 86_400;

/// Parses `90`, `90s`, `15m`, `2h` or `7d`, up to a year.
pub(crate) fn parse_duration(s: &str) -> Result<Duration, String> {
    let s = s.trim();
    let (digits, unit) = match s.find(|c: char| !c.is_ascii_digit()) {
        Some(i) => s.split_at(i),
        None => (s, "s"),
    };
    let n: u64 = digits
        .parse()
        .map_err(|_| format!("`{s}` is not a duration such as 90s, 15m, 2h or 7d"))?;
    let seconds_per_unit = match unit {
        "s" => 1,
        "m" => 60,
        "h" => 3_600,
        "d" => 86_400,
        _ => return Err(format!("`{s}` has an unknown unit; use s, m, h or d")),
    };
    match n.checked_mul(seconds_per_unit) {
        Some(0) => Err("the duration must be above zero".to_owned()),
        Some(secs) if secs <= MAX_DURATION_SECS => Ok(Duration::from_secs(secs)),
        _ => Err(format!("`{s}` is too long; at most 365d")),
    }
}

/// Whether the flag `id` was set on the command line or in the environment, not left to its default.
pub(crate) fn given(matches: &clap::ArgMatches, id: &str) -> bool {
    use clap::parser::ValueSource;
    matches!(
        matches.value_source(id),
        Some(ValueSource::CommandLine | ValueSource::EnvVariable)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ttl_accepts_plain_seconds_and_units() {
        assert_eq!(parse_duration("90"), Ok(Duration::from_secs(90)));
        assert_eq!(parse_duration("15m"), Ok(Duration::from_mins(15)));
        assert_eq!(parse_duration("2h"), Ok(Duration::from_hours(2)));
        assert_eq!(parse_duration("7d"), Ok(Duration::from_hours(168)));
        assert_eq!(parse_duration("365d"), Ok(Duration::from_hours(365 * 24)));
        for bad in [
            "",
            "h",
            "1w",
            "0",
            "-5m",
            "1.5h",
            "99999999999999999999d",
            "366d",
            "99999999999999d",
            "18446744073709551615",
        ] {
            let why = parse_duration(bad).expect_err(bad);
            let expected = match bad {
                "0" => "the duration must be above zero",
                "1w" | "1.5h" => "has an unknown unit",
                // Digits past u64::MAX do not parse as a number at all.
                "" | "h" | "-5m" | "99999999999999999999d" => "is not a duration such as 90s",
                _ => "is too long; at most 365d",
            };
            assert!(why.contains(expected), "{bad}: {why}");
        }
    }
}
