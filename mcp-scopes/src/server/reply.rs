//! What a method hands back to the HTTP layer, and what it is told about the request: the one
//! vocabulary between `methods` (which decide) and `transport`/`response` (which speak HTTP).

use http::HeaderValue;
use serde_json::Value;

use super::jsonrpc::RpcError;
use super::running::Running;
use super::version::ProtocolVersion;
use crate::auth::Principal;

/// Everything a method needs to know about the request besides its params.
#[derive(Debug, Clone, Copy)]
pub(crate) struct RequestContext<'a> {
    /// The revision the request speaks.
    pub version: ProtocolVersion,
    /// The authenticated caller.
    pub principal: &'a Principal,
    /// Whether the client accepts an SSE reply.
    pub accepts_sse: bool,
}

/// What a request produced, before it becomes an HTTP response.
#[derive(Debug)]
pub(crate) enum Reply {
    /// A result, already shaped for the request's revision.
    Result(Value),
    /// A JSON-RPC error.
    Error(RpcError),
    /// The scope gate refused: HTTP 403 with this `WWW-Authenticate` value, and the error as body.
    Forbidden {
        /// The JSON-RPC error body.
        error: RpcError,
        /// The `WWW-Authenticate` header value.
        challenge: HeaderValue,
    },
    /// A tool handler is running; its reply may stream.
    Running(Running),
}
