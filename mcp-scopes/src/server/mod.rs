//! The MCP server: a stateless Streamable HTTP endpoint that authenticates every request, gates each
//! tool call on the tool's declared scopes before its handler runs, and answers in the MCP revision
//! the client speaks (2025-06-18, 2025-11-25 or 2026-07-28).
//!
//! Build one with [`McpServer::builder`]; the result is an [`axum::Router`] serving the MCP endpoint
//! and both Protected Resource Metadata URLs, ready to merge into an application or to serve.
//!
//! Split by responsibility: [`builder`](McpServerBuilder) (configuration and start-up checks),
//! `origin` (DNS-rebinding checks), `transport` (HTTP status codes, headers, body limit), `sse` (streamed
//! replies), `jsonrpc` (messages and error codes), `version` (revision and header rules),
//! `dispatch` (methods), `tools` (`tools/list`, `tools/call`) and `gate` (the scope gate and audit).

mod builder;
mod core;
mod dispatch;
mod gate;
mod jsonrpc;
mod origin;
mod sse;
mod tools;
mod transport;
mod version;

pub use builder::{McpServer, McpServerBuilder, ServerError};
pub use core::ScopeFailure;
pub use gate::AUDIT_TARGET;
pub use jsonrpc::{
    HEADER_MISMATCH, INSUFFICIENT_SCOPE, INTERNAL_ERROR, INVALID_PARAMS, INVALID_REQUEST,
    METHOD_NOT_FOUND, PARSE_ERROR, RpcError, UNSUPPORTED_PROTOCOL_VERSION,
};
pub use tools::SCOPES_META_KEY;
pub use version::ProtocolVersion;
