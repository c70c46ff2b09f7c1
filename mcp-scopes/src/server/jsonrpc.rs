//! JSON-RPC 2.0 as MCP uses it over HTTP: one message per POST body, the error codes MCP assigns,
//! and the HTTP status each error travels with.
//!
//! Kept apart from `methods` so that every way a body can be malformed is decided in one place,
//! before any method runs.

use http::StatusCode;
use serde_json::{Map, Value, json};

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

/// A JSON-RPC request id: a string or a number (kept as the client sent it).
pub(crate) type RequestId = Value;

/// One JSON-RPC message from the client, as far as the server cares.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Incoming {
    /// A request: needs a response.
    Request {
        /// The id, echoed in the response.
        id: RequestId,
        /// The method name.
        method: String,
        /// `params`, an object (an absent `params` reads as an empty object).
        params: Map<String, Value>,
    },
    /// A notification: no id, answered with 202.
    Notification {
        /// The method name.
        method: String,
        /// `params`, as for a request.
        params: Map<String, Value>,
    },
    /// A response or error from the client. This server never sends requests, so there is
    /// nothing it could answer; it is accepted and ignored (202), as the 2025 transports require.
    Response,
}

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

    /// The JSON-RPC error response for the request `id` (`null` when unknown).
    pub(crate) fn to_response(&self, id: Option<&RequestId>) -> Value {
        let mut error = json!({ "code": self.code, "message": self.message });
        if let Some(data) = &self.data {
            error["data"] = data.clone();
        }
        json!({ "jsonrpc": "2.0", "id": id.cloned().unwrap_or(Value::Null), "error": error })
    }
}

/// The JSON-RPC success response for `id`.
pub(crate) fn success(id: &RequestId, result: Value) -> Value {
    let mut response = Map::new();
    response.insert("jsonrpc".to_owned(), json!("2.0"));
    response.insert("id".to_owned(), id.clone());
    response.insert("result".to_owned(), result);
    Value::Object(response)
}

/// A body [`parse`] refused, with the id its error is answered under.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Rejected {
    /// The error to send.
    pub(crate) error: RpcError,
    /// The message's own id when it could be read (a string or a number), so that a client
    /// matching replies by id can match this one; `None` (sent as `null`) when the body was not
    /// JSON, not an object, or its `id` was of another type, as JSON-RPC 2.0 requires.
    pub(crate) id: Option<RequestId>,
}

