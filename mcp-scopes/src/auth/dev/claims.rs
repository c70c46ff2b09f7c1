//! What a development token says ([`TokenClaims`]) and the limit on how long it may live: the
//! request side of minting, apart from the key that signs it (the parent module), so a test or
//! the `token` command reads what it may ask for without the key handling.

use std::time::Duration;

use serde_json::{Map, Value};

/// The longest lifetime [`DevSigner::mint`](super::DevSigner::mint) signs: a year.
pub const MAX_DEV_TOKEN_TTL: Duration = Duration::from_hours(366 * 24);

/// Why a development token could not be minted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MintError {
    /// The requested lifetime is longer than [`MAX_DEV_TOKEN_TTL`].
    #[error("a development token may live at most {} days, not {} s", max.as_secs() / 86_400, requested.as_secs())]
    TtlTooLong {
        /// The lifetime asked for.
        requested: Duration,
        /// The longest allowed.
        max: Duration,
    },
}

/// What a minted token says.
#[derive(Debug, Clone, PartialEq)]
pub struct TokenClaims {
    /// `iss`.
    pub issuer: String,
    /// `aud` (sent as a one-element array, as Casdoor does).
    pub audience: String,
    /// `sub`.
    pub subject: String,
    /// Sent as the space-separated `scope` claim.
    pub scopes: Vec<String>,
    /// `exp` = now + ttl.
    pub ttl: Duration,
    /// Any further claims (they may override the ones above).
    pub extra: Map<String, Value>,
}

impl TokenClaims {
    /// Claims for `issuer` and `audience`, subject `dev-user`, no scopes, one hour of life.
    pub fn new(issuer: impl Into<String>, audience: impl Into<String>) -> Self {
        Self {
            issuer: issuer.into(),
            audience: audience.into(),
            subject: "dev-user".into(),
            scopes: Vec::new(),
            ttl: Duration::from_hours(1),
            extra: Map::new(),
        }
    }

    /// Sets `sub`.
    #[must_use]
    pub fn subject(mut self, subject: impl Into<String>) -> Self {
        self.subject = subject.into();
        self
    }

    /// Sets the granted scopes.
    #[must_use]
    pub fn scopes<S: Into<String>>(mut self, scopes: impl IntoIterator<Item = S>) -> Self {
        self.scopes = scopes.into_iter().map(Into::into).collect();
        self
    }

    /// Sets the lifetime.
    #[must_use]
    pub fn ttl(mut self, ttl: Duration) -> Self {
        self.ttl = ttl;
        self
    }

    /// Adds or overrides a claim.
    #[must_use]
    pub fn claim(mut self, name: impl Into<String>, value: impl Into<Value>) -> Self {
        self.extra.insert(name.into(), value.into());
        self
    }
}
