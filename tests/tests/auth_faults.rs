//! The authorization server failing in the ways `auth_jwks.rs` does not cover: answers that are not a
//! key set (garbage, an HTML error page, a huge body), keys rotated with an overlap while requests keep
//! coming, and a `jwks_uri` that moved. Each is run against the loopback JWKS server with short
//! timings, waiting on what the server was asked or what the validator says, never on the clock.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::routing::get;
use http::StatusCode;
use mcp_scopes::auth::{BearerAuthLayer, Challenge, Validator, ValidatorConfig};
use mcp_scopes_tests::auth::{RESOURCE, TestKey, jwks};
use mcp_scopes_tests::eventually;
use mcp_scopes_tests::fast_validator::{
    config, last_keys_serve_until_stale, ms, ready, refreshing_fast_stale_after_a_second,
    time_until_fetched,
};
use mcp_scopes_tests::http::status_of_get;
use mcp_scopes_tests::jwks_server::{JwksServer, Mode, RawAnswer};
use serde_json::json;

/// What a broken authorization server might answer at its key set URL.
fn bad_answers() -> Vec<(&'static str, RawAnswer)> {
    let mut huge = br#"{"keys":[],"padding":""#.to_vec();
    huge.resize(50 * 1024 * 1024, b'x');
    huge.extend_from_slice(b"\"}");
    vec![
        (
            "garbage",
            RawAnswer {
                status: StatusCode::OK,
                content_type: "application/json",
                body: Bytes::from_static(b"\x00\xff{{not json at all"),
            },
        ),
        (
            "an HTML error page",
            RawAnswer {
                status: StatusCode::BAD_GATEWAY,
                content_type: "text/html",
                body: Bytes::from_static(b"<html><body><h1>502 Bad Gateway</h1></body></html>"),
            },
        ),
        (
            "an HTML page with 200",
            RawAnswer {
                status: StatusCode::OK,
                content_type: "text/html",
                body: Bytes::from_static(b"<!doctype html><title>Login</title><form></form>"),
            },
        ),
        (
            "a 50 MiB body",
            RawAnswer {
                status: StatusCode::OK,
                content_type: "application/json",
                body: Bytes::from(huge),
            },
        ),
    ]
}

#[tokio::test]
async fn answers_that_are_not_a_key_set_are_refused_and_the_last_keys_kept() {
    for (what, answer) in bad_answers() {
        let key = TestKey::p256("k1");
        let server = JwksServer::start(jwks(&[&key])).await;
        let validator = refreshing_fast_stale_after_a_second(&server);
        ready(&validator).await;
        server.set_raw_answer(Some(answer));
        // Three refreshes get the bad answer: the old key still verifies, until the keys are stale.
        last_keys_serve_until_stale(&server, &validator, &key).await;

        server.set_raw_answer(None);
        ready(&validator).await;
        let recovered = validator.validate(&key.good_token(&json!({}))).await;
        assert!(recovered.is_ok(), "{what}: no recovery: {recovered:?}");
    }
}

/// A router answering `GET /mcp` with 200 behind the bearer layer.
fn app(validator: &Validator) -> Router {
    Router::new()
        .route("/mcp", get(|| async { "ok" }))
        .layer(BearerAuthLayer::new(
            validator.clone(),
            Challenge::for_resource(RESOURCE),
        ))
}

async fn status_with(app: &Router, token: &str) -> StatusCode {
    status_of_get(app, "/mcp", &format!("Bearer {token}")).await
}

/// Waits until the server has answered at least one complete key set fetch that started after now,
/// and the validator has taken it in (the refresh loop fetches one at a time, so the second fetch
/// from now starts after the first one was applied).
async fn refreshed(server: &JwksServer) {
    let since = server.fetches();
    time_until_fetched(server, since + 2).await;
}

