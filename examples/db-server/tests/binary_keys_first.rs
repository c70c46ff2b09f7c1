//! A production-mode start waits for the authorization server's keys before it serves: a request
//! sent as soon as the banner appears (a load balancer putting a restarted instance back) is
//! answered, not refused with 503 because the keys were still on their way. An authorization
//! server that is down does not hold the start up.

mod binary_support;

use std::time::{Duration, Instant};

use binary_support::{Server, free_port};
use mcp_scopes_tests::auth::{TestKey, jwks, now};
use mcp_scopes_tests::jwks_server::{JwksServer, Mode};
use mcp_scopes_tests::rpc_client::rpc;
use serde_json::json;

/// How long the issuer stub takes to hand out its keys.
const SLOW_KEYS: Duration = Duration::from_millis(1500);

#[tokio::test(flavor = "multi_thread")]
async fn the_first_request_after_the_banner_is_answered_though_the_keys_came_slowly() {
    let key = TestKey::rsa("slow-1");
    let issuer = JwksServer::start(jwks(&[&key])).await;
    issuer.set_mode(Mode::Slow(SLOW_KEYS));
    let dir = tempfile::tempdir().expect("temp dir");
    let port = free_port();
    let endpoint = format!("http://127.0.0.1:{port}/mcp");
    let jwks_uri = issuer.jwks_uri();
    let started = Instant::now();
    let server = Server::start_with(
        port,
        dir.path(),
        &[
            "--issuer",
            &issuer.base,
            "--jwks-uri",
            &jwks_uri,
            "--resource",
            &endpoint,
        ],
    );
    let banner_after = started.elapsed();
    let now = now();
    let token = key.token(
        "RS256",
        &json!({"iss": issuer.base, "sub": "first", "aud": endpoint, "iat": now, "nbf": now,
                "exp": now + 600, "scope": "db:query"}),
    );
    let reply = rpc(
        &reqwest::Client::new(),
        &endpoint,
        Some(&token),
        "tools/call",
        json!({"name": "list_tables", "arguments": {}}),
    )
    .await;
    assert_eq!(reply.status, 200, "{:?}", reply.body);
    assert!(reply.structured()["tables"].is_array(), "{:?}", reply.body);
    assert!(
        banner_after >= SLOW_KEYS,
        "the banner came before the keys: {banner_after:?}"
    );
    assert_eq!(issuer.fetches(), 1);
    server.terminate();
}

#[test]
fn an_authorization_server_that_is_down_does_not_hold_the_start_up() {
    let dir = tempfile::tempdir().expect("temp dir");
    let port = free_port();
    let closed = format!("http://127.0.0.1:{}", free_port());
    let resource = format!("http://127.0.0.1:{port}/mcp");
    let started = Instant::now();
    let server = Server::start_with(
        port,
        dir.path(),
        &["--issuer", &closed, "--resource", &resource],
    );
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "{:?}",
        started.elapsed()
    );
    std::thread::sleep(Duration::from_millis(200));
    let log = server.log();
    server.terminate();
    assert!(
        log.contains("starting without the authorization server's signing keys"),
        "{log}"
    );
}
