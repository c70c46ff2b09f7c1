//! From flags to a checked configuration: which mode the server runs in, where it listens, what its
//! resource URL is. Every mistake becomes one line naming the flag to fix.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use super::args::ServerArgs;
use super::flag_error::FlagError;
use super::token_rules::TokenRules;
use super::urls::{authorization_server_url, dev_issuer, host_port, http_url};
use crate::auth::ValidatorConfig;

/// Where tokens come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Mode {
    /// No authorization server: tokens are signed by a key in the data directory.
    Development,
    /// Tokens from a standards-following authorization server.
    Issuer {
        issuer: String,
        jwks_uri: Option<String>,
    },
    /// Tokens from Casdoor.
    Casdoor {
        endpoint: String,
        jwks_uri: Option<String>,
    },
}

/// A checked configuration.
#[derive(Debug, Clone)]
pub(crate) struct Config {
    pub(crate) mode: Mode,
    pub(crate) listen: SocketAddr,
    /// Given with --resource; in development mode derived from the address once bound.
    pub(crate) resource: Option<String>,
    pub(crate) data_dir: PathBuf,
    /// How long requests in flight may take after a stop signal.
    pub(crate) shutdown_grace: Duration,
    /// How long a client may take to send a request's headers.
    pub(crate) header_timeout: Duration,
    /// How long writing to a client may make no progress.
    pub(crate) write_timeout: Duration,
    /// How many connections may be open at once.
    pub(crate) max_connections: usize,
    /// How many calls one caller may have running at once.
    pub(crate) max_calls_per_caller: usize,
    /// How long one call may run.
    pub(crate) call_timeout: Duration,
    /// Which tokens production mode accepts beyond issuer and audience.
    pub(crate) token_rules: TokenRules,
    /// Development mode: the built-in authorization server's token lifetimes, when given.
    pub(crate) dev_lifetimes: DevLifetimes,
}

/// `--dev-token-lifetime` and `--dev-refresh-lifetime`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct DevLifetimes {
    pub(crate) access: Option<Duration>,
    pub(crate) refresh: Option<Duration>,
}

impl Config {
    /// Checks the flags. `default_data_dir` is used when --data-dir is not given.
    pub(crate) fn resolve(args: &ServerArgs, default_data_dir: PathBuf) -> Result<Self, FlagError> {
        let resource = args
            .resource
            .as_deref()
            .map(|r| http_url("--resource", r).map(|_| r.to_owned()))
            .transpose()?;
        let jwks_uri = args
            .jwks_uri
            .as_deref()
            .map(|u| authorization_server_url("--jwks-uri", u).map(|_| u.to_owned()))
            .transpose()?;
        let token_rules = TokenRules::from_args(args)?;
        let mode = match (&args.issuer, &args.casdoor) {
            (Some(_), Some(_)) => {
                return Err(FlagError::new(
                    "--casdoor",
                    "give either --issuer or --casdoor, not both",
                ));
            }
            (Some(issuer), None) => {
                authorization_server_url("--issuer", issuer)?;
                if !token_rules.allowed_organizations.is_empty() {
                    return Err(FlagError::new(
                        "--allowed-organization",
                        "only with --casdoor: it checks Casdoor's `owner` claim; with --issuer, use --allowed-client",
                    ));
                }
                Mode::Issuer {
                    issuer: issuer.clone(),
                    jwks_uri,
                }
            }
            (None, Some(endpoint)) => {
                authorization_server_url("--casdoor", endpoint)?;
                if token_rules.require_typ {
                    return Err(FlagError::new(
                        "--require-typ",
                        "Casdoor signs access tokens with `typ: JWT`, never `at+jwt`: every token would be refused",
                    ));
                }
                Mode::Casdoor {
                    endpoint: endpoint.clone(),
                    jwks_uri,
                }
            }
            (None, None) => {
                if jwks_uri.is_some() {
                    return Err(FlagError::new(
                        "--jwks-uri",
                        "only means something with --issuer (development mode signs its own tokens)",
                    ));
                }
                Mode::Development
            }
        };
        if mode == Mode::Development {
            if let Some(flag) = token_rules.first_flag() {
                return Err(FlagError::new(
                    flag,
                    "only with --issuer or --casdoor: development tokens are minted here, for this server only",
                ));
            }
            if !args.bind.is_loopback() {
                return Err(FlagError::new(
                    "--bind",
                    format!(
                        "development mode (no --issuer or --casdoor) only listens on loopback addresses such as 127.0.0.1, not {}; to serve on the network, configure --issuer and --resource, or --casdoor and --resource",
                        args.bind
                    ),
                ));
            }
        } else if let Some(flag) = dev_lifetime_flag(args) {
            return Err(FlagError::new(
                flag,
                "only in development mode (the built-in authorization server); with --issuer or --casdoor, that authorization server sets token lifetimes",
            ));
        } else if resource.is_none() {
            return Err(FlagError::new(
                "--resource",
                "required with --issuer or --casdoor: the URL clients use for this server, which tokens must name as audience, e.g. https://mcp.example.com/mcp",
            ));
        }
        Ok(Self {
            mode,
            listen: SocketAddr::new(args.bind, args.port),
            resource,
            data_dir: args.data_dir.clone().unwrap_or(default_data_dir),
            shutdown_grace: args.shutdown_grace,
            header_timeout: args.header_timeout,
            write_timeout: args.write_timeout,
            max_connections: args.max_connections,
            max_calls_per_caller: args.max_calls_per_caller,
            call_timeout: args.call_timeout,
            token_rules,
            dev_lifetimes: DevLifetimes {
                access: args.dev_token_lifetime,
                refresh: args.dev_refresh_lifetime,
            },
        })
    }

