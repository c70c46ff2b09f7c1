//! A tool handler that `tools/call` started: its task, the notifications it sends while running,
//! and how its outcome becomes the JSON-RPC response. Dropping it cancels the call.

use std::sync::Arc;

use http::StatusCode;
use serde_json::Value;
use tokio::sync::mpsc;
use tokio::task::{AbortHandle, JoinError, JoinHandle};

use super::jsonrpc::{INTERNAL_ERROR, RequestId, RpcError, success};
use super::state::ServerState;
use super::version::ProtocolVersion;
use crate::tool::{CallToolResult, ToolCallError};

/// What a handler task ends with.
pub(crate) type Outcome = Result<Result<CallToolResult, ToolCallError>, JoinError>;

/// Aborts a handler when its reply is dropped: the client went away. 2026-07-28 defines that as
/// cancellation; legacy revisions do not, but with no stream to resume the answer is lost anyway.
#[derive(Debug)]
pub(crate) struct AbortOnDrop(pub(crate) Option<AbortHandle>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        if let Some(handle) = &self.0 {
            handle.abort();
        }
    }
}

/// A running tool handler, with the channel its notifications arrive on.
#[derive(Debug)]
pub(crate) struct Running {
    /// The request id.
    pub id: RequestId,
    /// The handler task.
    pub task: JoinHandle<Result<CallToolResult, ToolCallError>>,
    /// Notifications the handler sends while running.
    pub notifications: mpsc::Receiver<Value>,
    /// Shapes the result for `version`.
    pub server: Arc<ServerState>,
    /// The revision the request speaks.
    pub version: ProtocolVersion,
    /// The tool's name, for the log.
    pub tool: &'static str,
    /// Cancels the call when the reply is dropped.
    #[expect(dead_code, reason = "held only for its `Drop`")]
    pub cancel_on_drop: AbortOnDrop,
}

impl Running {
    /// The JSON-RPC response for the handler's outcome, as JSON text.
    pub(crate) fn response(&self, outcome: Outcome) -> Vec<u8> {
        let result = match outcome {
            // Legacy revisions add nothing to a result: it is written as it is, without first
            // becoming a `Value`.
            Ok(Ok(result)) if !self.version.is_modern() => return success(&self.id, &result),
            Ok(Ok(result)) => match serde_json::to_value(result) {
                Ok(value) => Ok(value),
                Err(err) => {
                    tracing::error!(tool = self.tool, %err, "tool result is not serializable");
                    Err(RpcError::internal())
                }
            },
            Ok(Err(ToolCallError::InvalidArguments(message))) => Err(RpcError::invalid_params(
                format!("invalid arguments for tool `{}`: {message}", self.tool),
            )),
            Ok(Err(ToolCallError::Internal(message))) => {
                tracing::error!(tool = self.tool, %message, "tool call failed");
                Err(RpcError::internal())
            }
            Err(err) if err.is_cancelled() => Err(RpcError::new(
                StatusCode::OK,
                INTERNAL_ERROR,
                "the request was cancelled",
            )),
            Err(err) => {
                tracing::error!(tool = self.tool, %err, "tool handler panicked");
                Err(RpcError::internal())
            }
        };
        match result {
            Ok(value) => success(&self.id, &self.server.shape_result(self.version, value)),
            Err(err) => err.to_response(Some(&self.id)),
        }
    }
}
