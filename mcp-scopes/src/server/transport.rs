//! The Streamable HTTP transport, stateless: one POST per JSON-RPC message, a JSON or SSE reply,
//! 202 for notifications, 405 for every other method (once authenticated), and the body size limit. What a message
//! means is decided in `methods`; this file only reads HTTP and hands the message on. No session id is
//! ever issued, so any instance behind a load balancer can answer any request.

use std::error::Error as _;
use std::sync::Arc;
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::response::{IntoResponse, Response};
use http::header::{ACCEPT, ALLOW, CONTENT_ENCODING, CONTENT_TYPE};
use http::{HeaderMap, HeaderValue, StatusCode};

use super::incoming::{self, Incoming};
use super::jsonrpc::{self, RpcError};
use super::methods;
use super::reply::RequestContext;
use super::response::{error_response, reply_response};
use super::state::ServerState;
use super::version;
use crate::auth::Principal;

/// The MCP endpoint's shared state.
#[derive(Debug)]
pub(crate) struct Endpoint {
    pub server: Arc<ServerState>,
    pub max_body_bytes: usize,
    pub body_read_timeout: Duration,
}

/// `405 Method Not Allowed` for anything but POST (GET streams and DELETE of sessions do not exist
/// on a stateless server).
pub(crate) async fn method_not_allowed() -> Response {
    let error = RpcError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        jsonrpc::INVALID_REQUEST,
        "this MCP endpoint is stateless: send each JSON-RPC message as a POST",
    );
    let mut response = error_response(&error, None);
    response
        .headers_mut()
        .insert(ALLOW, HeaderValue::from_static("POST"));
    response
}

fn accepts_sse(headers: &HeaderMap) -> bool {
    headers
        .get_all(ACCEPT)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|v| v.split(';').next().unwrap_or("").trim())
        .any(|v| v.eq_ignore_ascii_case("text/event-stream") || v == "*/*")
}

fn is_json_content_type(headers: &HeaderMap) -> bool {
    headers.get(CONTENT_TYPE).is_none_or(|v| {
        v.to_str().is_ok_and(|v| {
            v.split(';')
                .next()
                .unwrap_or("")
                .trim()
                .eq_ignore_ascii_case("application/json")
        })
    })
}

fn too_large(limit: usize) -> Response {
    let error = RpcError::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        jsonrpc::INVALID_REQUEST,
        format!("request body is larger than {limit} bytes"),
    );
    error_response(&error, None)
}

async fn read_body(body: Body, limit: usize, timeout: Duration) -> Result<Bytes, Response> {
    let Ok(read) = tokio::time::timeout(timeout, axum::body::to_bytes(body, limit)).await else {
        let error = RpcError::new(
            StatusCode::REQUEST_TIMEOUT,
            jsonrpc::INVALID_REQUEST,
            format!(
                "the request body did not arrive within {} s",
                timeout.as_secs_f64()
            ),
        );
        return Err(error_response(&error, None));
    };
    read.map_err(|err| {
        let mut source = err.source();
        while let Some(cause) = source {
            if cause.is::<http_body_util::LengthLimitError>() {
                return too_large(limit);
            }
            source = cause.source();
        }
        error_response(
            &RpcError::invalid_request(format!("could not read the request body: {err}")),
            None,
        )
    })
}

