//! Protected Resource Metadata (RFC 9728) as an MCP client fetches it: at the path-inserted URL and
//! the root one, the same JSON, readable cross-origin.

use axum::Router;
use axum::body::Body;
use http::{Request, StatusCode};
use mcp_scopes::metadata::{self, ProtectedResourceMetadata};
use mcp_scopes_tests::http::send;
use serde_json::{Value, json};

fn app() -> Router {
    metadata::router(
        ProtectedResourceMetadata::new(
            "https://mcp.example.test/mcp",
            ["https://auth.example.test"],
        )
        .scopes_supported(["db:query", "db:schema"])
        .resource_name("Example database"),
    )
}

async fn fetch(app: &Router, request: Request<Body>) -> (StatusCode, http::HeaderMap, Value) {
    let reply = send(app, request).await;
    let body = reply.json();
    (reply.status, reply.headers, body)
}

#[tokio::test]
async fn the_metadata_is_served_at_both_urls() {
    let expected = json!({
        "resource": "https://mcp.example.test/mcp",
        "authorization_servers": ["https://auth.example.test"],
        "scopes_supported": ["db:query", "db:schema"],
        "bearer_methods_supported": ["header"],
        "resource_name": "Example database",
    });
    for path in [
        "/.well-known/oauth-protected-resource/mcp",
        "/.well-known/oauth-protected-resource",
    ] {
        let request = Request::get(path)
            .header("origin", "http://localhost:6274")
            .body(Body::empty())
            .expect("request");
        let (status, headers, body) = fetch(&app(), request).await;
        assert_eq!(status, StatusCode::OK, "{path}");
        assert_eq!(body, expected, "{path}");
        assert_eq!(headers["access-control-allow-origin"], "*", "{path}");
        assert!(
            headers["content-type"]
                .to_str()
                .expect("ASCII")
                .starts_with("application/json")
        );
    }
}

#[tokio::test]
async fn a_cors_preflight_is_answered() {
    let request = Request::options("/.well-known/oauth-protected-resource/mcp")
        .header("origin", "http://localhost:6274")
        .header("access-control-request-method", "GET")
        .header("access-control-request-headers", "mcp-protocol-version")
        .body(Body::empty())
        .expect("request");
    let (status, headers, _) = fetch(&app(), request).await;
    assert!(status.is_success(), "{status}");
    assert_eq!(headers["access-control-allow-origin"], "*");
    assert!(
        headers["access-control-allow-methods"]
            .to_str()
            .expect("ASCII")
            .contains("GET")
    );
}

#[tokio::test]
async fn optional_fields_are_left_out_and_other_paths_are_not_served() {
    let app = metadata::router(ProtectedResourceMetadata::new(
        "https://mcp.example.test",
        ["https://as.test"],
    ));
    let (status, _, body) = fetch(
        &app,
        Request::get("/.well-known/oauth-protected-resource")
            .body(Body::empty())
            .expect("request"),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        body,
        json!({"resource": "https://mcp.example.test", "authorization_servers": ["https://as.test"], "bearer_methods_supported": ["header"]})
    );
    let (status, _, _) = fetch(
        &app,
        Request::get("/.well-known/oauth-protected-resource/mcp")
            .body(Body::empty())
            .expect("request"),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[test]
fn the_advertised_url_is_the_path_inserted_one() {
    assert_eq!(
        metadata::metadata_url("https://mcp.example.test/mcp"),
        "https://mcp.example.test/.well-known/oauth-protected-resource/mcp"
    );
    assert_eq!(
        metadata::metadata_url("http://127.0.0.1:8080"),
        "http://127.0.0.1:8080/.well-known/oauth-protected-resource"
    );
}
