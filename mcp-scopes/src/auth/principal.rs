//! The authenticated caller, as handlers and the scope gate see it.

use serde_json::{Map, Value};

use crate::scope::ScopeSet;

/// Who is calling: the claims of a validated access token.
#[derive(Debug, Clone, PartialEq)]
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
