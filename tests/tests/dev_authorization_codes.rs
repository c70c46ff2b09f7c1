//! The development authorization server's authorization codes expire: a code redeemed after its
//! lifetime is `invalid_grant` and yields no token, while a code redeemed in time is exchanged.
//! The lifetime is shortened (`authorization_code_ttl`) so the test waits a fraction of a second,
//! not the default minute; the server runs in process on loopback.

// `#[tool]` functions are async by contract, even those that never await.
#![allow(clippy::unused_async)]

use std::sync::Arc;
use std::time::Duration;

use mcp_scopes::auth::DevSigner;
use mcp_scopes::dev_authorization::DevAuthorizationServer;
use mcp_scopes::registry::Registry;
use mcp_scopes::server::serve;
use mcp_scopes::{scope, tool, tools};
use mcp_scopes_tests::oauth_client::{DevOAuth, Pkce};
use reqwest::StatusCode;
use tokio::net::TcpListener;

/// Read rows.
#[scope(name = "db:query", display_name = "Query the database", baseline)]
pub struct DbQuery;

/// A tool, only to make `db:query` a scope the server declares.
#[tool(scope = DbQuery, read_only)]
async fn ping() -> &'static str {
    "pong"
}

const CODE_LIFETIME: Duration = Duration::from_millis(300);

/// The development authorization server alone, its codes living [`CODE_LIFETIME`]; a client of it.
async fn dev_authorization_server() -> (DevOAuth, tokio::task::JoinHandle<()>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let origin = format!("http://{}", listener.local_addr().expect("addr"));
    let registry = Registry::from_tools(tools![ping]).expect("a consistent registry");
    let router = DevAuthorizationServer::new(
        origin.clone(),
        format!("{origin}/mcp"),
        Arc::new(DevSigner::generate()),
        &registry,
    )
    .authorization_code_ttl(CODE_LIFETIME)
    .into_router();
    let server = tokio::spawn(std::future::IntoFuture::into_future(serve(
        listener, router,
    )));
    (DevOAuth::new(&format!("{origin}/mcp")), server)
}

/// A fresh code for `client_id`, approved at the consent page, with its PKCE pair.
async fn approved_code(oauth: &DevOAuth, client_id: &str) -> (String, Pkce) {
    let pkce = Pkce::new();
    let page = oauth
        .consent_page(&oauth.authorize_params(client_id, "db:query", &pkce))
        .await;
    let answer = oauth.approve(&page, &["db:query"]).await;
    let code = answer
        .get("code")
        .unwrap_or_else(|| panic!("no code: {answer:?}"))
        .clone();
    (code, pkce)
}

#[tokio::test(flavor = "multi_thread")]
async fn an_expired_authorization_code_is_invalid_grant_and_gives_no_token() {
    let (oauth, server) = dev_authorization_server().await;
    let client_id = oauth.register_client("Slow client", false).await;

    // Redeemed at once: exchanged.
    let (code, pkce) = approved_code(&oauth, &client_id).await;
    let (status, body) = oauth.exchange(&client_id, &code, &pkce).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(body["access_token"].is_string(), "{body}");

    // Redeemed after its lifetime: refused, and no token.
    let (code, pkce) = approved_code(&oauth, &client_id).await;
    tokio::time::sleep(CODE_LIFETIME + Duration::from_millis(200)).await;
    let (status, body) = oauth.exchange(&client_id, &code, &pkce).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(body["error"], "invalid_grant", "{body}");
    assert!(body.get("access_token").is_none(), "{body}");
    server.abort();
}
