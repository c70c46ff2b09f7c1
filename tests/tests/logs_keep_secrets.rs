//! No token, client secret, key material or secret-bearing claim reaches a log line, at any level:
//! every log event of a scenario run is captured at TRACE (the framework's, and those of the HTTP
//! libraries it drives) and searched for the secrets the scenario used.
//!
//! The scenario: a production-mode validator behind the bearer layer, fed a Casdoor-shaped token
//! carrying the user record's secrets (`totpSecret`, `accessSecret`, `password`) and every refusal
//! of it (expired, another audience, a broken signature, an unknown key, a malformed header); then
//! `casdoor sync` against the stub admin API with its client secret, succeeding and refused.
//!
//! The development-mode server (the `db-server` binary with `RUST_LOG=trace`, its `token` command's
//! tokens, accepted and refused) is checked the same way in
//! `examples/db-server/tests/binary_dev_logs.rs`, where the binary is built.

mod casdoor_support;

use axum::Router;
use axum::routing::get;
use casdoor_support::admin::{CLIENT_SECRET, FakeCasdoor, Mode as AdminMode};
use casdoor_support::sync_input::options;
use casdoor_support::tokens::full_user;
use mcp_scopes::auth::{BearerAuthLayer, Challenge, Validator};
use mcp_scopes::casdoor::sync;
use mcp_scopes_tests::auth::{RESOURCE, TestKey, good_claims, jwks};
use mcp_scopes_tests::fast_validator::{config, ms, ready};
use mcp_scopes_tests::http::status_of_get;
use mcp_scopes_tests::jwks_server::JwksServer;
use mcp_scopes_tests::log_capture::Captured;
use serde_json::{Value, json};
use tracing::Level;

const TOTP_SECRET: &str = "JBSWY3DPEHPK3PXP-totp-canary";
const ACCESS_SECRET: &str = "access-secret-canary-91c2";
const PASSWORD: &str = "password-canary-5d7e";

/// Good claims plus Casdoor's whole user record, with its secret fields filled in.
fn casdoor_claims(overrides: &Value) -> Value {
    let mut claims = good_claims();
    for (name, value) in full_user() {
        claims[name] = value;
    }
    claims["totpSecret"] = TOTP_SECRET.into();
    claims["accessSecret"] = ACCESS_SECRET.into();
    claims["password"] = PASSWORD.into();
    for (name, value) in overrides.as_object().expect("object") {
        claims[name] = value.clone();
    }
    claims
}

async fn send(app: &Router, authorization: &str) -> http::StatusCode {
    status_of_get(app, "/mcp", authorization).await
}

/// Runs the token scenario, returning every token string it sent.
async fn token_scenario() -> Vec<String> {
    let key = TestKey::p256("k1");
    let stranger = TestKey::p256("stranger");
    let server = JwksServer::start(jwks(&[&key])).await;
    let validator = Validator::new(config(&server, ms(200)).token_cache(0, ms(1))).expect("config");
    ready(&validator).await;
    let app = Router::new()
        .route("/mcp", get(|| async { "ok" }))
        .layer(BearerAuthLayer::new(
            validator,
            Challenge::for_resource(RESOURCE),
        ));

    let alg = key.natural_alg();
    let good = key.token(alg, &casdoor_claims(&json!({})));
    let expired = key.token(alg, &casdoor_claims(&json!({"exp": 1, "iat": 0, "nbf": 0})));
    let other_audience = key.token(alg, &casdoor_claims(&json!({"aud": "https://other.test"})));
    let unknown_key = stranger.token(alg, &casdoor_claims(&json!({})));
    let mut broken_signature = good.clone();
    broken_signature.truncate(broken_signature.len() - 4);
    broken_signature.push_str("AAAA");

    assert_eq!(send(&app, &format!("Bearer {good}")).await, 200);
    for refused in [&expired, &other_audience, &unknown_key, &broken_signature] {
        assert_eq!(send(&app, &format!("Bearer {refused}")).await, 401);
    }
    assert_eq!(send(&app, &format!("Bearer {good} extra")).await, 400);
    assert_eq!(send(&app, &format!("Basic {good}")).await, 401);
    vec![good, expired, other_audience, unknown_key, broken_signature]
}

async fn sync_scenario() {
    let fake = FakeCasdoor::with_default_app(AdminMode::Normal).await;
    sync(&options(&fake)).await.expect("sync against the stub");
    for refusing in [AdminMode::Status401, AdminMode::ErrorOnUpdate] {
        let fake = FakeCasdoor::with_default_app(refusing).await;
        assert!(
            sync(&options(&fake)).await.is_err(),
            "{refusing:?} was not refused"
        );
    }
}

#[tokio::test]
async fn no_secret_reaches_a_log_line_at_trace() {
    let captured = Captured::default();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(captured.clone())
        .with_ansi(false)
        .with_max_level(Level::TRACE)
        .finish();
    let tokens = {
        // The test runtime is single-threaded, so the tasks it spawns log here too.
        let _guard = tracing::subscriber::set_default(subscriber);
        let tokens = token_scenario().await;
        sync_scenario().await;
        tokens
    };
    let log = captured.text();
    assert!(
        log.contains("mcp_scopes::audit") && log.contains("bad_signature"),
        "the scenario logged nothing to search:\n{log}"
    );

    let mut secrets = vec![
        TOTP_SECRET.to_owned(),
        ACCESS_SECRET.to_owned(),
        PASSWORD.to_owned(),
        CLIENT_SECRET.to_owned(),
        "PRIVATE KEY".to_owned(),
    ];
    for token in &tokens {
        secrets.push(token.clone());
        // Each part of a token on its own (the signature, the claims) is as telling.
        secrets.extend(
            token
                .split('.')
                .filter(|part| part.len() > 16)
                .map(str::to_owned),
        );
    }
    for secret in &secrets {
        if let Some(line) = log.lines().find(|line| line.contains(secret.as_str())) {
            panic!("a secret ({} chars) reached the log:\n{line}", secret.len());
        }
    }
}
