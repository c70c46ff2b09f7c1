//! A JSON-RPC client for a server listening on loopback (the examples' binaries and `serve`d
//! routers): one POST to the MCP endpoint, read back as a [`Reply`] with the helpers every tool
//! test asks of it (the challenge, the result, its structured content or its error text).

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
