//! The `Validator`: from a bearer token string to a [`Principal`], or the one rule it broke.
//!
//! The header and claims are parsed once into JSON maps and checked here rather than through
//! `jsonwebtoken::decode`, because that path accepts a `crit` header, checks `nbf`/`iss`/`aud` only when
//! asked, parses the claims twice and cannot report which rule failed. The signature is checked with
//! the aws-lc-rs key parsed once per `kid` when the key set was loaded (see `keys`), not through a
//! `jsonwebtoken::DecodingKey`, which parses the key again on every call.

use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::auth::Algorithm;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Map, Value};

use super::config::{ClaimRule, ScopeClaims, ValidatorConfig};
use super::crypto_provider::install_crypto_provider;
use super::error::{AuthError, ConfigError};
use super::fetch;
use super::jwks::{self, JwksCache, Lookup};
use super::principal::Principal;
use super::token_cache::TokenCache;
use crate::scope::ScopeSet;

/// Validates access tokens against one issuer's keys. Cheap to clone (an `Arc`); the background JWKS
/// refresh stops when the last clone is dropped.
#[derive(Clone)]
pub struct Validator {
    inner: Arc<Inner>,
}

struct Inner {
    cache: Arc<JwksCache>,
    tokens: TokenCache,
    issuer: String,
    resource: String,
    algorithms: Vec<Algorithm>,
    leeway: f64,
    max_token_size: usize,
    scope_claims: ScopeClaims,
    claim_rules: Vec<ClaimRule>,
    allowed_clients: Vec<String>,
    allowed_organizations: Vec<String>,
    require_typ: bool,
    max_token_lifetime: Option<f64>,
    refresh_task: Option<tokio::task::AbortHandle>,
}

impl Drop for Inner {
    fn drop(&mut self) {
        if let Some(task) = &self.refresh_task {
            task.abort();
        }
    }
}

impl std::fmt::Debug for Validator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Validator")
            .field("issuer", &self.inner.issuer)
            .field("resource", &self.inner.resource)
            .field("ready", &self.is_ready())
            .finish_non_exhaustive()
    }
}

impl Validator {
    /// Checks `config`, loads a static key set or starts the background JWKS refresh (so it must be
    /// called inside a tokio runtime when keys come from the network).
    pub fn new(config: ValidatorConfig) -> Result<Self, ConfigError> {
        install_crypto_provider();
        config.check()?;
        let policy = &config.refresh;
        let client = match config.http_client {
            Some(client) => client,
            None => {
                fetch::build_client(policy).map_err(|e| ConfigError::HttpClient(e.to_string()))?
            }
        };
        let cache = JwksCache::new(&config.key_source, &config.issuer, client, policy.clone())
            .map_err(|e| ConfigError::NoUsableKeys(e.to_string()))?;
        let cache = Arc::new(cache);
        let refresh_task = if cache.is_remote() {
            let runtime =
                tokio::runtime::Handle::try_current().map_err(|_| ConfigError::NoRuntime)?;
            Some(
                runtime
                    .spawn(jwks::refresh_loop(Arc::clone(&cache)))
                    .abort_handle(),
            )
        } else {
            None
        };
        Ok(Self {
            inner: Arc::new(Inner {
                cache,
                tokens: TokenCache::new(
                    config.token_cache_capacity,
                    config.token_cache_max_bytes,
                    config.token_cache_ttl,
                ),
                issuer: config.issuer,
                resource: config.resource,
                algorithms: config.algorithms,
                leeway: config.leeway.as_secs_f64(),
                max_token_size: config.max_token_size,
                scope_claims: config.scope_claims,
                claim_rules: config.claim_rules,
                allowed_clients: config.allowed_clients,
                allowed_organizations: config.allowed_organizations,
                require_typ: config.require_typ,
                max_token_lifetime: config.max_token_lifetime.map(|d| d.as_secs_f64()),
                refresh_task,
            }),
        })
    }

