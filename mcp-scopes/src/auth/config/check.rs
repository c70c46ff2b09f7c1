//! Why a [`ValidatorConfig`] is refused: the checks [`Validator::new`](crate::auth::Validator::new)
//! runs before anything is fetched, so a configuration that cannot work or would be unsafe fails at
//! startup with a [`ConfigError`] instead of on the first request.

use super::{KeySource, MAX_LEEWAY, MAX_TOKEN_CACHE_TTL, ValidatorConfig};
use crate::auth::error::ConfigError;
use crate::auth::fetch;
use crate::outbound_http::{transport_problem, without_credentials};

impl ValidatorConfig {
    /// Refuses a configuration that cannot work or would be unsafe; see [`ConfigError`].
    pub(crate) fn check(&self) -> Result<(), ConfigError> {
        if self.issuer.is_empty() {
            return Err(ConfigError::EmptyIssuer);
        }
        if self.resource.is_empty() {
            return Err(ConfigError::EmptyResource);
        }
        if self.algorithms.is_empty() {
            return Err(ConfigError::NoAlgorithms);
        }
        if let Some(alg) = self.algorithms.iter().find(|a| a.is_symmetric()) {
            return Err(ConfigError::SymmetricAlgorithm(alg.to_string()));
        }
        if self.leeway > MAX_LEEWAY {
            return Err(ConfigError::LeewayTooLarge {
                given: self.leeway,
                max: MAX_LEEWAY,
            });
        }
        if self.max_token_size == 0 {
            return Err(ConfigError::ZeroTokenSize);
        }
        if self.token_cache_ttl > MAX_TOKEN_CACHE_TTL {
            return Err(ConfigError::TokenCacheTtlTooLong {
                given: self.token_cache_ttl,
                max: MAX_TOKEN_CACHE_TTL,
            });
        }
        let policy = &self.refresh;
        if policy.min_refresh.is_zero() || policy.min_refresh > policy.max_refresh {
            return Err(ConfigError::BadRefreshSettings(
                "the refresh interval needs 0 < min <= max",
            ));
        }
        if policy.backoff_initial.is_zero() || policy.backoff_initial > policy.backoff_max {
            return Err(ConfigError::BadRefreshSettings(
                "the backoff needs 0 < initial <= max",
            ));
        }
        if policy.request_timeout.is_zero() || policy.max_response_bytes == 0 {
            return Err(ConfigError::BadRefreshSettings(
                "the request timeout and response size cap must be above zero",
            ));
        }
        if policy.unknown_kid_cooldown.is_zero() {
            return Err(ConfigError::BadRefreshSettings(
                "the unknown-kid cooldown must be above zero: token senders choose the kid",
            ));
        }
        // A healthy refresh cycle is a sleep of at most `max_refresh` and then a fetch of at most
        // `request_timeout`; keys must not count as stale before the next one can land.
        if policy.max_staleness < policy.max_refresh.saturating_add(policy.request_timeout) {
            return Err(ConfigError::BadRefreshSettings(
                "the maximum staleness must be at least the maximum refresh interval plus the request timeout, or keys go stale between refreshes",
            ));
        }
        if let Some(empty) = [
            ("client id", &self.allowed_clients),
            ("organization", &self.allowed_organizations),
        ]
        .into_iter()
        .find_map(|(what, list)| list.iter().any(String::is_empty).then_some(what))
        {
            return Err(ConfigError::EmptyAllowedValue(empty));
        }
        if self.max_token_lifetime.is_some_and(|max| max.is_zero()) {
            return Err(ConfigError::ZeroTokenLifetime);
        }
        // A static key set is never fetched; otherwise the issuer is where clients (and discovery)
        // go for tokens and keys, so it must be reached safely.
        if !matches!(self.key_source, KeySource::Static(_)) {
            let bad = |reason: String| ConfigError::BadUrl {
                url: without_credentials(&self.issuer),
                reason,
            };
            let issuer = reqwest::Url::parse(&self.issuer).map_err(|e| bad(e.to_string()))?;
            if let Some(problem) = transport_problem(&issuer) {
                return Err(bad(problem.to_owned()));
            }
        }
        match &self.key_source {
            KeySource::Uri(uri) => check_url(uri)?,
            KeySource::Discover => {
                fetch::discovery_urls(&self.issuer).map_err(|reason| ConfigError::BadUrl {
                    url: without_credentials(&self.issuer),
                    reason,
                })?;
            }
            KeySource::Static(_) => {}
        }
        Ok(())
    }
}

/// Checks the JWKS URI. Credentials in it are refused: the URL is named in every fetch error that
/// gets logged, so a password there would end up in the logs.
fn check_url(url: &str) -> Result<(), ConfigError> {
    let bad = |reason: &str| ConfigError::BadUrl {
        url: without_credentials(url),
        reason: reason.to_owned(),
    };
    let parsed = reqwest::Url::parse(url).map_err(|e| bad(&e.to_string()))?;
    if let Some(problem) = transport_problem(&parsed) {
        return Err(bad(problem));
    }
    if !parsed.username().is_empty() || parsed.password().is_some() {
        return Err(bad(
            "it holds credentials, which would be logged with it; give an HTTP client with default headers instead (`http_client`)",
        ));
    }
    Ok(())
}
