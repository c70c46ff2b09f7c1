//! Configuration of an MCP server: the builder, its defaults and its setters. What
//! [`McpServerBuilder::build`] checks once, at start, and derives from the resource URL is in the
//! `build` submodule (`builder/build.rs`), with [`ServerError`](super::ServerError) for what it refuses.

pub(super) mod build;

use std::sync::Arc;
use std::time::Duration;

use super::callers::CallerLimits;
use super::router::McpServer;
use super::state::{Options, ScopeFailure};
use crate::auth::{Validator, ValidatorConfig};
use crate::registry::Registry;
use crate::tool::StateMap;

enum Auth {
    None,
    Config(Box<ValidatorConfig>),
    Ready(Validator),
}

/// Builds an [`McpServer`]. Start with [`McpServer::builder`].
pub struct McpServerBuilder {
    name: String,
    version: String,
    title: Option<String>,
    instructions: Option<String>,
    auth: Auth,
    authorization_servers: Vec<String>,
    resource_name: Option<String>,
    registry: Option<Registry>,
    state: StateMap,
    path: Option<String>,
    allowed_origins: Vec<String>,
    allow_loopback_origins: bool,
    allowed_hosts: Option<Vec<String>>,
    max_body_bytes: usize,
    body_read_timeout: Duration,
    options: Options,
    baseline_scopes_only_in_metadata: bool,
    realm: Realm,
    refusals_logged_per_peer: u32,
    audit_window: Duration,
    development_hints: bool,
    /// Who warns when tokens are tied to no client.
    caller_warning: CallerWarning,
}

/// Who tells the operator that tokens are tied to no client: the build, unless the caller already
/// said it in its own words (the `cli`, naming its flags).
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum CallerWarning {
    Build,
    #[cfg_attr(
        not(feature = "cli"),
        allow(dead_code, reason = "only the `cli` warns itself")
    )]
    GivenElsewhere,
}

/// The `realm` of challenges.
enum Realm {
    Default,
    Named(String),
    Omitted,
}

impl std::fmt::Debug for McpServerBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("McpServerBuilder")
            .field("name", &self.name)
            .field("version", &self.version)
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

impl McpServer {
    /// A builder with defaults: the name and version of the calling crate are not known here, so
    /// set them with [`McpServerBuilder::info`].
    pub fn builder() -> McpServerBuilder {
        McpServerBuilder {
            name: "mcp-scopes-server".to_owned(),
            version: env!("CARGO_PKG_VERSION").to_owned(),
            title: None,
            instructions: None,
            auth: Auth::None,
            authorization_servers: Vec::new(),
            resource_name: None,
            registry: None,
            state: StateMap::new(),
            path: None,
            allowed_origins: Vec::new(),
            allow_loopback_origins: true,
            allowed_hosts: None,
            max_body_bytes: 1024 * 1024,
            body_read_timeout: Duration::from_secs(30),
            options: Options::default(),
            baseline_scopes_only_in_metadata: false,
            realm: Realm::Default,
            refusals_logged_per_peer: crate::audit::DEFAULT_REFUSALS_PER_PEER,
            audit_window: Duration::from_mins(1),
            development_hints: false,
            caller_warning: CallerWarning::Build,
        }
    }
}

impl McpServerBuilder {
    /// The server's name and version (`serverInfo`).
    #[must_use]
    pub fn info(mut self, name: impl Into<String>, version: impl Into<String>) -> Self {
        self.name = name.into();
        self.version = version.into();
        self
    }

    /// A human title for the server (`serverInfo.title`).
    #[must_use]
    pub fn title(mut self, title: impl Into<String>) -> Self {
        self.title = Some(title.into());
        self
    }

    /// Guidance for the model on how to use this server (`instructions`).
    #[must_use]
    pub fn instructions(mut self, instructions: impl Into<String>) -> Self {
        self.instructions = Some(instructions.into());
        self
    }

    /// How tokens are validated; the validator is built by [`Self::build`] (inside a tokio runtime
    /// when keys come from the network). Its resource is this server's canonical URL.
    #[must_use]
    pub fn auth(mut self, config: ValidatorConfig) -> Self {
        self.auth = Auth::Config(Box::new(config));
        self
    }

    /// A ready validator (e.g. shared with other routes).
    #[must_use]
    pub fn validator(mut self, validator: Validator) -> Self {
        self.auth = Auth::Ready(validator);
        self
    }

