//! Sending one request to an in-process router and reading what a client would see: the status, the
//! headers (the `WWW-Authenticate` challenge among them) and the body, as text, JSON or SSE events.

use axum::Router;
use axum::body::Body;
use http::{HeaderMap, Request, StatusCode};
use http_body_util::BodyExt as _;
use serde_json::Value;
use tower::ServiceExt as _;

/// The status `router` answers to `GET path` with this `Authorization` header.
pub async fn status_of_get(router: &Router, path: &str, authorization: &str) -> StatusCode {
    let request = Request::get(path)
        .header("authorization", authorization)
        .body(Body::empty())
        .expect("request");
    send(router, request).await.status
}

/// A response as the tests read it.
#[derive(Debug)]
pub struct Reply {
    /// The HTTP status.
    pub status: StatusCode,
    /// Every response header.
    pub headers: HeaderMap,
    /// The body, decoded as UTF-8 (lossily, so a broken body still shows in a failure message).
    pub text: String,
}

/// Sends `request` to `router` and reads the whole response.
pub async fn send(router: &Router, request: Request<Body>) -> Reply {
    let response = router
        .clone()
        .oneshot(request)
        .await
        .expect("the router is infallible");
    let (parts, body) = response.into_parts();
    let bytes = body
        .collect()
        .await
        .expect("the body is readable")
        .to_bytes();
    Reply {
        status: parts.status,
        headers: parts.headers,
        text: String::from_utf8_lossy(&bytes).into_owned(),
    }
}

impl Reply {
    /// The body as JSON (`null` when it is not JSON).
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.text).unwrap_or(Value::Null)
    }

    /// A header's value, if present and visible ASCII.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// The `WWW-Authenticate` challenge, if any.
    pub fn challenge(&self) -> Option<&str> {
        self.header("www-authenticate")
    }

    /// The JSON-RPC error code, if the body is an error response.
    pub fn error_code(&self) -> Option<i64> {
        self.json()["error"]["code"].as_i64()
    }

    /// The messages of an SSE body, in order.
    pub fn events(&self) -> Vec<Value> {
        self.text
            .split("\n\n")
            .filter_map(|event| {
                event
                    .lines()
                    .find_map(|line| line.strip_prefix("data: "))
                    .map(|data| serde_json::from_str(data).expect("each event is JSON"))
            })
            .collect()
    }
}
