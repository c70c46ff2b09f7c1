//! How keys are reached: https required for every authorization-server URL unless the host is
//! loopback (configured, and discovered), redirects that never leave the origin asked, and a
//! discovered `jwks_uri` looked up again when the keys moved.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use axum::Router;
use axum::response::Redirect;
use axum::routing::get;
use mcp_scopes::auth::{AuthError, Validator, ValidatorConfig};
use mcp_scopes_tests::auth::{ISSUER, RESOURCE, TestKey, jwks};
use mcp_scopes_tests::eventually;
use mcp_scopes_tests::jwks_server::{JwksServer, Mode};
use serde_json::json;

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

#[test]
fn plain_http_to_a_remote_host_is_refused_at_start() {
    for (config, url) in [
        (
            ValidatorConfig::new("http://auth.example.test", RESOURCE),
            "http://auth.example.test",
        ),
        (
            ValidatorConfig::new(ISSUER, RESOURCE).jwks_uri("http://keys.example.test/jwks"),
            "http://keys.example.test/jwks",
        ),
        (
            ValidatorConfig::new("http://auth.example.test", RESOURCE)
                .jwks_uri("https://keys.example.test/jwks"),
            "http://auth.example.test",
        ),
        (
            ValidatorConfig::casdoor("http://door.example.test", RESOURCE),
            "http://door.example.test",
        ),
        (
            ValidatorConfig::casdoor("http://192.168.1.10:8000", RESOURCE),
            "http://192.168.1.10:8000",
        ),
    ] {
        let err = Validator::new(config).expect_err(url).to_string();
        assert!(err.contains(url), "{err}");
        assert!(err.contains("use https"), "{err}");
    }
}

#[tokio::test]
async fn loopback_http_and_static_keys_are_accepted() {
    for origin in ["http://127.0.0.1:9", "http://localhost:9", "http://[::1]:9"] {
        Validator::new(ValidatorConfig::casdoor(origin, RESOURCE))
            .unwrap_or_else(|e| panic!("{origin}: {e}"));
    }
    // Keys in-process are never fetched: the issuer is only compared.
    let key = TestKey::p256("k");
    Validator::new(
        ValidatorConfig::new("http://dev.example.test", RESOURCE).static_jwks(jwks(&[&key])),
    )
    .expect("static keys");
}

/// Serves `app` on loopback; returns its origin.
async fn serve(app: Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("address"));
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    base
}

/// A loopback server answering `/jwks` with a redirect to `target`, counting its requests.
async fn redirecting_to(target: String) -> (String, Arc<AtomicUsize>) {
    let hits = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&hits);
    let app = Router::new().route(
        "/jwks",
        get(move || {
            counter.fetch_add(1, Ordering::SeqCst);
            let target = target.clone();
            async move { Redirect::temporary(&target) }
        }),
    );
    (serve(app).await, hits)
}

#[tokio::test]
async fn a_redirect_to_another_origin_is_never_followed_for_keys() {
    let key = TestKey::p256("k");
    let keys = JwksServer::start(jwks(&[&key])).await;
    // Same host, another port: another origin.
    let (base, hits) = redirecting_to(keys.jwks_uri()).await;
    let config = || {
        ValidatorConfig::new(ISSUER, RESOURCE)
            .jwks_uri(format!("{base}/jwks"))
            .refresh_interval(ms(50), ms(50))
            .backoff(ms(10), ms(20))
            .fetch_timeouts(ms(500), ms(1000))
    };
    let default_client = Validator::new(config()).expect("config");
    // An application's own client that follows every redirect: the keys are still refused.
    let follows_all = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::limited(5))
        .build()
        .expect("client");
    let own_client = Validator::new(config().http_client(follows_all)).expect("config");
    eventually(Duration::from_secs(5), "several refresh attempts", || {
        hits.load(Ordering::SeqCst) >= 6
    })
    .await;
    assert!(
        !default_client.is_ready(),
        "keys from another origin were used"
    );
    assert!(!own_client.is_ready(), "keys from another origin were used");
    assert_eq!(
        own_client.validate(&key.good_token(&json!({}))).await,
        Err(AuthError::NotReady)
    );
}

