//! The built-in development authorization server of `cargo run -p db-server`, driven over HTTP as
//! an MCP client and the user at the consent page would: 401 → PRM → AS metadata → registration →
//! consent → token → a `db:query` call → 403 → a second consent for `db:modify` → the write; refresh
//! tokens that only narrow; and production mode, where none of its routes exist.

mod binary_support;

use binary_support::{Server, free_port};
use mcp_scopes_tests::oauth_client::{DevOAuth, claims, redirect_query};
use mcp_scopes_tests::rpc_client::rpc;
use reqwest::StatusCode;
use serde_json::{Value, json};

fn dev_server() -> (tempfile::TempDir, Server, String) {
    let dir = tempfile::tempdir().expect("temp dir");
    let port = free_port();
    let server = Server::start(port, &dir.path().join("data"));
    (dir, server, format!("http://127.0.0.1:{port}/mcp"))
}

async fn get_json(url: &str) -> (StatusCode, Value) {
    let response = reqwest::get(url).await.expect("GET");
    let status = response.status();
    (status, response.json().await.unwrap_or(Value::Null))
}

#[tokio::test(flavor = "multi_thread")]
async fn an_mcp_client_logs_in_calls_a_tool_and_steps_up_through_a_second_consent() {
    let (_dir, server, endpoint) = dev_server();
    let http = reqwest::Client::new();
    // 401 → the PRM → the authorization server it names → its metadata.
    let unauthenticated = rpc(&http, &endpoint, None, "tools/list", json!({})).await;
    assert_eq!(unauthenticated.status, StatusCode::UNAUTHORIZED);
    let challenge = unauthenticated.challenge().to_owned();
    let prm_url = challenge
        .split("resource_metadata=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("resource_metadata in the challenge");
    let (_, prm) = get_json(prm_url).await;
    let issuer = prm["authorization_servers"][0].as_str().expect("an AS");
    let (status, metadata) =
        get_json(&format!("{issuer}/.well-known/oauth-authorization-server")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(metadata["issuer"], issuer);
    assert_eq!(
        metadata["code_challenge_methods_supported"],
        json!(["S256"])
    );
    assert_eq!(
        metadata["token_endpoint_auth_methods_supported"],
        json!(["none"])
    );
    assert!(
        server.banner().contains("MCP Inspector:") && server.banner().contains("mcp-remote"),
        "{}",
        server.banner()
    );

    let oauth = DevOAuth::new(&endpoint);
    let client_id = oauth.register_client("Test client", false).await;
    let tokens = oauth.login(&client_id, "db:query", &["db:query"]).await;
    let access = tokens["access_token"].as_str().expect("access token");
    assert_eq!(tokens["token_type"], "Bearer");
    assert_eq!(tokens["scope"], "db:query");
    assert!(
        tokens.get("refresh_token").is_none(),
        "not registered for refresh: {tokens}"
    );
    let token_claims = claims(access);
    assert_eq!(token_claims["aud"], json!([endpoint]));
    assert_eq!(token_claims["iss"], issuer);
    assert_eq!(token_claims["client_id"], client_id.as_str());

    let tables = rpc(
        &http,
        &endpoint,
        Some(access),
        "tools/call",
        json!({"name": "list_tables", "arguments": {}}),
    )
    .await;
    assert_eq!(tables.structured()["tables"][0]["name"], "customers");

    // A write needs db:modify: 403 with a step-up challenge, the handler never ran.
    let write = json!({"name": "execute", "arguments": {
        "sql": "UPDATE customers SET name = 'Step Up' WHERE id = 1"}});
    let refused = rpc(&http, &endpoint, Some(access), "tools/call", write.clone()).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert!(
        refused.challenge().contains("insufficient_scope"),
        "{}",
        refused.challenge()
    );
    assert!(
        refused.challenge().contains("db:modify"),
        "{}",
        refused.challenge()
    );

    // The second consent, for what the challenge names: the box starts ticked.
    let pkce = mcp_scopes_tests::oauth_client::Pkce::new();
    let page = oauth
        .consent_page(&oauth.authorize_params(&client_id, "db:query db:modify", &pkce))
        .await;
    assert_eq!(
        page.scopes,
        [
            ("db:query".to_owned(), true),
            ("db:modify".to_owned(), true)
        ]
    );
    let answer = oauth.approve(&page, &["db:query", "db:modify"]).await;
    assert_eq!(answer["state"], "st<>&\"ate", "state round-tripped exactly");
    assert_eq!(answer["iss"], issuer, "RFC 9207 iss");
    let (status, stepped) = oauth.exchange(&client_id, &answer["code"], &pkce).await;
    assert_eq!(status, StatusCode::OK, "{stepped}");
    assert_eq!(stepped["scope"], "db:query db:modify");
    let stepped_access = stepped["access_token"].as_str().expect("token");
    let written = rpc(&http, &endpoint, Some(stepped_access), "tools/call", write).await;
    assert_eq!(
        written.structured()["rows_affected"],
        1,
        "{:?}",
        written.body
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn the_consent_page_shows_what_each_scope_opens_and_unticking_narrows_the_token() {
    let (_dir, _server, endpoint) = dev_server();
    let oauth = DevOAuth::new(&endpoint);
    let client_id = oauth.register_client("Narrow", false).await;
    let pkce = mcp_scopes_tests::oauth_client::Pkce::new();
    let page = oauth
        .consent_page(&oauth.authorize_params(&client_id, "db:query db:modify db:admin", &pkce))
        .await;
    // Asked for everything: only the baseline scope starts ticked.
    assert_eq!(
        page.scopes,
        [
            ("db:query".to_owned(), true),
            ("db:modify".to_owned(), false),
            ("db:admin".to_owned(), false)
        ]
    );
    for shown in [
        "list_tables",
        "describe_table",
        "execute",
        "drop_table",
        "db://schema",
        "Narrow",
        REDIRECT,
    ] {
        assert!(page.html.contains(shown), "{shown} missing from the page");
    }
    let csp = page.headers["content-security-policy"]
        .to_str()
        .expect("ascii");
    assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
    assert_eq!(page.headers["x-frame-options"], "DENY");
    // Not `no-referrer`, under which browsers send `Origin: null` with the form (then refused).
    assert_eq!(page.headers["referrer-policy"], "same-origin");
    let answer = oauth.approve(&page, &["db:query", "db:modify"]).await;
    let (_, tokens) = oauth.exchange(&client_id, &answer["code"], &pkce).await;
    assert_eq!(
        tokens["scope"], "db:query db:modify",
        "db:admin was left unticked"
    );
    assert_eq!(
        claims(tokens["access_token"].as_str().expect("token"))["scope"],
        "db:query db:modify"
    );
}

const REDIRECT: &str = mcp_scopes_tests::oauth_client::REDIRECT_URI;

#[tokio::test(flavor = "multi_thread")]
async fn deny_returns_access_denied_with_the_state_to_the_client() {
    let (_dir, _server, endpoint) = dev_server();
    let oauth = DevOAuth::new(&endpoint);
    let client_id = oauth.register_client("Denied", false).await;
    let pkce = mcp_scopes_tests::oauth_client::Pkce::new();
    let page = oauth
        .consent_page(&oauth.authorize_params(&client_id, "db:query", &pkce))
        .await;
    let response = oauth
        .answer(
            &page,
            "deny",
            &["db:query"],
            Some(&page.csrf),
            Some(&page.cookie),
        )
        .await;
    let answer = redirect_query(&response);
    assert_eq!(answer["error"], "access_denied");
    assert_eq!(answer["state"], "st<>&\"ate", "state round-tripped exactly");
    assert_eq!(answer["iss"], oauth.origin);
    assert!(!answer.contains_key("code"));
}

#[tokio::test(flavor = "multi_thread")]
async fn refresh_tokens_narrow_never_widen_and_are_rotated() {
    let (_dir, _server, endpoint) = dev_server();
    let oauth = DevOAuth::new(&endpoint);
    let client_id = oauth.register_client("Refresher", true).await;
    // Registered for refresh tokens, yet only a client asking `offline_access` gets one.
    let online = oauth.login(&client_id, "db:query", &["db:query"]).await;
    assert!(online.get("refresh_token").is_none(), "{online}");
    let tokens = oauth
        .login(
            &client_id,
            "db:query db:modify offline_access",
            &["db:query", "db:modify"],
        )
        .await;
    let refresh = tokens["refresh_token"]
        .as_str()
        .expect("refresh token")
        .to_owned();
    let narrowed = oauth
        .token(&[
            ("grant_type", "refresh_token"),
            ("client_id", &client_id),
            ("refresh_token", &refresh),
            ("scope", "db:query"),
        ])
        .await;
    assert_eq!(narrowed.0, StatusCode::OK, "{}", narrowed.1);
    assert_eq!(narrowed.1["scope"], "db:query");
    // Rotated: the old one is spent.
    let reused = oauth
        .token(&[
            ("grant_type", "refresh_token"),
            ("client_id", &client_id),
            ("refresh_token", &refresh),
        ])
        .await;
    assert_eq!(
        (reused.0, reused.1["error"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalid_grant"))
    );
    // The new one keeps the original grant, and cannot widen it.
    let next = narrowed.1["refresh_token"]
        .as_str()
        .expect("rotated")
        .to_owned();
    let wider = oauth
        .token(&[
            ("grant_type", "refresh_token"),
            ("client_id", &client_id),
            ("refresh_token", &next),
            ("scope", "db:query db:admin"),
        ])
        .await;
    assert_eq!(wider.0, StatusCode::BAD_REQUEST);
    assert_eq!(wider.1["error"], "invalid_scope", "{}", wider.1);
    assert!(wider.1.get("access_token").is_none());
}

#[tokio::test(flavor = "multi_thread")]
async fn production_mode_serves_none_of_the_authorization_server() {
    let dir = tempfile::tempdir().expect("temp dir");
    let port = free_port();
    let closed = free_port();
    let issuer = format!("http://127.0.0.1:{closed}");
    let resource = format!("http://127.0.0.1:{port}/mcp");
    let server = Server::start_with(
        port,
        dir.path(),
        &[
            "--issuer",
            &issuer,
            "--resource",
            &resource,
            "--allowed-client",
            "c",
        ],
    );
    assert!(
        !server.banner().contains("MCP Inspector:"),
        "{}",
        server.banner()
    );
    let http = reqwest::Client::new();
    let origin = format!("http://127.0.0.1:{port}");
    for (method, path) in [
        ("GET", "/.well-known/oauth-authorization-server"),
        ("POST", "/oauth/register"),
        ("GET", "/oauth/authorize?response_type=code&client_id=x"),
        ("POST", "/oauth/authorize"),
        ("POST", "/oauth/token"),
    ] {
        let request = http.request(method.parse().expect("method"), format!("{origin}{path}"));
        let status = request.send().await.expect("request").status();
        assert_eq!(status, StatusCode::NOT_FOUND, "{method} {path}");
    }
    let (_, prm) = get_json(&format!(
        "{origin}/.well-known/oauth-protected-resource/mcp"
    ))
    .await;
    assert_eq!(prm["authorization_servers"], json!([issuer]));
}

#[tokio::test(flavor = "multi_thread")]
async fn token_lifetimes_come_from_the_flags_and_only_in_development_mode() {
    let dir = tempfile::tempdir().expect("temp dir");
    let port = free_port();
    let _server = Server::start_with(
        port,
        &dir.path().join("data"),
        &["--dev-token-lifetime", "5m", "--dev-refresh-lifetime", "2h"],
    );
    let oauth = DevOAuth::new(&format!("http://127.0.0.1:{port}/mcp"));
    let client_id = oauth.register_client("Lifetimes", true).await;
    let tokens = oauth.login(&client_id, "db:query", &["db:query"]).await;
    assert_eq!(tokens["expires_in"], 300);
    let token_claims = claims(tokens["access_token"].as_str().expect("token"));
    let lifetime =
        token_claims["exp"].as_u64().expect("exp") - token_claims["iat"].as_u64().expect("iat");
    assert_eq!(lifetime, 300);
    let out = binary_support::run(
        &[
            "--issuer",
            "https://auth.example.com",
            "--resource",
            "https://mcp.example.com/mcp",
            "--dev-token-lifetime",
            "5m",
        ],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("--dev-token-lifetime") && stderr.contains("only in development mode"),
        "{stderr}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn browser_clients_on_loopback_origins_may_register_and_get_tokens() {
    let (_dir, _server, endpoint) = dev_server();
    let oauth = DevOAuth::new(&endpoint);
    for (path, method) in [
        ("/.well-known/oauth-authorization-server", "GET"),
        ("/oauth/register", "POST"),
        ("/oauth/token", "POST"),
    ] {
        for (origin, allowed) in [
            ("http://localhost:6274", true),
            ("http://127.0.0.1:6274", true),
            ("https://evil.example", path.starts_with("/.well-known")),
        ] {
            let preflight = oauth
                .http
                .request(reqwest::Method::OPTIONS, format!("{}{path}", oauth.origin))
                .header("Origin", origin)
                .header("Access-Control-Request-Method", method)
                .header(
                    "Access-Control-Request-Headers",
                    "content-type, mcp-protocol-version",
                )
                .send()
                .await
                .expect("preflight");
            let allow = preflight
                .headers()
                .get("access-control-allow-origin")
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned);
            assert_eq!(
                allow.as_deref().is_some_and(|a| a == origin || a == "*"),
                allowed,
                "{path} from {origin}: {allow:?}"
            );
        }
    }
}
