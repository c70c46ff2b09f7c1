//! The one process-wide setting the JWT library needs: which crypto backend it uses. Its own file
//! because the validator and the dev token signer both install it.

/// Installs `jsonwebtoken`'s aws-lc-rs crypto provider for the process. Done by [`Validator::new`](super::Validator::new);
/// call it yourself only if you use `jsonwebtoken` before building a validator. Without it, a build
/// where feature unification turned on both of `jsonwebtoken`'s backends would panic on first use.
pub fn install_crypto_provider() {
    // Err means a provider is already installed (ours or the application's): either way one is.
    let _ = jsonwebtoken::crypto::aws_lc::DEFAULT_PROVIDER.install_default();
}