    /// Whether signing keys are loaded and fresh enough to judge tokens.
    pub fn is_ready(&self) -> bool {
        self.inner.cache.is_usable()
    }

    /// Completes once the first attempt to load the signing keys has finished, whether it loaded
    /// them or failed (at once for static keys); [`Validator::is_ready`] then says which. A server
    /// that waits for it before accepting requests does not answer its first callers 503 while
    /// its keys are on their way (as a freshly restarted instance behind a load balancer would).
    pub async fn first_key_load(&self) {
        self.inner.cache.first_fetch().await;
    }

    /// Whether tokens are tied to particular clients or organizations
    /// ([`ValidatorConfig::allowed_clients`], [`ValidatorConfig::allowed_organizations`]), beyond
    /// issuer and audience.
    pub fn restricts_callers(&self) -> bool {
        !self.inner.allowed_clients.is_empty() || !self.inner.allowed_organizations.is_empty()
    }

    /// The expected issuer.
    pub fn issuer(&self) -> &str {
        &self.inner.issuer
    }

    /// The expected audience (this server's resource URI).
    pub fn resource(&self) -> &str {
        &self.inner.resource
    }

    /// Validates a bearer token (without the `Bearer ` prefix).
    pub async fn validate(&self, token: &str) -> Result<Principal, AuthError> {
        self.validate_shared(token).await.map(Arc::unwrap_or_clone)
    }

