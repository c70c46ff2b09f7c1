//! Version negotiation in the legacy `initialize` handshake: a version the server speaks is
//! echoed, any other gets the newest legacy version, and a request without a version is refused
//! rather than silently given one.

mod server_support;

use http::StatusCode;
use mcp_scopes::server::INVALID_PARAMS;
use serde_json::{Value, json};
use server_support::server;

fn initialize(params: &Value) -> Value {
    json!({"jsonrpc":"2.0","id":"init","method":"initialize","params":params})
}

#[tokio::test]
async fn the_server_answers_with_the_requested_version_or_its_newest_legacy_one() {
    let s = server();
    for (asked, answered) in [
        ("2025-06-18", "2025-06-18"),
        ("2025-11-25", "2025-11-25"),
        // Versions it does not negotiate: older ones, the modern one (which has no handshake),
        // and the future.
        ("2024-11-05", "2025-11-25"),
        ("2025-03-26", "2025-11-25"),
        ("2026-07-28", "2025-11-25"),
        ("2099-01-01", "2025-11-25"),
    ] {
        let params = json!({"protocolVersion": asked, "capabilities": {},
                            "clientInfo": {"name": "c", "version": "1"}});
        let reply = s.post(&["db:query"], &[], &initialize(&params)).await;
        assert_eq!(reply.status, StatusCode::OK, "{asked}");
        assert_eq!(
            reply.json()["result"]["protocolVersion"],
            answered,
            "{asked}"
        );
    }
}

#[tokio::test]
async fn an_initialize_without_a_string_version_is_invalid_params() {
    let s = server();
    for params in [
        json!({}),
        json!({"protocolVersion": null, "capabilities": {}}),
        json!({"protocolVersion": 20_251_125, "capabilities": {}}),
    ] {
        let reply = s.post(&["db:query"], &[], &initialize(&params)).await;
        assert_eq!(
            (reply.status, reply.error_code()),
            (StatusCode::OK, Some(INVALID_PARAMS)),
            "{params}"
        );
        assert_eq!(reply.json()["id"], "init");
    }
}
