//! The JWKS cache against a live (loopback) JWKS server: rotation, outages at start and later, an
//! unknown-kid flood, a slow server, `Cache-Control`, discovery, and the refresh task's lifetime.

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Body;
use axum::routing::get;
use http::{Request, StatusCode};
use mcp_scopes::auth::{AuthError, BearerAuthLayer, Challenge, Validator, ValidatorConfig};
use mcp_scopes_tests::auth::{RESOURCE, TestKey, jwks};
use mcp_scopes_tests::eventually;
use mcp_scopes_tests::fast_validator::{
    config, last_keys_serve_until_stale, ms, ready, refreshing_fast_stale_after_a_second,
    time_until_fetched,
};
use mcp_scopes_tests::jwks_server::{JwksServer, Mode};
use serde_json::json;
use tower::ServiceExt;

#[tokio::test]
async fn a_rotated_key_is_accepted_after_one_refetch_and_a_removed_key_is_dropped() {
    let old = TestKey::p256("old");
    let new = TestKey::rsa("new");
    let server = JwksServer::start(jwks(&[&old])).await;
    let validator = Validator::new(config(&server, Duration::from_mins(1))).expect("config");
    ready(&validator).await;
    let old_token = old.good_token(&json!({}));
    validator.validate(&old_token).await.expect("old key works");
    let before = server.fetches();

    server.set_keys(jwks(&[&new]));
    let principal = validator.validate(&new.good_token(&json!({}))).await;
    assert!(principal.is_ok(), "{principal:?}");
    assert_eq!(
        server.fetches(),
        before + 1,
        "exactly one refetch for the new kid"
    );
    // The cached validation of the old token went with its key.
    assert_eq!(
        validator.validate(&old_token).await.err(),
        Some(AuthError::UnknownKeyId)
    );
}

#[tokio::test]
async fn jwks_down_at_start_means_503_until_it_comes_up() {
    let key = TestKey::ed25519("k1");
    let server = JwksServer::start(jwks(&[&key])).await;
    server.set_mode(Mode::Down);
    let validator = Validator::new(config(&server, Duration::from_mins(1))).expect("config");
    let app = Router::new()
        .route("/mcp", get(|| async { "ok" }))
        .layer(BearerAuthLayer::new(
            validator.clone(),
            Challenge::for_resource(RESOURCE).retry_after(Duration::from_secs(2)),
        ));
    let token = key.good_token(&json!({}));
    let request = || {
        Request::get("/mcp")
            .header("authorization", format!("Bearer {token}"))
            .body(Body::empty())
            .expect("request")
    };

    eventually(Duration::from_secs(5), "a few failed fetches", || {
        server.fetches() >= 3
    })
    .await;
    assert!(!validator.is_ready());
    assert_eq!(
        validator.validate(&token).await.err(),
        Some(AuthError::NotReady)
    );
    let response = app.clone().oneshot(request()).await.expect("infallible");
    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(response.headers()["retry-after"], "2");
    assert!(response.headers().get("www-authenticate").is_none());

    server.set_mode(Mode::Up);
    ready(&validator).await;
    let response = app.oneshot(request()).await.expect("infallible");
    assert_eq!(response.status(), StatusCode::OK);
}

#[tokio::test]
async fn jwks_down_later_keeps_serving_the_last_keys_until_max_staleness() {
    let key = TestKey::p384("k1");
    let server = JwksServer::start(jwks(&[&key])).await;
    let validator = refreshing_fast_stale_after_a_second(&server);
    ready(&validator).await;
    server.set_mode(Mode::Down);
    last_keys_serve_until_stale(&server, &validator, &key).await;

    server.set_mode(Mode::Up);
    ready(&validator).await;
    assert!(
        validator
            .validate(&key.good_token(&json!({})))
            .await
            .is_ok()
    );
}

#[tokio::test]
async fn an_unknown_kid_flood_causes_a_bounded_number_of_fetches() {
    let key = TestKey::p256("real");
    let server = JwksServer::start(jwks(&[&key])).await;
    let validator = Validator::new(
        config(&server, Duration::from_mins(1)).unknown_kid_cooldown(Duration::from_secs(30)),
    )
    .expect("config");
    ready(&validator).await;
    let before = server.fetches();
    let attacker = Arc::new(TestKey::p256("attacker"));
    let mut tasks = Vec::new();
    for i in 0..300 {
        let validator = validator.clone();
        let attacker = Arc::clone(&attacker);
        tasks.push(tokio::spawn(async move {
            let token = attacker.token_raw(
                json!({"alg": "ES256", "kid": format!("kid-{i}")}),
                mcp_scopes_tests::auth::good_claims().to_string().as_bytes(),
            );
            validator.validate(&token).await
        }));
    }
    for task in tasks {
        assert_eq!(
            task.await.expect("task").err(),
            Some(AuthError::UnknownKeyId)
        );
    }
    assert_eq!(
        server.fetches() - before,
        1,
        "one refetch per cooldown, however many kids"
    );
}

