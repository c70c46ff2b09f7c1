//! The validator's configuration: who issues tokens, for which resource, where the keys come from, and
//! how strictly and how often to check.
//!
//! A builder rather than a struct literal so new knobs can be added without breaking callers, and so the
//! safe defaults (asymmetric algorithms only, 60 s leeway, 8 KiB tokens) are the ones you get by saying
//! nothing. What a configuration must satisfy before a validator is built from it is in the `check`
//! submodule (`config/check.rs`).

mod check;
mod rules;

use std::time::Duration;

use crate::auth::Algorithm;
use serde_json::Value;

pub use rules::{ClaimRule, ScopeClaims};

/// The largest leeway a validator accepts: clocks that disagree by more are a deployment problem.
pub const MAX_LEEWAY: Duration = Duration::from_mins(5);

/// The longest a validated token is remembered by the validated-token cache: long enough to save
/// nearly every signature check of a client that sends the same token for minutes, short enough that a
/// cached answer never outlives a decision made from stale facts by much.
pub const MAX_TOKEN_CACHE_TTL: Duration = Duration::from_mins(5);

/// The validated-token cache's default byte budget (64 MiB): ten thousand entries of typical
/// tokens (a few KiB with their claims) fit; larger ones, such as Casdoor tokens embedding a user
/// record, are fewer. See [`ValidatorConfig::token_cache_bytes`].
pub const DEFAULT_TOKEN_CACHE_BYTES: usize = 64 * 1024 * 1024;

/// The algorithms allowed by default: every asymmetric algorithm [`Algorithm`] names (the validator
/// verifies each with aws-lc-rs).
pub const DEFAULT_ALGORITHMS: &[Algorithm] = &[
    Algorithm::RS256,
    Algorithm::RS384,
    Algorithm::RS512,
    Algorithm::PS256,
    Algorithm::PS384,
    Algorithm::PS512,
    Algorithm::ES256,
    Algorithm::ES384,
    Algorithm::ES512,
    Algorithm::EdDSA,
];

/// Where the signing keys come from.
#[derive(Debug, Clone)]
pub(crate) enum KeySource {
    /// Discover `jwks_uri` from the issuer's metadata (RFC 8414, then OIDC).
    Discover,
    /// A JWKS URL.
    Uri(String),
    /// An in-process JWK set (development mode, tests).
    Static(Value),
}

/// Timing of the JWKS cache.
#[derive(Debug, Clone)]
pub(crate) struct RefreshPolicy {
    pub(crate) min_refresh: Duration,
    pub(crate) max_refresh: Duration,
    pub(crate) unknown_kid_cooldown: Duration,
    pub(crate) max_staleness: Duration,
    pub(crate) backoff_initial: Duration,
    pub(crate) backoff_max: Duration,
    pub(crate) connect_timeout: Duration,
    pub(crate) request_timeout: Duration,
    pub(crate) max_response_bytes: usize,
}

impl Default for RefreshPolicy {
    fn default() -> Self {
        Self {
            min_refresh: Duration::from_mins(1),
            max_refresh: Duration::from_mins(15),
            unknown_kid_cooldown: Duration::from_secs(30),
            max_staleness: Duration::from_hours(24),
            backoff_initial: Duration::from_secs(1),
            backoff_max: Duration::from_mins(1),
            connect_timeout: Duration::from_secs(5),
            request_timeout: Duration::from_secs(10),
            max_response_bytes: 512 * 1024,
        }
    }
}

/// Configuration of a [`super::Validator`]. Start from [`ValidatorConfig::new`] or
/// [`ValidatorConfig::casdoor`], then chain setters.
#[derive(Debug, Clone)]
pub struct ValidatorConfig {
    pub(crate) issuer: String,
    pub(crate) resource: String,
    pub(crate) key_source: KeySource,
    pub(crate) algorithms: Vec<Algorithm>,
    pub(crate) leeway: Duration,
    pub(crate) max_token_size: usize,
    pub(crate) scope_claims: ScopeClaims,
    pub(crate) claim_rules: Vec<ClaimRule>,
    pub(crate) allowed_clients: Vec<String>,
    pub(crate) allowed_organizations: Vec<String>,
    pub(crate) require_typ: bool,
    pub(crate) max_token_lifetime: Option<Duration>,
    pub(crate) refresh: RefreshPolicy,
    pub(crate) token_cache_capacity: usize,
    pub(crate) token_cache_max_bytes: usize,
    pub(crate) token_cache_ttl: Duration,
    pub(crate) http_client: Option<reqwest::Client>,
}

impl ValidatorConfig {
    /// Tokens issued by `issuer` (compared as an exact string) for `resource` (this server's canonical
    /// URI, compared exactly with each `aud` entry). The JWKS URI is discovered from the issuer unless
    /// [`Self::jwks_uri`] or [`Self::static_jwks`] is set.
    pub fn new(issuer: impl Into<String>, resource: impl Into<String>) -> Self {
        Self {
            issuer: issuer.into(),
            resource: resource.into(),
            key_source: KeySource::Discover,
            algorithms: DEFAULT_ALGORITHMS.to_vec(),
            leeway: Duration::from_mins(1),
            max_token_size: 8 * 1024,
            scope_claims: ScopeClaims::Both,
            claim_rules: Vec::new(),
            allowed_clients: Vec::new(),
            allowed_organizations: Vec::new(),
            require_typ: false,
            max_token_lifetime: None,
            refresh: RefreshPolicy::default(),
            token_cache_capacity: 10_000,
            token_cache_max_bytes: DEFAULT_TOKEN_CACHE_BYTES,
            token_cache_ttl: Duration::from_mins(2),
            http_client: None,
        }
    }

