//! Validators against a [`JwksServer`] with timings short enough for a test (refreshes in
//! milliseconds, keys stale after a second), and waits on what the validator or the server did
//! rather than on the clock.

use std::time::{Duration, Instant};

use mcp_scopes::auth::{AuthError, Validator, ValidatorConfig};
use serde_json::json;

use crate::auth::{ISSUER, RESOURCE, TestKey};
use crate::eventually;
use crate::jwks_server::JwksServer;

/// `n` milliseconds.
#[must_use]
pub fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

/// Fast timings so a suite stays quick; refresh every `refresh`.
#[must_use]
pub fn config(server: &JwksServer, refresh: Duration) -> ValidatorConfig {
    ValidatorConfig::new(ISSUER, RESOURCE)
        .jwks_uri(server.jwks_uri())
        .refresh_interval(refresh, refresh)
        .unknown_kid_cooldown(ms(300))
        .backoff(ms(10), ms(40))
        .fetch_timeouts(ms(500), ms(3000))
}

/// Refreshes every 30 ms, keys stale after 1 s, no token cache (each validation looks the key up).
#[must_use]
pub fn refreshing_fast_stale_after_a_second(server: &JwksServer) -> Validator {
    Validator::new(
        config(server, ms(30))
            .fetch_timeouts(ms(200), ms(500))
            .max_staleness(ms(1000))
            .token_cache(0, ms(1)),
    )
    .expect("config")
}

/// Waits until `validator` has keys.
pub async fn ready(validator: &Validator) {
    eventually(Duration::from_secs(5), "validator ready", || {
        validator.is_ready()
    })
    .await;
}

/// Waits for the key set to have been fetched `count` times, and says how long that took.
pub async fn time_until_fetched(server: &JwksServer, count: usize) -> Duration {
    let started = Instant::now();
    eventually(Duration::from_secs(10), "JWKS fetches", || {
        server.fetches() >= count
    })
    .await;
    started.elapsed()
}

/// With refreshes failing from now on: three more fetches, `key` still verifies, then the keys go
/// stale (503 territory) after `max_staleness`.
pub async fn last_keys_serve_until_stale(
    server: &JwksServer,
    validator: &Validator,
    key: &TestKey,
) {
    let since = server.fetches();
    time_until_fetched(server, since + 3).await;
    assert!(validator.is_ready(), "the last good keys are still in use");
    validator
        .validate(&key.good_token(&json!({"jti": "after"})))
        .await
        .expect("the last good key still verifies");
    eventually(Duration::from_secs(5), "keys too stale", || {
        !validator.is_ready()
    })
    .await;
    assert_eq!(
        validator.validate(&key.good_token(&json!({}))).await.err(),
        Some(AuthError::NotReady)
    );
}
