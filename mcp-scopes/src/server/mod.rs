//! The MCP server: a stateless Streamable HTTP endpoint that authenticates every request, gates each
//! tool call on the tool's declared scopes before its handler runs, and answers in the MCP revision
//! the client speaks (2025-06-18, 2025-11-25 or 2026-07-28).
//!
//! Build one with [`McpServer::builder`]; [`McpServer::into_router`] gives an [`axum::Router`]
//! serving the MCP endpoint and both Protected Resource Metadata URLs, ready to merge into an
//! application or to serve:
//!
//! ```no_run
//! use mcp_scopes::auth::ValidatorConfig;
//! use mcp_scopes::server::McpServer;
//!
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let resource = "https://mcp.example.com/mcp";
//! let router = McpServer::builder()
//!     .info("db-server", "1.0.0")
//!     .auth(ValidatorConfig::casdoor("https://door.example.com", resource))
//!     .build()? // every #[tool] and #[scope] linked in, checked
//!     .into_router();
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:8080").await?;
//! // Like `axum::serve`, plus a header read timeout and a connection cap.
//! mcp_scopes::server::serve(listener, router).await;
//! # Ok(())
//! # }
//! ```
//!
//! Split by responsibility: `builder` (configuration and start-up checks), `router` (the built
//! server and its routes), `origin` (DNS-rebinding checks), `transport` (HTTP status codes, headers,
//! body limit), `sse` (streamed replies), `cancel` (legacy
//! `notifications/cancelled`), `jsonrpc` (messages and error codes), `version` (revision
//! and header rules), `dispatch` (methods), `tools` (`tools/list`, `tools/call`) and `gate` (the
//! scope gate and its audit events).

mod builder;
mod cancel;
mod core;
mod dispatch;
mod gate;
mod jsonrpc;
mod origin;
mod router;
mod serve;
mod sse;
mod tools;
mod transport;
mod version;

pub use builder::{McpServerBuilder, ServerError};
pub use core::ScopeFailure;
pub use gate::AUDIT_TARGET;
pub use jsonrpc::{
    HEADER_MISMATCH, INSUFFICIENT_SCOPE, INTERNAL_ERROR, INVALID_PARAMS, INVALID_REQUEST,
    METHOD_NOT_FOUND, PARSE_ERROR, RpcError, UNSUPPORTED_PROTOCOL_VERSION,
};
pub use router::McpServer;
pub use serve::{DEFAULT_HEADER_READ_TIMEOUT, DEFAULT_MAX_CONNECTIONS, Serve, serve};
pub use tools::SCOPES_META_KEY;
pub use version::ProtocolVersion;
