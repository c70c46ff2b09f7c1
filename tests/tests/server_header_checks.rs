//! Header checks that in-process requests skip unless a test sets them: a `Content-Length` above the
//! body limit (refused before a byte is read), the protocol version of a notification, and revision
//! headers that are not visible ASCII or carry a broken `=?base64?…?=` name.

mod server_support;

use http::StatusCode;
use mcp_scopes::server::{HEADER_MISMATCH, UNSUPPORTED_PROTOCOL_VERSION};
use serde_json::json;
use server_support::{modern_request, server, server_with};

const ALL: &[&str] = &["db:admin"];

/// `headers` with `name` set to `value` instead.
fn replacing<'a>(
    headers: &'a [(&'static str, String)],
    name: &'a str,
    value: &'a str,
) -> Vec<(&'a str, &'a str)> {
    let mut replaced: Vec<(&str, &str)> = headers
        .iter()
        .filter(|(k, _)| *k != name)
        .map(|(k, v)| (*k, v.as_str()))
        .collect();
    replaced.push((name, value));
    replaced
}

#[tokio::test]
async fn a_content_length_above_the_limit_is_refused_before_the_body_is_read() {
    let s = server_with(|b| b.max_body_bytes(256));
    let call = json!({"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"query","arguments":{"sql":"x"}}});
    // The body itself is small: only the announced length is over the limit.
    let reply = s.post(ALL, &[("content-length", "257")], &call).await;
    assert_eq!(
        reply.status,
        StatusCode::PAYLOAD_TOO_LARGE,
        "{}",
        reply.text
    );
    assert_eq!(s.calls.get(), 0);
    let length = call.to_string().len().to_string();
    let reply = s.post(ALL, &[("content-length", &length)], &call).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    assert_eq!(s.calls.get(), 1);
}

#[tokio::test]
async fn a_notification_with_an_unsupported_version_is_refused() {
    let s = server();
    let note = json!({"jsonrpc":"2.0","method":"notifications/initialized"});
    let reply = s
        .post(ALL, &[("mcp-protocol-version", "1999-01-01")], &note)
        .await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{}", reply.text);
    assert_eq!(reply.error_code(), Some(UNSUPPORTED_PROTOCOL_VERSION));
    assert_eq!(reply.json()["error"]["data"]["requested"], "1999-01-01");
    let reply = s
        .post(ALL, &[("mcp-protocol-version", "2025-11-25")], &note)
        .await;
    assert_eq!(reply.status, StatusCode::ACCEPTED);
}

#[tokio::test]
async fn revision_headers_that_are_not_visible_ascii_are_a_header_mismatch() {
    let s = server();
    let (headers, body) = modern_request(
        "tools/call",
        json!({"name": "query", "arguments": {"sql": "x"}}),
    );
    for (name, value) in [
        ("mcp-protocol-version", "2026-07-28\u{e9}"),
        ("mcp-method", "tools/call\u{e9}"),
        ("mcp-name", "qu\u{e9}ry"),
    ] {
        let h = replacing(&headers, name, value);
        let reply = s.post(ALL, &h, &body).await;
        assert_eq!(
            (reply.status, reply.error_code()),
            (StatusCode::BAD_REQUEST, Some(HEADER_MISMATCH)),
            "{name}: {}",
            reply.text
        );
        let message = reply.json()["error"]["message"]
            .as_str()
            .unwrap_or("")
            .to_owned();
        assert!(message.contains(name), "{name}: {message}");
    }
    // The same for a notification's version header.
    let note = json!({"jsonrpc":"2.0","method":"notifications/initialized"});
    let reply = s
        .post(ALL, &[("mcp-protocol-version", "2025-11-25\u{e9}")], &note)
        .await;
    assert_eq!(reply.error_code(), Some(HEADER_MISMATCH), "{}", reply.text);
    assert_eq!(s.calls.get(), 0);
}

#[tokio::test]
async fn a_tool_name_header_with_broken_base64_is_a_header_mismatch() {
    let s = server();
    let (headers, body) = modern_request(
        "tools/call",
        json!({"name": "query", "arguments": {"sql": "x"}}),
    );
    for broken in [
        "=?base64?not base64!?=",
        // Valid base64 of bytes that are not UTF-8.
        "=?base64?/w==?=",
        // Valid base64 of another name.
        "=?base64?cmVzZXQ=?=",
    ] {
        let h = replacing(&headers, "mcp-name", broken);
        let reply = s.post(ALL, &h, &body).await;
        assert_eq!(
            (reply.status, reply.error_code()),
            (StatusCode::BAD_REQUEST, Some(HEADER_MISMATCH)),
            "{broken}: {}",
            reply.text
        );
    }
    // Well-formed base64 of the right name passes.
    let h = replacing(&headers, "mcp-name", "=?base64?cXVlcnk=?=");
    assert_eq!(s.post(ALL, &h, &body).await.status, StatusCode::OK);
    assert_eq!(s.calls.get(), 1);
}
