//! What `McpServer::builder().build()` refuses, with messages that name the culprit, and the defaults
//! it derives from the resource URL.

// `#[tool]` functions are async by contract, even those that never await.
#![allow(clippy::unused_async)]

use mcp_scopes::auth::{DevSigner, ValidatorConfig};
use mcp_scopes::registry::{Registry, RegistryError};
use mcp_scopes::server::{McpServer, ServerError};
use mcp_scopes::tool::State;
use mcp_scopes::{scope, tool, tools};

/// Read rows.
#[scope(name = "build:read", display_name = "Read", baseline)]
pub struct BuildRead;

#[derive(Clone)]
struct Db;

/// Needs a database handle.
#[tool(scope = BuildRead)]
async fn needs_db(State(_db): State<Db>) -> String {
    String::new()
}

/// Uses a scope nobody declared (a typo of `build:read`).
#[tool(scope = "build:raed")]
async fn typo() -> String {
    String::new()
}

fn auth(resource: &str) -> ValidatorConfig {
    ValidatorConfig::new("https://auth.example.test", resource)
        .static_jwks(DevSigner::generate().jwks())
}

fn explicit() -> Registry {
    Registry::from_tools(tools![needs_db]).expect("consistent")
}

#[test]
fn the_collected_registry_is_checked_at_build() {
    // Everything linked into this test binary, including the typo.
    let err = McpServer::builder()
        .auth(auth("https://mcp.example.com/mcp"))
        .state(Db)
        .build()
        .expect_err("an undeclared scope stops the server");
    assert!(
        matches!(
            err,
            ServerError::Registry(RegistryError::UndeclaredScope {
                tool: "typo",
                scope: "build:raed",
                ..
            })
        ),
        "{err}"
    );
    assert!(err.to_string().contains("build:raed"), "{err}");
}

#[test]
fn missing_state_names_the_tool_the_type_and_the_fix() {
    let err = McpServer::builder()
        .auth(auth("https://mcp.example.com/mcp"))
        .registry(explicit())
        .build()
        .expect_err("no Db was given");
    let message = err.to_string();
    assert!(message.contains("needs_db"), "{message}");
    assert!(message.contains("Db"), "{message}");
    assert!(message.contains("state("), "{message}");
    McpServer::builder()
        .auth(auth("https://mcp.example.com/mcp"))
        .registry(explicit())
        .state(Db)
        .build()
        .expect("with the state it builds");
}

#[test]
#[should_panic(
    expected = "needs scope `build:raed`, which is never declared; did you mean `build:read`?"
)]
fn the_one_line_registry_check_suggests_the_declared_scope_for_a_typo() {
    Registry::assert_collected_is_valid();
}

#[test]
fn missing_state_lists_the_state_types_that_were_given() {
    let err = McpServer::builder()
        .auth(auth("https://mcp.example.com/mcp"))
        .registry(explicit())
        .state(std::sync::Arc::new(Db))
        .state(7_u32)
        .build()
        .expect_err("an Arc<Db> is not a Db");
    let message = err.to_string();
    assert!(
        message
            .contains("the state given has the types `alloc::sync::Arc<server_build::Db>`, `u32`"),
        "{message}"
    );
    let err = McpServer::builder()
        .auth(auth("https://mcp.example.com/mcp"))
        .registry(explicit())
        .build()
        .expect_err("no state at all");
    assert!(
        err.to_string().contains("no state was given at all"),
        "{err}"
    );
}

#[test]
fn authentication_is_not_optional() {
    let err = McpServer::builder()
        .registry(explicit())
        .state(Db)
        .build()
        .unwrap_err();
    assert!(matches!(err, ServerError::NoAuth), "{err}");
    assert!(err.to_string().contains(".auth("), "{err}");
}