    /// An authorization server to publish in the Protected Resource Metadata (default: the
    /// validator's issuer). Call once per server.
    #[must_use]
    pub fn authorization_server(mut self, issuer: impl Into<String>) -> Self {
        self.authorization_servers.push(issuer.into());
        self
    }

    /// The `realm` of the `WWW-Authenticate` challenges (default `mcp`).
    #[must_use]
    pub fn realm(mut self, realm: impl Into<String>) -> Self {
        self.realm = Realm::Named(realm.into());
        self
    }

    /// Leaves `realm` out of the challenges.
    #[must_use]
    pub fn without_realm(mut self) -> Self {
        self.realm = Realm::Omitted;
        self
    }

    /// Says in 401 descriptions the likely cause of a refused development token (minted for another
    /// port, or with another key); see [`Challenge::development_hints`](crate::auth::Challenge::development_hints).
    /// The `cli` turns it on in development mode.
    #[must_use]
    pub fn development_hints(mut self) -> Self {
        self.development_hints = true;
        self
    }

    /// `resource_name` in the Protected Resource Metadata (default: the title, else the name).
    #[must_use]
    pub fn resource_name(mut self, name: impl Into<String>) -> Self {
        self.resource_name = Some(name.into());
        self
    }

    /// The tools and scopes to serve (default: [`Registry::collected`], everything linked in).
    #[must_use]
    pub fn registry(mut self, registry: Registry) -> Self {
        self.registry = Some(registry);
        self
    }

    /// Shared state for handlers taking [`crate::tool::State<T>`]; call once per type. `T` must be
    /// `Clone + Send + Sync` ([`crate::tool::StateValue`]): wrap anything else in `Arc`.
    #[must_use]
    pub fn state<T: crate::tool::StateValue>(mut self, value: T) -> Self {
        self.state.insert(value);
        self
    }

    /// The MCP endpoint path (default: the resource URL's path, or `/mcp` when it has none).
    #[must_use]
    pub fn path(mut self, path: impl Into<String>) -> Self {
        self.path = Some(path.into());
        self
    }

    /// Browser origins allowed to call the endpoint, as `scheme://host[:port]`. Requests with any
    /// other `Origin` get 403; requests without `Origin` (non-browser clients) are not affected.
    #[must_use]
    pub fn allowed_origins<S: Into<String>>(
        mut self,
        origins: impl IntoIterator<Item = S>,
    ) -> Self {
        self.allowed_origins
            .extend(origins.into_iter().map(Into::into));
        self
    }

    /// Whether loopback origins (`http://localhost:*`, `http://127.0.0.1:*`, `http://[::1]:*`) are
    /// allowed (default: yes).
    #[must_use]
    pub fn allow_loopback_origins(mut self, allow: bool) -> Self {
        self.allow_loopback_origins = allow;
        self
    }

    /// `Host` names accepted besides loopback names (default: when the resource URL is on a loopback
    /// host, only loopback names, against DNS rebinding; otherwise any host).
    #[must_use]
    pub fn allowed_hosts<S: Into<String>>(mut self, hosts: impl IntoIterator<Item = S>) -> Self {
        self.allowed_hosts
            .get_or_insert_with(Vec::new)
            .extend(hosts.into_iter().map(|h| h.into().to_ascii_lowercase()));
        self
    }

    /// The largest request body accepted (default 1 MiB); larger bodies get 413.
    #[must_use]
    pub fn max_body_bytes(mut self, bytes: usize) -> Self {
        self.max_body_bytes = bytes;
        self
    }

    /// How long a client may take to send the request body once its headers arrived (default
    /// 30 s); a slower one gets 408, so a trickled body cannot hold a request open.
    ///
    /// # Panics
    /// If `timeout` is zero (a programming error).
    #[must_use]
    pub fn body_read_timeout(mut self, timeout: Duration) -> Self {
        assert!(
            !timeout.is_zero(),
            "body_read_timeout must be more than zero"
        );
        self.body_read_timeout = timeout;
        self
    }

    /// How a tool call, resource read, prompt get or completion lacking a scope is answered
    /// (default: HTTP 403 step-up challenge).
    #[must_use]
    pub fn scope_failure(mut self, failure: ScopeFailure) -> Self {
        self.options.scope_failure = failure;
        self
    }

