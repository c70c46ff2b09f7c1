//! The MCP server: a stateless Streamable HTTP endpoint that authenticates every request, gates each
//! tool call, resource read, prompt get and completion on the declared scopes before its handler
//! runs, and answers in the MCP revision
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
//! // Like `axum::serve`, plus timeouts for slow clients and a connection cap.
//! mcp_scopes::server::serve(listener, router).await;
//! # Ok(())
//! # }
//! ```
//!
//! Split by responsibility, in the order a request meets them: `router` (the built server and its
//! routes), `origin` (DNS-rebinding checks), then bearer authentication (`crate::auth`), `transport`
//! (reading the HTTP request: status codes, headers, body limit), `incoming` (one body into one
//! message), `request_id` (ids kept as the exact text sent), `jsonrpc` (error codes and responses) and `version` (revision and header rules); `methods` (one file per method family, and the
//! table routing a request to them), which share `reply` (the request context and what a method
//! hands back) and `state` (the built server every request reads); `gate` (the scope gate, its audit
//! events and the 403 step-up), `callers` (who a caller is, and its limit of running calls),
//! `running` (a started tool handler) and `cancel` (legacy `notifications/cancelled`); `response` (every HTTP response: JSON, and SSE for streamed calls).
//! `builder` holds the configuration and the start-up checks, `serve` the listener loop.

mod builder;
mod callers;
mod cancel;
mod gate;
mod incoming;
mod jsonrpc;
mod methods;
mod origin;
mod reply;
mod request_id;
mod response;
mod router;
mod running;
mod serve;
mod state;
mod transport;
mod version;

pub use builder::McpServerBuilder;
pub use builder::build::ServerError;
pub use callers::DEFAULT_MAX_CALLS_PER_CALLER;
pub use jsonrpc::{
    HEADER_MISMATCH, INSUFFICIENT_SCOPE, INTERNAL_ERROR, INVALID_PARAMS, INVALID_REQUEST,
    METHOD_NOT_FOUND, NOT_ENTITLED, PARSE_ERROR, RESOURCE_NOT_FOUND, TOO_MANY_CALLS,
    UNSUPPORTED_PROTOCOL_VERSION,
};
pub use methods::tools::SCOPES_META_KEY;
pub use request_id::MAX_REQUEST_ID_BYTES;
pub use router::McpServer;
pub use serve::{
    DEFAULT_HEADER_READ_TIMEOUT, DEFAULT_MAX_CONNECTIONS, DEFAULT_WRITE_TIMEOUT,
    MAX_READ_AHEAD_BYTES, Serve, serve,
};
pub use state::ScopeFailure;
pub use version::ProtocolVersion;
