//! A development-only OAuth authorization server with a consent page (feature
//! `dev-authorization-server`, part of `cli`), served on the MCP server's own origin when no
//! `--issuer` or `--casdoor` is configured.
//!
//! # Why it exists
//! MCP clients that run the OAuth flow themselves (MCP Inspector, `mcp-remote` for Claude Desktop,
//! the official SDK clients) follow the 401 challenge to the Protected Resource Metadata, which in
//! development mode names the server's own origin as the authorization server. Without this module
//! nothing answers there, and seeing the real flow (401 → discovery → registration → consent →
//! token → call → 403 step-up) would need Casdoor or another authorization server first.
//!
//! # What it implements
//! - RFC 8414 metadata at `/.well-known/oauth-authorization-server`;
//! - RFC 7591 dynamic registration of public clients (`token_endpoint_auth_method: none`);
//! - the authorization code grant with PKCE, S256 only, and a consent page listing each requested
//!   scope with the tools, resources and prompts it opens (the user may untick scopes);
//! - RFC 8707 `resource`: tokens are issued only for this server's resource URL;
//! - refresh tokens (rotated on use) that can narrow the granted scopes, never widen them, for
//!   clients that registered for them and ask `offline_access` (see [`OFFLINE_ACCESS`] for why).
//!
//! Access tokens are signed with the development key ([`DevSigner`]) and validated by the server's
//! [`Validator`](crate::auth::Validator) exactly like the tokens of `token`: the resource server
//! knows nothing of this module.
//!
//! # Limits (development only)
//! - Everything is kept in memory (registered clients, codes, refresh tokens), with fixed caps; a
//!   restart forgets it all, so clients register again.
//! - Every route answers only clients on a loopback address whose `Host` is a loopback name (others
//!   get a 403: an HTML page on the consent page, a JSON OAuth error elsewhere; see `guard`); the
//!   user at the consent page is assumed to be the developer (`sub` is `dev-user`). A local program
//!   can do what the developer can: the consent page protects against web pages (CSRF, framing,
//!   forged redirects), not against other programs on the same machine.
//! - A reused authorization code revokes the refresh tokens issued from it; access tokens already
//!   issued stay valid until they expire (the resource server checks signatures, not a list, and
//!   must not depend on this module): at most the access-token lifetime
//!   ([`DEFAULT_ACCESS_TOKEN_TTL`], `--dev-token-lifetime`), which the refusal names.
//!
//! Files: `store` (what is kept, with its caps), `params` (form and query parsing), `guard` (the
//! loopback check), `metadata`, `registration`, `redirect` (redirect URI rules), `authorize` (the
//! request checks and the decision), `consent_page` (the HTML), `token` (the token endpoint),
//! `error` (OAuth errors and the error page); `shared` holds what they all read.

mod authorize;
mod consent_page;
mod decision;
mod error;
mod guard;
mod metadata;
mod params;
mod redirect;
mod registration;
mod shared;
mod store;
#[cfg(test)]
mod test_support;
mod token;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::middleware::from_fn;
use axum::routing::{get, post};

use crate::auth::DevSigner;
use crate::manifest::{ManifestScope, declared_scopes};
use crate::registry::Registry;

pub use metadata::WELL_KNOWN_PATH;
pub use shared::{
    AUTHORIZE_PATH, CODE_TTL, CONSENT_TTL, DEFAULT_ACCESS_TOKEN_TTL, DEFAULT_REFRESH_TOKEN_TTL,
    OFFLINE_ACCESS, REGISTER_PATH, SUBJECT, TOKEN_PATH,
};

use shared::Shared;

/// The largest body any endpoint reads (registration documents, forms).
const MAX_BODY_BYTES: usize = 16 * 1024;

/// The development authorization server for one MCP server. See the module docs.
pub struct DevAuthorizationServer {
    issuer: String,
    resource: String,
    signer: Arc<DevSigner>,
    scopes: Vec<ManifestScope>,
    access_token_ttl: Duration,
    refresh_token_ttl: Duration,
    code_ttl: Duration,
}

impl std::fmt::Debug for DevAuthorizationServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DevAuthorizationServer")
            .field("issuer", &self.issuer)
            .field("resource", &self.resource)
            .finish_non_exhaustive()
    }
}

impl DevAuthorizationServer {
    /// An authorization server named `issuer` (the origin the MCP server's validator expects as
    /// `iss`, e.g. `http://127.0.0.1:8080`) issuing tokens for `resource` only, signed by `signer`,
    /// for the scopes of `registry`.
    pub fn new(
        issuer: impl Into<String>,
        resource: impl Into<String>,
        signer: Arc<DevSigner>,
        registry: &Registry,
    ) -> Self {
        Self {
            issuer: issuer.into().trim_end_matches('/').to_owned(),
            resource: resource.into(),
            signer,
            scopes: declared_scopes(registry),
            access_token_ttl: DEFAULT_ACCESS_TOKEN_TTL,
            refresh_token_ttl: DEFAULT_REFRESH_TOKEN_TTL,
            code_ttl: CODE_TTL,
        }
    }

