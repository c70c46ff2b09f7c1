//! The built server and the router it becomes: the MCP endpoint behind the `Origin`/`Host` guard,
//! CORS for allowed origins and bearer authentication, next to the Protected Resource Metadata.

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::handler::Handler as _;
use axum::routing::post_service;
use http::Method;
use http::header::WWW_AUTHENTICATE;
use tower::Layer as _;
use tower_http::cors::{AllowHeaders, AllowOrigin, CorsLayer};

use super::origin::{self, OriginPolicy};
use super::state::ServerState;
use super::transport::{Endpoint, method_not_allowed, post as post_handler};
use crate::audit::{self, AuditLimits};
use crate::auth::{BearerAuthLayer, Validator};
use crate::metadata::{self, ProtectedResourceMetadata};
use crate::registry::Registry;

/// A built MCP server: turn it into an [`axum::Router`] with [`McpServer::into_router`].
#[derive(Debug, Clone)]
pub struct McpServer {
    pub(super) state: Arc<ServerState>,
    pub(super) validator: Validator,
    pub(super) path: String,
    pub(super) resource: String,
    pub(super) metadata: ProtectedResourceMetadata,
    pub(super) origin_policy: Arc<OriginPolicy>,
    pub(super) audit_limits: Arc<AuditLimits>,
    pub(super) max_body_bytes: usize,
    pub(super) body_read_timeout: std::time::Duration,
    pub(super) baseline_scopes: Vec<String>,
}

impl McpServer {
    /// The MCP endpoint path, e.g. `/mcp`.
    pub fn path(&self) -> &str {
        &self.path
    }

    /// The resource (canonical URL of the MCP endpoint, the tokens' audience).
    pub fn resource(&self) -> &str {
        &self.resource
    }

    /// The URL of this server's Protected Resource Metadata, as named in challenges.
    pub fn resource_metadata_url(&self) -> &str {
        self.state.challenge.resource_metadata()
    }

    /// The Protected Resource Metadata served at both well-known URLs.
    pub fn metadata(&self) -> &ProtectedResourceMetadata {
        &self.metadata
    }

    /// The baseline scopes (the 401 `scope=` hint).
    pub fn baseline_scopes(&self) -> &[String] {
        &self.baseline_scopes
    }

    /// The checked registry the server serves.
    pub fn registry(&self) -> &Registry {
        &self.state.registry
    }

    /// The validator checking tokens.
    pub fn validator(&self) -> &Validator {
        &self.validator
    }

    /// The router: the MCP endpoint (behind the `Origin`/`Host` guard, then bearer authentication
    /// for every method) and the Protected Resource Metadata.
    ///
    /// Called inside a Tokio runtime, it also starts the task that logs the audit summaries at the
    /// end of every window (see [`crate::audit`], "Volume"); it ends once the router is dropped.
    pub fn into_router(self) -> Router {
        audit::start_summaries(&self.audit_limits);
        let auth = BearerAuthLayer::new(self.validator.clone(), self.state.challenge.clone())
            .with_audit_limits(Arc::clone(&self.audit_limits));
        self.guarded(self.endpoint_router(Some(auth)))
            .merge(metadata::router(self.metadata.clone()))
    }

    /// The MCP endpoint. With `auth`, POSTs are authenticated; without (tests only), the caller's
    /// [`crate::auth::Principal`] must already be in the request extensions.
    pub(crate) fn endpoint_router(&self, auth: Option<BearerAuthLayer>) -> Router {
        let endpoint = Arc::new(Endpoint {
            server: Arc::clone(&self.state),
            max_body_bytes: self.max_body_bytes,
            body_read_timeout: self.body_read_timeout,
        });
        let handler = post_handler.with_state(endpoint);
        // Every method is authenticated, not only POST: a request without credentials gets the 401
        // challenge (what a client probing the endpoint needs to find the authorization server),
        // and only an authenticated one learns that the method is not allowed.
        let route = match auth {
            Some(auth) => post_service(auth.layer(handler))
                .fallback_service(auth.layer(method_not_allowed.with_state(()))),
            None => post_service(handler).fallback(method_not_allowed),
        };
        // The path is literal: `/:tenant` or `/*x` name segments, not 0.7-style captures (the
        // build refuses `{`/`}`, axum's capture syntax).
        Router::new().without_v07_checks().route(&self.path, route)
    }

    /// Wraps `router` (the MCP endpoint) in CORS for the allowed origins (so browser clients can
    /// call it and read `WWW-Authenticate`), and outside that, the `Origin`/`Host` guard.
    pub(crate) fn guarded(&self, router: Router) -> Router {
        let policy = Arc::clone(&self.origin_policy);
        let cors = CorsLayer::new()
            .allow_origin(AllowOrigin::predicate(move |origin, _| {
                origin.to_str().is_ok_and(|o| policy.origin_allowed(o))
            }))
            .allow_methods([Method::POST])
            .allow_headers(AllowHeaders::mirror_request())
            .expose_headers([WWW_AUTHENTICATE])
            .max_age(Duration::from_mins(10));
        router
            .layer(cors)
            .layer(axum::middleware::from_fn_with_state(
                (
                    Arc::clone(&self.origin_policy),
                    Arc::clone(&self.audit_limits),
                ),
                origin::guard,
            ))
    }
}

impl From<McpServer> for Router {
    fn from(server: McpServer) -> Self {
        server.into_router()
    }
}

#[cfg(test)]
mod tests {
    use axum::body::Body;
    use http::{Request, StatusCode};
    use http_body_util::BodyExt as _;
    use tower::ServiceExt as _;

    use super::*;
    use crate::auth::{DevSigner, ValidatorConfig};

    // The endpoint without the auth layer fails closed: a request that reaches it without a
    // principal is refused, never served, whatever it asks for.
    #[tokio::test]
    async fn a_request_without_a_principal_is_refused_not_served() {
        let signer = DevSigner::generate();
        let server = McpServer::builder()
            .info("t", "1")
            .auth(
                ValidatorConfig::new("https://auth.example.test", "http://localhost:3000/mcp")
                    .static_jwks(signer.jwks()),
            )
            .registry(Registry::from_tools(&[]).expect("an empty registry"))
            .build()
            .expect("builds");
        let router = server.endpoint_router(None);
        for body in [
            r#"{"jsonrpc":"2.0","id":1,"method":"tools/list"}"#,
            r#"{"jsonrpc":"2.0","id":2,"method":"ping"}"#,
            r#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#,
        ] {
            let request = Request::post("/mcp")
                .header("content-type", "application/json")
                .header("accept", "application/json, text/event-stream")
                .body(Body::from(body))
                .expect("a request");
            let response = router.clone().oneshot(request).await.expect("infallible");
            let status = response.status();
            let bytes = response
                .into_body()
                .collect()
                .await
                .expect("a body")
                .to_bytes();
            let text = String::from_utf8_lossy(&bytes);
            assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR, "{body}: {text}");
            assert!(!text.contains("\"result\""), "{body}: {text}");
        }
    }
}
