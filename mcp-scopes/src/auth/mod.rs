//! Authentication of MCP requests: access-token validation against the authorization server's JWKS,
//! the `Principal` it yields, and the 401/403 challenges.

mod challenge;
mod config;
mod dev;
mod error;
mod fetch;
mod jwks;
mod keys;
mod layer;
mod principal;
mod token_cache;
mod validate;

pub use challenge::Challenge;
pub use config::{ClaimRule, DEFAULT_ALGORITHMS, MAX_LEEWAY, ScopeClaims, ValidatorConfig};
pub use dev::{DevSigner, TokenClaims};
pub use error::{AuthError, ConfigError};
pub use jsonwebtoken::Algorithm;
pub use layer::{BearerAuth, BearerAuthLayer, audit_scope_decision};
pub use principal::Principal;
pub use validate::Validator;

/// Installs `jsonwebtoken`'s aws-lc-rs crypto provider for the process. Done by [`Validator::new`];
/// call it yourself only if you use `jsonwebtoken` before building a validator. Without it, a build
/// where feature unification turned on both of `jsonwebtoken`'s backends would panic on first use.
pub fn install_crypto_provider() {
    // Err means a provider is already installed (ours or the application's): either way one is.
    let _ = jsonwebtoken::crypto::aws_lc::DEFAULT_PROVIDER.install_default();
}