#[tokio::test]
async fn a_slow_jwks_does_not_delay_tokens_with_known_kids() {
    let key = TestKey::p256("known");
    let server = JwksServer::start(jwks(&[&key])).await;
    // The fetch may take longer than the hang, so the unknown kid's answer is "not in the keys".
    let config = config(&server, Duration::from_mins(1)).fetch_timeouts(ms(500), ms(10_000));
    let validator = Validator::new(config).expect("config");
    ready(&validator).await;
    // What a known kid costs on this machine now, before the hang (fresh tokens: no cache hit).
    let known = |i: usize| key.good_token(&json!({"jti": format!("j{i}")}));
    let mut baseline = Vec::new();
    for i in 0..20 {
        let started = Instant::now();
        validator.validate(&known(i)).await.expect("known kid");
        baseline.push(started.elapsed());
    }
    baseline.sort();
    let typical = baseline[baseline.len() / 2];
    // A validation that waited on the hanging refetch would take seconds; ten times the typical
    // cost, and never under 50 ms (a loaded machine's scheduling hiccup), is far below that.
    let bound = (typical * 10).max(ms(50));
    server.set_mode(Mode::Slow(Duration::from_secs(4)));

    // An unknown kid starts a refetch that hangs on the slow server...
    let stranger = TestKey::p256("stranger");
    let pending = {
        let validator = validator.clone();
        let token = stranger.good_token(&json!({}));
        tokio::spawn(async move { validator.validate(&token).await })
    };
    eventually(Duration::from_secs(2), "refetch in flight", || {
        server.fetches() >= 2
    })
    .await;
    // ...while known kids are answered as fast as before it (fresh tokens, so no cache hit).
    let mut during = Vec::new();
    for i in 20..40 {
        let started = Instant::now();
        validator.validate(&known(i)).await.expect("known kid");
        during.push(started.elapsed());
    }
    let slowest = during.iter().max().copied().unwrap_or_default();
    assert!(
        slowest < bound,
        "a known kid took {slowest:?} during the hang, over {bound:?} (typical before it: \
         {typical:?}); before: {baseline:?}, during: {during:?}"
    );
    assert!(
        !pending.is_finished(),
        "the unknown kid is still waiting on the slow fetch"
    );
    assert_eq!(
        pending.await.expect("task").err(),
        Some(AuthError::UnknownKeyId)
    );
}

#[tokio::test]
async fn cache_control_max_age_sets_the_refresh_interval_within_bounds() {
    let key = TestKey::p256("k");
    let server = JwksServer::start(jwks(&[&key])).await;
    server.set_cache_control("public, max-age=0");
    let frequent =
        Validator::new(config(&server, ms(1)).refresh_interval(ms(100), Duration::from_mins(1)))
            .expect("config");
    ready(&frequent).await;
    let first = server.fetches();
    // max-age=0 is clamped up to the 100 ms minimum: three more fetches arrive at all (the 1 min
    // maximum would not bring them within the wait), none sooner than 100 ms after the one before
    // (as the server saw them arrive: the refresh sleeps after each answer).
    time_until_fetched(&server, first + 3).await;
    let gap = server.shortest_gap_between_fetches(first).expect("fetches");
    assert!(gap >= ms(100), "refreshed faster than the minimum: {gap:?}");
    drop(frequent);

    let server = JwksServer::start(jwks(&[&key])).await;
    server.set_cache_control("max-age=3600");
    let rare =
        Validator::new(config(&server, ms(1)).refresh_interval(ms(100), ms(200))).expect("config");
    ready(&rare).await;
    let first = server.fetches();
    // max-age=3600 is clamped down to the 200 ms maximum, so refreshes keep coming, each 200 ms
    // after the one before.
    time_until_fetched(&server, first + 3).await;
    let gap = server.shortest_gap_between_fetches(first).expect("fetches");
    assert!(gap >= ms(200), "refreshed faster than the maximum: {gap:?}");
}

#[tokio::test]
async fn dropping_the_last_validator_stops_the_refresh_task() {
    let key = TestKey::p256("k");
    let server = JwksServer::start(jwks(&[&key])).await;
    let validator = Validator::new(config(&server, ms(20))).expect("config");
    let clone = validator.clone();
    time_until_fetched(&server, 3).await;
    drop(validator);
    let still = server.fetches();
    time_until_fetched(&server, still + 3).await; // a clone keeps the task alive
    assert!(
        server.open_connections() > 0,
        "the refresh task keeps its connection to the key server"
    );
    drop(clone);
    // The task holds the key cache and with it the HTTP client, whose connection to the key server
    // closes only when both are gone; a live task would keep it busy with a fetch every 20 ms.
    eventually(ms(10_000), "the refresh task's connection to close", || {
        server.open_connections() == 0
    })
    .await;
    // With no connection left, a fetch under way cannot land any more: the count is final.
    let after = server.fetches();
    tokio::time::sleep(ms(100)).await;
    assert_eq!(
        server.fetches(),
        after,
        "no fetches after the last clone is gone"
    );
    assert_eq!(server.open_connections(), 0, "and no new connection");
}

