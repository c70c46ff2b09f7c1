//! The token endpoint (RFC 6749 §3.2): a code with its PKCE verifier, or a refresh token, becomes
//! an access token for this server's resource, signed with the development key.
//!
//! - `authorization_code`: the code is redeemed once (a second use is refused and revokes the
//!   refresh tokens issued from it, RFC 6749 §4.1.2; the access token issued from it cannot be
//!   revoked, the resource server checking only signatures, and stays valid for the rest of its
//!   lifetime), by the client it was issued to, with the same redirect URI, and with the verifier
//!   whose S256 hash is the challenge.
//! - `refresh_token`: rotated at each use; `scope` may narrow what the access token carries, never
//!   widen it (`invalid_scope`); the new refresh token keeps the original grant.
//! - `resource` (RFC 8707), when sent, must be this server's resource (`invalid_target`).

use std::sync::Arc;
use std::time::Instant;

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::response::{IntoResponse as _, Response};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::json;
use sha2::{Digest as _, Sha256};

use super::error::{OAuthError, no_store};
use super::params::{Params, scope_list};
use super::shared::{SUBJECT, Shared, random_token};
use super::store::{Redeem, Refresh};
use crate::auth::TokenClaims;

pub(super) async fn token(State(shared): State<Arc<Shared>>, body: Bytes) -> Response {
    let result = Params::parse(&body, &[])
        .map_err(|e| OAuthError::new("invalid_request", e.to_string()))
        .and_then(|params| match params.get("grant_type") {
            Some("authorization_code") => from_code(&shared, &params),
            Some("refresh_token") => from_refresh(&shared, &params),
            Some(_) => Err(OAuthError::new(
                "unsupported_grant_type",
                "use authorization_code or refresh_token",
            )),
            None => Err(OAuthError::new("invalid_request", "grant_type is required")),
        });
    match result {
        Ok(response) => response,
        Err(e) => {
            tracing::info!(
                target: "mcp_scopes::dev_authorization",
                error = e.code,
                "token request refused: {}",
                e.description
            );
            e.into_response()
        }
    }
}

/// A grant about to become tokens.
struct Grant {
    client_id: String,
    /// What the access token carries.
    scopes: Vec<String>,
    /// What a refresh token (if any) keeps.
    granted: Vec<String>,
    resource: String,
    family: String,
    /// Whether a refresh token is issued (`offline_access` asked for, or a refresh being rotated).
    offline: bool,
}

fn from_code(shared: &Shared, params: &Params) -> Result<Response, OAuthError> {
    let client_id = required(params, "client_id")?;
    let code = required(params, "code")?;
    let verifier = params
        .get("code_verifier")
        .ok_or_else(|| OAuthError::new("invalid_request", "code_verifier is required (PKCE)"))?;
    check_resource(shared, params)?;
    let issued = shared.store().redeem_code(code).map_err(|e| match e {
        Redeem::Unknown => OAuthError::new("invalid_grant", "the code is unknown or expired"),
        // The resource server checks signatures, not a list: an access token already issued from
        // the code cannot be called back, so the description says how long it stays valid.
        Redeem::Reused => OAuthError::new(
            "invalid_grant",
            format!(
                "the code was already used; the refresh token issued from it is revoked, an access \
                 token issued from it stays valid until it expires (at most {} s)",
                shared.access_token_ttl.as_secs()
            ),
        ),
    })?;
    if issued.client_id != client_id {
        return Err(OAuthError::new(
            "invalid_grant",
            "the code was issued to another client",
        ));
    }
    match params.get("redirect_uri") {
        Some(uri) if uri == issued.redirect_uri => {}
        None if !issued.redirect_uri_given => {}
        _ => {
            return Err(OAuthError::new(
                "invalid_grant",
                "redirect_uri differs from the authorization request's",
            ));
        }
    }
    if params.get("resource").is_some_and(|r| r != issued.resource) {
        return Err(OAuthError::new(
            "invalid_target",
            "the code was issued for another resource",
        ));
    }
    let challenge = URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()));
    let verifier_ok = (43..=128).contains(&verifier.len())
        && aws_lc_rs::constant_time::verify_slices_are_equal(
            challenge.as_bytes(),
            issued.code_challenge.as_bytes(),
        )
        .is_ok();
    if !verifier_ok {
        return Err(OAuthError::new(
            "invalid_grant",
            "code_verifier does not match the code_challenge (PKCE S256)",
        ));
    }
    issue(
        shared,
        Grant {
            client_id: issued.client_id,
            scopes: issued.granted.clone(),
            granted: issued.granted,
            resource: issued.resource,
            family: issued.family,
            offline: issued.offline,
        },
    )
}

