//! RFC 8414 authorization server metadata: how a client that found this issuer in the Protected
//! Resource Metadata learns where to register, authorize and get tokens, and what is supported.

use std::sync::Arc;

use axum::Json;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use http::header::CACHE_CONTROL;
use http::{HeaderValue, Method};
use serde_json::{Value, json};
use tower_http::cors::{Any, CorsLayer};

use super::shared::{AUTHORIZE_PATH, REGISTER_PATH, Shared, TOKEN_PATH};

/// The well-known path of the metadata, for an issuer without a path (RFC 8414 §3).
pub const WELL_KNOWN_PATH: &str = "/.well-known/oauth-authorization-server";

/// The metadata document; readable from any origin (browser-based clients fetch it cross-origin,
/// and it is public by design).
pub(super) async fn metadata(State(shared): State<Arc<Shared>>) -> Response {
    let mut response = Json(document(&shared)).into_response();
    response
        .headers_mut()
        .insert(CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    response
}

/// CORS for the metadata: any origin, with any request header (clients send
/// `MCP-Protocol-Version`, which needs a preflight).
pub(super) fn cors() -> CorsLayer {
    CorsLayer::new()
        .allow_origin(Any)
        .allow_methods([Method::GET, Method::OPTIONS])
        .allow_headers(Any)
}

fn document(shared: &Shared) -> Value {
    let issuer = &shared.issuer;
    let scopes: Vec<&str> = shared.scopes.iter().map(|s| s.name.as_str()).collect();
    json!({
        "issuer": issuer,
        "authorization_endpoint": format!("{issuer}{AUTHORIZE_PATH}"),
        "token_endpoint": format!("{issuer}{TOKEN_PATH}"),
        "registration_endpoint": format!("{issuer}{REGISTER_PATH}"),
        "scopes_supported": scopes,
        "response_types_supported": ["code"],
        "response_modes_supported": ["query"],
        "grant_types_supported": ["authorization_code", "refresh_token"],
        "token_endpoint_auth_methods_supported": ["none"],
        "code_challenge_methods_supported": ["S256"],
        "authorization_response_iss_parameter_supported": true,
        "service_documentation": "https://docs.rs/mcp-scopes/latest/mcp_scopes/dev_authorization/",
    })
}
