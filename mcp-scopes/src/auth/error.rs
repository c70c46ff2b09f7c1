//! What can go wrong when building a validator or validating a token.
//!
//! Each token check has its own [`AuthError`] variant so tests and audit logs can tell exactly which rule
//! refused a token; the `Display` text doubles as the `error_description` of the challenge, so it is short
//! and never echoes anything taken from the token.

use std::time::Duration;

/// A validator configuration that cannot work, reported by [`super::Validator::new`].
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// The issuer is empty.
    #[error("the issuer must not be empty")]
    EmptyIssuer,
    /// The resource (expected audience) is empty.
    #[error("the resource (expected audience) must not be empty")]
    EmptyResource,
    /// No signing algorithm is allowed.
    #[error("at least one signing algorithm must be allowed")]
    NoAlgorithms,
    /// A symmetric (HS*) algorithm was allowed; a resource server never shares a secret with its issuer.
    #[error("algorithm {0} is symmetric and can never be allowed; use RS*, PS*, ES* or EdDSA")]
    SymmetricAlgorithm(String),
    /// The leeway is larger than [`super::MAX_LEEWAY`].
    #[error("leeway {given:?} is larger than the maximum of {max:?}")]
    LeewayTooLarge {
        /// The configured leeway.
        given: Duration,
        /// The largest accepted leeway.
        max: Duration,
    },
    /// The validated-token cache TTL is longer than [`super::MAX_TOKEN_CACHE_TTL`].
    #[error("token cache TTL {given:?} is longer than the maximum of {max:?}")]
    TokenCacheTtlTooLong {
        /// The configured TTL.
        given: Duration,
        /// The longest accepted TTL.
        max: Duration,
    },
    /// The maximum token size is zero.
    #[error("the maximum token size must be at least one byte")]
    ZeroTokenSize,
    /// A URL (issuer, JWKS URI) does not parse or is not http(s).
    #[error("`{url}` is not a usable http(s) URL: {reason}")]
    BadUrl {
        /// The URL as configured.
        url: String,
        /// Why it was refused.
        reason: String,
    },
    /// An allowed client id or organization is the empty string.
    #[error("an allowed {0} must not be empty")]
    EmptyAllowedValue(&'static str),
    /// The maximum token lifetime is zero.
    #[error("the maximum token lifetime must be above zero")]
    ZeroTokenLifetime,
    /// The static JWK set holds no key this validator can use.
    #[error("the static JWK set holds no usable signing key: {0}")]
    NoUsableKeys(String),
    /// A timing knob is zero or out of order (e.g. minimum refresh above maximum).
    #[error("invalid refresh settings: {0}")]
    BadRefreshSettings(&'static str),
    /// The HTTP client could not be built.
    #[error("cannot build the HTTP client: {0}")]
    HttpClient(String),
    /// [`super::Validator::new`] was called outside a tokio runtime.
    #[error(
        "Validator::new must be called inside a tokio runtime (it spawns the JWKS refresh task)"
    )]
    NoRuntime,
}

