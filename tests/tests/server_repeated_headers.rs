//! A request that repeats `MCP-Protocol-Version`, `Mcp-Method` or `Mcp-Name` is refused (400),
//! whichever copy would be read: this server reads the first, many proxies the last, so a repeat
//! could make them disagree on which tool is called. Under 2026-07-28 the code is the header error
//! -32020, under older revisions Invalid Request.

mod server_support;

use axum::body::Body;
use http::{Request, StatusCode};
use mcp_scopes::server::{HEADER_MISMATCH, INVALID_REQUEST};
use mcp_scopes_tests::http::{Reply, send};
use serde_json::{Value, json};
use server_support::{HOST, TestServer, modern_request, server};

/// POSTs `body` with a token, appending every header in `headers` (so a name may repeat).
async fn post_appending(s: &TestServer, headers: &[(&str, String)], body: &Value) -> Reply {
    let mut request = Request::post("/mcp")
        .header("host", HOST)
        .header("content-type", "application/json")
        .header("accept", "application/json, text/event-stream")
        .header(
            "authorization",
            format!("Bearer {}", s.token(&["db:admin"])),
        );
    for (name, value) in headers {
        request = request.header(*name, value.as_str());
    }
    send(
        &s.router,
        request.body(Body::from(body.to_string())).expect("request"),
    )
    .await
}

fn call_params(tool: &str) -> Value {
    json!({"name": tool, "arguments": {"sql": "SELECT 1"}})
}

#[tokio::test]
async fn a_repeated_revision_header_is_refused_under_2026_07_28() {
    let s = server();
    let (headers, body) = modern_request("tools/call", call_params("query"));
    for (name, extra) in [
        ("mcp-name", "reset"),
        ("mcp-method", "tools/list"),
        ("mcp-protocol-version", "2025-11-25"),
        // The same value twice is still a repeat.
        ("mcp-name", "query"),
    ] {
        let mut all = headers.clone();
        all.push((name, extra.to_owned()));
        let reply = post_appending(&s, &all, &body).await;
        assert_eq!(
            reply.status,
            StatusCode::BAD_REQUEST,
            "{name}: {}",
            reply.text
        );
        assert_eq!(reply.error_code(), Some(HEADER_MISMATCH), "{name}");
        let message = reply.json()["error"]["message"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        assert!(
            message.contains(name) && message.contains("more than once"),
            "{message}"
        );
    }
    assert_eq!(s.calls.get(), 0, "no tool ran");
    // Sent once, the same request goes through.
    let reply = post_appending(&s, &headers, &body).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
}

#[tokio::test]
async fn a_repeated_header_is_refused_under_older_revisions_and_for_notifications() {
    let s = server();
    let body =
        json!({"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": call_params("query")});
    for headers in [
        vec![
            ("mcp-protocol-version", "2025-11-25".to_owned()),
            ("mcp-protocol-version", "2025-06-18".to_owned()),
        ],
        vec![
            ("mcp-protocol-version", "2025-11-25".to_owned()),
            ("mcp-name", "query".to_owned()),
            ("mcp-name", "reset".to_owned()),
        ],
    ] {
        let reply = post_appending(&s, &headers, &body).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{headers:?}");
        assert_eq!(reply.error_code(), Some(INVALID_REQUEST), "{headers:?}");
    }
    let notification = json!({"jsonrpc": "2.0", "method": "notifications/initialized"});
    let reply = post_appending(
        &s,
        &[
            ("mcp-protocol-version", "2025-11-25".to_owned()),
            ("mcp-protocol-version", "2025-11-25".to_owned()),
        ],
        &notification,
    )
    .await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    assert_eq!(s.calls.get(), 0);
}
