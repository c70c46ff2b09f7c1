//! What every endpoint of the development authorization server reads: its paths and lifetimes,
//! the configuration and store they share, and the random tokens it hands out.

use std::sync::Arc;
use std::sync::Mutex;
use std::time::Duration;

use crate::auth::DevSigner;
use crate::manifest::ManifestScope;

use super::store::Store;

/// Where the endpoints are, on the issuer's origin.
pub const AUTHORIZE_PATH: &str = "/oauth/authorize";
/// The token endpoint.
pub const TOKEN_PATH: &str = "/oauth/token";
/// The registration endpoint (RFC 7591).
pub const REGISTER_PATH: &str = "/oauth/register";

/// The scope asking for a refresh token (as in OpenID Connect): refresh tokens are issued only to
/// clients that registered the `refresh_token` grant and ask for it. Not advertised in the metadata,
/// so clients do not add it by themselves: an SDK client holding a refresh token answers a 403
/// `insufficient_scope` by refreshing, which cannot widen its scopes, instead of coming back to
/// the consent page, and so never steps up.
pub const OFFLINE_ACCESS: &str = "offline_access";

/// The subject of every token issued: the developer at the consent page.
pub const SUBJECT: &str = "dev-user";

/// Access tokens live this long unless configured.
pub const DEFAULT_ACCESS_TOKEN_TTL: Duration = Duration::from_hours(1);
/// Refresh tokens live this long unless configured.
pub const DEFAULT_REFRESH_TOKEN_TTL: Duration = Duration::from_hours(24);
/// Authorization codes live this long unless configured shorter: a client redeems one at once.
pub const CODE_TTL: Duration = Duration::from_mins(1);
/// A consent page may be answered this long after it was shown.
pub const CONSENT_TTL: Duration = Duration::from_mins(10);

/// What every handler reads.
pub(super) struct Shared {
    pub(super) issuer: String,
    pub(super) resource: String,
    pub(super) signer: Arc<DevSigner>,
    pub(super) scopes: Vec<ManifestScope>,
    pub(super) access_token_ttl: Duration,
    pub(super) refresh_token_ttl: Duration,
    /// How long an authorization code stays redeemable.
    pub(super) code_ttl: Duration,
    pub(super) store: Mutex<Store>,
}

impl Shared {
    /// The store, even after a panic elsewhere poisoned its lock (every update is a single insert
    /// or remove, so it is never left half-changed).
    pub(super) fn store(&self) -> std::sync::MutexGuard<'_, Store> {
        self.store
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    pub(super) fn scope(&self, name: &str) -> Option<&ManifestScope> {
        self.scopes.iter().find(|s| s.name == name)
    }
}

/// A fresh unguessable token (256 random bits, base64url).
pub(super) fn random_token() -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(rand::random::<[u8; 32]>())
}
