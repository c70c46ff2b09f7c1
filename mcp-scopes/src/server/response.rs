//! Every HTTP response the MCP endpoint sends: JSON for results and errors (with the 403 step-up's
//! `WWW-Authenticate`), and for a running `tools/call` plain JSON when the handler finishes without
//! sending notifications, an SSE stream (notifications, then the response) as soon as it sends one.
//!
//! The decision is made lazily so a quiet tool costs nothing extra. When the client goes away the
//! reply is dropped, and with it the `Running` call, whose handler is aborted then: closing the
//! stream is cancellation under 2026-07-28, and under the legacy revisions (where it is not) the
//! answer has nowhere to go, since this server keeps no stream to resume.

use std::collections::VecDeque;
use std::convert::Infallible;

use axum::body::{Body, Bytes};
use axum::response::{IntoResponse, Response};
use http::header::{CACHE_CONTROL, CONTENT_TYPE, RETRY_AFTER, WWW_AUTHENTICATE};
use http::{HeaderName, HeaderValue, StatusCode};
use serde_json::Value;

use super::jsonrpc::{RequestId, RpcError, success, success_json};
use super::reply::Reply;
use super::running::Running;

/// A JSON reply (the body already written).
pub(crate) fn json_response(status: StatusCode, bytes: Vec<u8>) -> Response {
    (
        status,
        [(CONTENT_TYPE, HeaderValue::from_static("application/json"))],
        bytes,
    )
        .into_response()
}

/// A JSON-RPC error reply, with the request's id when it is known (`null` otherwise).
pub(crate) fn error_response(error: &RpcError, id: Option<&RequestId>) -> Response {
    json_response(error.status, error.to_response(id))
}

/// The HTTP response to the request `id` that produced `reply`.
pub(crate) async fn reply_response(id: &RequestId, reply: Reply) -> Response {
    match reply {
        Reply::Result(result) => json_response(StatusCode::OK, success(id, &result)),
        Reply::Json(result) => json_response(StatusCode::OK, success_json(id, &result)),
        Reply::Error(error) => error_response(&error, Some(id)),
        Reply::Forbidden { error, challenge } => {
            let mut response = error_response(&error, Some(id));
            response.headers_mut().insert(WWW_AUTHENTICATE, challenge);
            response
        }
        Reply::Busy(error) => {
            let mut response = error_response(&error, Some(id));
            response
                .headers_mut()
                .insert(RETRY_AFTER, HeaderValue::from_static("1"));
            response
        }
        Reply::Running(running) => running_response(running).await,
        Reply::Deferred(future) => match future.0.await {
            Ok(result) => json_response(StatusCode::OK, success(id, &result)),
            Err(error) => error_response(&error, Some(id)),
        },
    }
}

/// Headers of a streamed reply.
fn sse_headers() -> [(HeaderName, HeaderValue); 3] {
    [
        (CONTENT_TYPE, HeaderValue::from_static("text/event-stream")),
        (CACHE_CONTROL, HeaderValue::from_static("no-cache")),
        (
            HeaderName::from_static("x-accel-buffering"),
            HeaderValue::from_static("no"),
        ),
    ]
}

enum Step {
    Notification(Value),
    /// The JSON-RPC response, as JSON text.
    Response(Vec<u8>),
}

struct Progress {
    running: Running,
    pending: VecDeque<Value>,
    response: Option<Vec<u8>>,
    finished: bool,
}

impl Progress {
    fn new(running: Running) -> Self {
        Self {
            running,
            pending: VecDeque::new(),
            response: None,
            finished: false,
        }
    }

    async fn next(&mut self) -> Option<Step> {
        if let Some(note) = self.pending.pop_front() {
            return Some(Step::Notification(note));
        }
        if self.finished {
            return self.response.take().map(Step::Response);
        }
        tokio::select! {
            biased;
            Some(note) = self.running.notifications.recv() => Some(Step::Notification(note)),
            outcome = &mut self.running.task => {
                // Notifications sent just before the handler returned may still be queued; they
                // go out before the response.
                while let Ok(note) = self.running.notifications.try_recv() {
                    self.pending.push_back(note);
                }
                self.finished = true;
                let response = self.running.response(outcome);
                match self.pending.pop_front() {
                    Some(note) => {
                        self.response = Some(response);
                        Some(Step::Notification(note))
                    }
                    None => Some(Step::Response(response)),
                }
            }
        }
    }
}

/// One SSE event carrying `message` (JSON text). serde_json never writes a raw newline, and the
/// id's raw text is one JSON token (no newline either), so one `data:` line holds the message.
fn event(message: &[u8]) -> Bytes {
    let mut out = Vec::with_capacity(message.len() + 24);
    out.extend_from_slice(b"event: message\ndata: ");
    out.extend_from_slice(message);
    out.extend_from_slice(b"\n\n");
    Bytes::from(out)
}

/// Waits for the first thing the handler produces and picks the reply's form from it.
async fn running_response(running: Running) -> Response {
    let mut progress = Progress::new(running);
    let first = match progress.next().await {
        Some(Step::Response(response)) => return json_response(StatusCode::OK, response),
        Some(Step::Notification(note)) => note,
        // Unreachable: `next` yields the response before it yields nothing.
        None => return json_response(StatusCode::OK, b"null".to_vec()),
    };
    progress.pending.push_front(first);
    let stream = futures_util::stream::unfold(progress, |mut progress| async move {
        let bytes = match progress.next().await? {
            Step::Notification(note) => event(&serde_json::to_vec(&note).unwrap_or_default()),
            Step::Response(response) => event(&response),
        };
        Some((Ok::<_, Infallible>(bytes), progress))
    });
    (StatusCode::OK, sse_headers(), Body::from_stream(stream)).into_response()
}
