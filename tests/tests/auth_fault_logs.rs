//! How a failing key set endpoint shows in the logs: one `WARN` when refreshes start failing and one
//! when the failure changes (another error, or the last keys going stale), the repeats at `DEBUG`, and
//! one `INFO` on recovery; not a warning per retry, which at the 1 s backoff floor would be a line a
//! second for as long as the authorization server is down.

use std::time::Duration;

use axum::body::Bytes;
use http::StatusCode;
use mcp_scopes_tests::auth::{TestKey, jwks};
use mcp_scopes_tests::eventually;
use mcp_scopes_tests::fast_validator::{
    ready, refreshing_fast_stale_after_a_second, time_until_fetched,
};
use mcp_scopes_tests::jwks_server::{JwksServer, RawAnswer};
use mcp_scopes_tests::log_capture::Captured;

fn lines(logs: &Captured, level: &str, message: &str) -> usize {
    logs.text()
        .lines()
        .filter(|l| l.contains(level) && l.contains(message))
        .count()
}

#[tokio::test]
async fn a_failing_jwks_warns_once_per_state_and_repeats_at_debug() {
    let logs = Captured::default();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(logs.clone())
        .with_ansi(false)
        .with_max_level(tracing::Level::DEBUG)
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let key = TestKey::p256("k1");
    let server = JwksServer::start(jwks(&[&key])).await;
    let validator = refreshing_fast_stale_after_a_second(&server);
    ready(&validator).await;
    server.set_raw_answer(Some(RawAnswer {
        status: StatusCode::OK,
        content_type: "text/html",
        body: Bytes::from_static(b"<!doctype html><title>Login</title>"),
    }));

    // Several failed refreshes while the last keys are still served: one warning.
    let since = server.fetches();
    time_until_fetched(&server, since + 6).await;
    assert!(validator.is_ready(), "still within the maximum staleness");
    let failed = "JWKS refresh failed";
    assert_eq!(lines(&logs, "WARN", failed), 1, "{}", logs.text());
    assert!(lines(&logs, "DEBUG", failed) >= 4, "{}", logs.text());

    // The keys go stale: a state change, so one more warning (saying no keys are served).
    eventually(Duration::from_secs(5), "keys stale", || {
        !validator.is_ready()
    })
    .await;
    let since = server.fetches();
    time_until_fetched(&server, since + 3).await;
    assert_eq!(lines(&logs, "WARN", failed), 2, "{}", logs.text());
    let last_warning = logs
        .text()
        .lines()
        .rfind(|l| l.contains("WARN") && l.contains(failed))
        .map(str::to_owned)
        .unwrap_or_default();
    assert!(
        last_warning.contains("serving_keys=false"),
        "{last_warning}"
    );

    // Recovery is said once; a new outage warns again.
    server.set_raw_answer(None);
    ready(&validator).await;
    eventually(Duration::from_secs(5), "recovery logged", || {
        lines(&logs, "INFO", "JWKS refresh succeeded again") == 1
    })
    .await;
    server.set_raw_answer(Some(RawAnswer {
        status: StatusCode::BAD_GATEWAY,
        content_type: "text/html",
        body: Bytes::from_static(b"<h1>502</h1>"),
    }));
    let since = server.fetches();
    time_until_fetched(&server, since + 3).await;
    assert_eq!(lines(&logs, "WARN", failed), 3, "{}", logs.text());
}