#[tokio::test]
async fn a_refresh_with_no_usable_key_keeps_the_last_keys_until_max_staleness() {
    let key = TestKey::p384("k1");
    let server = JwksServer::start(jwks(&[&key])).await;
    let validator = refreshing_fast_stale_after_a_second(&server);
    ready(&validator).await;
    // 200 OK, but only a key that is never used.
    server.set_keys(json!({"keys": [{"kty": "oct", "kid": "k1", "k": "c2VjcmV0"}]}));
    last_keys_serve_until_stale(&server, &validator, &key).await;
}

#[tokio::test]
async fn jwks_uri_is_discovered_from_the_issuer_metadata() {
    let key = TestKey::rsa("k");
    let server = JwksServer::start(jwks(&[&key])).await;
    let issuer = format!("{}/tenant", server.base);
    // RFC 8414, path-inserted.
    server.set_document(
        "/.well-known/oauth-authorization-server/tenant",
        json!({"issuer": issuer, "jwks_uri": server.jwks_uri()}),
    );
    let validator = Validator::new(
        ValidatorConfig::new(issuer.clone(), RESOURCE)
            .backoff(ms(10), ms(40))
            .fetch_timeouts(ms(500), ms(2000)),
    )
    .expect("config");
    ready(&validator).await;
    let token = key.good_token(&json!({"iss": issuer}));
    assert!(validator.validate(&token).await.is_ok());

    // OIDC, path-appended, when RFC 8414 is not served.
    let server = JwksServer::start(jwks(&[&key])).await;
    let issuer = format!("{}/tenant", server.base);
    server.set_document(
        "/tenant/.well-known/openid-configuration",
        json!({"issuer": issuer, "jwks_uri": server.jwks_uri()}),
    );
    let validator =
        Validator::new(ValidatorConfig::new(issuer.clone(), RESOURCE).backoff(ms(10), ms(40)))
            .expect("config");
    ready(&validator).await;
    assert!(
        validator
            .validate(&key.good_token(&json!({"iss": issuer})))
            .await
            .is_ok()
    );
}

#[tokio::test]
async fn metadata_naming_another_issuer_or_an_oversized_jwks_is_never_used() {
    let key = TestKey::p256("k");
    let server = JwksServer::start(jwks(&[&key])).await;
    let issuer = server.base.clone();
    server.set_document(
        "/.well-known/oauth-authorization-server",
        json!({"issuer": "https://evil.test", "jwks_uri": server.jwks_uri()}),
    );
    let impostor = Validator::new(ValidatorConfig::new(issuer, RESOURCE).backoff(ms(10), ms(40)))
        .expect("config");

    let big = TestKey::p256("big");
    let mut set = jwks(&[&big]);
    set["padding"] = "x".repeat(64 * 1024).into();
    let big_server = JwksServer::start(set).await;
    let oversized =
        Validator::new(config(&big_server, ms(50)).max_response_size(16 * 1024)).expect("config");

    // Positive signals first: the metadata was read, and the oversized set was fetched twice.
    eventually(Duration::from_secs(5), "discovery read twice", || {
        server
            .requested_documents()
            .iter()
            .filter(|path| *path == "/.well-known/oauth-authorization-server")
            .count()
            >= 2
    })
    .await;
    time_until_fetched(&big_server, 2).await;
    assert!(
        !impostor.is_ready(),
        "metadata with another issuer was used"
    );
    assert_eq!(server.fetches(), 0, "the impostor's jwks_uri was fetched");
    assert!(!oversized.is_ready(), "an oversized JWKS was accepted");
}

#[tokio::test]
async fn keys_named_by_the_token_itself_are_never_fetched_or_used() {
    let key = TestKey::p256("real");
    let attacker = TestKey::p256("attacker");
    let server = JwksServer::start(jwks(&[&key])).await;
    server.set_document("/evil-jwks", jwks(&[&attacker]));
    let validator = Validator::new(config(&server, Duration::from_mins(1))).expect("config");
    ready(&validator).await;
    let claims = mcp_scopes_tests::auth::good_claims().to_string();
    let evil = format!("{}/evil-jwks", server.base);
    for header in [
        json!({"alg": "ES256", "jku": evil}),
        json!({"alg": "ES256", "x5u": evil}),
        json!({"alg": "ES256", "jwk": attacker.jwk()}),
        json!({"alg": "ES256", "kid": "real", "jku": evil, "jwk": attacker.jwk()}),
    ] {
        let token = attacker.token_raw(header.clone(), claims.as_bytes());
        let err = validator
            .validate(&token)
            .await
            .expect_err("attacker-signed");
        assert!(
            matches!(err, AuthError::UnknownKeyId | AuthError::BadSignature),
            "{header}: {err:?}"
        );
    }
    assert_eq!(
        server.requested_documents(),
        Vec::<String>::new(),
        "a URL from a token header was fetched"
    );
}
