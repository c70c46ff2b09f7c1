//! The answers a protected resource gives when a request is not authorized: `WWW-Authenticate`
//! challenges (RFC 6750 §3 with the RFC 9728 `resource_metadata` parameter) and a small JSON body.
//!
//! Kept apart from the layer because the MCP server builds its own 403 (a JSON-RPC body) and only
//! needs the header, while the layer needs whole responses; both must print the same parameters.
//!
//! Parameters always come in this order: `realm`, `error`, `error_description`, `scope`,
//! `resource_metadata`. Values are quoted strings with `"` and `\` escaped; characters a header
//! cannot carry (controls, non-ASCII) become `?`.

use std::time::Duration;

use axum::Json;
use axum::response::{IntoResponse, Response};
use http::header::{RETRY_AFTER, WWW_AUTHENTICATE};
use http::{HeaderValue, StatusCode};
use serde_json::json;

use super::AuthError;

/// Builds the challenges of one protected resource.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Challenge {
    realm: Option<String>,
    resource_metadata: String,
    baseline_scopes: Vec<String>,
    retry_after: Duration,
    development_hints: bool,
}

const NO_CREDENTIALS_MESSAGE: &str = "Authentication required. Use OAuth 2.0 with the authorization server listed in the Protected Resource Metadata.";

impl Challenge {
    /// Challenges pointing at the Protected Resource Metadata URL `resource_metadata` (see
    /// [`crate::metadata::metadata_url`]), realm `mcp`, no baseline scopes, `Retry-After: 5`.
    pub fn new(resource_metadata: impl Into<String>) -> Self {
        Self {
            realm: Some("mcp".to_owned()),
            resource_metadata: resource_metadata.into(),
            baseline_scopes: Vec::new(),
            retry_after: Duration::from_secs(5),
            development_hints: false,
        }
    }

    /// Challenges for the resource `resource` (its canonical URI): the metadata URL is derived with
    /// [`crate::metadata::metadata_url`].
    pub fn for_resource(resource: &str) -> Self {
        Self::new(crate::metadata::metadata_url(resource))
    }

    /// Sets the `realm`.
    #[must_use]
    pub fn realm(mut self, realm: impl Into<String>) -> Self {
        self.realm = Some(realm.into());
        self
    }

    /// Leaves `realm` out.
    #[must_use]
    pub fn without_realm(mut self) -> Self {
        self.realm = None;
        self
    }

    /// The scopes a client should ask for first, sent as `scope` on 401s.
    #[must_use]
    pub fn baseline_scopes<S: Into<String>>(mut self, scopes: impl IntoIterator<Item = S>) -> Self {
        self.baseline_scopes = scopes.into_iter().map(Into::into).collect();
        self
    }

    /// The `Retry-After` sent with 503 while keys are not loaded (whole seconds, at least 1).
    #[must_use]
    pub fn retry_after(mut self, delay: Duration) -> Self {
        self.retry_after = delay;
        self
    }

    /// Adds to the description of an invalid development token the likely cause: a token minted for
    /// another port (wrong issuer or audience) or with another data directory's key (unknown key,
    /// bad signature). For servers whose tokens come from the `cli` `token` command.
    #[must_use]
    pub fn development_hints(mut self) -> Self {
        self.development_hints = true;
        self
    }

    /// The advertised metadata URL.
    pub fn resource_metadata(&self) -> &str {
        &self.resource_metadata
    }

    fn header(
        &self,
        error: Option<&str>,
        description: Option<&str>,
        scopes: Option<&str>,
    ) -> HeaderValue {
        let mut params: Vec<(&str, &str)> = Vec::with_capacity(5);
        if let Some(realm) = &self.realm {
            params.push(("realm", realm));
        }
        if let Some(error) = error {
            params.push(("error", error));
        }
        if let Some(description) = description {
            params.push(("error_description", description));
        }
        if let Some(scopes) = scopes.filter(|s| !s.is_empty()) {
            params.push(("scope", scopes));
        }
        params.push(("resource_metadata", &self.resource_metadata));
        let mut value = String::from("Bearer");
        for (i, (name, raw)) in params.iter().enumerate() {
            value.push_str(if i == 0 { " " } else { ", " });
            value.push_str(name);
            value.push_str("=\"");
            for c in raw.chars() {
                match c {
                    '"' | '\\' => {
                        value.push('\\');
                        value.push(c);
                    }
                    ' '..='~' => value.push(c),
                    _ => value.push('?'),
                }
            }
            value.push('"');
        }
        HeaderValue::from_str(&value).unwrap_or_else(|_| HeaderValue::from_static("Bearer"))
    }

    /// The header for a request without credentials: no `error` (RFC 6750 §3.1), the baseline scopes.
    pub fn no_credentials_header(&self) -> HeaderValue {
        self.header(None, None, Some(&self.baseline_scopes.join(" ")))
    }

    /// The header for an unacceptable token: `error="invalid_token"`.
    pub fn invalid_token_header(&self, description: &str) -> HeaderValue {
        self.header(
            Some("invalid_token"),
            Some(description),
            Some(&self.baseline_scopes.join(" ")),
        )
    }

