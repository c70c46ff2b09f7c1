//! OAuth 2.0 Protected Resource Metadata (RFC 9728): the document that tells an MCP client which
//! authorization server issues tokens for this server and which scopes exist.
//!
//! MCP clients find it from the `resource_metadata` parameter of a 401, or by trying the
//! path-inserted URL (`/.well-known/oauth-protected-resource/mcp` for `https://host/mcp`) and then
//! the root one; both are served. Browser-based clients (MCP Inspector) fetch it cross-origin, so the
//! routes answer CORS requests from any origin: the document is public by design.

use axum::Router;
use axum::http::{HeaderValue, Method};
use axum::routing::get;
use serde::{Deserialize, Serialize};
use tower_http::cors::{Any, CorsLayer};

/// The well-known path of the metadata (RFC 9728 §3).
pub const WELL_KNOWN_PATH: &str = "/.well-known/oauth-protected-resource";

/// The RFC 9728 document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProtectedResourceMetadata {
    /// This server's resource identifier (its canonical URI, the expected token audience).
    pub resource: String,
    /// Issuers of tokens this server accepts.
    pub authorization_servers: Vec<String>,
    /// Scopes a client may request (keep it to the ones worth asking for).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub scopes_supported: Vec<String>,
    /// How a token may be sent: only `header` here.
    pub bearer_methods_supported: Vec<String>,
    /// A human-readable name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource_name: Option<String>,
    /// A page for developers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource_documentation: Option<String>,
}

impl ProtectedResourceMetadata {
    /// Metadata for `resource`, with tokens from `authorization_servers`, sent in the header.
    pub fn new<S: Into<String>>(
        resource: impl Into<String>,
        authorization_servers: impl IntoIterator<Item = S>,
    ) -> Self {
        Self {
            resource: resource.into(),
            authorization_servers: authorization_servers.into_iter().map(Into::into).collect(),
            scopes_supported: Vec::new(),
            bearer_methods_supported: vec!["header".to_owned()],
            resource_name: None,
            resource_documentation: None,
        }
    }

    /// Sets `scopes_supported`.
    #[must_use]
    pub fn scopes_supported<S: Into<String>>(
        mut self,
        scopes: impl IntoIterator<Item = S>,
    ) -> Self {
        self.scopes_supported = scopes.into_iter().map(Into::into).collect();
        self
    }

    /// Sets `resource_name`.
    #[must_use]
    pub fn resource_name(mut self, name: impl Into<String>) -> Self {
        self.resource_name = Some(name.into());
        self
    }

    /// Sets `resource_documentation`.
    #[must_use]
    pub fn resource_documentation(mut self, url: impl Into<String>) -> Self {
        self.resource_documentation = Some(url.into());
        self
    }
}

/// Splits `resource` into its origin and its path without a trailing slash.
fn split_resource(resource: &str) -> (String, String) {
    match reqwest::Url::parse(resource) {
        Ok(url) if url.has_host() => (
            url.origin().ascii_serialization(),
            url.path().trim_end_matches('/').to_owned(),
        ),
        _ => (resource.trim_end_matches('/').to_owned(), String::new()),
    }
}

/// The path at which the metadata of `resource` is served when inserted into the well-known URL:
/// `/.well-known/oauth-protected-resource/mcp` for `https://host/mcp`, the plain well-known path for
/// a resource without a path.
pub fn metadata_path(resource: &str) -> String {
    format!("{WELL_KNOWN_PATH}{}", split_resource(resource).1)
}

/// The metadata URL of `resource` (RFC 9728 §3.1, path-inserted): the one a challenge advertises.
pub fn metadata_url(resource: &str) -> String {
    let (origin, path) = split_resource(resource);
    format!("{origin}{WELL_KNOWN_PATH}{path}")
}

/// Routes serving `metadata` at the well-known path and, for a resource with a path, at the
/// path-inserted one; readable from any origin.
pub fn router<S: Clone + Send + Sync + 'static>(metadata: ProtectedResourceMetadata) -> Router<S> {
    let inserted = metadata_path(&metadata.resource);
    let body = axum::Json(metadata);
    let handler = move || {
        let body = body.clone();
        async move {
            (
                [(
                    http::header::CACHE_CONTROL,
                    HeaderValue::from_static("public, max-age=3600"),
                )],
                body,
            )
        }
    };
    // The inserted path is literal: a resource path segment may start with `:` or `*` (axum 0.7
    // capture syntax, which axum 0.8 otherwise refuses with a panic); `{` and `}` arrive
    // percent-encoded from URL parsing, so no segment is a capture.
    let mut router = Router::new()
        .without_v07_checks()
        .route(WELL_KNOWN_PATH, get(handler.clone()));
    if inserted != WELL_KNOWN_PATH {
        router = router.route(&inserted, get(handler));
    }
    router.layer(
        CorsLayer::new()
            .allow_origin(Any)
            .allow_methods([Method::GET, Method::OPTIONS])
            .allow_headers(Any),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_insert_the_resource_path() {
        assert_eq!(
            metadata_url("https://mcp.example.com/mcp"),
            "https://mcp.example.com/.well-known/oauth-protected-resource/mcp"
        );
        assert_eq!(
            metadata_url("https://mcp.example.com:8443/"),
            "https://mcp.example.com:8443/.well-known/oauth-protected-resource"
        );
        assert_eq!(
            metadata_path("http://127.0.0.1:3000/a/b/"),
            "/.well-known/oauth-protected-resource/a/b"
        );
    }
}
