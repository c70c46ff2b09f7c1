//! OAuth errors as each endpoint must send them: JSON bodies for registration (RFC 7591 §3.2.2) and
//! the token endpoint (RFC 6749 §5.2), and for the authorization endpoint either a redirect to the
//! client (§4.1.2.1, built in `redirect`) or, when the client or its redirect URI cannot be
//! trusted, an HTML page for the user and no redirect at all.

use axum::Json;
use axum::response::{Html, IntoResponse, Response};
use http::header::{CACHE_CONTROL, PRAGMA};
use http::{HeaderValue, StatusCode};
use serde_json::json;

use super::consent_page::{escape, page};

/// An OAuth error code with its description, for a JSON answer.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{code}: {description}")]
pub(super) struct OAuthError {
    pub(super) status: StatusCode,
    pub(super) code: &'static str,
    pub(super) description: String,
}

impl OAuthError {
    pub(super) fn new(code: &'static str, description: impl Into<String>) -> Self {
        let status = if code == "invalid_client" {
            StatusCode::UNAUTHORIZED
        } else {
            StatusCode::BAD_REQUEST
        };
        Self {
            status,
            code,
            description: description.into(),
        }
    }

    /// A table of the store is full: the server is unavailable for this until entries expire.
    pub(super) fn full(what: &str) -> Self {
        Self {
            status: StatusCode::SERVICE_UNAVAILABLE,
            code: "temporarily_unavailable",
            description: format!(
                "too many {what} are kept in memory; wait for some to expire or restart the server"
            ),
        }
    }
}

impl IntoResponse for OAuthError {
    fn into_response(self) -> Response {
        let body = json!({"error": self.code, "error_description": self.description});
        let mut response = (self.status, Json(body)).into_response();
        no_store(&mut response);
        response
    }
}

/// `Cache-Control: no-store` and `Pragma: no-cache`, as RFC 6749 §5.1 wants on anything holding a
/// token or a code.
pub(super) fn no_store(response: &mut Response) {
    let headers = response.headers_mut();
    headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(PRAGMA, HeaderValue::from_static("no-cache"));
}

/// An HTML page telling the user what went wrong, sent instead of redirecting to a client that
/// cannot be trusted with the answer. `message` is plain text (escaped here).
pub(super) fn error_page(status: StatusCode, message: &str) -> Response {
    let body = format!(
        "<h1>Authorization failed</h1>\n<p>{}</p>\n<p>Nothing was granted. Go back to the application and start again.</p>\n",
        escape(message)
    );
    let mut response = (status, Html(page("Authorization failed", &body))).into_response();
    super::consent_page::protect(&mut response);
    response
}
