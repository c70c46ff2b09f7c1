//! Reading one POST body into one JSON-RPC message, in a single pass over the bytes.
//!
//! Every way a body can be malformed is decided here, before any method runs. The envelope is
//! read field by field rather than into a `serde_json::Value`, so that the `id` is cut out as raw
//! JSON text (see [`RequestId`]) while `params` is built as a map, as the methods want it. A key
//! given twice counts once, the last one: the same rule `serde_json::Map` applies to `params`, so
//! the scope gate and dispatch always read the same message.

use std::fmt;

use serde::Deserialize;
use serde::de::{Deserializer, IgnoredAny, MapAccess, Visitor};
use serde_json::value::RawValue;
use serde_json::{Map, Value};

use super::jsonrpc::RpcError;
use super::request_id::{IdRefusal, RequestId};

/// The method whose `params.requestId` is read as raw text, like an `id`.
const CANCELLED: &str = "notifications/cancelled";

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
        /// For `notifications/cancelled`: `params.requestId` as the exact text sent, so it is
        /// compared with the running call's id byte for byte. `None` when absent or not an id.
        request_id: Option<RequestId>,
    },
    /// A response or error from the client. This server never sends requests, so there is
    /// nothing it could answer; it is accepted and ignored (202), as the 2025 transports require.
    Response,
}

/// A body [`parse`] refused, with the id its error is answered under.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Rejected {
    /// The error to send.
    pub(crate) error: RpcError,
    /// The message's own id when it could be read (a string or a number), so that a client
    /// matching replies by id can match this one; `None` (sent as `null`) when the body was not
    /// JSON, not an object, or its `id` was refused, as JSON-RPC 2.0 requires.
    pub(crate) id: Option<RequestId>,
}

/// The top-level keys the server reads.
#[derive(Deserialize)]
#[serde(field_identifier, rename_all = "lowercase")]
enum Key {
    Jsonrpc,
    Id,
    Method,
    Params,
    Result,
    Error,
    #[serde(other)]
    Other,
}

/// The envelope's fields as read, before any of them is judged.
#[derive(Default)]
struct Envelope<'a> {
    jsonrpc: Option<Value>,
    /// `Some` whenever the key is present, `null` included.
    id: Option<&'a RawValue>,
    method: Option<Value>,
    params: Option<Value>,
    has_result_or_error: bool,
}

impl<'de> Deserialize<'de> for Envelope<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct EnvelopeVisitor;
        impl<'de> Visitor<'de> for EnvelopeVisitor {
            type Value = Envelope<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a JSON-RPC message object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut envelope = Envelope::default();
                while let Some(key) = map.next_key::<Key>()? {
                    match key {
                        Key::Jsonrpc => envelope.jsonrpc = Some(map.next_value()?),
                        Key::Id => envelope.id = Some(map.next_value()?),
                        Key::Method => envelope.method = Some(map.next_value()?),
                        Key::Params => envelope.params = Some(map.next_value()?),
                        Key::Result | Key::Error => {
                            map.next_value::<IgnoredAny>()?;
                            envelope.has_result_or_error = true;
                        }
                        Key::Other => {
                            map.next_value::<IgnoredAny>()?;
                        }
                    }
                }
                Ok(envelope)
            }
        }
        deserializer.deserialize_map(EnvelopeVisitor)
    }
}

/// `params.requestId` of a `notifications/cancelled`, as raw text.
#[derive(Deserialize)]
struct CancelledMessage<'a> {
    #[serde(borrow)]
    params: CancelledParams<'a>,
}

#[derive(Deserialize)]
struct CancelledParams<'a> {
    #[serde(borrow, rename = "requestId")]
    request_id: &'a RawValue,
}

