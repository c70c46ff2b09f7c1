//! The `token` subcommand: a development token for the server these flags describe. It has rules
//! of its own (which audience the token names, which scopes it may hold, which key signs it), so
//! it lives apart from the parsing and dispatch of every subcommand in the module root.

use std::time::Duration;

use super::args::given;
use super::config::{Config, Mode};
use super::data_dir::{load_existing_dev_signer, read_dev_server_url};
use super::flag_error::FlagError;
use super::urls::dev_issuer;
use crate::auth::TokenClaims;
use crate::registry::Registry;

/// Whether the token's audience was chosen on the command line or in the environment
/// (`--port`, `--bind`, `--resource`), rather than left to the defaults.
pub(super) fn audience_given(matches: &clap::ArgMatches) -> bool {
    ["port", "bind", "resource"]
        .iter()
        .any(|id| given(matches, id))
}

/// What `token` was asked for.
pub(super) struct TokenRequest<'a> {
    pub(super) scopes: &'a [String],
    pub(super) ttl: Duration,
    pub(super) subject: &'a str,
    /// Whether `--port`, `--bind` or `--resource` was given; if not, the token is for the server
    /// that last ran in development mode with this data directory.
    pub(super) audience_given: bool,
}

/// Mints a development token for the server these flags describe, with the key that server
/// created: `token` never creates a key, since a server would not know it.
pub(super) fn token(
    registry: &Registry,
    config: &Config,
    request: &TokenRequest<'_>,
) -> Result<String, FlagError> {
    if !config.is_development() {
        let flag = if matches!(config.mode, Mode::Casdoor { .. }) {
            "--casdoor"
        } else {
            "--issuer"
        };
        return Err(FlagError::new(
            flag,
            "`token` mints development tokens only; with an authorization server configured, get tokens from it",
        ));
    }
    let mut granted: Vec<String> = request
        .scopes
        .iter()
        .flat_map(|s| s.split_whitespace())
        .map(str::to_owned)
        .collect();
    if granted.is_empty() {
        granted = registry
            .baseline_scopes()
            .into_iter()
            .map(str::to_owned)
            .collect();
    }
    let declared: Vec<&str> = registry.scopes().iter().map(|s| s.name).collect();
    if let Some(unknown) = granted.iter().find(|s| !declared.contains(&s.as_str())) {
        return Err(FlagError::new(
            "--scope",
            format!(
                "this server declares no scope `{unknown}`; its scopes are: {}",
                declared.join(", ")
            ),
        ));
    }
    let signer = load_existing_dev_signer(&config.data_dir)?;
    let last_served = if request.audience_given {
        None
    } else {
        read_dev_server_url(&config.data_dir)?
    };
    let resource = match last_served {
        Some(url) => url,
        None if config.listen.port() == 0 && config.resource.is_none() => {
            return Err(FlagError::new(
                "--port",
                "a development token names the server's URL as its audience: give the port the server listens on",
            ));
        }
        None => config.resource_for(config.listen),
    };
    let claims = TokenClaims::new(dev_issuer(&resource), resource)
        .subject(request.subject)
        .scopes(granted)
        .ttl(request.ttl);
    signer
        .mint(&claims)
        .map_err(|e| FlagError::new("--ttl", e.to_string()))
}