    /// Whether tokens are signed locally.
    pub(crate) fn is_development(&self) -> bool {
        self.mode == Mode::Development
    }

    /// The resource URL for a server listening on `bound` (the actual address, which differs from
    /// the configured one for port 0).
    pub(crate) fn resource_for(&self, bound: SocketAddr) -> String {
        self.resource
            .clone()
            .unwrap_or_else(|| format!("http://{}/mcp", host_port(bound)))
    }

    /// The validator configuration for `resource`; `dev_jwks` is the development key set.
    pub(crate) fn validator_config(
        &self,
        resource: &str,
        dev_jwks: Option<serde_json::Value>,
    ) -> ValidatorConfig {
        match (&self.mode, dev_jwks) {
            (Mode::Issuer { issuer, jwks_uri }, _) => {
                let config = ValidatorConfig::new(issuer.clone(), resource);
                let config = match jwks_uri {
                    Some(uri) => config.jwks_uri(uri.clone()),
                    None => config,
                };
                self.token_rules.apply(config)
            }
            (Mode::Casdoor { endpoint, jwks_uri }, _) => {
                let config = ValidatorConfig::casdoor(endpoint, resource);
                let config = match jwks_uri {
                    Some(uri) => config.jwks_uri(uri.clone()),
                    None => config,
                };
                self.token_rules.apply(config)
            }
            (Mode::Development, jwks) => {
                let config = ValidatorConfig::new(dev_issuer(resource), resource);
                match jwks {
                    Some(jwks) => config.static_jwks(jwks),
                    None => config,
                }
            }
        }
    }
}

/// The first development-lifetime flag given, if any.
fn dev_lifetime_flag(args: &ServerArgs) -> Option<&'static str> {
    if args.dev_token_lifetime.is_some() {
        Some("--dev-token-lifetime")
    } else if args.dev_refresh_lifetime.is_some() {
        Some("--dev-refresh-lifetime")
    } else {
        None
    }
}

