//! The token flags of production mode (`--allowed-client`, `--allowed-organization`,
//! `--require-typ`, `--max-token-lifetime`): checked against the mode they are given in, applied to
//! the validator, and the start-up warning when nothing ties tokens to this server's own clients.
//!
//! Kept apart from the rest of the configuration because they are what closes "any application of
//! the same authorization server may call this server": the one place to read what is enforced.

use std::time::Duration;

use super::args::ServerArgs;
use super::flag_error::FlagError;
use crate::auth::{ScopeRoles, ValidatorConfig};
use crate::registry::Registry;

/// The token flags of production mode: who may call, and how tokens must look.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct TokenRules {
    pub(crate) allowed_clients: Vec<String>,
    pub(crate) allowed_organizations: Vec<String>,
    pub(crate) require_typ: bool,
    pub(crate) max_token_lifetime: Option<Duration>,
    /// `--scope-role`: scopes honoured only for holders of a role or permission.
    pub(crate) scope_roles: ScopeRoles,
}

impl TokenRules {
    pub(crate) fn from_args(args: &ServerArgs) -> Result<Self, FlagError> {
        let rules = Self {
            allowed_clients: args.allowed_clients.clone(),
            allowed_organizations: args.allowed_organizations.clone(),
            require_typ: args.require_typ,
            max_token_lifetime: args.max_token_lifetime,
            scope_roles: args
                .scope_roles
                .iter()
                .try_fold(ScopeRoles::new(), |rules, rule| rules.parse_rule(rule))
                .map_err(|e| FlagError::new("--scope-role", e.to_string()))?,
        };
        for (flag, list) in [
            ("--allowed-client", &rules.allowed_clients),
            ("--allowed-organization", &rules.allowed_organizations),
        ] {
            if list.iter().any(|v| v.trim().is_empty()) {
                return Err(FlagError::new(
                    flag,
                    "an empty value is not a name; give one per flag or separate them with commas",
                ));
            }
        }
        Ok(rules)
    }

    /// The first flag given, for refusing them all in development mode.
    pub(crate) fn first_flag(&self) -> Option<&'static str> {
        if !self.allowed_clients.is_empty() {
            Some("--allowed-client")
        } else if !self.allowed_organizations.is_empty() {
            Some("--allowed-organization")
        } else if self.require_typ {
            Some("--require-typ")
        } else if self.max_token_lifetime.is_some() {
            Some("--max-token-lifetime")
        } else {
            None
        }
    }

    pub(crate) fn apply(&self, mut config: ValidatorConfig) -> ValidatorConfig {
        config = config
            .allowed_clients(self.allowed_clients.iter().cloned())
            .allowed_organizations(self.allowed_organizations.iter().cloned());
        if self.require_typ {
            config = config.require_typ(true);
        }
        match self.max_token_lifetime {
            Some(max) => config.max_token_lifetime(max),
            None => config,
        }
    }
}

impl TokenRules {
    /// Refuses a `--scope-role` for a scope this server does not declare (a typo would otherwise
    /// leave the intended scope unguarded).
    pub(crate) fn check_scope_roles(&self, registry: &Registry) -> Result<(), FlagError> {
        let declared: Vec<&str> = registry.scopes().iter().map(|s| s.name).collect();
        match self.scope_roles.scopes().find(|s| !declared.contains(s)) {
            Some(unknown) => Err(FlagError::new(
                "--scope-role",
                format!(
                    "this server declares no scope `{unknown}`; its scopes are: {}",
                    declared.join(", ")
                ),
            )),
            None => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::*;
    use crate::cli::config::Config;

    fn resolve(flags: &[&str]) -> Result<Config, FlagError> {
        use clap::Parser as _;
        let mut argv = vec!["server"];
        argv.extend_from_slice(flags);
        let parsed = super::super::args::Args::try_parse_from(argv).expect("parses");
        Config::resolve(&parsed.server, PathBuf::from("data"))
    }

    const CASDOOR: [&str; 4] = [
        "--casdoor",
        "https://door.example.com",
        "--resource",
        "https://mcp.example.com/mcp",
    ];
    const ISSUER: [&str; 4] = [
        "--issuer",
        "https://auth.example.com",
        "--resource",
        "https://mcp.example.com/mcp",
    ];

    fn with(base: &[&'static str], more: &[&'static str]) -> Vec<&'static str> {
        base.iter().chain(more).copied().collect()
    }

    #[test]
    fn casdoor_without_client_or_organization_warns_what_it_means() {
        let warnings = resolve(&CASDOOR).expect("valid").warnings();
        assert_eq!(warnings.len(), 1, "{warnings:?}");
        for needle in [
            "--allowed-client",
            "--allowed-organization",
            "any application of the Casdoor at https://door.example.com",
            "`scopes` list is empty grants every scope",
        ] {
            assert!(warnings[0].contains(needle), "{needle}: {}", warnings[0]);
        }
        for more in [
            &["--allowed-client", "app-1"][..],
            &["--allowed-organization", "acme"][..],
        ] {
            assert!(
                resolve(&with(&CASDOOR, more))
                    .expect("valid")
                    .warnings()
                    .is_empty()
            );
        }
        let warnings = resolve(&ISSUER).expect("valid").warnings();
        assert!(
            warnings[0].contains("--allowed-client is not set"),
            "{warnings:?}"
        );
        assert!(
            resolve(&with(&ISSUER, &["--allowed-client", "a"]))
                .expect("valid")
                .warnings()
                .is_empty()
        );
        assert!(resolve(&[]).expect("development").warnings().is_empty());
    }

    #[test]
    fn the_flags_reach_the_validator() {
        let config = resolve(&with(
            &CASDOOR,
            &[
                "--allowed-client",
                "app-1,app-2",
                "--allowed-client",
                "app-3",
                "--allowed-organization",
                "acme",
                "--max-token-lifetime",
                "2h",
            ],
        ))
        .expect("valid");
        let rules = &config.token_rules;
        assert_eq!(rules.allowed_clients, ["app-1", "app-2", "app-3"]);
        assert_eq!(rules.allowed_organizations, ["acme"]);
        assert_eq!(rules.max_token_lifetime, Some(Duration::from_hours(2)));
        let validator = config.validator_config("https://mcp.example.com/mcp", None);
        assert!(validator.restricts_callers());
        let config = resolve(&with(&ISSUER, &["--require-typ"])).expect("valid");
        assert!(config.token_rules.require_typ);
    }

    #[test]
    fn flags_that_cannot_apply_are_refused_naming_the_flag() {
        for (flags, flag, needle) in [
            (
                vec!["--allowed-client", "a"],
                "--allowed-client",
                "only with --issuer or --casdoor",
            ),
            (
                vec!["--allowed-organization", "o"],
                "--allowed-organization",
                "only with",
            ),
            (vec!["--require-typ"], "--require-typ", "only with"),
            (
                vec!["--max-token-lifetime", "1h"],
                "--max-token-lifetime",
                "only with",
            ),
            (
                with(&ISSUER, &["--allowed-organization", "o"]),
                "--allowed-organization",
                "only with --casdoor",
            ),
            (
                with(&CASDOOR, &["--require-typ"]),
                "--require-typ",
                "never `at+jwt`",
            ),
            (
                with(&CASDOOR, &["--allowed-client", "a,,b"]),
                "--allowed-client",
                "empty value",
            ),
        ] {
            let err = resolve(&flags).expect_err(flag);
            assert_eq!(err.flag, flag, "{flags:?}: {err}");
            assert!(err.message.contains(needle), "{flags:?}: {err}");
        }
    }
}