    /// Casdoor at `endpoint` (its origin, e.g. `https://door.example.com`): issuer = the endpoint without
    /// a trailing slash, keys from `/.well-known/jwks`, the algorithms Casdoor signs with that can be
    /// verified (RS256, RS512, ES256, ES384, ES512), and refresh tokens refused in both spellings
    /// (`tokenType` must be `access-token`, `TokenType` must not be `refresh-token`). Tokens up to
    /// 64 KiB are read: Casdoor's default `JWT` format embeds the user record with every role and
    /// permission object, which outgrows the generic 8 KiB cap. The `typ` header is not checked
    /// (Casdoor sends `JWT`, never `at+jwt`).
    ///
    /// Every application of that Casdoor issues tokens under the same issuer, so also set
    /// [`Self::allowed_clients`] and/or [`Self::allowed_organizations`]: without them a token any
    /// other application obtained for this resource is accepted (and building the server logs a
    /// warning saying so).
    pub fn casdoor(endpoint: &str, resource: impl Into<String>) -> Self {
        let issuer = endpoint.trim_end_matches('/').to_owned();
        let jwks = format!("{issuer}/.well-known/jwks");
        Self::new(issuer, resource)
            .jwks_uri(jwks)
            .algorithms([
                Algorithm::RS256,
                Algorithm::RS512,
                Algorithm::ES256,
                Algorithm::ES384,
                Algorithm::ES512,
            ])
            .claim_rule(ClaimRule::equals("tokenType", "access-token"))
            .claim_rule(ClaimRule::not_equals("TokenType", "refresh-token"))
            .max_token_size(64 * 1024)
            .require_typ(false)
    }

    /// Fetch keys from this JWKS URL instead of discovering it.
    #[must_use]
    pub fn jwks_uri(mut self, url: impl Into<String>) -> Self {
        self.key_source = KeySource::Uri(url.into());
        self
    }

    /// Use this JWK set (a JSON object with a `keys` array) instead of fetching one. The same validation
    /// path runs; the keys never go stale.
    #[must_use]
    pub fn static_jwks(mut self, jwks: Value) -> Self {
        self.key_source = KeySource::Static(jwks);
        self
    }

    /// The allowed signing algorithms. HS* are refused by [`super::Validator::new`].
    #[must_use]
    pub fn algorithms(mut self, algorithms: impl IntoIterator<Item = Algorithm>) -> Self {
        self.algorithms = algorithms.into_iter().collect();
        self
    }

    /// Clock skew tolerated on `exp` and `nbf` (default 60 s, at most [`MAX_LEEWAY`]).
    #[must_use]
    pub fn leeway(mut self, leeway: Duration) -> Self {
        self.leeway = leeway;
        self
    }

    /// The largest token accepted, in bytes, checked before any parsing (default 8 KiB).
    #[must_use]
    pub fn max_token_size(mut self, bytes: usize) -> Self {
        self.max_token_size = bytes;
        self
    }

    /// Where the granted scopes are read from (default: both `scope` and `scp`).
    #[must_use]
    pub fn scope_claims(mut self, claims: ScopeClaims) -> Self {
        self.scope_claims = claims;
        self
    }

    /// Adds a claim rule.
    #[must_use]
    pub fn claim_rule(mut self, rule: ClaimRule) -> Self {
        self.claim_rules.push(rule);
        self
    }

    /// Shorthand for `claim_rule(ClaimRule::equals(name, value))`.
    #[must_use]
    pub fn require_claim(self, name: impl Into<String>, value: impl Into<Value>) -> Self {
        self.claim_rule(ClaimRule::equals(name, value))
    }

    /// Accept only tokens issued to one of these OAuth clients: the token's `azp`, else its
    /// `client_id`, must equal one of `client_ids` (a token naming neither is refused). Without this,
    /// any client the issuer serves can use this server, given a token with this server as audience;
    /// with Casdoor that is any application of the instance, and an application with an empty
    /// `scopes` list grants whatever scope is asked. An empty list leaves clients unrestricted.
    #[must_use]
    pub fn allowed_clients<S: Into<String>>(
        mut self,
        client_ids: impl IntoIterator<Item = S>,
    ) -> Self {
        self.allowed_clients = client_ids.into_iter().map(Into::into).collect();
        self
    }

    /// Accept only tokens whose `owner` claim (Casdoor's organization of the user) is one of
    /// `organizations`; a token without `owner` is refused. Casdoor's issuer is the whole instance,
    /// so this is what keeps users of other organizations out. An empty list leaves organizations
    /// unrestricted.
    #[must_use]
    pub fn allowed_organizations<S: Into<String>>(
        mut self,
        organizations: impl IntoIterator<Item = S>,
    ) -> Self {
        self.allowed_organizations = organizations.into_iter().map(Into::into).collect();
        self
    }