    /// [`Self::validate`], giving the caller shared with the token cache: a cache hit copies
    /// nothing (the auth layer puts this `Arc` into the request).
    pub async fn validate_shared(&self, token: &str) -> Result<Arc<Principal>, AuthError> {
        let inner = &*self.inner;
        if token.len() > inner.max_token_size {
            return Err(AuthError::TokenTooLarge);
        }
        let slot = inner.tokens.slot(token);
        if let Some(hit) = inner.tokens.get(slot, token) {
            if inner.cache.still_current(&hit.kid, &hit.key) {
                return Ok(hit.principal);
            }
            inner.tokens.remove(slot, token);
        }

        let mut parts = token.split('.');
        let (Some(header_b64), Some(payload_b64), Some(signature_b64), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(AuthError::Malformed("not three dot-separated parts"));
        };
        let header = decode_object(header_b64).ok_or(AuthError::Malformed(
            "the header is not a base64url JSON object",
        ))?;
        if header.contains_key("crit") {
            return Err(AuthError::CriticalHeader);
        }
        if inner.require_typ && !is_access_token_type(header.get("typ")) {
            return Err(AuthError::NotAnAccessTokenType);
        }
        let alg = header
            .get("alg")
            .and_then(Value::as_str)
            .and_then(|a| a.parse::<Algorithm>().ok())
            .filter(|a| inner.algorithms.contains(a))
            .ok_or(AuthError::AlgorithmNotAllowed)?;
        // Only `kid` picks the key, and only from our key set: `jku`, `x5u`, `jwk` and `x5c` are ignored.
        let kid = header
            .get("kid")
            .and_then(Value::as_str)
            .ok_or(AuthError::MissingKeyId)?;
        let key = match inner.cache.key_for(kid).await {
            Lookup::Found(key) => key,
            Lookup::Unknown => return Err(AuthError::UnknownKeyId),
            Lookup::NotReady => return Err(AuthError::NotReady),
        };
        if !key.kind.fits(alg) {
            return Err(AuthError::AlgorithmKeyMismatch);
        }
        let signed = &token[..header_b64.len() + 1 + payload_b64.len()];
        let signature = URL_SAFE_NO_PAD
            .decode(signature_b64)
            .map_err(|_| AuthError::BadSignature)?;
        if !key.verify(alg, signed.as_bytes(), &signature) {
            return Err(AuthError::BadSignature);
        }
        let payload = URL_SAFE_NO_PAD
            .decode(payload_b64)
            .map_err(|_| AuthError::ClaimsNotJson)?;
        let claims = match serde_json::from_slice::<Value>(&payload) {
            Ok(Value::Object(claims)) => claims,
            Ok(_) => return Err(AuthError::ClaimsNotObject),
            Err(_) => return Err(AuthError::ClaimsNotJson),
        };
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0.0, |d| d.as_secs_f64());
        let principal = self.check_claims(claims, now)?;
        let remaining =
            Duration::try_from_secs_f64(principal_exp(&principal) - now).unwrap_or_default();
        let principal = Arc::new(principal);
        inner
            .tokens
            .insert(slot, token, Arc::clone(&principal), kid, &key, remaining);
        Ok(principal)
    }

    fn check_claims(&self, claims: Map<String, Value>, now: f64) -> Result<Principal, AuthError> {
        let inner = &*self.inner;
        let exp = numeric_date(&claims, "exp")?.ok_or(AuthError::MissingClaim("exp"))?;
        if now >= exp + inner.leeway {
            return Err(AuthError::Expired);
        }
        if let Some(max) = inner.max_token_lifetime {
            let iat = numeric_date(&claims, "iat")?.ok_or(AuthError::MissingClaim("iat"))?;
            if exp - iat > max {
                return Err(AuthError::LifetimeTooLong);
            }
        }
        if let Some(nbf) = numeric_date(&claims, "nbf")?
            && now + inner.leeway < nbf
        {
            return Err(AuthError::NotYetValid);
        }
        let issuer = optional_str(&claims, "iss")?.ok_or(AuthError::MissingClaim("iss"))?;
        if issuer != inner.issuer {
            return Err(AuthError::WrongIssuer);
        }
        let audience_ok = match claims.get("aud") {
            None => return Err(AuthError::MissingClaim("aud")),
            Some(Value::String(aud)) => *aud == inner.resource,
            Some(Value::Array(auds)) => auds.iter().any(|a| a.as_str() == Some(&inner.resource)),
            Some(_) => return Err(AuthError::InvalidClaim("aud")),
        };
        if !audience_ok {
            return Err(if audience_is_client_id(&claims) {
                AuthError::AudienceIsClientId
            } else {
                AuthError::WrongAudience
            });
        }
        let client_id = match optional_str(&claims, "azp")? {
            Some(azp) => Some(azp),
            None => optional_str(&claims, "client_id")?,
        };
        if !inner.allowed_clients.is_empty()
            && !client_id.is_some_and(|id| inner.allowed_clients.iter().any(|a| a == id))
        {
            return Err(AuthError::ClientNotAllowed);
        }
        if !inner.allowed_organizations.is_empty() {
            let owner = optional_str(&claims, "owner")?;
            if !owner.is_some_and(|o| inner.allowed_organizations.iter().any(|a| a == o)) {
                return Err(AuthError::OrganizationNotAllowed);
            }
        }
        let client_id = client_id.map(str::to_owned);
        if let Some(rule) = inner
            .claim_rules
            .iter()
            .find(|r| !r.accepts(claims.get(r.claim())))
        {
            return Err(AuthError::ClaimRejected(rule.claim().to_owned()));
        }
        let mut scopes = ScopeSet::new();
        if matches!(inner.scope_claims, ScopeClaims::Scope | ScopeClaims::Both) {
            collect_scopes(claims.get("scope"), "scope", &mut scopes)?;
        }
        if matches!(inner.scope_claims, ScopeClaims::Scp | ScopeClaims::Both) {
            collect_scopes(claims.get("scp"), "scp", &mut scopes)?;
        }
        let subject = optional_str(&claims, "sub")?.map(str::to_owned);
        let jti = optional_str(&claims, "jti")?.map(str::to_owned);
        let issuer = issuer.to_owned();
        // `exp` is finite and, having passed the expiry check, above now - leeway >= -300.
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        let expires_at = exp.max(0.0).floor() as u64;
        Ok(Principal {
            subject,
            client_id,
            issuer,
            expires_at,
            jti,
            scopes,
            claims,
        })
    }
}