/// Parses one POST body into a single message. Batches (arrays) are refused, as MCP has not allowed
/// them since 2025-06-18.
pub(crate) fn parse(body: &[u8]) -> Result<Incoming, Rejected> {
    let value: Value = serde_json::from_slice(body).map_err(|detail| Rejected {
        error: RpcError::parse_error(detail),
        id: None,
    })?;
    let Value::Object(mut object) = value else {
        let message = if value.is_array() {
            "batches are not supported: send one JSON-RPC message per POST"
        } else {
            "a JSON-RPC message must be an object"
        };
        return Err(Rejected {
            error: RpcError::invalid_request(message),
            id: None,
        });
    };
    // The id is read first, so that every later refusal can be answered under it.
    let has_id = object.contains_key("id");
    let id = object
        .remove("id")
        .filter(|id| id.is_string() || id.is_number());
    let invalid = |message: &str| Rejected {
        error: RpcError::invalid_request(message),
        id: id.clone(),
    };
    if object.get("jsonrpc").and_then(Value::as_str) != Some("2.0") {
        return Err(invalid(r#"`jsonrpc` must be "2.0""#));
    }
    if has_id && id.is_none() {
        return Err(invalid("`id` must be a string or a number"));
    }
    let Some(method) = object.remove("method") else {
        if id.is_some() && (object.contains_key("result") || object.contains_key("error")) {
            return Ok(Incoming::Response);
        }
        return Err(invalid("missing `method`"));
    };
    let Value::String(method) = method else {
        return Err(invalid("`method` must be a string"));
    };
    let params = match object.remove("params") {
        None | Some(Value::Null) => Map::new(),
        Some(Value::Object(params)) => params,
        Some(_) => return Err(invalid("`params` must be an object")),
    };
    Ok(match id {
        Some(id) => Incoming::Request { id, method, params },
        None => Incoming::Notification { method, params },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(body: &str) -> i64 {
        parse(body.as_bytes()).unwrap_err().error.code
    }

    fn answered_under(body: &str) -> Option<RequestId> {
        parse(body.as_bytes()).unwrap_err().id
    }

    #[test]
    fn reads_requests_notifications_and_responses() {
        assert_eq!(
            parse(br#"{"jsonrpc":"2.0","id":7,"method":"ping"}"#).unwrap(),
            Incoming::Request {
                id: json!(7),
                method: "ping".into(),
                params: Map::new()
            }
        );
        assert!(matches!(
            parse(br#"{"jsonrpc":"2.0","method":"notifications/initialized","params":{}}"#),
            Ok(Incoming::Notification { .. })
        ));
        assert_eq!(
            parse(br#"{"jsonrpc":"2.0","id":"a","result":{}}"#).unwrap(),
            Incoming::Response
        );
    }

    #[test]
    fn refuses_malformed_messages_with_the_right_code() {
        assert_eq!(code("{"), PARSE_ERROR);
        assert_eq!(code(""), PARSE_ERROR);
        assert_eq!(
            code(r#"[{"jsonrpc":"2.0","id":1,"method":"ping"}]"#),
            INVALID_REQUEST
        );
        assert_eq!(code("42"), INVALID_REQUEST);
        assert_eq!(code(r#"{"id":1,"method":"ping"}"#), INVALID_REQUEST);
        assert_eq!(
            code(r#"{"jsonrpc":"2.0","id":{},"method":"ping"}"#),
            INVALID_REQUEST
        );
        assert_eq!(
            code(r#"{"jsonrpc":"2.0","id":1,"method":3}"#),
            INVALID_REQUEST
        );
        assert_eq!(code(r#"{"jsonrpc":"2.0","id":1}"#), INVALID_REQUEST);
        assert_eq!(
            code(r#"{"jsonrpc":"2.0","id":1,"method":"ping","params":[1]}"#),
            INVALID_REQUEST
        );
    }

    #[test]
    fn refusals_keep_the_id_when_it_could_be_read() {
        for (body, id) in [
            (r#"{"jsonrpc":"1.0","id":5,"method":"ping"}"#, json!(5)),
            (r#"{"id":"a","method":"ping"}"#, json!("a")),
            (r#"{"jsonrpc":"2.0","id":1}"#, json!(1)),
            (r#"{"jsonrpc":"2.0","id":1.5,"method":3}"#, json!(1.5)),
            (
                r#"{"jsonrpc":"2.0","id":"p","method":"ping","params":[1]}"#,
                json!("p"),
            ),
        ] {
            assert_eq!(code(body), INVALID_REQUEST, "{body}");
            assert_eq!(answered_under(body), Some(id), "{body}");
        }
        for body in [
            "{",
            r#"{"jsonrpc":"2.0","id":7,"method":"ping"} x"#,
            r#"[{"jsonrpc":"2.0","id":1,"method":"ping"}]"#,
            "42",
            r#"{"jsonrpc":"2.0","id":null,"method":"ping"}"#,
            r#"{"jsonrpc":"2.0","id":[1],"method":"ping"}"#,
            r#"{"jsonrpc":"1.0","id":{},"method":"ping"}"#,
            r#"{"jsonrpc":"2.0","method":3}"#,
        ] {
            assert_eq!(answered_under(body), None, "{body}");
        }
    }

    #[test]
    fn error_responses_echo_the_id_or_null() {
        let err = RpcError::invalid_params("unknown tool: x").with_data(json!({"a": 1}));
        assert_eq!(
            err.to_response(Some(&json!("r1"))),
            json!({"jsonrpc":"2.0","id":"r1","error":{"code":-32602,"message":"unknown tool: x","data":{"a":1}}})
        );
        assert_eq!(
            RpcError::parse_error("eof").to_response(None)["id"],
            Value::Null
        );
    }
}
