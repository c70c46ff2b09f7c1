//! Authentication of MCP requests: access-token validation against the authorization server's JWKS,
//! the `Principal` it yields, and the 401/403 challenges.
//!
//! ```no_run
//! use mcp_scopes::auth::{BearerAuthLayer, Challenge, Principal, Validator, ValidatorConfig};
//!
//! # async fn demo() -> Result<(), mcp_scopes::auth::ConfigError> {
//! let resource = "https://mcp.example.com/mcp";
//! // Inside a tokio runtime: the JWKS is fetched and refreshed in the background.
//! let validator = Validator::new(ValidatorConfig::casdoor("https://door.example.com", resource))?;
//! let challenge = Challenge::for_resource(resource).baseline_scopes(["db:query"]);
//! let app: axum::Router = axum::Router::new()
//!     .route("/mcp", axum::routing::post(|caller: Principal| async move { caller.scopes.to_string() }))
//!     .layer(BearerAuthLayer::new(validator, challenge));
//! # Ok(())
//! # }
//! ```
//!
//! This file only declares the parts and re-exports them, so no part imports a file that imports it.

mod algorithm;
mod challenge;
mod config;
mod crypto_provider;
mod dev;
mod entitlements;
mod error;
mod fetch;
mod jwks;
mod keys;
mod layer;
mod principal;
mod token_cache;
mod validate;

pub use algorithm::{Algorithm, UnknownAlgorithm};
pub use challenge::Challenge;
pub use config::{
    ClaimRule, DEFAULT_ALGORITHMS, DEFAULT_TOKEN_CACHE_BYTES, MAX_LEEWAY, MAX_TOKEN_CACHE_TTL,
    ScopeClaims, ValidatorConfig,
};
pub use crypto_provider::install_crypto_provider;
pub use dev::{DevSigner, MAX_DEV_TOKEN_TTL, MintError, TokenClaims};
pub(crate) use entitlements::EntitlementsHook;
pub use entitlements::{Entitlement, Entitlements, GatedCall, ScopeRoleSyntax, ScopeRoles};
pub use error::{AuthError, ConfigError};
pub use layer::{BearerAuth, BearerAuthLayer};
pub use principal::Principal;
pub use validate::Validator;
