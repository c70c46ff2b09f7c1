//! A loopback Casdoor serving its JWKS and discovery documents
//! (object/wellknown_oidc_discovery.go), and a wait for a validator to have loaded the keys.

use std::time::Duration;

use axum::Router;
use axum::http::StatusCode;
use axum::routing::get;
use mcp_scopes::auth::{Validator, ValidatorConfig};
use serde_json::{Value, json};

/// Which metadata documents the fake serves.
#[derive(Clone, Copy, PartialEq)]
pub enum Metadata {
    /// Both, the same document (Casdoor today).
    Both,
    /// Only `/.well-known/openid-configuration`.
    OidcOnly,
}

/// A loopback Casdoor serving its JWKS and discovery documents; returns its origin.
pub async fn start_casdoor(jwks: Value, metadata: Metadata) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let origin = format!("http://{}", listener.local_addr().unwrap());
    let doc = discovery_document(&origin);
    let oidc = doc.clone();
    let router = Router::new()
        .route(
            "/.well-known/jwks",
            get(move || async move { axum::Json(jwks) }),
        )
        .route(
            "/.well-known/openid-configuration",
            get(move || async move { axum::Json(oidc) }),
        )
        .route(
            "/.well-known/oauth-authorization-server",
            get(move || async move {
                if metadata == Metadata::Both {
                    Ok(axum::Json(doc))
                } else {
                    Err(StatusCode::NOT_FOUND)
                }
            }),
        );
    tokio::spawn(async move {
        let _ = axum::serve(listener, router).await;
    });
    origin
}

/// Casdoor's discovery document (object/wellknown_oidc_discovery.go): issuer = origin, no trailing
/// slash; the authorize endpoint on the frontend, the others under /api.
pub fn discovery_document(origin: &str) -> Value {
    json!({
        "issuer": origin,
        "authorization_endpoint": format!("{origin}/login/oauth/authorize"),
        "token_endpoint": format!("{origin}/api/login/oauth/access_token"),
        "userinfo_endpoint": format!("{origin}/api/userinfo"),
        "jwks_uri": format!("{origin}/.well-known/jwks"),
        "introspection_endpoint": format!("{origin}/api/login/oauth/introspect"),
        "registration_endpoint": format!("{origin}/api/oauth/register"),
        "response_types_supported": ["code", "token", "id_token", "code token", "code id_token",
                                     "token id_token", "code token id_token", "none"],
        "response_modes_supported": ["query", "fragment", "form_post"],
        "grant_types_supported": ["password", "authorization_code"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["RS256", "RS512", "ES256", "ES384", "ES512"],
        "scopes_supported": ["openid", "email", "profile", "address", "phone", "offline_access"],
        "claims_supported": ["iss", "ver", "sub", "aud", "iat", "exp", "id", "type", "displayName",
                             "avatar", "permanentAvatar", "email", "phone", "location", "affiliation",
                             "title", "homepage", "bio", "tag", "region", "language", "score",
                             "ranking", "isOnline", "isAdmin", "isForbidden", "signupApplication",
                             "ldap"],
        "request_parameter_supported": true,
        "request_object_signing_alg_values_supported": ["HS256", "HS384", "HS512"],
        "end_session_endpoint": format!("{origin}/api/logout"),
        "code_challenge_methods_supported": ["S256"],
    })
}

/// Waits until the validator has loaded the JWKS.
pub async fn ready(config: ValidatorConfig) -> Validator {
    let validator = Validator::new(config).expect("valid config");
    for _ in 0..200 {
        if validator.is_ready() {
            return validator;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("the JWKS never loaded");
}
