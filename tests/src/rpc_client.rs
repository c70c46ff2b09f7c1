//! A JSON-RPC client for a server listening on loopback (the examples' binaries and `serve`d
//! routers): one POST to the MCP endpoint, read back as a [`Reply`] with the helpers every tool
//! test asks of it (the challenge, the result, its structured content or its error text), and the
//! first and last events of a streamed reply.

use reqwest::StatusCode;
use reqwest::header::HeaderMap;
use serde_json::{Value, json};

/// An HTTP reply to a JSON-RPC request.
#[derive(Debug)]
pub struct Reply {
    /// The HTTP status.
    pub status: StatusCode,
    /// Every response header.
    pub headers: HeaderMap,
    /// The body as JSON (`null` when it is not JSON).
    pub body: Value,
}

/// POSTs one 2025-11-25 JSON-RPC request (`id` 1) to `endpoint`, with `token` as bearer token when
/// given.
pub async fn rpc(
    client: &reqwest::Client,
    endpoint: &str,
    token: Option<&str>,
    method: &str,
    params: Value,
) -> Reply {
    let mut request = client
        .post(endpoint)
        .header("Accept", "application/json, text/event-stream")
        .header("MCP-Protocol-Version", "2025-11-25")
        .json(&json!({"jsonrpc": "2.0", "id": 1, "method": method, "params": params}));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.expect("request");
    let status = response.status();
    let headers = response.headers().clone();
    let text = response.text().await.expect("body");
    Reply {
        status,
        headers,
        body: serde_json::from_str(&text).unwrap_or(Value::Null),
    }
}

impl Reply {
    /// The `WWW-Authenticate` header, or "".
    pub fn challenge(&self) -> &str {
        self.headers
            .get("www-authenticate")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }

    /// The tool result of a successful call (panics otherwise, showing the reply).
    pub fn result(&self) -> &Value {
        assert_eq!(self.status, StatusCode::OK, "{self:?}");
        self.body
            .get("result")
            .unwrap_or_else(|| panic!("no result: {self:?}"))
    }

    /// The structured content of a successful, non-error tool result.
    pub fn structured(&self) -> &Value {
        let result = self.result();
        assert_ne!(result["isError"], json!(true), "tool failed: {result}");
        &result["structuredContent"]
    }

    /// The text of a tool result with `isError: true`.
    pub fn tool_error(&self) -> String {
        let result = self.result();
        assert_eq!(
            result["isError"],
            json!(true),
            "tool did not fail: {result}"
        );
        result["content"][0]["text"]
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }
}

/// The first event of a streamed (`text/event-stream`) reply, as JSON; fails if none arrives
/// within 5 s (a proxy holding the stream back, a tool that never reports).
pub async fn first_sse_event(response: &mut reqwest::Response) -> Value {
    let mut text = String::new();
    while !text.contains("\n\n") {
        let chunk = tokio::time::timeout(std::time::Duration::from_secs(5), response.chunk())
            .await
            .expect("an event within 5 s")
            .expect("readable")
            .expect("a chunk before the end");
        text.push_str(&String::from_utf8_lossy(&chunk));
    }
    let data = text
        .lines()
        .find_map(|l| l.strip_prefix("data: "))
        .expect("a data line");
    serde_json::from_str(data).expect("JSON")
}

/// Reads the rest of a streamed reply and returns its last message (the response).
pub async fn last_sse_event(response: reqwest::Response) -> Value {
    let rest = response.text().await.expect("the stream ends");
    let data = rest
        .lines()
        .rev()
        .find_map(|l| l.strip_prefix("data: "))
        .expect("a final event");
    serde_json::from_str(data).expect("JSON")
}