    /// Require the JOSE header `typ` to be `at+jwt` or `application/at+jwt` (RFC 9068 §2.1,
    /// compared without regard to case), so an ID token or another JWT signed by the same key is
    /// never taken for an access token (RFC 8725 §3.11). Off by default and in the Casdoor preset:
    /// many authorization servers, Casdoor among them, send `typ: JWT`.
    #[must_use]
    pub fn require_typ(mut self, yes: bool) -> Self {
        self.require_typ = yes;
        self
    }

    /// Refuse tokens whose lifetime, `exp` minus `iat`, is longer than `max` (a token without `iat`
    /// is refused then). Local validation cannot see revocation, so a cap bounds how long a leaked
    /// or revoked token stays usable even when the authorization server mints long-lived ones
    /// (Casdoor's default is 168 hours). Off by default.
    #[must_use]
    pub fn max_token_lifetime(mut self, max: Duration) -> Self {
        self.max_token_lifetime = Some(max);
        self
    }

    /// The background refresh interval bounds: a `Cache-Control: max-age` is clamped into
    /// `[min, max]`; without one, `max` is used (defaults 60 s and 15 min).
    #[must_use]
    pub fn refresh_interval(mut self, min: Duration, max: Duration) -> Self {
        self.refresh.min_refresh = min;
        self.refresh.max_refresh = max;
        self
    }

    /// The least time between two refetches caused by an unknown `kid` (default 30 s; not zero, since
    /// whoever sends a token chooses its `kid`).
    #[must_use]
    pub fn unknown_kid_cooldown(mut self, cooldown: Duration) -> Self {
        self.refresh.unknown_kid_cooldown = cooldown;
        self
    }

    /// How long the last good key set is still used while the JWKS cannot be fetched (default 24 h).
    /// It must cover one refresh cycle (the maximum refresh interval plus the request timeout), or the
    /// keys would go stale between two successful refreshes and every request would get 503.
    #[must_use]
    pub fn max_staleness(mut self, staleness: Duration) -> Self {
        self.refresh.max_staleness = staleness;
        self
    }

    /// Retry delays after a failed fetch: starts at `initial`, doubles up to `max`, with jitter
    /// (defaults 1 s and 60 s).
    #[must_use]
    pub fn backoff(mut self, initial: Duration, max: Duration) -> Self {
        self.refresh.backoff_initial = initial;
        self.refresh.backoff_max = max;
        self
    }

    /// Connect and whole-request timeouts of JWKS and discovery fetches (defaults 5 s and 10 s).
    #[must_use]
    pub fn fetch_timeouts(mut self, connect: Duration, request: Duration) -> Self {
        self.refresh.connect_timeout = connect;
        self.refresh.request_timeout = request;
        self
    }

    /// The largest JWKS or discovery document read, in bytes (default 512 KiB).
    #[must_use]
    pub fn max_response_size(mut self, bytes: usize) -> Self {
        self.refresh.max_response_bytes = bytes;
        self
    }

    /// The validated-token cache: at most `capacity` entries, each kept at most `ttl` and never past the
    /// token's `exp` (defaults 10 000 and 2 min; at most [`MAX_TOKEN_CACHE_TTL`]), and at most
    /// [`Self::token_cache_bytes`] in all. A capacity of 0 turns the cache off.
    #[must_use]
    pub fn token_cache(mut self, capacity: usize, ttl: Duration) -> Self {
        self.token_cache_capacity = capacity;
        self.token_cache_ttl = ttl;
        self
    }

    /// The validated-token cache's byte budget (default [`DEFAULT_TOKEN_CACHE_BYTES`], 64 MiB): each
    /// entry is weighed as its token's length plus an estimate of its claims' memory, and the
    /// entries closest to expiry leave when the next one would pass the budget. With tokens that
    /// embed a large user record (Casdoor's default `JWT` format, up to 64 KiB with the preset),
    /// this bound is reached before the entry count. 0 turns the cache off.
    #[must_use]
    pub fn token_cache_bytes(mut self, max_bytes: usize) -> Self {
        self.token_cache_max_bytes = max_bytes;
        self
    }

    /// Use this HTTP client for JWKS and discovery fetches (its own timeouts apply; the request
    /// timeout and response size cap of this config still do).
    #[must_use]
    pub fn http_client(mut self, client: reqwest::Client) -> Self {
        self.http_client = Some(client);
        self
    }

    /// The configured issuer.
    pub fn issuer(&self) -> &str {
        &self.issuer
    }

    /// The configured resource (expected audience).
    pub fn resource(&self) -> &str {
        &self.resource
    }

    /// Whether tokens are tied to particular clients or organizations ([`Self::allowed_clients`],
    /// [`Self::allowed_organizations`]), beyond issuer and audience.
    pub fn restricts_callers(&self) -> bool {
        !self.allowed_clients.is_empty() || !self.allowed_organizations.is_empty()
    }
}
