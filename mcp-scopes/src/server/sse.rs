//! The reply to a `tools/call`: plain JSON when the handler finishes without sending notifications,
//! an SSE stream (notifications, then the response) as soon as it sends one.
//!
//! The decision is made lazily so a quiet tool costs nothing extra. When the client goes away the
//! reply is dropped, and with it the `Running` call: a 2026-07-28 handler is aborted then (closing
//! the stream is cancellation there), a legacy one runs to completion (a disconnect is not a
//! cancellation in those revisions).

use std::collections::VecDeque;
use std::convert::Infallible;

use axum::body::{Body, Bytes};
use axum::response::{IntoResponse, Response};
use http::StatusCode;
use serde_json::Value;

use super::tools::Running;
use super::transport::{json_response, sse_headers};

enum Step {
    Notification(Value),
    Response(Value),
}

struct Progress {
    running: Running,
    pending: VecDeque<Value>,
    response: Option<Value>,
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

fn event(message: &Value) -> Bytes {
    let mut out = b"event: message\ndata: ".to_vec();
    // serde_json never writes a raw newline, so one `data:` line holds the whole message.
    out.extend(serde_json::to_vec(message).unwrap_or_default());
    out.extend_from_slice(b"\n\n");
    Bytes::from(out)
}

/// Waits for the first thing the handler produces and picks the reply's form from it.
pub(crate) async fn reply(running: Running) -> Response {
    let mut progress = Progress::new(running);
    let first = match progress.next().await {
        Some(Step::Response(response)) => return json_response(StatusCode::OK, &response),
        Some(Step::Notification(note)) => note,
        // Unreachable: `next` yields the response before it yields nothing.
        None => return json_response(StatusCode::OK, &Value::Null),
    };
    progress.pending.push_front(first);
    let stream = futures_util::stream::unfold(progress, |mut progress| async move {
        let bytes = match progress.next().await? {
            Step::Notification(note) | Step::Response(note) => event(&note),
        };
        Some((Ok::<_, Infallible>(bytes), progress))
    });
    (StatusCode::OK, sse_headers(), Body::from_stream(stream)).into_response()
}