#[tokio::test]
async fn a_redirect_within_the_origin_is_followed() {
    let key = TestKey::p256("k");
    let set = jwks(&[&key]);
    let app = Router::new()
        .route("/old", get(|| async { Redirect::permanent("/jwks") }))
        .route("/jwks", get(move || async move { axum::Json(set) }));
    let base = serve(app).await;
    let validator = Validator::new(
        ValidatorConfig::new(ISSUER, RESOURCE)
            .jwks_uri(format!("{base}/old"))
            .backoff(ms(10), ms(20)),
    )
    .expect("config");
    eventually(Duration::from_secs(5), "ready", || validator.is_ready()).await;
    assert!(
        validator
            .validate(&key.good_token(&json!({})))
            .await
            .is_ok()
    );
}

/// A reqwest client that resolves `name` to `addr`, to play a remote host on loopback.
fn resolving(name: &str, addr: SocketAddr) -> reqwest::Client {
    reqwest::Client::builder()
        .resolve(name, addr)
        .build()
        .expect("client")
}

#[tokio::test]
async fn a_discovered_plain_http_jwks_uri_is_never_fetched() {
    let key = TestKey::p256("k");
    let server = JwksServer::start(jwks(&[&key])).await;
    let addr: SocketAddr = server
        .base
        .trim_start_matches("http://")
        .parse()
        .expect("addr");
    let issuer = server.base.clone();
    // The metadata (on loopback) names keys on a remote host over plain http.
    server.set_document(
        "/.well-known/oauth-authorization-server",
        json!({"issuer": issuer, "jwks_uri": format!("http://keys.example.test:{}/jwks", addr.port())}),
    );
    let validator = Validator::new(
        ValidatorConfig::new(issuer, RESOURCE)
            .backoff(ms(10), ms(20))
            .http_client(resolving("keys.example.test", addr)),
    )
    .expect("config");
    tokio::time::sleep(ms(400)).await;
    assert!(!validator.is_ready(), "keys were taken over plain http");
    assert_eq!(server.fetches(), 0, "the http jwks_uri was fetched");
}

#[tokio::test]
async fn keys_that_moved_are_found_by_discovering_again() {
    let old = TestKey::p256("old");
    let new = TestKey::p256("new");
    let server = JwksServer::start(jwks(&[&old])).await;
    let issuer = server.base.clone();
    let metadata = |jwks_uri: String| json!({"issuer": issuer, "jwks_uri": jwks_uri});
    server.set_document(
        "/.well-known/oauth-authorization-server",
        metadata(server.jwks_uri()),
    );
    let validator = Validator::new(
        ValidatorConfig::new(issuer.clone(), RESOURCE)
            .refresh_interval(ms(50), ms(50))
            .unknown_kid_cooldown(ms(50))
            .backoff(ms(10), ms(20))
            .fetch_timeouts(ms(500), ms(1000)),
    )
    .expect("config");
    eventually(Duration::from_secs(5), "ready", || validator.is_ready()).await;
    let token = |key: &TestKey| key.good_token(&json!({"iss": issuer}));
    assert!(validator.validate(&token(&old)).await.is_ok());

    // The authorization server moves its keys: the old URL fails, the metadata names the new one.
    server.set_mode(Mode::Down);
    server.set_document("/keys/v2", jwks(&[&new]));
    server.set_document(
        "/.well-known/oauth-authorization-server",
        metadata(format!("{}/keys/v2", server.base)),
    );
    let start = std::time::Instant::now();
    loop {
        if validator.validate(&token(&new)).await.is_ok() {
            break;
        }
        assert!(
            start.elapsed() < Duration::from_secs(5),
            "the moved keys were never found"
        );
        tokio::time::sleep(ms(50)).await;
    }
    assert_eq!(
        validator.validate(&token(&old)).await,
        Err(AuthError::UnknownKeyId),
        "the old key left with the old set"
    );
}