/// Why a bearer token was refused. One variant per check.
///
/// [`AuthError::NotReady`] means the server cannot judge any token yet (answer 503 with `Retry-After`);
/// every other variant means this token is not acceptable (answer 401 `invalid_token`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum AuthError {
    /// No signing keys are loaded: the first JWKS fetch has not succeeded yet, or the last good key
    /// set is older than the configured maximum staleness.
    #[error("the signing keys of the authorization server are not available yet")]
    NotReady,
    /// The token is longer than the configured maximum (checked before any parsing).
    #[error("the token is too large")]
    TokenTooLarge,
    /// The token is not three base64url parts, or its header is not a JSON object.
    #[error("the token is malformed: {0}")]
    Malformed(&'static str),
    /// [`super::ValidatorConfig::require_typ`] is on and the header's `typ` is not `at+jwt`.
    #[error(
        "the token is not typed as an access token: its `typ` header must be `at+jwt` (RFC 9068)"
    )]
    NotAnAccessTokenType,
    /// The header carries `crit`: no extension is understood here, so RFC 7515 §4.1.11 says reject.
    #[error("the token header has critical extensions this server does not understand")]
    CriticalHeader,
    /// `alg` is missing, `none`, symmetric, unknown, or not in the allowlist.
    #[error("the token signing algorithm is not allowed")]
    AlgorithmNotAllowed,
    /// The header has no `kid`.
    #[error("the token header has no key id")]
    MissingKeyId,
    /// The `kid` is not in the authorization server's key set (even after a refetch when one was allowed).
    #[error("the token was signed with an unknown key")]
    UnknownKeyId,
    /// The `alg` does not fit the key's family or curve (e.g. ES384 with a P-256 key, RS256 with an EC key).
    #[error("the token signing algorithm does not fit its key")]
    AlgorithmKeyMismatch,
    /// The signature does not verify.
    #[error("the token signature is invalid")]
    BadSignature,
    /// The payload is not base64url-encoded JSON.
    #[error("the token claims are not valid JSON")]
    ClaimsNotJson,
    /// The payload is JSON but not an object.
    #[error("the token claims are not a JSON object")]
    ClaimsNotObject,
    /// A required claim is absent.
    #[error("the token has no `{0}` claim")]
    MissingClaim(&'static str),
    /// A claim has the wrong JSON type or a value outside its grammar (e.g. `exp` as a string, a scope
    /// token with a quote or a control character).
    #[error("the token claim `{0}` is invalid")]
    InvalidClaim(&'static str),
    /// `exp` (plus leeway) is in the past.
    #[error("the token has expired")]
    Expired,
    /// `nbf` (minus leeway) is in the future.
    #[error("the token is not valid yet")]
    NotYetValid,
    /// `iss` is not the configured issuer.
    #[error("the token was issued by another issuer")]
    WrongIssuer,
    /// No `aud` entry equals the configured resource.
    #[error("the token was issued for another audience")]
    WrongAudience,
    /// The only audience is the token's own client id (`azp`/`client_id`): the client did not send
    /// RFC 8707 `resource`, so the authorization server (Casdoor, for one) fell back to the client id.
    #[error(
        "the token's audience is its client id, not this server: the client must send `resource` (RFC 8707) with this server's URI in its authorization and token requests"
    )]
    AudienceIsClientId,
    /// `exp` minus `iat` is longer than [`super::ValidatorConfig::max_token_lifetime`].
    #[error("the token's lifetime (`exp` - `iat`) is longer than this server accepts")]
    LifetimeTooLong,
    /// The token's client (`azp`, else `client_id`) is not one of
    /// [`super::ValidatorConfig::allowed_clients`].
    #[error(
        "the token was issued to a client this server does not accept (`azp`/`client_id` is not an allowed client)"
    )]
    ClientNotAllowed,
    /// The token's `owner` is not one of [`super::ValidatorConfig::allowed_organizations`].
    #[error(
        "the token's user belongs to an organization this server does not accept (`owner` is not an allowed organization)"
    )]
    OrganizationNotAllowed,
    /// A configured claim rule refused the token (e.g. a Casdoor refresh token).
    #[error("the token claim `{0}` has a value this server does not accept")]
    ClaimRejected(String),
}

impl AuthError {
    /// A stable, short machine name for audit logs and metrics (`expired`, `bad_signature`, …).
    pub fn reason(&self) -> &'static str {
        match self {
            Self::NotReady => "not_ready",
            Self::TokenTooLarge => "token_too_large",
            Self::Malformed(_) => "malformed",
            Self::CriticalHeader => "critical_header",
            Self::NotAnAccessTokenType => "not_access_token_type",
            Self::AlgorithmNotAllowed => "algorithm_not_allowed",
            Self::MissingKeyId => "missing_kid",
            Self::UnknownKeyId => "unknown_kid",
            Self::AlgorithmKeyMismatch => "algorithm_key_mismatch",
            Self::BadSignature => "bad_signature",
            Self::ClaimsNotJson => "claims_not_json",
            Self::ClaimsNotObject => "claims_not_object",
            Self::MissingClaim(_) => "missing_claim",
            Self::InvalidClaim(_) => "invalid_claim",
            Self::Expired => "expired",
            Self::NotYetValid => "not_yet_valid",
            Self::WrongIssuer => "wrong_issuer",
            Self::WrongAudience => "wrong_audience",
            Self::AudienceIsClientId => "audience_is_client_id",
            Self::LifetimeTooLong => "lifetime_too_long",
            Self::ClientNotAllowed => "client_not_allowed",
            Self::OrganizationNotAllowed => "organization_not_allowed",
            Self::ClaimRejected(_) => "claim_rejected",
        }
    }

    /// Whether this is a temporary server-side condition (503) rather than a bad token (401).
    pub fn is_unavailable(&self) -> bool {
        matches!(self, Self::NotReady)
    }
}
