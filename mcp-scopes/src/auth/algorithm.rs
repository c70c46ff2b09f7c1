//! The JWS signing algorithms a token's `alg` header can name.
//!
//! Our own enum rather than `jsonwebtoken::Algorithm` because that one has no ES512, which Casdoor
//! offers (a P-521 certificate) and aws-lc-rs verifies; the validator checks signatures with aws-lc-rs
//! directly, so nothing else ties the allowlist to `jsonwebtoken`.

use std::fmt;
use std::str::FromStr;

/// A JWS signing algorithm (RFC 7518 §3.1, RFC 8037 for EdDSA), as named in a token's `alg` header and
/// in [`ValidatorConfig::algorithms`](super::ValidatorConfig::algorithms).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Algorithm {
    /// HMAC with SHA-256: symmetric, listed only so a configuration naming it can be refused.
    HS256,
    /// HMAC with SHA-384: symmetric, refused like [`Algorithm::HS256`].
    HS384,
    /// HMAC with SHA-512: symmetric, refused like [`Algorithm::HS256`].
    HS512,
    /// RSASSA-PKCS1-v1_5 with SHA-256.
    RS256,
    /// RSASSA-PKCS1-v1_5 with SHA-384.
    RS384,
    /// RSASSA-PKCS1-v1_5 with SHA-512.
    RS512,
    /// RSASSA-PSS with SHA-256.
    PS256,
    /// RSASSA-PSS with SHA-384.
    PS384,
    /// RSASSA-PSS with SHA-512.
    PS512,
    /// ECDSA with P-256 and SHA-256.
    ES256,
    /// ECDSA with P-384 and SHA-384.
    ES384,
    /// ECDSA with P-521 and SHA-512.
    ES512,
    /// Ed25519 (the only EdDSA curve accepted).
    EdDSA,
}

impl Algorithm {
    /// Every algorithm, in the order of the enum.
    const ALL: [Self; 13] = [
        Self::HS256,
        Self::HS384,
        Self::HS512,
        Self::RS256,
        Self::RS384,
        Self::RS512,
        Self::PS256,
        Self::PS384,
        Self::PS512,
        Self::ES256,
        Self::ES384,
        Self::ES512,
        Self::EdDSA,
    ];

    /// The name used in a token's `alg` header, e.g. `"ES512"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::HS256 => "HS256",
            Self::HS384 => "HS384",
            Self::HS512 => "HS512",
            Self::RS256 => "RS256",
            Self::RS384 => "RS384",
            Self::RS512 => "RS512",
            Self::PS256 => "PS256",
            Self::PS384 => "PS384",
            Self::PS512 => "PS512",
            Self::ES256 => "ES256",
            Self::ES384 => "ES384",
            Self::ES512 => "ES512",
            Self::EdDSA => "EdDSA",
        }
    }

    /// Whether this is an HMAC algorithm, which needs a shared secret and is never allowed.
    pub fn is_symmetric(self) -> bool {
        matches!(self, Self::HS256 | Self::HS384 | Self::HS512)
    }
}

impl fmt::Display for Algorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An `alg` name that is not a JWS signing algorithm this crate knows (names are case-sensitive).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "unknown signing algorithm {0:?}; expected one of RS256, RS384, RS512, PS256, PS384, PS512, ES256, ES384, ES512 or EdDSA"
)]
pub struct UnknownAlgorithm(pub String);

impl FromStr for Algorithm {
    type Err = UnknownAlgorithm;

    fn from_str(name: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|alg| alg.as_str() == name)
            .ok_or_else(|| UnknownAlgorithm(name.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_name_parses_back_to_its_algorithm() {
        for alg in Algorithm::ALL {
            assert_eq!(alg.as_str().parse::<Algorithm>(), Ok(alg));
            assert_eq!(alg.to_string(), alg.as_str());
        }
    }

    #[test]
    fn names_are_case_sensitive_and_none_is_unknown() {
        for name in ["es512", "none", "None", "", "ES521", "Ed25519"] {
            assert_eq!(
                name.parse::<Algorithm>(),
                Err(UnknownAlgorithm(name.to_owned()))
            );
        }
    }
}
