//! Tools as the registry holds them: the static definition that `#[tool]` writes, the arguments a
//! handler can ask for (extractors, as in axum), and what a handler can return.
//!
//! The macro only emits data (a [`ToolDef`]) plus one call into this module; all behaviour lives here
//! where plain tests reach it.

mod argument;
mod content;
mod notify;
mod output;

pub use argument::{Args, MissingState, State, StateMap, StateValue, ToolArgument};
pub use content::{CallToolResult, Content, EmbeddedResource, ResourceLink};
pub use notify::{LogLevel, NOTIFICATION_BUFFER, Notifier};
pub use output::{IntoToolResult, Structured};

use std::future::Future;
use std::pin::Pin;

use crate::auth::Principal;

/// The future a generated handler returns.
pub type ToolFuture = Pin<Box<dyn Future<Output = Result<CallToolResult, ToolCallError>> + Send>>;

/// The generated entry point of a tool: extracts the arguments, runs the user's function, and turns
/// its return value into a result.
pub type ToolHandler = fn(ToolCall) -> ToolFuture;

/// The MCP tool annotations (hints for clients; never trusted for security).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ToolAnnotations {
    /// `readOnlyHint`.
    pub read_only: Option<bool>,
    /// `destructiveHint`.
    pub destructive: Option<bool>,
    /// `idempotentHint`.
    pub idempotent: Option<bool>,
    /// `openWorldHint`.
    pub open_world: Option<bool>,
}

/// What one handler argument contributes to the tool's definition, read through [`ToolArgument`].
#[derive(Debug, Clone, Copy)]
pub struct ArgSpec {
    /// The argument's type name, for error messages.
    pub type_name: &'static str,
    /// The JSON Schema of the tool's input if this argument is the input ([`Args`]).
    pub input_schema: fn() -> Option<serde_json::Value>,
    /// Checks at server build time that the shared state this argument needs was provided.
    pub check_state: fn(&StateMap) -> Result<(), String>,
}

/// A tool, as `#[tool]` declares it. Read by the scope gate, `tools/list` and the manifests.
#[derive(Debug)]
pub struct ToolDef {
    /// The MCP tool name (default: the function's name).
    pub name: &'static str,
    /// The optional human title.
    pub title: Option<&'static str>,
    /// What the tool does, written for the model (default: the doc comment).
    pub description: &'static str,
    /// Every scope the caller must hold (all of them; implications count). Empty exactly for a
    /// tool declared `#[tool(public)]`: callable by any caller with a valid token.
    pub scopes: &'static [&'static str],
    /// The MCP annotations.
    pub annotations: ToolAnnotations,
    /// One entry per handler argument, in order.
    pub args: &'static [ArgSpec],
    /// The output schema, when the return type is structured.
    pub output_schema: fn() -> Option<serde_json::Value>,
    /// The generated entry point.
    pub handler: ToolHandler,
    /// Where the tool is declared (`file:line`), for error messages.
    pub location: &'static str,
}

/// Everything a handler's arguments are extracted from.
#[derive(Debug)]
pub struct ToolCall {
    /// The tool's name.
    pub name: String,
    /// `params.arguments` of the request (taken by [`Args`]).
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