/// Whether every `aud` entry is the token's own client id (`azp`, else `client_id`): what an
/// authorization server writes when the client sent no `resource`, worth its own hint.
fn audience_is_client_id(claims: &Map<String, Value>) -> bool {
    let Some(client) = ["azp", "client_id"]
        .iter()
        .find_map(|name| claims.get(*name).and_then(Value::as_str))
    else {
        return false;
    };
    match claims.get("aud") {
        Some(Value::String(aud)) => aud == client,
        Some(Value::Array(auds)) => {
            !auds.is_empty() && auds.iter().all(|a| a.as_str() == Some(client))
        }
        _ => false,
    }
}

/// Whether a JOSE `typ` says "OAuth access token" (RFC 9068 §2.1): `at+jwt`, with or without the
/// `application/` prefix RFC 7515 §4.1.9 lets senders omit, compared without regard to case.
fn is_access_token_type(typ: Option<&Value>) -> bool {
    typ.and_then(Value::as_str).is_some_and(|t| {
        let t = t
            .get(..12)
            .filter(|p| p.eq_ignore_ascii_case("application/"))
            .map_or(t, |_| &t[12..]);
        t.eq_ignore_ascii_case("at+jwt")
    })
}

#[allow(clippy::cast_precision_loss)]
fn principal_exp(principal: &Principal) -> f64 {
    principal.expires_at as f64
}

fn decode_object(part: &str) -> Option<Map<String, Value>> {
    let bytes = URL_SAFE_NO_PAD.decode(part).ok()?;
    match serde_json::from_slice(&bytes).ok()? {
        Value::Object(map) => Some(map),
        _ => None,
    }
}

/// A NumericDate claim (RFC 7519 §2): a JSON number, possibly fractional.
fn numeric_date(claims: &Map<String, Value>, name: &'static str) -> Result<Option<f64>, AuthError> {
    match claims.get(name) {
        None => Ok(None),
        Some(Value::Number(n)) => n
            .as_f64()
            .filter(|f| f.is_finite())
            .map(Some)
            .ok_or(AuthError::InvalidClaim(name)),
        Some(_) => Err(AuthError::InvalidClaim(name)),
    }
}

fn optional_str<'a>(
    claims: &'a Map<String, Value>,
    name: &'static str,
) -> Result<Option<&'a str>, AuthError> {
    match claims.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(AuthError::InvalidClaim(name)),
    }
}

/// RFC 6749 §3.3 `scope-token`: printable ASCII except space, `"` and `\`.
fn is_scope_token(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_graphic() && b != b'"' && b != b'\\')
}

/// Adds the scopes of a `scope` string or `scp` array (or string). A scope token outside the RFC 6749
/// grammar makes the claim invalid rather than being dropped: it cannot have come from a conforming
/// authorization server, and it would otherwise reach logs and headers.
fn collect_scopes(
    value: Option<&Value>,
    name: &'static str,
    scopes: &mut ScopeSet,
) -> Result<(), AuthError> {
    let mut add = |s: &str| {
        for token in s.split(' ').filter(|t| !t.is_empty()) {
            if !is_scope_token(token) {
                return Err(AuthError::InvalidClaim(name));
            }
            scopes.insert(token);
        }
        Ok(())
    };
    match value {
        None | Some(Value::Null) => Ok(()),
        Some(Value::String(s)) => add(s),
        Some(Value::Array(items)) if name == "scp" => items.iter().try_for_each(|item| {
            item.as_str()
                .filter(|s| !s.contains(' '))
                .ok_or(AuthError::InvalidClaim(name))
                .and_then(&mut add)
        }),
        Some(_) => Err(AuthError::InvalidClaim(name)),
    }
}