    /// List only the tools, resources, resource templates and prompts the caller's token may use
    /// (default: list all; 2026-07-28 lists then say `cacheScope: "private"`). A request for a
    /// hidden one is answered exactly like a request for an unknown one: a tool or prompt with
    /// `-32602` "unknown …", a resource with `-32002` "resource not found".
    ///
    /// With an [`entitlements`](Self::entitlements) hook, the lists also leave out what the hook
    /// denies this caller (e.g. a `db:admin` tool for a user without the role `ScopeRoles` asks
    /// for); calling such an item is still the hook's 403, not "unknown", since its scopes are
    /// granted. Without filtering, lists show everything and the hook only guards calls.
    #[must_use]
    pub fn filter_tools_by_scope(mut self, filter: bool) -> Self {
        self.options.filter_tools_by_scope = filter;
        self
    }

    /// Publish only the baseline scopes in `scopes_supported` (default: every scope in use), so
    /// clients that request all of them start small and step up.
    #[must_use]
    pub fn baseline_scopes_only_in_metadata(mut self, only: bool) -> Self {
        self.baseline_scopes_only_in_metadata = only;
        self
    }

    /// Items per page of `tools/list`, `resources/list`, `resources/templates/list` and
    /// `prompts/list` (default 100).
    #[must_use]
    pub fn page_size(mut self, tools: usize) -> Self {
        self.options.page_size = tools.max(1);
        self
    }

    /// How long clients may cache `*/list` and `server/discover` results (2026-07-28 `ttlMs`,
    /// default 5 minutes).
    #[must_use]
    pub fn cache_ttl(mut self, ttl: Duration) -> Self {
        self.options.ttl_ms = u64::try_from(ttl.as_millis()).unwrap_or(u64::MAX);
        self
    }

    /// Checks what the user may do after the scope gate and before the handler (see
    /// [`crate::auth::Entitlements`]; [`crate::auth::ScopeRoles`] is the ready rule for Casdoor's
    /// roles and permissions). A denial is HTTP 403 without a step-up challenge.
    #[must_use]
    pub fn entitlements(mut self, hook: impl crate::auth::Entitlements) -> Self {
        self.options.entitlements = Some(crate::auth::EntitlementsHook(std::sync::Arc::new(hook)));
        self
    }

    /// Leaves out the build's warning that tokens are tied to no client: for the `cli`, which
    /// warns in terms of its own flags.
    #[cfg(feature = "cli")]
    pub(crate) fn caller_warning_given_elsewhere(mut self) -> Self {
        self.caller_warning = CallerWarning::GivenElsewhere;
        self
    }

    /// How many requests refused before authentication (bad token, refused `Origin`/`Host`) are
    /// logged per client address and minute ([`Self::audit_window`]; default
    /// [`DEFAULT_REFUSALS_PER_PEER`](crate::audit::DEFAULT_REFUSALS_PER_PEER)); the next line logged
    /// for that address counts those left out. `u32::MAX` logs every one. See [`crate::audit`].
    #[must_use]
    pub fn refusals_logged_per_peer(mut self, lines: u32) -> Self {
        self.refusals_logged_per_peer = lines;
        self
    }

    /// The audit log's window (default one minute): refusals before authentication are logged up
    /// to [`Self::refusals_logged_per_peer`] per client address and window, and at the end of each
    /// window one line counts the requests without a token (if any came) and one per address the
    /// refusals left out. See [`crate::audit`].
    ///
    /// # Panics
    ///
    /// On a zero window.
    #[must_use]
    pub fn audit_window(mut self, window: Duration) -> Self {
        assert!(
            !window.is_zero(),
            "the audit window must be longer than zero"
        );
        self.audit_window = window;
        self
    }

    /// Ends a tool call that runs longer than `limit` with an `isError` result saying so, and stops
    /// its handler (default: one minute).
    #[must_use]
    pub fn call_timeout(mut self, limit: Duration) -> Self {
        self.options.call_timeout = Some(limit);
        self
    }

    /// How many tool calls one caller (the token's issuer, subject and client) may have running at
    /// once (default [`DEFAULT_MAX_CALLS_PER_CALLER`](super::DEFAULT_MAX_CALLS_PER_CALLER), 16);
    /// `None` for no limit. A call beyond it is answered at once with HTTP 429, `Retry-After: 1`
    /// and a JSON-RPC error ([`TOO_MANY_CALLS`](super::TOO_MANY_CALLS)); its handler never runs.
    ///
    /// # Panics
    ///
    /// On `Some(0)`, which would refuse every call.
    #[must_use]
    pub fn max_calls_per_caller(mut self, limit: Option<usize>) -> Self {
        assert!(
            limit != Some(0),
            "max_calls_per_caller must be at least 1 (or None for no limit)"
        );
        self.options.callers = Arc::new(CallerLimits::new(limit));
        self
    }
}