impl Config {
    /// What the operator should know before serving: production mode that accepts every client
    /// (and, with Casdoor, every organization) of the authorization server.
    pub(crate) fn warnings(&self) -> Vec<String> {
        let rules = &self.token_rules;
        match &self.mode {
            Mode::Casdoor { endpoint, .. }
                if rules.allowed_clients.is_empty() && rules.allowed_organizations.is_empty() =>
            {
                vec![format!(
                    "neither --allowed-client nor --allowed-organization is set: a token that any application of the Casdoor at {endpoint} issued for this server's URL is accepted, for any user who can sign in to it, with whatever scopes it holds (an application whose `scopes` list is empty grants every scope asked for). Set --allowed-client to this server's application client id and --allowed-organization to your organization; see docs/casdoor.md"
                )]
            }
            Mode::Issuer { issuer, .. } if rules.allowed_clients.is_empty() => vec![format!(
                "--allowed-client is not set: a token that any client of {issuer} obtained for this server's URL is accepted. Set --allowed-client to the client ids that may call this server"
            )],
            _ => Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(flags: &[&str]) -> ServerArgs {
        use clap::Parser as _;
        let mut argv = vec!["server"];
        argv.extend_from_slice(flags);
        super::super::args::Args::try_parse_from(argv)
            .expect("parses")
            .server
    }

    fn resolve(flags: &[&str]) -> Result<Config, FlagError> {
        Config::resolve(&args(flags), PathBuf::from("data"))
    }

    #[test]
    fn no_issuer_means_development_on_loopback() {
        let config = resolve(&[]).expect("defaults");
        assert!(config.is_development());
        assert_eq!(config.listen, "127.0.0.1:8080".parse().expect("addr"));
        assert_eq!(
            config.resource_for("127.0.0.1:8080".parse().expect("addr")),
            "http://127.0.0.1:8080/mcp"
        );
        assert_eq!(
            config.resource_for("[::1]:9000".parse().expect("addr")),
            "http://[::1]:9000/mcp"
        );
        assert_eq!(
            dev_issuer("http://127.0.0.1:8080/mcp"),
            "http://127.0.0.1:8080"
        );
    }

    #[test]
    fn development_refuses_a_network_address() {
        let err = resolve(&["--bind", "0.0.0.0"]).expect_err("refused");
        assert_eq!(err.flag, "--bind");
        assert!(err.message.contains("loopback"), "{err}");
        assert!(resolve(&["--bind", "::1"]).is_ok());
    }

    #[test]
    fn production_needs_a_resource_and_valid_urls() {
        let err = resolve(&["--issuer", "https://auth.example.com"]).expect_err("no resource");
        assert_eq!(err.flag, "--resource");
        let err = resolve(&[
            "--issuer",
            "auth.example.com",
            "--resource",
            "https://m.example.com/mcp",
        ])
        .expect_err("bad issuer");
        assert_eq!(err.flag, "--issuer");
        let err = resolve(&[
            "--casdoor",
            "https://door.example.com",
            "--resource",
            "ftp://x/mcp",
        ])
        .expect_err("bad resource");
        assert_eq!(err.flag, "--resource");
        let err = resolve(&["--jwks-uri", "https://auth.example.com/jwks"]).expect_err("dev jwks");
        assert_eq!(err.flag, "--jwks-uri");
        let config = resolve(&[
            "--casdoor",
            "https://door.example.com/",
            "--resource",
            "https://mcp.example.com/mcp",
            "--bind",
            "0.0.0.0",
        ])
        .expect("production may bind anywhere");
        assert!(!config.is_development());
    }

    #[test]
    fn authorization_server_urls_need_https_unless_loopback() {
        for (flags, flag) in [
            (["--issuer", "http://auth.example.com"], "--issuer"),
            (["--casdoor", "http://door.example.com"], "--casdoor"),
            (["--casdoor", "http://10.0.0.5:8000"], "--casdoor"),
        ] {
            let mut all = flags.to_vec();
            all.extend(["--resource", "https://mcp.example.com/mcp"]);
            let err = resolve(&all).expect_err("plain http");
            assert_eq!(err.flag, flag, "{err}");
            assert!(err.message.contains("use https"), "{err}");
        }
        let err = resolve(&[
            "--issuer",
            "https://auth.example.com",
            "--jwks-uri",
            "http://keys.example.com/jwks",
            "--resource",
            "https://mcp.example.com/mcp",
        ])
        .expect_err("plain http keys");
        assert_eq!(err.flag, "--jwks-uri", "{err}");
        for loopback in [
            "http://127.0.0.1:8000",
            "http://localhost:8000",
            "http://[::1]:8000",
        ] {
            resolve(&[
                "--casdoor",
                loopback,
                "--resource",
                "http://127.0.0.1:9/mcp",
            ])
            .unwrap_or_else(|e| panic!("{loopback}: {e}"));
        }
    }

    #[test]
    fn slow_client_limits_default_and_refuse_zero() {
        use clap::Parser as _;
        let config = resolve(&[]).expect("defaults");
        assert_eq!(config.header_timeout, Duration::from_secs(10));
        assert_eq!(config.write_timeout, Duration::from_secs(30));
        assert_eq!(config.max_connections, 1024);
        assert_eq!(config.max_calls_per_caller, 16);
        assert_eq!(config.call_timeout, Duration::from_mins(1));
        let config = resolve(&[
            "--header-timeout",
            "2s",
            "--write-timeout",
            "1m",
            "--max-connections",
            "16",
            "--max-calls-per-caller",
            "2",
            "--call-timeout",
            "90",
        ])
        .expect("set");
        assert_eq!(config.max_calls_per_caller, 2);
        assert_eq!(config.call_timeout, Duration::from_secs(90));
        assert_eq!(config.header_timeout, Duration::from_secs(2));
        assert_eq!(config.write_timeout, Duration::from_mins(1));
        assert_eq!(config.max_connections, 16);
        for bad in [
            ["--header-timeout", "0"],
            ["--write-timeout", "0"],
            ["--max-connections", "0"],
            ["--max-calls-per-caller", "0"],
            ["--call-timeout", "0"],
        ] {
            let argv = ["server", bad[0], bad[1]];
            let err = super::super::args::Args::try_parse_from(argv).expect_err("zero refused");
            assert!(err.to_string().contains(bad[0]), "{err}");
        }
    }
}
