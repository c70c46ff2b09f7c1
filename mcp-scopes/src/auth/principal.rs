//! The authenticated caller, as handlers and the scope gate see it.

use serde_json::{Map, Value};

use crate::scope::ScopeSet;

/// Who is calling: the claims of a validated access token.
///
/// `Debug` shows the identifying fields and the scopes, and only the *names* of the other claims:
/// some authorization servers put secrets in access tokens (Casdoor's default `JWT` format embeds the
/// user record, `totpSecret` included), and a `?principal` in a log line must not copy them there.
#[derive(Clone, PartialEq)]
pub struct Principal {
    /// `sub`, when present. Unique only within an issuer (in Casdoor, within an organisation: see
    /// [`Principal::owner`]).
    pub subject: Option<String>,
    /// The OAuth client the token was issued to (`azp`, else `client_id`).
    pub client_id: Option<String>,
    /// `iss`.
    pub issuer: String,
    /// `exp`, in seconds since the Unix epoch.
    pub expires_at: u64,
    /// `jti`, when present.
    pub jti: Option<String>,
    /// The granted scopes (from `scope` and/or `scp`, as configured).
    pub scopes: ScopeSet,
    /// Every claim of the token, as sent.
    pub claims: Map<String, Value>,
}

impl std::fmt::Debug for Principal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Principal")
            .field("subject", &self.subject)
            .field("client_id", &self.client_id)
            .field("issuer", &self.issuer)
            .field("expires_at", &self.expires_at)
            .field("jti", &self.jti)
            .field("scopes", &self.scopes)
            .field("claims", &ClaimNames(&self.claims))
            .finish()
    }
}

/// The claim names of a token, for `Debug` without the values.
struct ClaimNames<'a>(&'a Map<String, Value>);

impl std::fmt::Debug for ClaimNames<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_set().entries(self.0.keys()).finish()
    }
}

impl Principal {
    /// Casdoor's `owner` claim (the organisation), when present.
    pub fn owner(&self) -> Option<&str> {
        self.claims.get("owner").and_then(Value::as_str)
    }

    /// A claim by name.
    pub fn claim(&self, name: &str) -> Option<&Value> {
        self.claims.get(name)
    }
}
