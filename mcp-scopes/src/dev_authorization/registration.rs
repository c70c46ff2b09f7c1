//! RFC 7591 dynamic client registration, for public clients only: an MCP client meeting this
//! server for the first time registers its name and redirect URIs and gets a `client_id`, no
//! secret (`token_endpoint_auth_method: none`; PKCE protects its codes instead).
//!
//! The registration `scope` is not kept as a limit: clients step up to scopes they did not name
//! when registering, and the consent page is where scopes are granted.

use std::sync::Arc;

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use http::StatusCode;
use serde_json::{Map, Value, json};

use super::error::{OAuthError, no_store};
use super::redirect::registration_problem;
use super::shared::{Shared, random_token};
use super::store::Client;

/// The most redirect URIs one client may register.
pub(super) const MAX_REDIRECT_URIS: usize = 10;
/// The longest redirect URI.
pub(super) const MAX_URI_CHARS: usize = 2000;
/// The longest client name (what the consent page shows).
pub(super) const MAX_NAME_CHARS: usize = 200;

pub(super) async fn register(State(shared): State<Arc<Shared>>, body: Bytes) -> Response {
    match registered(&shared, &body) {
        Ok(document) => {
            let mut response = (StatusCode::CREATED, Json(document)).into_response();
            no_store(&mut response);
            response
        }
        Err(e) => e.into_response(),
    }
}

fn registered(shared: &Shared, body: &[u8]) -> Result<Value, OAuthError> {
    let request: Map<String, Value> = serde_json::from_slice(body).map_err(|e| {
        OAuthError::new(
            "invalid_client_metadata",
            format!("the body must be a JSON object of client metadata: {e}"),
        )
    })?;
    let redirect_uris = redirect_uris(&request)?;
    match request.get("token_endpoint_auth_method") {
        None | Some(Value::Null) => {}
        Some(Value::String(method)) if method == "none" => {}
        Some(other) => {
            return Err(OAuthError::new(
                "invalid_client_metadata",
                format!(
                    "token_endpoint_auth_method {other} is not supported: this development server registers public clients only (`none`), which use PKCE"
                ),
            ));
        }
    }
    let grant_types =
        strings(&request, "grant_types")?.unwrap_or_else(|| vec!["authorization_code".to_owned()]);
    if let Some(unknown) = grant_types
        .iter()
        .find(|g| !matches!(g.as_str(), "authorization_code" | "refresh_token"))
    {
        return Err(OAuthError::new(
            "invalid_client_metadata",
            format!(
                "grant type `{}` is not supported; use authorization_code and refresh_token",
                clip(unknown)
            ),
        ));
    }
    if let Some(types) = strings(&request, "response_types")?
        && types.iter().any(|t| t != "code")
    {
        return Err(OAuthError::new(
            "invalid_client_metadata",
            "only the response type `code` is supported",
        ));
    }
    let name = match request.get("client_name") {
        None | Some(Value::Null) => None,
        Some(Value::String(name)) if name.chars().count() <= MAX_NAME_CHARS => Some(name.clone()),
        Some(Value::String(_)) => {
            return Err(OAuthError::new(
                "invalid_client_metadata",
                format!("client_name is longer than {MAX_NAME_CHARS} characters"),
            ));
        }
        Some(_) => {
            return Err(OAuthError::new(
                "invalid_client_metadata",
                "client_name must be a string",
            ));
        }
    };
    let client_id = random_token();
    let client = Client {
        name: name.clone(),
        redirect_uris: redirect_uris.clone(),
        refresh_allowed: grant_types.iter().any(|g| g == "refresh_token"),
    };
    shared
        .store()
        .add_client(client_id.clone(), client)
        .map_err(|_| OAuthError::full("registered clients"))?;
    tracing::info!(
        target: "mcp_scopes::dev_authorization",
        client_name = name.as_deref().unwrap_or(""),
        "registered a client"
    );
    let issued_at = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let mut document = json!({
        "client_id": client_id,
        "client_id_issued_at": issued_at,
        "redirect_uris": redirect_uris,
        "grant_types": grant_types,
        "response_types": ["code"],
        "token_endpoint_auth_method": "none",
    });
    if let Some(name) = name {
        document["client_name"] = Value::String(name);
    }
    Ok(document)
}

fn redirect_uris(request: &Map<String, Value>) -> Result<Vec<String>, OAuthError> {
    let uris = strings(request, "redirect_uris")?.unwrap_or_default();
    if uris.is_empty() {
        return Err(OAuthError::new(
            "invalid_redirect_uri",
            "redirect_uris is required: at least one URI to send the answer to",
        ));
    }
    if uris.len() > MAX_REDIRECT_URIS {
        return Err(OAuthError::new(
            "invalid_redirect_uri",
            format!("at most {MAX_REDIRECT_URIS} redirect URIs"),
        ));
    }
    for uri in &uris {
        if uri.chars().count() > MAX_URI_CHARS {
            return Err(OAuthError::new(
                "invalid_redirect_uri",
                format!("a redirect URI is longer than {MAX_URI_CHARS} characters"),
            ));
        }
        if let Some(problem) = registration_problem(uri) {
            return Err(OAuthError::new("invalid_redirect_uri", problem));
        }
    }
    Ok(uris)
}

/// The array of strings at `name`, if present.
fn strings(request: &Map<String, Value>, name: &str) -> Result<Option<Vec<String>>, OAuthError> {
    match request.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Array(items)) if items.len() <= 32 => items
            .iter()
            .map(|item| item.as_str().map(str::to_owned))
            .collect::<Option<Vec<_>>>()
            .map(Some)
            .ok_or_else(|| {
                OAuthError::new(
                    "invalid_client_metadata",
                    format!("{name} must be an array of strings"),
                )
            }),
        Some(_) => Err(OAuthError::new(
            "invalid_client_metadata",
            format!("{name} must be an array of at most 32 strings"),
        )),
    }
}

fn clip(value: &str) -> String {
    value.chars().take(60).collect()
}
