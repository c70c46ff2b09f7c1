//! One call as a handler sees it: what its arguments are extracted from ([`ToolCall`]), the errors
//! that end it before a result, and the future and entry point the macro generates. Its own file
//! because the extractors, the return types and the definitions all name it.

use std::future::Future;
use std::pin::Pin;

use super::content::CallToolResult;
use super::notify::Notifier;
use super::state::StateMap;
use crate::auth::Principal;

/// The future a generated handler returns.
pub type ToolFuture = Pin<Box<dyn Future<Output = Result<CallToolResult, ToolCallError>> + Send>>;

/// The generated entry point of a tool: extracts the arguments, runs the user's function, and turns
/// its return value into a result.
pub type ToolHandler = fn(ToolCall) -> ToolFuture;

/// Everything a handler's arguments are extracted from.
#[derive(Debug)]
pub struct ToolCall {
    /// The tool's name.
    pub name: String,
    /// `params.arguments` of the request (taken by [`Args`](super::Args)).
    pub arguments: Option<serde_json::Map<String, serde_json::Value>>,
    /// The authenticated caller.
    pub principal: Principal,
    /// The shared state given to the server builder.
    pub state: StateMap,
    /// Sends progress and log notifications for this request (an SSE reply when used).
    pub notifier: Notifier,
}

/// Why a call could not reach, or finish in, the user's function in a way the model should not see
/// as a tool result.
#[derive(Debug, thiserror::Error)]
pub enum ToolCallError {
    /// The arguments did not fit the input type: JSON-RPC `-32602`.
    #[error("invalid arguments: {0}")]
    InvalidArguments(String),
    /// A server-side fault (e.g. missing state): JSON-RPC `-32603`. The message is logged, and a
    /// generic one is sent to the client.
    #[error("internal error: {0}")]
    Internal(String),
}
