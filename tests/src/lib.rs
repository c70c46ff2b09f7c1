//! Shared support for the cross-crate integration tests in `tests/tests/`: signing keys of every
//! family and hostile tokens ([`auth`]), a loopback JWKS and metadata server a test steers
//! ([`jwks_server`]) and validators with fast timings against it ([`fast_validator`]), one in-process request reader ([`http`]), a log writer a test reads back ([`log_capture`]), an OAuth client of the development authorization server ([`oauth_client`]), a JSON-RPC client for servers on loopback
//! ([`rpc_client`], used by the examples' tests too), what a slow test tool reports about its runs
//! ([`tool_gate`]), and [`eventually`] for waiting on a
//! condition instead of sleeping.
//!
//! The `#[tool]` test server stays in `tests/tests/server_support/`: tools register themselves in the
//! binary that links them (`Registry::collected()`), so they belong to the test binaries that serve
//! them, not to a library every suite links.

#![allow(
    clippy::missing_panics_doc,
    reason = "test support: a panic here is a failed test, with its message"
)]

pub mod auth;
pub mod fast_validator;
pub mod http;
pub mod jwks_server;
pub mod log_capture;
pub mod oauth_client;
pub mod rpc_client;
pub mod tool_gate;

use std::time::{Duration, Instant};

/// Polls `check` every 10 ms until it holds, failing the test after `limit`.
pub async fn eventually(limit: Duration, what: &str, mut check: impl FnMut() -> bool) {
    let start = Instant::now();
    while !check() {
        assert!(start.elapsed() < limit, "timed out waiting for: {what}");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}
