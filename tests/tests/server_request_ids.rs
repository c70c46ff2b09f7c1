//! Request ids come back exactly as they were sent, byte for byte, in JSON and in SSE replies and in
//! errors: JSON-RPC requires the response's id to equal the request's, and an id read as a
//! floating-point number would not (`12345678901234567890123` came back as
//! `1.2345678901234568e22`). `null`, other kinds and overlong ids are refused with a clear error.

mod server_support;

use http::StatusCode;
use mcp_scopes::server::{INVALID_PARAMS, INVALID_REQUEST, MAX_REQUEST_ID_BYTES};
use serde_json::json;
use server_support::{Reply, TestServer, server};

/// Ids whose text a parser into `f64` or `i64` would change (and two it would not).
const IDS: &[&str] = &[
    "12345678901234567890123",
    "18446744073709551616",
    "-18446744073709551617",
    "-7",
    "1.50",
    "0.1e-3",
    "1E2",
    "-0",
    r#""req-1""#,
    r#""caf\u00e9 \"quoted\"""#,
];

async fn post_text(s: &TestServer, headers: &[(&str, &str)], body: &str) -> Reply {
    let auth = format!("Bearer {}", s.token(&["db:admin"]));
    let mut all = vec![
        ("authorization", auth.as_str()),
        ("mcp-protocol-version", "2025-11-25"),
    ];
    all.extend_from_slice(headers);
    s.send("POST", "/mcp", &all, body).await
}