    /// The header for a request whose token lacks scopes: `error="insufficient_scope"` and every scope
    /// the operation needs.
    pub fn insufficient_scope_header(
        &self,
        scopes: &[&str],
        description: Option<&str>,
    ) -> HeaderValue {
        self.header(
            Some("insufficient_scope"),
            description,
            Some(&scopes.join(" ")),
        )
    }

    /// The `WWW-Authenticate` value of a 403 that a new token would not fix (the user is not
    /// entitled): `error="access_denied"` and no `scope`, so clients do not try a step-up.
    pub fn access_denied_header(&self, description: &str) -> HeaderValue {
        self.header(Some("access_denied"), Some(description), None)
    }

    /// 401 for a request without credentials.
    pub fn no_credentials(&self) -> Response {
        respond(
            StatusCode::UNAUTHORIZED,
            self.no_credentials_header(),
            "unauthorized",
            NO_CREDENTIALS_MESSAGE,
        )
    }

    /// 401 `invalid_token` with a short description (never the token).
    pub fn invalid_token(&self, description: &str) -> Response {
        respond(
            StatusCode::UNAUTHORIZED,
            self.invalid_token_header(description),
            "invalid_token",
            description,
        )
    }

    /// 400 `invalid_request`, for a malformed `Authorization` header.
    pub fn invalid_request(&self, description: &str) -> Response {
        respond(
            StatusCode::BAD_REQUEST,
            self.header(Some("invalid_request"), Some(description), None),
            "invalid_request",
            description,
        )
    }

    /// 403 `insufficient_scope` naming every scope the operation needs.
    pub fn insufficient_scope(&self, scopes: &[&str], description: Option<&str>) -> Response {
        let message = description.map_or_else(
            || format!("This operation needs the scopes: {}", scopes.join(" ")),
            str::to_owned,
        );
        respond(
            StatusCode::FORBIDDEN,
            self.insufficient_scope_header(scopes, description),
            "insufficient_scope",
            &message,
        )
    }

    /// 503 with `Retry-After`, while the authorization server's keys are not available.
    pub fn not_ready(&self) -> Response {
        let seconds = self.retry_after.as_secs().max(1);
        let mut response = (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(json!({
                "error": "temporarily_unavailable",
                "message": "The authorization server's signing keys are not available yet; retry shortly.",
            })),
        )
            .into_response();
        response
            .headers_mut()
            .insert(RETRY_AFTER, HeaderValue::from(seconds));
        response
    }

    /// The response for a failed validation: 503 for [`AuthError::NotReady`], else 401 `invalid_token`.
    pub fn for_error(&self, error: &AuthError) -> Response {
        if error.is_unavailable() {
            self.not_ready()
        } else {
            match self.development_hint(error) {
                Some(hint) => self.invalid_token(&format!("{error}; {hint}")),
                None => self.invalid_token(&error.to_string()),
            }
        }
    }

    fn development_hint(&self, error: &AuthError) -> Option<&'static str> {
        if !self.development_hints {
            return None;
        }
        match error {
            AuthError::WrongIssuer | AuthError::WrongAudience => Some(
                "a development token names the URL of the server it was minted for: mint one for this server's port with its `token` command",
            ),
            AuthError::UnknownKeyId | AuthError::BadSignature => Some(
                "a development token must be signed with this server's key: run its `token` command with the server's --data-dir",
            ),
            _ => None,
        }
    }
}

fn respond(status: StatusCode, challenge: HeaderValue, error: &str, message: &str) -> Response {
    let mut response = (status, Json(json!({"error": error, "message": message}))).into_response();
    response.headers_mut().insert(WWW_AUTHENTICATE, challenge);
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    fn description(response: &Response) -> String {
        response.headers()[WWW_AUTHENTICATE]
            .to_str()
            .expect("ASCII")
            .to_owned()
    }

    #[test]
    fn development_hints_name_the_likely_cause_only_when_asked() {
        let plain = Challenge::for_resource("http://127.0.0.1:8080/mcp");
        let dev = plain.clone().development_hints();
        for (error, hint) in [
            (AuthError::WrongIssuer, "mint one for this server's port"),
            (AuthError::WrongAudience, "mint one for this server's port"),
            (AuthError::UnknownKeyId, "with the server's --data-dir"),
            (AuthError::BadSignature, "with the server's --data-dir"),
        ] {
            let hinted = description(&dev.for_error(&error));
            assert!(hinted.contains(&format!("{error}; ")), "{hinted}");
            assert!(hinted.contains(hint), "{hinted}");
            assert!(!description(&plain.for_error(&error)).contains(hint));
        }
        assert!(!description(&dev.for_error(&AuthError::Expired)).contains("development"));
    }

    #[test]
    fn values_are_quoted_and_escaped() {
        let challenge = Challenge::new("https://mcp.test/.well-known/oauth-protected-resource")
            .realm(r#"a "quoted" \ realm é"#);
        assert_eq!(
            challenge.invalid_token_header("bad\ntoken"),
            r#"Bearer realm="a \"quoted\" \\ realm ?", error="invalid_token", error_description="bad?token", resource_metadata="https://mcp.test/.well-known/oauth-protected-resource""#
        );
    }
}
