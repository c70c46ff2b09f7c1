//! What a method hands back to the HTTP layer, and what it is told about the request: the one
//! vocabulary between `methods` (which decide) and `transport`/`response` (which speak HTTP).

use std::future::Future;
use std::pin::Pin;

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
    /// A result already written as JSON text by serde_json (`tools/list`), already shaped.
    Json(Vec<u8>),
    /// A JSON-RPC error.
    Error(RpcError),
    /// The scope gate refused: HTTP 403 with this `WWW-Authenticate` value, and the error as body.
    Forbidden {
        /// The JSON-RPC error body.
        error: RpcError,
        /// The `WWW-Authenticate` header value.
        challenge: HeaderValue,
    },
    /// The caller has as many calls running as it may: HTTP 429 with `Retry-After`, the error as body.
    Busy(RpcError),
    /// A tool handler is running; its reply may stream.
    Running(Running),
    /// A resource, prompt or completion handler is running; its reply is one JSON body (the
    /// result already shaped for the request's revision, or the error).
    Deferred(Deferred),
}

/// The future of a [`Reply::Deferred`].
pub(crate) struct Deferred(pub Pin<Box<dyn Future<Output = Result<Value, RpcError>> + Send>>);

impl std::fmt::Debug for Deferred {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Deferred(..)")
    }
}
