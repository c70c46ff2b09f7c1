//! How the endpoint reads the headers that describe a body and the reply a client wants (issue 19
//! item 5): a JSON `Content-Type` with parameters or in any case is JSON, any other type is 415, a
//! missing one is read as JSON (the body must still parse as JSON-RPC); a compressed body is refused by name (415), since nothing decodes it; a client that
//! sends no `Accept` gets plain JSON, never an SSE stream it did not ask for.

mod server_support;

use http::StatusCode;
use serde_json::json;
use server_support::server;

const PING: &str = r#"{"jsonrpc":"2.0","id":1,"method":"ping"}"#;

fn legacy(auth: &str) -> Vec<(&str, &str)> {
    vec![
        ("authorization", auth),
        ("mcp-protocol-version", "2025-11-25"),
    ]
}

#[tokio::test]
async fn json_content_types_are_read_and_others_refused_with_415() {
    let s = server();
    let auth = format!("Bearer {}", s.token(&["db:query"]));
    for accepted in [
        "application/json",
        "Application/JSON",
        "application/json; charset=utf-8",
        "application/json;charset=UTF-8",
    ] {
        let mut headers = legacy(&auth);
        headers.push(("content-type", accepted));
        let reply = s.send("POST", "/mcp", &headers, PING).await;
        assert_eq!(reply.status, StatusCode::OK, "{accepted}: {}", reply.text);
        assert_eq!(reply.json()["result"], json!({}), "{accepted}");
    }
    for refused in [
        "text/plain",
        "application/x-www-form-urlencoded",
        "application/json-patch+json",
        "multipart/form-data; boundary=x",
    ] {
        let mut headers = legacy(&auth);
        headers.push(("content-type", refused));
        let reply = s.send("POST", "/mcp", &headers, PING).await;
        assert_eq!(
            reply.status,
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "{refused}"
        );
        assert!(reply.text.contains("application/json"), "{}", reply.text);
    }
}

#[tokio::test]
async fn a_compressed_body_is_refused_by_name() {
    let s = server();
    let auth = format!("Bearer {}", s.token(&["db:query"]));
    for encoding in ["gzip", "br", "deflate, gzip", "x-unknown"] {
        let mut headers = legacy(&auth);
        headers.push(("content-encoding", encoding));
        let reply = s.send("POST", "/mcp", &headers, PING).await;
        assert_eq!(
            reply.status,
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "{encoding}"
        );
        let message = reply.json()["error"]["message"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        assert!(
            message.contains("Content-Encoding") && message.contains("uncompressed"),
            "{message}"
        );
    }
    // `identity` means not encoded.
    let mut headers = legacy(&auth);
    headers.push(("content-encoding", "identity"));
    let reply = s.send("POST", "/mcp", &headers, PING).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
}

#[tokio::test]
async fn a_client_without_accept_or_content_type_gets_json_not_a_stream() {
    use http_body_util::BodyExt as _;
    use tower::ServiceExt as _;

    let s = server();
    let auth = format!("Bearer {}", s.token(&["db:query"]));
    // `status` sends progress and log notifications, which would make the reply an SSE stream.
    let call = json!({"jsonrpc":"2.0","id":5,"method":"tools/call",
        "params":{"name":"status","_meta":{"progressToken":"p"}}});
    let mut headers = legacy(&auth);
    headers.push(("accept", "application/json"));
    let reply = s.send("POST", "/mcp", &headers, &call.to_string()).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.header("content-type"), Some("application/json"));
    assert_eq!(reply.json()["result"]["content"][0]["text"], "all good");

    // No `Accept` and no `Content-Type` at all.
    let request = http::Request::post("/mcp")
        .header("host", server_support::HOST)
        .header("authorization", &auth)
        .header("mcp-protocol-version", "2025-11-25")
        .body(axum::body::Body::from(call.to_string()))
        .expect("request");
    let response = s.router.clone().oneshot(request).await.expect("infallible");
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["content-type"], "application/json");
    let body = response
        .into_body()
        .collect()
        .await
        .expect("body")
        .to_bytes();
    let body: serde_json::Value = serde_json::from_slice(&body).expect("JSON");
    assert_eq!(body["result"]["content"][0]["text"], "all good");
}