#[tokio::test]
async fn keys_rotated_with_an_overlap_under_load_fail_no_request() {
    const CLIENTS: usize = 8;
    let old = Arc::new(TestKey::p256("old"));
    let new = Arc::new(TestKey::ed25519("new"));
    let server = JwksServer::start(jwks(&[&old])).await;
    let validator = Validator::new(config(&server, ms(30))).expect("config");
    ready(&validator).await;
    let app = app(&validator);

    let signing_with_new = Arc::new(AtomicBool::new(false));
    let stop = Arc::new(AtomicBool::new(false));
    let failures = Arc::new(AtomicUsize::new(0));
    let answered_ok = Arc::new(AtomicUsize::new(0));
    // Per client: calls made with the new key so far.
    let new_calls: Arc<Vec<AtomicUsize>> =
        Arc::new((0..CLIENTS).map(|_| AtomicUsize::new(0)).collect());
    let mut clients = Vec::new();
    for client in 0..CLIENTS {
        let (app, old, new) = (app.clone(), Arc::clone(&old), Arc::clone(&new));
        let (signing_with_new, stop) = (Arc::clone(&signing_with_new), Arc::clone(&stop));
        let (failures, answered_ok, new_calls) = (
            Arc::clone(&failures),
            Arc::clone(&answered_ok),
            Arc::clone(&new_calls),
        );
        clients.push(tokio::spawn(async move {
            let mut n = 0u64;
            while !stop.load(Ordering::SeqCst) {
                n += 1;
                let use_new = signing_with_new.load(Ordering::SeqCst);
                let key = if use_new { &new } else { &old };
                // A fresh jti each time, so every request looks its key up.
                let token = key.good_token(&json!({"jti": format!("{client}-{n}")}));
                if status_with(&app, &token).await == StatusCode::OK {
                    answered_ok.fetch_add(1, Ordering::SeqCst);
                } else {
                    failures.fetch_add(1, Ordering::SeqCst);
                }
                if use_new {
                    new_calls[client].fetch_add(1, Ordering::SeqCst);
                }
                // A validation may complete without awaiting anything: let the test's own task run.
                tokio::task::yield_now().await;
            }
        }));
    }
    let every_client_called_with_new = |at_least: usize| {
        new_calls
            .iter()
            .all(|calls| calls.load(Ordering::SeqCst) >= at_least)
    };

    eventually(Duration::from_secs(10), "load before the rotation", || {
        answered_ok.load(Ordering::SeqCst) >= 200
    })
    .await;
    // 1. The new key is published beside the old one, and the server has taken it in.
    server.set_keys(jwks(&[&old, &new]));
    refreshed(&server).await;
    // 2. The authorization server signs with the new key.
    signing_with_new.store(true, Ordering::SeqCst);
    // 3. Once no client is still sending a token of the old key, the old key is withdrawn.
    eventually(
        Duration::from_secs(10),
        "every client on the new key",
        || every_client_called_with_new(1),
    )
    .await;
    server.set_keys(jwks(&[&new]));
    refreshed(&server).await;
    let after_rotation = answered_ok.load(Ordering::SeqCst);
    eventually(Duration::from_secs(10), "load after the rotation", || {
        answered_ok.load(Ordering::SeqCst) >= after_rotation + 200
    })
    .await;
    stop.store(true, Ordering::SeqCst);
    for client in clients {
        client.await.expect("client task");
    }

    assert_eq!(
        failures.load(Ordering::SeqCst),
        0,
        "failed requests during the rotation"
    );
    let stale = old.good_token(&json!({"jti": "after-withdrawal"}));
    assert_eq!(
        status_with(&app, &stale).await,
        StatusCode::UNAUTHORIZED,
        "the withdrawn key is no longer accepted"
    );
}

#[tokio::test]
async fn a_jwks_uri_moved_in_the_metadata_is_discovered_again() {
    let old = TestKey::rsa("old");
    let new = TestKey::p384("new");
    let server = JwksServer::start(jwks(&[&old])).await;
    let issuer = format!("{}/tenant", server.base);
    let metadata = "/.well-known/oauth-authorization-server/tenant";
    server.set_document(
        metadata,
        json!({"issuer": issuer, "jwks_uri": server.jwks_uri()}),
    );
    let validator = Validator::new(
        ValidatorConfig::new(issuer.clone(), RESOURCE)
            .refresh_interval(ms(30), ms(30))
            .backoff(ms(10), ms(40))
            .fetch_timeouts(ms(200), ms(500)),
    )
    .expect("config");
    ready(&validator).await;
    assert!(
        validator
            .validate(&old.good_token(&json!({"iss": issuer})))
            .await
            .is_ok()
    );

    // The authorization server moves its key set (with a new key) and the old URL stops working.
    let moved = format!("{}/keys/v2", server.base);
    server.set_document("/keys/v2", jwks(&[&new]));
    server.set_document(metadata, json!({"issuer": issuer, "jwks_uri": moved}));
    server.set_mode(Mode::Down);

    eventually(Duration::from_secs(10), "the moved key set fetched", || {
        server
            .requested_documents()
            .iter()
            .any(|path| path == "/keys/v2")
    })
    .await;
    let with_new = new.good_token(&json!({"iss": issuer}));
    let principal = validator.validate(&with_new).await;
    assert!(
        principal.is_ok(),
        "the moved key set is not used: {principal:?}"
    );
}