#[tokio::test]
async fn json_results_and_errors_echo_the_id_text() {
    let s = server();
    for id in IDS {
        let ping = format!(r#"{{"jsonrpc":"2.0","id":{id},"method":"ping"}}"#);
        let reply = post_text(&s, &[], &ping).await;
        assert_eq!(reply.status, StatusCode::OK, "{id}: {}", reply.text);
        assert_eq!(
            reply.text,
            format!(r#"{{"jsonrpc":"2.0","id":{id},"result":{{}}}}"#),
            "{id}"
        );

        let list = format!(r#"{{"jsonrpc":"2.0","id":{id},"method":"tools/list"}}"#);
        let reply = post_text(&s, &[], &list).await;
        assert!(
            reply.text.starts_with(&format!(
                r#"{{"jsonrpc":"2.0","id":{id},"result":{{"tools":["#
            )),
            "{id}: {}",
            reply.text
        );
        assert!(
            reply.json()["result"]["tools"]
                .as_array()
                .is_some_and(|t| !t.is_empty())
        );

        let unknown = format!(
            r#"{{"jsonrpc":"2.0","id":{id},"method":"tools/call","params":{{"name":"nope"}}}}"#
        );
        let reply = post_text(&s, &[], &unknown).await;
        assert_eq!(reply.error_code(), Some(INVALID_PARAMS), "{id}");
        assert!(
            reply
                .text
                .starts_with(&format!(r#"{{"jsonrpc":"2.0","id":{id},"error":"#)),
            "{id}: {}",
            reply.text
        );

        let invalid = format!(r#"{{"jsonrpc":"1.0","id":{id},"method":"ping"}}"#);
        let reply = post_text(&s, &[], &invalid).await;
        assert_eq!(
            (reply.status, reply.error_code()),
            (StatusCode::BAD_REQUEST, Some(INVALID_REQUEST)),
            "{id}"
        );
        assert!(
            reply.text.contains(&format!(r#""id":{id},"#)),
            "{id}: {}",
            reply.text
        );
    }
}

#[tokio::test]
async fn tool_results_echo_the_id_text_in_json_and_in_sse() {
    let s = server();
    for id in IDS {
        // `status` sends notifications, so a client that accepts SSE gets a stream.
        let call = format!(
            r#"{{"jsonrpc":"2.0","id":{id},"method":"tools/call","params":{{"name":"status"}}}}"#
        );
        let reply = post_text(&s, &[], &call).await;
        assert_eq!(reply.header("content-type"), Some("text/event-stream"));
        let last = reply
            .text
            .split("\n\n")
            .filter_map(|event| event.strip_prefix("event: message\ndata: "))
            .last()
            .unwrap_or_default();
        assert!(
            last.starts_with(&format!(r#"{{"jsonrpc":"2.0","id":{id},"result":"#)),
            "{id}: {}",
            reply.text
        );

        let reply = post_text(&s, &[("accept", "application/json")], &call).await;
        assert_eq!(reply.header("content-type"), Some("application/json"));
        assert!(
            reply
                .text
                .starts_with(&format!(r#"{{"jsonrpc":"2.0","id":{id},"result":"#)),
            "{id}: {}",
            reply.text
        );
    }
}

#[tokio::test]
async fn null_other_kinds_and_overlong_ids_are_refused_under_a_null_id() {
    let s = server();
    let longest = format!("\"{}\"", "9".repeat(MAX_REQUEST_ID_BYTES - 2));
    let too_long_string = format!("\"{}\"", "x".repeat(MAX_REQUEST_ID_BYTES));
    let too_long_number = "9".repeat(MAX_REQUEST_ID_BYTES + 1);
    for (id, message) in [
        ("null", "`id` must be a string or a number".to_owned()),
        ("true", "`id` must be a string or a number".to_owned()),
        (r#"{"a":1}"#, "`id` must be a string or a number".to_owned()),
        (
            too_long_string.as_str(),
            format!(
                "`id` is {} bytes long; at most {MAX_REQUEST_ID_BYTES} bytes are accepted",
                MAX_REQUEST_ID_BYTES + 2
            ),
        ),
        (
            too_long_number.as_str(),
            format!(
                "`id` is {} bytes long; at most {MAX_REQUEST_ID_BYTES} bytes are accepted",
                MAX_REQUEST_ID_BYTES + 1
            ),
        ),
    ] {
        let body = format!(r#"{{"jsonrpc":"2.0","id":{id},"method":"ping"}}"#);
        let reply = post_text(&s, &[], &body).await;
        assert_eq!(
            (reply.status, reply.error_code()),
            (StatusCode::BAD_REQUEST, Some(INVALID_REQUEST)),
            "{id}"
        );
        assert_eq!(reply.json()["id"], json!(null), "{id}");
        assert_eq!(reply.json()["error"]["message"], message.as_str(), "{id}");
    }
    assert_eq!(s.calls.get(), 0);
    let body = format!(r#"{{"jsonrpc":"2.0","id":{longest},"method":"ping"}}"#);
    let reply = post_text(&s, &[], &body).await;
    assert_eq!(
        reply.text,
        format!(r#"{{"jsonrpc":"2.0","id":{longest},"result":{{}}}}"#)
    );
}

/// A number id outside the range of a double (`1e400`) is valid JSON and comes back as the same
/// text, in results and in errors: JSON-RPC says the response's id is the request's, and refusing
/// a valid JSON number would be a silent incompatibility (SECURITY.md, "Fuzzing", finding 3; a
/// client whose parser cannot hold such a number cannot read it in its own request either).
#[tokio::test]
async fn ids_beyond_the_range_of_a_double_are_echoed_as_sent() {
    let s = server();
    for id in ["1e400", "-2.5E+308777", "17777777777777777777e777777777"] {
        let ping = format!(r#"{{"jsonrpc":"2.0","id":{id},"method":"ping"}}"#);
        let reply = post_text(&s, &[], &ping).await;
        assert_eq!(reply.status, StatusCode::OK, "{id}: {}", reply.text);
        assert_eq!(
            reply.text,
            format!(r#"{{"jsonrpc":"2.0","id":{id},"result":{{}}}}"#)
        );

        // The fuzz target's input: no `method`.
        let reply = post_text(&s, &[], &format!(r#"{{"jsonrpc":"2.0","id":{id}}}"#)).await;
        assert_eq!(
            reply.status,
            StatusCode::BAD_REQUEST,
            "{id}: {}",
            reply.text
        );
        assert!(
            reply.text.starts_with(&format!(
                r#"{{"jsonrpc":"2.0","id":{id},"error":{{"code":{INVALID_REQUEST},"#
            )),
            "{id}: {}",
            reply.text
        );
    }
}