/// Parses one POST body into a single message. Batches (arrays) are refused, as MCP has not allowed
/// them since 2025-06-18.
pub(crate) fn parse(body: &[u8]) -> Result<Incoming, Rejected> {
    let refused = |error: RpcError| Rejected { error, id: None };
    let envelope = match serde_json::from_slice::<Envelope<'_>>(body) {
        Ok(envelope) => envelope,
        // A type error can only be the top level's: every field accepts any JSON value.
        Err(err) if err.classify() == serde_json::error::Category::Data => {
            return Err(refused(not_an_object(body)));
        }
        Err(err) => return Err(refused(RpcError::parse_error(err))),
    };
    // The id is read first, so that every later refusal can be answered under it.
    let id = match envelope.id.map(RequestId::from_raw).transpose() {
        Ok(id) => id,
        // Not JSON text serde_json accepts anywhere else: as a parse error, like the same
        // string in any other place of the body.
        Err(refusal @ IdRefusal::BadString) => {
            return Err(refused(RpcError::parse_error(refusal.message())));
        }
        Err(refusal) => return Err(refused(RpcError::invalid_request(refusal.message()))),
    };
    let invalid = |message: &str| Rejected {
        error: RpcError::invalid_request(message),
        id: id.clone(),
    };
    if envelope.jsonrpc.as_ref().and_then(Value::as_str) != Some("2.0") {
        return Err(invalid(r#"`jsonrpc` must be "2.0""#));
    }
    let Some(method) = envelope.method else {
        if id.is_some() && envelope.has_result_or_error {
            return Ok(Incoming::Response);
        }
        return Err(invalid("missing `method`"));
    };
    let Value::String(method) = method else {
        return Err(invalid("`method` must be a string"));
    };
    let params = match envelope.params {
        None | Some(Value::Null) => Map::new(),
        Some(Value::Object(params)) => params,
        Some(_) => return Err(invalid("`params` must be an object")),
    };
    if let Some(id) = id {
        return Ok(Incoming::Request { id, method, params });
    }
    let request_id = (method == CANCELLED).then(|| cancelled_id(body)).flatten();
    Ok(Incoming::Notification {
        method,
        params,
        request_id,
    })
}

/// The refusal of a body that is not a JSON object: not JSON at all, a batch, or a scalar.
fn not_an_object(body: &[u8]) -> RpcError {
    match serde_json::from_slice::<Value>(body) {
        Err(err) => RpcError::parse_error(err),
        Ok(Value::Array(_)) => RpcError::invalid_request(
            "batches are not supported: send one JSON-RPC message per POST",
        ),
        Ok(_) => RpcError::invalid_request("a JSON-RPC message must be an object"),
    }
}

/// A second, narrow read of a `notifications/cancelled` body (rare, so the common path stays one
/// pass). `None` when `requestId` is missing, given twice, or not an id: nothing is cancelled.
fn cancelled_id(body: &[u8]) -> Option<RequestId> {
    let message: CancelledMessage<'_> = serde_json::from_slice(body).ok()?;
    RequestId::from_raw(message.params.request_id).ok()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::server::jsonrpc::{INVALID_REQUEST, PARSE_ERROR};

    fn code(body: &str) -> i64 {
        parse(body.as_bytes()).unwrap_err().error.code
    }

    fn answered_under(body: &str) -> Option<String> {
        parse(body.as_bytes())
            .unwrap_err()
            .id
            .map(|id| id.json_text().to_owned())
    }

    #[test]
    fn reads_requests_notifications_and_responses() {
        assert_eq!(
            parse(br#"{"jsonrpc":"2.0","id":7,"method":"ping"}"#).unwrap(),
            Incoming::Request {
                id: RequestId::parse("7"),
                method: "ping".into(),
                params: Map::new()
            }
        );
        assert!(matches!(
            parse(br#"{"jsonrpc":"2.0","method":"notifications/initialized","params":{}}"#),
            Ok(Incoming::Notification {
                request_id: None,
                ..
            })
        ));
        assert_eq!(
            parse(br#"{"jsonrpc":"2.0","id":"a","result":{}}"#).unwrap(),
            Incoming::Response
        );
    }

    #[test]
    fn the_last_of_a_repeated_key_counts_as_in_params() {
        let Incoming::Request { id, method, params } = parse(
            br#"{"jsonrpc":"2.0","id":1,"method":"a","id":2,"method":"ping","params":{"x":1,"x":2}}"#,
        )
        .unwrap() else {
            panic!("a request")
        };
        assert_eq!((id.json_text(), method.as_str()), ("2", "ping"));
        assert_eq!(params["x"], json!(2));
    }

    #[test]
    fn a_cancelled_notification_keeps_the_request_id_text() {
        let body = br#"{"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":12345678901234567890123}}"#;
        let Ok(Incoming::Notification { request_id, .. }) = parse(body) else {
            panic!("a notification")
        };
        assert_eq!(request_id.unwrap().json_text(), "12345678901234567890123");
        let body =
            br#"{"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":[1]}}"#;
        assert!(matches!(
            parse(body),
            Ok(Incoming::Notification {
                request_id: None,
                ..
            })
        ));
    }

    #[test]
    fn refuses_malformed_messages_with_the_right_code() {
        assert_eq!(code("{"), PARSE_ERROR);
        assert_eq!(code(""), PARSE_ERROR);
        assert_eq!(code("[1,"), PARSE_ERROR);
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
        let deep = format!(
            r#"{{"jsonrpc":"2.0","id":1,"method":"ping","params":{{"a":{}{}}}}}"#,
            "[".repeat(200),
            "]".repeat(200)
        );
        assert_eq!(code(&deep), PARSE_ERROR);
    }

    #[test]
    fn refusals_keep_the_id_when_it_could_be_read() {
        for (body, id) in [
            (r#"{"jsonrpc":"1.0","id":5,"method":"ping"}"#, "5"),
            (r#"{"id":"a","method":"ping"}"#, r#""a""#),
            (r#"{"jsonrpc":"2.0","id":1}"#, "1"),
            (r#"{"jsonrpc":"2.0","id":1.5,"method":3}"#, "1.5"),
            (
                r#"{"jsonrpc":"2.0","id":"p","method":"ping","params":[1]}"#,
                r#""p""#,
            ),
        ] {
            assert_eq!(code(body), INVALID_REQUEST, "{body}");
            assert_eq!(answered_under(body).as_deref(), Some(id), "{body}");
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
}
