//! JSON-RPC 2.0 as MCP uses it over HTTP: the error codes MCP assigns, the HTTP status each error
//! travels with, and the responses as JSON text (reading a body is `incoming`'s).

use http::StatusCode;
use serde::Serialize;
use serde_json::Value;

/// Invalid JSON was received.
pub const PARSE_ERROR: i64 = -32700;
/// The JSON is not a valid request object (or is a batch, which MCP removed in 2025-06-18).
pub const INVALID_REQUEST: i64 = -32600;
/// The method does not exist here (HTTP 404 under 2026-07-28).
pub const METHOD_NOT_FOUND: i64 = -32601;
/// Invalid method parameters, including an unknown (or hidden) tool.
pub const INVALID_PARAMS: i64 = -32602;
/// A server-side fault; details are logged, not sent.
pub const INTERNAL_ERROR: i64 = -32603;
/// The caller's token lacks a scope the tool needs (implementation-defined range of JSON-RPC).
pub const INSUFFICIENT_SCOPE: i64 = -32001;
/// The user is not entitled to the tool (a role or permission is missing, not a scope).
pub const NOT_ENTITLED: i64 = -32003;
/// `resources/read` (or a completion) named a resource URI that is unknown, or hidden from the
/// caller: the code the MCP SDKs answer with.
pub const RESOURCE_NOT_FOUND: i64 = -32002;
/// The caller already has as many tool calls running as it may (HTTP 429 with `Retry-After`).
pub const TOO_MANY_CALLS: i64 = -32005;
/// 2026-07-28: the `Mcp-*` headers are missing or disagree with the body.
pub const HEADER_MISMATCH: i64 = -32020;
/// 2026-07-28: the requested protocol version is not supported.
pub const UNSUPPORTED_PROTOCOL_VERSION: i64 = -32022;

pub(crate) use super::request_id::RequestId;

/// A JSON-RPC error on its way to the client, with the HTTP status it is sent with.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct RpcError {
    /// The HTTP status of the reply.
    pub status: StatusCode,
    /// The JSON-RPC error code.
    pub code: i64,
    /// A human-readable message.
    pub message: String,
    /// Optional structured details.
    pub data: Option<Value>,
}

impl RpcError {
    /// An error with the given status, code and message.
    pub(crate) fn new(status: StatusCode, code: i64, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
            data: None,
        }
    }

    /// Adds `data`.
    pub(crate) fn with_data(mut self, data: Value) -> Self {
        self.data = Some(data);
        self
    }

    /// `-32700`, HTTP 400.
    pub(crate) fn parse_error(detail: impl std::fmt::Display) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            PARSE_ERROR,
            format!("parse error: {detail}"),
        )
    }

    /// `-32600`, HTTP 400.
    pub(crate) fn invalid_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, INVALID_REQUEST, message)
    }

    /// `-32602`, HTTP 200 (the request was well formed; its parameters were not).
    pub(crate) fn invalid_params(message: impl Into<String>) -> Self {
        Self::new(StatusCode::OK, INVALID_PARAMS, message)
    }

    /// `-32603`, HTTP 200, with a message safe to show the client.
    pub(crate) fn internal() -> Self {
        Self::new(
            StatusCode::OK,
            INTERNAL_ERROR,
            "internal error; the server log has the details",
        )
    }

    /// The JSON-RPC error response for the request `id` (`null` when unknown), as JSON text.
    pub(crate) fn to_response(&self, id: Option<&RequestId>) -> Vec<u8> {
        to_json(&ErrorResponse {
            jsonrpc: VERSION,
            id,
            error: ErrorObject {
                code: self.code,
                message: &self.message,
                data: self.data.as_ref(),
            },
        })
    }
}

/// The `jsonrpc` member of every response.
const VERSION: &str = "2.0";

/// A success response. Responses are written with typed structs, never through a `Value`, so
/// that the id's raw text reaches the client unchanged.
#[derive(Serialize)]
struct SuccessResponse<'a, T: Serialize> {
    jsonrpc: &'static str,
    id: &'a RequestId,
    result: &'a T,
}

/// An error response; an unknown id is written as `null`.
#[derive(Serialize)]
struct ErrorResponse<'a> {
    jsonrpc: &'static str,
    id: Option<&'a RequestId>,
    error: ErrorObject<'a>,
}

#[derive(Serialize)]
struct ErrorObject<'a> {
    code: i64,
    message: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    data: Option<&'a Value>,
}

/// The JSON-RPC success response for `id`, as JSON text.
pub(crate) fn success(id: &RequestId, result: &impl Serialize) -> Vec<u8> {
    to_json(&SuccessResponse {
        jsonrpc: VERSION,
        id,
        result,
    })
}

/// The JSON-RPC success response for `id` around `result`, JSON text serde_json wrote: put together
/// in one buffer of the right size, without reading `result` again (a `tools/list` page is tens of
/// kilobytes; growing a buffer for it was a visible part of the request).
pub(crate) fn success_json(id: &RequestId, result: &[u8]) -> Vec<u8> {
    const HEAD: &[u8] = br#"{"jsonrpc":"2.0","id":"#;
    const RESULT: &[u8] = br#","result":"#;
    let id = id.json_text().as_bytes();
    let mut out = Vec::with_capacity(HEAD.len() + id.len() + RESULT.len() + result.len() + 1);
    out.extend_from_slice(HEAD);
    out.extend_from_slice(id);
    out.extend_from_slice(RESULT);
    out.extend_from_slice(result);
    out.push(b'}');
    out
}

/// Writes a response. The structs above hold only strings, numbers, raw ids and `Value`s, none of
/// which can fail to serialize; should one ever fail, the client still gets a valid error.
fn to_json(response: &impl Serialize) -> Vec<u8> {
    serde_json::to_vec(response).unwrap_or_else(|err| {
        tracing::error!(%err, "a JSON-RPC response could not be serialized");
        br#"{"jsonrpc":"2.0","id":null,"error":{"code":-32603,"message":"internal error"}}"#
            .to_vec()
    })
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn read(bytes: &[u8]) -> Value {
        serde_json::from_slice(bytes).unwrap()
    }

    #[test]
    fn error_responses_echo_the_id_or_null() {
        let err = RpcError::invalid_params("unknown tool: x").with_data(json!({"a": 1}));
        assert_eq!(
            read(&err.to_response(Some(&RequestId::parse(r#""r1""#)))),
            json!({"jsonrpc":"2.0","id":"r1","error":{"code":-32602,"message":"unknown tool: x","data":{"a":1}}})
        );
        assert_eq!(
            read(&RpcError::parse_error("eof").to_response(None))["id"],
            Value::Null
        );
    }

    #[test]
    fn responses_carry_the_id_text_unchanged() {
        let id = RequestId::parse("12345678901234567890123");
        assert_eq!(
            success(&id, &json!({})),
            br#"{"jsonrpc":"2.0","id":12345678901234567890123,"result":{}}"#
        );
        assert_eq!(
            success_json(&id, br#"{"tools":[]}"#),
            success(&id, &json!({"tools": []}))
        );
        let id = RequestId::parse("1E2");
        assert_eq!(
            RpcError::internal().to_response(Some(&id)),
            br#"{"jsonrpc":"2.0","id":1E2,"error":{"code":-32603,"message":"internal error; the server log has the details"}}"#
        );
    }
}