    /// How long access tokens live (default [`DEFAULT_ACCESS_TOKEN_TTL`]; at most
    /// [`MAX_DEV_TOKEN_TTL`](crate::auth::MAX_DEV_TOKEN_TTL)).
    #[must_use]
    pub fn access_token_ttl(mut self, ttl: Duration) -> Self {
        self.access_token_ttl = ttl.min(crate::auth::MAX_DEV_TOKEN_TTL);
        self
    }

    /// How long refresh tokens live (default [`DEFAULT_REFRESH_TOKEN_TTL`]).
    #[must_use]
    pub fn refresh_token_ttl(mut self, ttl: Duration) -> Self {
        self.refresh_token_ttl = ttl;
        self
    }

    /// How long an authorization code may wait to be redeemed (default and at most
    /// [`CODE_TTL`]: a client redeems its code at once, so only shorter makes sense, e.g. to see
    /// an expired code refused without waiting a minute).
    #[must_use]
    pub fn authorization_code_ttl(mut self, ttl: Duration) -> Self {
        self.code_ttl = ttl.min(CODE_TTL);
        self
    }

    /// The issuer, as the metadata and the tokens name it.
    pub fn issuer(&self) -> &str {
        &self.issuer
    }

    /// The URL of the RFC 8414 metadata.
    pub fn metadata_url(&self) -> String {
        format!("{}{WELL_KNOWN_PATH}", self.issuer)
    }

    /// The routes, every one behind the loopback check. Merge them into the MCP server's router;
    /// they need the peer address ([`axum::extract::ConnectInfo`]), which
    /// [`crate::server::serve`] provides (a request without it is refused).
    pub fn into_router(self) -> Router {
        let shared = Arc::new(Shared {
            issuer: self.issuer,
            resource: self.resource,
            signer: self.signer,
            scopes: self.scopes,
            access_token_ttl: self.access_token_ttl,
            refresh_token_ttl: self.refresh_token_ttl,
            code_ttl: self.code_ttl,
            store: Mutex::new(store::Store::default()),
        });
        // Each group behind the loopback check, which refuses in the form its callers read.
        let api = Router::new()
            .route(REGISTER_PATH, post(registration::register))
            .route(TOKEN_PATH, post(token::token))
            .layer(guard::loopback_cors())
            .layer(from_fn(guard::loopback_only_json));
        let discovery = Router::new()
            .route(WELL_KNOWN_PATH, get(metadata::metadata))
            .layer(metadata::cors())
            .layer(from_fn(guard::loopback_only_json));
        let consent = Router::new()
            .route(
                AUTHORIZE_PATH,
                get(authorize::show_consent).post(decision::decide),
            )
            .layer(from_fn(guard::loopback_only_page));
        Router::new()
            .merge(discovery)
            .merge(consent)
            .merge(api)
            .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
            .with_state(shared)
    }
}

#[cfg(test)]
mod tests {
    use axum::body::Body;
    use axum::extract::ConnectInfo;
    use http::{Request, StatusCode};
    use tower::ServiceExt as _;

    use super::*;

    // Over real HTTP every test client is on loopback; here the peer address is set by hand.
    #[tokio::test]
    async fn only_loopback_peers_naming_a_loopback_host_are_answered() {
        let registry = Registry::from_tools(&[]).expect("an empty registry");
        let router = DevAuthorizationServer::new(
            "http://127.0.0.1:8080",
            "http://127.0.0.1:8080/mcp",
            Arc::new(DevSigner::generate()),
            &registry,
        )
        .into_router();
        for (peer, host, expected) in [
            (Some("127.0.0.1:5000"), "127.0.0.1:8080", StatusCode::OK),
            (Some("[::1]:5000"), "localhost:8080", StatusCode::OK),
            (
                Some("[::ffff:127.0.0.1]:5000"),
                "[::1]:8080",
                StatusCode::OK,
            ),
            (
                Some("10.0.0.7:5000"),
                "127.0.0.1:8080",
                StatusCode::FORBIDDEN,
            ),
            (
                Some("[2001:db8::1]:5000"),
                "localhost",
                StatusCode::FORBIDDEN,
            ),
            (
                Some("127.0.0.1:5000"),
                "dev.example:8080",
                StatusCode::FORBIDDEN,
            ),
            (None, "127.0.0.1:8080", StatusCode::FORBIDDEN),
        ] {
            let mut request = Request::get(WELL_KNOWN_PATH)
                .header("host", host)
                .body(Body::empty())
                .expect("a request");
            if let Some(peer) = peer {
                let addr: std::net::SocketAddr = peer.parse().expect("an address");
                request.extensions_mut().insert(ConnectInfo(addr));
            }
            let response = router.clone().oneshot(request).await.expect("infallible");
            assert_eq!(response.status(), expected, "{peer:?} {host}");
        }
    }
}
