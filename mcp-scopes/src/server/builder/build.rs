//! The checks that run once, when [`McpServerBuilder::build`] is called: the registry (duplicate
//! tools, undeclared scopes), the shared state every tool needs, and the URLs derived from the
//! resource. A server that would fail at request time fails here instead, with a message naming the
//! tool and the fix.

use std::sync::Arc;

use http::Uri;

use super::{Auth, CallerWarning, McpServerBuilder, Realm};
use crate::audit::AuditLimits;
use crate::auth::{Challenge, ConfigError, Validator};
use crate::loopback::is_loopback_host;
use crate::metadata::ProtectedResourceMetadata;
use crate::registry::{Registry, RegistryError};
use crate::server::methods::tools::listing;
use crate::server::origin::{OriginPolicy, normalize_origin};
use crate::server::router::McpServer;
use crate::server::state::{Options, ServerState};
use crate::tool::MissingState;

/// Why a server cannot be built.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ServerError {
    /// The registry is inconsistent (duplicate tool names, undeclared scopes…).
    #[error(transparent)]
    Registry(#[from] RegistryError),
    /// A tool needs shared state that was not given with `.state(…)`.
    #[error("{0}; give it with `McpServerBuilder::state(…)`")]
    MissingState(#[from] MissingState),
    /// No authentication was configured: every MCP request needs a valid token.
    #[error(
        "no authentication configured: call `.auth(ValidatorConfig::new(issuer, resource))` or `.validator(…)`"
    )]
    NoAuth,
    /// The token validator could not be built.
    #[error("invalid token validator configuration: {0}")]
    Validator(#[from] ConfigError),
    /// The resource URL (the validator's audience) is not an absolute http(s) URL.
    #[error(
        "the resource `{0}` must be an absolute http(s) URL such as `https://mcp.example.com/mcp`"
    )]
    BadResource(String),
    /// The endpoint path does not start with `/`, or holds `{` or `}` (route captures).
    #[error("the MCP endpoint path `{0}` must start with `/` and hold no `{{` or `}}`")]
    BadPath(String),
    /// An allowed origin is not `scheme://host[:port]`.
    #[error("allowed origin `{0}` must look like `https://app.example.com`")]
    BadOrigin(String),
}

impl McpServerBuilder {
    /// Checks everything and builds the server.
    pub fn build(self) -> Result<McpServer, ServerError> {
        let validator = match self.auth {
            Auth::None => return Err(ServerError::NoAuth),
            Auth::Config(config) => Validator::new(*config)?,
            Auth::Ready(validator) => validator,
        };
        if self.caller_warning == CallerWarning::Build {
            warn_if_callers_unrestricted(&validator);
        }
        let resource = validator.resource().to_owned();
        let resource_uri: Uri = resource
            .parse()
            .ok()
            .filter(|u: &Uri| {
                matches!(u.scheme_str(), Some("http" | "https")) && u.host().is_some()
            })
            .ok_or_else(|| ServerError::BadResource(resource.clone()))?;
        let path = endpoint_path(self.path, &resource_uri)?;
        let registry = match self.registry {
            Some(registry) => registry,
            None => Registry::collected()?,
        };
        registry.check_state(&self.state)?;
        let allowed_origins = self
            .allowed_origins
            .iter()
            .map(|o| normalize_origin(o).ok_or_else(|| ServerError::BadOrigin(o.clone())))
            .collect::<Result<Vec<_>, _>>()?;
        let loopback_resource = resource_uri.host().is_some_and(is_loopback_host);
        let origin_policy = OriginPolicy {
            allowed_origins,
            allow_loopback_origins: self.allow_loopback_origins,
            allowed_hosts: self
                .allowed_hosts
                .or_else(|| loopback_resource.then(Vec::new)),
            allow_loopback_hosts: true,
        };
        let baseline_scopes: Vec<String> = registry
            .baseline_scopes()
            .into_iter()
            .map(str::to_owned)
            .collect();
        let scopes_supported = if self.baseline_scopes_only_in_metadata {
            baseline_scopes.clone()
        } else {
            registry
                .scopes()
                .iter()
                .map(|s| s.name.to_owned())
                .collect()
        };
        let authorization_servers = if self.authorization_servers.is_empty() {
            vec![validator.issuer().to_owned()]
        } else {
            self.authorization_servers
        };
        let resource_name = self
            .resource_name
            .or_else(|| self.title.clone())
            .unwrap_or_else(|| self.name.clone());
        let metadata = ProtectedResourceMetadata::new(&resource, authorization_servers)
            .scopes_supported(scopes_supported)
            .resource_name(resource_name);
        announce_entitlements(&self.options);
        let state = ServerState {
            name: self.name,
            version: self.version,
            title: self.title,
            instructions: self.instructions,
            listings: registry.tools().iter().map(|t| listing(t)).collect(),
            registry,
            state: self.state,
            options: self.options,
            inflight: Arc::default(),
            challenge: challenge(
                &resource,
                &baseline_scopes,
                self.realm,
                self.development_hints,
            ),
        };
        Ok(McpServer {
            state: Arc::new(state),
            validator,
            path,
            resource,
            metadata,
            origin_policy: Arc::new(origin_policy),
            audit_limits: Arc::new(AuditLimits::new(
                self.refusals_logged_per_peer,
                self.audit_window,
            )),
            max_body_bytes: self.max_body_bytes,
            body_read_timeout: self.body_read_timeout,
            baseline_scopes,
        })
    }
}

/// The MCP endpoint path: the one configured, else the resource URL's path, else `/mcp`.
fn endpoint_path(configured: Option<String>, resource: &Uri) -> Result<String, ServerError> {
    let path = match configured {
        Some(path) => path,
        None => match resource.path().trim_end_matches('/') {
            "" => "/mcp".to_owned(),
            path => path.to_owned(),
        },
    };
    if path.starts_with('/') && !path.contains(['{', '}']) {
        Ok(path)
    } else {
        Err(ServerError::BadPath(path))
    }
}

/// Warns, once per server built, when tokens are tied to no client or organization: every client
/// of the authorization server (with Casdoor, every application of the instance) that obtains a
/// token for this resource gets in. The `cli` says it in terms of its flags instead.
fn warn_if_callers_unrestricted(validator: &Validator) {
    if !validator.restricts_callers() {
        tracing::warn!(
            target: "mcp_scopes::server",
            issuer = validator.issuer(),
            resource = validator.resource(),
            "tokens are tied to no client: a token that any client of the authorization server obtained for this resource is accepted (with Casdoor, any application of the instance). Set `ValidatorConfig::allowed_clients` to the client ids that may call this server (and, with Casdoor, `allowed_organizations`); see docs/casdoor.md"
        );
    }
}

/// Logs, once at start, what an entitlements hook wants the operator to know (e.g. which token
/// claims it reads).
fn announce_entitlements(options: &Options) {
    if let Some(note) = options
        .entitlements
        .as_ref()
        .and_then(|hook| hook.0.startup_note())
    {
        tracing::info!(target: "mcp_scopes::entitlements", "{note}");
    }
}

/// The challenges of the built server.
fn challenge(
    resource: &str,
    baseline_scopes: &[String],
    realm: Realm,
    development_hints: bool,
) -> Challenge {
    let challenge =
        Challenge::for_resource(resource).baseline_scopes(baseline_scopes.iter().cloned());
    let challenge = if development_hints {
        challenge.development_hints()
    } else {
        challenge
    };
    match realm {
        Realm::Named(realm) => challenge.realm(realm),
        Realm::Omitted => challenge.without_realm(),
        Realm::Default => challenge,
    }
}
