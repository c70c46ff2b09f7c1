//! Bodies no well-behaved client sends: each gets a JSON-RPC error with the right HTTP status (or
//! 202 where the transport says so), no handler runs, and nothing panics.

mod server_support;

use http::StatusCode;
use mcp_scopes::server::{INVALID_PARAMS, INVALID_REQUEST, PARSE_ERROR};
use serde_json::json;
use server_support::{Reply, TestServer, server, server_with};

async fn post_bytes(s: &TestServer, headers: &[(&str, &str)], body: &[u8]) -> Reply {
    let auth = format!("Bearer {}", s.token(&["db:admin"]));
    let mut all = vec![("authorization", auth.as_str())];
    all.extend_from_slice(headers);
    s.send_bytes("POST", "/mcp", &all, body.to_vec()).await
}

#[tokio::test]
async fn garbage_bodies_are_parse_or_invalid_request_errors_with_a_null_id() {
    let s = server();
    let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    let deep_args = format!(
        r#"{{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{{"name":"query","arguments":{{"sql":{}"x"{}}}}}}}"#,
        "[".repeat(5_000),
        "]".repeat(5_000)
    );
    let cases: &[(&str, &[u8], i64)] = &[
        ("empty body", b"", PARSE_ERROR),
        (
            "not UTF-8",
            b"{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"p\xffng\"}",
            PARSE_ERROR,
        ),
        ("UTF-16 BOM", b"\xff\xfe{}", PARSE_ERROR),
        ("deeply nested", deep.as_bytes(), PARSE_ERROR),
        ("deeply nested arguments", deep_args.as_bytes(), PARSE_ERROR),
        (
            "number out of range",
            br#"{"jsonrpc":"2.0","id":1,"method":"ping","params":{"n":1e400}}"#,
            PARSE_ERROR,
        ),
        (
            "trailing bytes",
            br#"{"jsonrpc":"2.0","id":1,"method":"ping"} x"#,
            PARSE_ERROR,
        ),
        (
            "lone surrogate",
            br#"{"jsonrpc":"2.0","id":"\ud800","method":"ping"}"#,
            PARSE_ERROR,
        ),
        (
            "null id",
            br#"{"jsonrpc":"2.0","id":null,"method":"ping"}"#,
            INVALID_REQUEST,
        ),
        (
            "boolean id",
            br#"{"jsonrpc":"2.0","id":true,"method":"ping"}"#,
            INVALID_REQUEST,
        ),
        (
            "no jsonrpc, invalid id",
            br#"{"id":[1],"method":"ping"}"#,
            INVALID_REQUEST,
        ),
        ("empty batch", b"[]", INVALID_REQUEST),
        ("a string", br#""ping""#, INVALID_REQUEST),
    ];
    for (what, body, code) in cases {
        let reply = post_bytes(&s, &[], body).await;
        assert_eq!(
            (reply.status, reply.error_code()),
            (StatusCode::BAD_REQUEST, Some(*code)),
            "{what}: {}",
            reply.text
        );
        assert_eq!(
            reply.header("content-type"),
            Some("application/json"),
            "{what}"
        );
        assert_eq!(reply.json()["id"], json!(null), "{what}");
    }
    assert_eq!(s.calls.get(), 0);
}

#[tokio::test]
async fn invalid_requests_are_answered_under_their_id_when_it_is_readable() {
    // JSON-RPC 2.0: the id of an error is null only when it could not be detected; a client
    // matching replies by id must be able to match these.
    let s = server();
    let cases: &[(&str, &[u8], serde_json::Value)] = &[
        (
            "wrong version",
            br#"{"jsonrpc":"1.0","id":5,"method":"ping"}"#,
            json!(5),
        ),
        ("no jsonrpc", br#"{"id":1,"result":{}}"#, json!(1)),
        (
            "missing method",
            br#"{"jsonrpc":"2.0","id":"m"}"#,
            json!("m"),
        ),
        (
            "method not a string",
            br#"{"jsonrpc":"2.0","id":-2.5,"method":3}"#,
            json!(-2.5),
        ),
        (
            "params not an object",
            br#"{"jsonrpc":"2.0","id":"p","method":"ping","params":[1]}"#,
            json!("p"),
        ),
        (
            "params a string",
            br#"{"jsonrpc":"2.0","id":0,"method":"tools/list","params":"x"}"#,
            json!(0),
        ),
    ];
    for (what, body, id) in cases {
        let reply = post_bytes(&s, &[], body).await;
        assert_eq!(
            (reply.status, reply.error_code()),
            (StatusCode::BAD_REQUEST, Some(INVALID_REQUEST)),
            "{what}: {}",
            reply.text
        );
        assert_eq!(reply.json()["id"], *id, "{what}: {}", reply.text);
    }
    assert_eq!(s.calls.get(), 0);
}

#[tokio::test]
async fn ids_come_back_as_sent_and_client_responses_are_accepted() {
    let s = server();
    for id in [json!(-1), json!(0), json!(1.5), json!("x"), json!("")] {
        let body = json!({"jsonrpc":"2.0","id":id,"method":"ping"}).to_string();
        let reply = post_bytes(&s, &[], body.as_bytes()).await;
        assert_eq!(reply.status, StatusCode::OK, "{id}");
        assert_eq!(reply.json(), json!({"jsonrpc":"2.0","id":id,"result":{}}));
    }
    for body in [
        json!({"jsonrpc":"2.0","id":1,"result":{}}),
        json!({"jsonrpc":"2.0","id":"a","error":{"code":-1,"message":"no"}}),
        json!({"jsonrpc":"2.0","method":"notifications/unknown"}),
        json!({"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":{"a":[1]}}}),
    ] {
        let reply = post_bytes(&s, &[], body.to_string().as_bytes()).await;
        assert_eq!(reply.status, StatusCode::ACCEPTED, "{body}");
        assert_eq!(reply.text, "", "{body}");
    }
}

#[tokio::test]
async fn bodies_that_are_not_json_by_content_type_get_415() {
    let s = server();
    let body = br#"{"jsonrpc":"2.0","id":1,"method":"ping"}"#;
    for content_type in [
        "text/plain",
        "application/json-seq",
        "application/x-www-form-urlencoded",
    ] {
        let reply = post_bytes(&s, &[("content-type", content_type)], body).await;
        assert_eq!(
            (reply.status, reply.error_code()),
            (StatusCode::UNSUPPORTED_MEDIA_TYPE, Some(INVALID_REQUEST)),
            "{content_type}"
        );
    }
    let reply = post_bytes(
        &s,
        &[("content-type", "application/json; charset=utf-8")],
        body,
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK);
}

#[tokio::test]
async fn a_cursor_must_name_a_tool_the_caller_was_shown() {
    use base64::Engine as _;
    let cursor = |name: &str| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(name);
    let s = server_with(|b| b.page_size(1).filter_tools_by_scope(true));
    let list = async |scopes: &[&str], cursor: &str| {
        let body = json!({"jsonrpc":"2.0","id":1,"method":"tools/list","params":{"cursor":cursor}});
        s.post(scopes, &[("mcp-protocol-version", "2025-11-25")], &body)
            .await
    };
    // A db:query caller sees `query` then `status`; its own cursor works.
    let second = list(&["db:query"], &cursor("query")).await.json();
    assert_eq!(second["result"]["tools"][0]["name"], "status");
    // A cursor that decodes but names no tool it was shown is refused, not read as a position:
    // a hidden tool's name and a made-up one get the same answer.
    let mut answers = Vec::new();
    for bad in [
        cursor("insert"),
        cursor("nope"),
        cursor("\0\0\0"),
        "A".repeat(10_000),
    ] {
        let reply = list(&["db:query"], &bad).await;
        assert_eq!(
            (reply.status, reply.error_code()),
            (StatusCode::OK, Some(INVALID_PARAMS)),
            "{bad:.20}"
        );
        answers.push(reply.json()["error"].clone());
    }
    assert!(answers.windows(2).all(|w| w[0] == w[1]), "{answers:?}");
    // The same `insert` cursor is fine for a caller who was shown `insert`.
    let reply = list(&["db:admin"], &cursor("insert")).await.json();
    assert_eq!(reply["result"]["tools"][0]["name"], "query");
}

/// The nesting limit is serde_json's 128 levels: a request nested 122 deep is served, one nested 202
/// deep is a parse error that says what went wrong (not a stack overflow, not a silent cut).
#[tokio::test]
async fn nesting_up_to_the_limit_is_served_and_beyond_it_is_a_clear_parse_error() {
    let s = server();
    let nested = |levels: usize| {
        format!(
            r#"{{"jsonrpc":"2.0","id":1,"method":"ping","params":{{"x":{}0{}}}}}"#,
            "[".repeat(levels),
            "]".repeat(levels)
        )
    };
    let reply = post_bytes(&s, &[], nested(120).as_bytes()).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    assert!(reply.json()["result"].is_object(), "{}", reply.text);

    let reply = post_bytes(&s, &[], nested(200).as_bytes()).await;
    assert_eq!(
        (reply.status, reply.error_code()),
        (StatusCode::BAD_REQUEST, Some(PARSE_ERROR))
    );
    let message = reply.json()["error"]["message"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert!(message.contains("recursion limit"), "{message}");
}