#[test]
fn bad_paths_origins_and_resources_are_refused() {
    let base = || McpServer::builder().registry(explicit()).state(Db);
    let err = base()
        .auth(auth("https://mcp.example.com/mcp"))
        .path("mcp")
        .build()
        .unwrap_err();
    assert!(
        matches!(err, ServerError::BadPath(ref p) if p == "mcp"),
        "{err}"
    );
    let err = base()
        .auth(auth("https://mcp.example.com/mcp"))
        .allowed_origins(["app.example.com"])
        .build()
        .unwrap_err();
    assert!(
        matches!(err, ServerError::BadOrigin(ref o) if o == "app.example.com"),
        "{err}"
    );
    let err = base().auth(auth("urn:example:mcp")).build().unwrap_err();
    assert!(matches!(err, ServerError::BadResource(_)), "{err}");
}

#[test]
fn the_path_and_metadata_follow_the_resource() {
    let server = McpServer::builder()
        .auth(auth("https://mcp.example.com/api/mcp"))
        .registry(explicit())
        .state(Db)
        .build()
        .unwrap();
    assert_eq!(server.path(), "/api/mcp");
    assert_eq!(server.resource(), "https://mcp.example.com/api/mcp");
    assert_eq!(
        server.resource_metadata_url(),
        "https://mcp.example.com/.well-known/oauth-protected-resource/api/mcp"
    );
    assert_eq!(server.baseline_scopes(), ["build:read"]);
    assert_eq!(server.metadata().scopes_supported, ["build:read"]);
    assert_eq!(
        server.metadata().authorization_servers,
        ["https://auth.example.test"]
    );

    let server = McpServer::builder()
        .auth(auth("https://mcp.example.com"))
        .registry(explicit())
        .state(Db)
        .authorization_server("https://other-issuer.example.test")
        .build()
        .unwrap();
    assert_eq!(server.path(), "/mcp");
    assert_eq!(
        server.metadata().authorization_servers,
        ["https://other-issuer.example.test"]
    );
}

#[test]
fn a_ready_validator_can_be_shared() {
    let validator = mcp_scopes::auth::Validator::new(auth("https://mcp.example.com/tools"))
        .expect("a valid configuration");
    let server = McpServer::builder()
        .validator(validator.clone())
        .registry(explicit())
        .state(Db)
        .build()
        .expect("builds");
    assert_eq!(server.path(), "/tools");
    assert_eq!(server.validator().resource(), validator.resource());
}

/// Found by the `challenge` fuzz target: a resource whose path has a segment starting with `:` or
/// `*` made axum panic while building the router (its check for 0.7-style captures). Such paths
/// are served literally; a path with `{` or `}` (an axum capture) is refused at build.
#[tokio::test]
async fn resource_paths_with_colons_and_stars_are_served_literally_and_braces_are_refused() {
    use axum::body::Body;
    use http::{Request, StatusCode};
    use mcp_scopes_tests::http::send;

    let server = McpServer::builder()
        .auth(auth("https://mcp.example.com/:tenant/*mcp"))
        .registry(explicit())
        .state(Db)
        .build()
        .expect("builds");
    assert_eq!(server.path(), "/:tenant/*mcp");
    let router = server.into_router();
    let get = |path: &str| {
        Request::get(path)
            .header("host", "mcp.example.com")
            .body(Body::empty())
            .expect("a request")
    };
    let reply = send(
        &router,
        get("/.well-known/oauth-protected-resource/:tenant/*mcp"),
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(
        reply.json()["resource"],
        "https://mcp.example.com/:tenant/*mcp"
    );
    let post = |path: &str| {
        Request::post(path)
            .header("host", "mcp.example.com")
            .header("content-type", "application/json")
            .body(Body::from(r#"{"jsonrpc":"2.0","id":1,"method":"ping"}"#))
            .expect("a request")
    };
    assert_eq!(
        send(&router, post("/:tenant/*mcp")).await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        send(&router, post("/acme/x")).await.status,
        StatusCode::NOT_FOUND,
        "`:tenant` is a literal name, not a capture"
    );

    let err = McpServer::builder()
        .auth(auth("https://mcp.example.com/mcp"))
        .registry(explicit())
        .state(Db)
        .path("/{tenant}/mcp")
        .build()
        .unwrap_err();
    assert!(
        matches!(err, ServerError::BadPath(ref p) if p == "/{tenant}/mcp"),
        "{err}"
    );
    assert!(err.to_string().contains("`{`"), "{err}");
}