/// POST to the MCP endpoint. The auth layer in front has already put the caller's [`Principal`]
/// into the request extensions.
pub(crate) async fn post(State(endpoint): State<Arc<Endpoint>>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let Some(principal) = parts.extensions.get::<Arc<Principal>>().cloned() else {
        // Only reachable if the router was assembled without the auth layer: fail closed.
        tracing::error!("MCP request reached the endpoint without an authenticated principal");
        let mut error = RpcError::internal();
        error.status = StatusCode::INTERNAL_SERVER_ERROR;
        return error_response(&error, None);
    };
    let limit = endpoint.max_body_bytes;
    if parts
        .headers
        .get(http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok())
        .is_some_and(|len| len > limit as u64)
    {
        return too_large(limit);
    }
    if !is_json_content_type(&parts.headers) {
        let error = RpcError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            jsonrpc::INVALID_REQUEST,
            "the body must be `Content-Type: application/json`",
        );
        return error_response(&error, None);
    }
    // Nothing here decodes a compressed body: refuse it by name rather than fail on its bytes.
    if let Some(encoding) = parts
        .headers
        .get(CONTENT_ENCODING)
        .filter(|v| !v.as_bytes().eq_ignore_ascii_case(b"identity"))
    {
        let shown = crate::audit::clip_to(&String::from_utf8_lossy(encoding.as_bytes()), 64);
        let error = RpcError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            jsonrpc::INVALID_REQUEST,
            format!("`Content-Encoding: {shown}` is not supported: send the body uncompressed"),
        );
        return error_response(&error, None);
    }
    let bytes = match read_body(body, limit, endpoint.body_read_timeout).await {
        Ok(bytes) => bytes,
        Err(response) => return response,
    };
    let message = match incoming::parse(&bytes) {
        Ok(message) => message,
        Err(rejected) => return error_response(&rejected.error, rejected.id.as_ref()),
    };
    let (id, method, params) = match message {
        Incoming::Response => return StatusCode::ACCEPTED.into_response(),
        Incoming::Notification {
            method, request_id, ..
        } => {
            if let Err(error) = version::notification_version(&parts.headers) {
                return error_response(&error, None);
            }
            methods::notify(&endpoint.server, &principal, &method, request_id.as_ref());
            return StatusCode::ACCEPTED.into_response();
        }
        Incoming::Request { id, method, params } => (id, method, params),
    };
    let version = match version::request_version(&parts.headers, &method, &params) {
        Ok(version) => version,
        Err(error) => return error_response(&error, Some(&id)),
    };
    let ctx = RequestContext {
        version,
        principal: &principal,
        accepts_sse: accepts_sse(&parts.headers),
    };
    let reply = methods::dispatch(&endpoint.server, ctx, &id, &method, &params);
    reply_response(&id, reply).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chunked(chunks: usize, size: usize) -> Body {
        let stream = futures_util::stream::iter(
            (0..chunks).map(move |_| Ok::<_, std::io::Error>(Bytes::from(vec![b' '; size]))),
        );
        Body::from_stream(stream)
    }

    #[tokio::test]
    async fn the_limit_holds_without_a_content_length() {
        let ample = Duration::from_secs(5);
        let response = read_body(chunked(3, 40), 100, ample).await.unwrap_err();
        assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);
        assert_eq!(
            read_body(chunked(2, 40), 100, ample).await.unwrap().len(),
            80
        );
    }

    #[tokio::test]
    async fn a_trickled_body_gets_408_after_the_timeout() {
        use futures_util::StreamExt as _;
        let trickle =
            futures_util::stream::iter([Ok::<_, std::io::Error>(Bytes::from_static(b"{"))])
                .chain(futures_util::stream::pending());
        let body = Body::from_stream(trickle);
        let response = read_body(body, 100, Duration::from_millis(50))
            .await
            .unwrap_err();
        assert_eq!(response.status(), StatusCode::REQUEST_TIMEOUT);
    }

    #[test]
    fn sse_is_used_only_when_the_client_accepts_it() {
        let accept = |v: &str| {
            let mut h = HeaderMap::new();
            h.insert(ACCEPT, HeaderValue::from_str(v).unwrap());
            accepts_sse(&h)
        };
        assert!(accept("application/json, text/event-stream"));
        assert!(accept("text/event-stream;q=0.5"));
        assert!(accept("*/*"));
        assert!(!accept("application/json"));
        assert!(!accepts_sse(&HeaderMap::new()));
    }

    #[test]
    fn json_bodies_may_name_a_charset() {
        let ct = |v: &str| {
            let mut h = HeaderMap::new();
            h.insert(CONTENT_TYPE, HeaderValue::from_str(v).unwrap());
            is_json_content_type(&h)
        };
        assert!(ct("application/json"));
        assert!(ct("Application/JSON; charset=utf-8"));
        assert!(!ct("text/plain"));
        assert!(is_json_content_type(&HeaderMap::new()));
    }
}
