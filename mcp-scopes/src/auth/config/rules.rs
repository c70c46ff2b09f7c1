//! The claim-level knobs of a [`super::ValidatorConfig`]: where scopes are read from, and rules on
//! single claims checked after the signature.

use serde_json::Value;

/// Where the granted scopes are read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum ScopeClaims {
    /// Only `scope`, a space-separated string (RFC 8693 / RFC 9068).
    Scope,
    /// Only `scp`, a JSON array of strings (or a space-separated string).
    Scp,
    /// Both, merged.
    #[default]
    Both,
}

/// A rule on one claim, checked after the signature and the registered claims.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum ClaimRule {
    /// The claim must be present and equal to the value.
    Equals {
        /// Claim name.
        claim: String,
        /// Required value.
        value: Value,
    },
    /// The claim may be absent, but must not equal the value.
    NotEquals {
        /// Claim name.
        claim: String,
        /// Refused value.
        value: Value,
    },
}

impl ClaimRule {
    /// The claim must be present and equal `value`.
    pub fn equals(claim: impl Into<String>, value: impl Into<Value>) -> Self {
        Self::Equals {
            claim: claim.into(),
            value: value.into(),
        }
    }

    /// The claim must not equal `value` (absent is fine).
    pub fn not_equals(claim: impl Into<String>, value: impl Into<Value>) -> Self {
        Self::NotEquals {
            claim: claim.into(),
            value: value.into(),
        }
    }

    pub(crate) fn claim(&self) -> &str {
        match self {
            Self::Equals { claim, .. } | Self::NotEquals { claim, .. } => claim,
        }
    }

    pub(crate) fn accepts(&self, found: Option<&Value>) -> bool {
        match self {
            Self::Equals { value, .. } => found == Some(value),
            Self::NotEquals { value, .. } => found != Some(value),
        }
    }
}