fn from_refresh(shared: &Shared, params: &Params) -> Result<Response, OAuthError> {
    let client_id = required(params, "client_id")?;
    let token = required(params, "refresh_token")?;
    check_resource(shared, params)?;
    let refresh = shared.store().take_refresh(token).ok_or_else(|| {
        OAuthError::new(
            "invalid_grant",
            "the refresh token is unknown, used or expired",
        )
    })?;
    if refresh.client_id != client_id {
        return Err(OAuthError::new(
            "invalid_grant",
            "the refresh token was issued to another client",
        ));
    }
    let scopes = match params.get("scope") {
        None => refresh.granted.clone(),
        Some(asked) => {
            let asked = scope_list(asked);
            if let Some(wider) = asked.iter().find(|s| !refresh.granted.contains(s)) {
                // The refresh token is spent either way: a client asking for more must go through
                // consent again, and a thief gets one try.
                return Err(OAuthError::new(
                    "invalid_scope",
                    format!(
                        "`{}` was not granted; a refresh can only narrow the scopes ({}); ask for more through the authorization endpoint",
                        asked_clip(wider),
                        refresh.granted.join(" ")
                    ),
                ));
            }
            asked
        }
    };
    issue(
        shared,
        Grant {
            client_id: refresh.client_id,
            scopes,
            granted: refresh.granted,
            resource: refresh.resource,
            family: refresh.family,
            offline: true,
        },
    )
}

fn issue(shared: &Shared, grant: Grant) -> Result<Response, OAuthError> {
    let claims = TokenClaims::new(shared.issuer.clone(), grant.resource.clone())
        .subject(SUBJECT)
        .scopes(grant.scopes.iter().cloned())
        .ttl(shared.access_token_ttl)
        .claim("client_id", grant.client_id.clone());
    let access_token = shared
        .signer
        .mint(&claims)
        .map_err(|e| OAuthError::new("server_error", e.to_string()))?;
    let refresh_allowed = shared
        .store()
        .client(&grant.client_id)
        .is_some_and(|c| c.refresh_allowed)
        && grant.offline;
    let mut body = json!({
        "access_token": access_token,
        "token_type": "Bearer",
        "expires_in": shared.access_token_ttl.as_secs(),
        "scope": grant.scopes.join(" "),
    });
    if refresh_allowed {
        let refresh_token = random_token();
        shared
            .store()
            .add_refresh(
                refresh_token.clone(),
                Refresh {
                    client_id: grant.client_id,
                    granted: grant.granted,
                    resource: grant.resource,
                    expires: Instant::now() + shared.refresh_token_ttl,
                    family: grant.family,
                },
            )
            .map_err(|_| OAuthError::full("refresh tokens"))?;
        body["refresh_token"] = refresh_token.into();
    }
    let mut response = Json(body).into_response();
    no_store(&mut response);
    Ok(response)
}

fn required<'a>(params: &'a Params, name: &str) -> Result<&'a str, OAuthError> {
    params
        .get(name)
        .ok_or_else(|| OAuthError::new("invalid_request", format!("{name} is required")))
}

/// RFC 8707: a `resource` other than this server's is refused.
fn check_resource(shared: &Shared, params: &Params) -> Result<(), OAuthError> {
    match params.get("resource") {
        Some(resource) if resource != shared.resource => Err(OAuthError::new(
            "invalid_target",
            format!(
                "this server issues tokens only for the resource {}",
                shared.resource
            ),
        )),
        _ => Ok(()),
    }
}

fn asked_clip(scope: &str) -> String {
    scope.chars().take(60).collect()
}
