//! Routes one JSON-RPC request to its method, per protocol revision, and shapes the result the way
//! that revision expects (`resultType` and server info in `_meta` under 2026-07-28).

use std::sync::Arc;

use http::{HeaderValue, StatusCode};
use serde_json::{Map, Value, json};

use super::core::Core;
use super::jsonrpc::{METHOD_NOT_FOUND, RequestId, RpcError};
use super::tools;
use super::version::{META_LOG_LEVEL, META_SERVER_INFO, ProtocolVersion};
use crate::auth::Principal;
use crate::tool::LogLevel;

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
    Running(tools::Running),
}

/// Runs `method`.
pub(crate) fn dispatch(
    core: &Arc<Core>,
    ctx: RequestContext<'_>,
    id: &RequestId,
    method: &str,
    params: &Map<String, Value>,
) -> Reply {
    let modern = ctx.version.is_modern();
    if modern && let Err(err) = log_level(params) {
        return Reply::Error(err);
    }
    let result = match (method, modern) {
        ("initialize", false) => initialize(core, params),
        ("ping", false) => Ok(json!({})),
        // Stateless: there is no session to remember a level in, so the level is checked and
        // acknowledged; 2026-07-28 clients choose a level per request instead.
        ("logging/setLevel", false) => set_level_params(params).map(|_| json!({})),
        ("server/discover", true) => Ok(discover(core)),
        ("tools/list", _) => tools::list(core, ctx, params),
        ("tools/call", _) => return tools::call(core, ctx, params, id),
        _ => Err(method_not_found(method, ctx.version)),
    };
    match result {
        Ok(value) => Reply::Result(shape_result(core, ctx.version, value)),
        Err(err) => Reply::Error(err),
    }
}

fn method_not_found(method: &str, version: ProtocolVersion) -> RpcError {
    // 2026-07-28 sends 404 so a client can tell "no such method" from a legacy server's 400.
    let status = if version.is_modern() {
        StatusCode::NOT_FOUND
    } else {
        StatusCode::OK
    };
    RpcError::new(
        status,
        METHOD_NOT_FOUND,
        format!("method not found: {method} (protocol version {version})"),
    )
}

/// Adds what 2026-07-28 asks of every result: `resultType` and the server's identity in `_meta`.
pub(crate) fn shape_result(core: &Core, version: ProtocolVersion, mut result: Value) -> Value {
    if version.is_modern()
        && let Value::Object(object) = &mut result
    {
        object
            .entry("resultType")
            .or_insert_with(|| json!("complete"));
        let meta = object
            .entry("_meta")
            .or_insert_with(|| Value::Object(Map::new()));
        if let Value::Object(meta) = meta {
            meta.insert(META_SERVER_INFO.to_owned(), core.server_info());
        }
    }
    result
}

/// The per-request log level of a 2026-07-28 request; `None` means "send no log messages".
pub(crate) fn log_level(params: &Map<String, Value>) -> Result<Option<LogLevel>, RpcError> {
    match params.get("_meta").and_then(|m| m.get(META_LOG_LEVEL)) {
        None => Ok(None),
        Some(level) => serde_json::from_value(level.clone())
            .map(Some)
            .map_err(|_| RpcError::invalid_params(format!("invalid log level {level}"))),
    }
}

fn set_level_params(params: &Map<String, Value>) -> Result<LogLevel, RpcError> {
    let level = params
        .get("level")
        .ok_or_else(|| RpcError::invalid_params("missing `level`"))?;
    serde_json::from_value(level.clone())
        .map_err(|_| RpcError::invalid_params(format!("invalid log level {level}")))
}

fn capabilities() -> Value {
    json!({ "tools": { "listChanged": false }, "logging": {} })
}

fn initialize(core: &Core, params: &Map<String, Value>) -> Result<Value, RpcError> {
    // Any version string is an offer the server may counter; no version at all is malformed.
    let offered = params
        .get("protocolVersion")
        .and_then(Value::as_str)
        .ok_or_else(|| RpcError::invalid_params("`protocolVersion` must be a version string"))?;
    let requested = ProtocolVersion::parse(offered)
        .filter(|v| !v.is_modern() && ProtocolVersion::SUPPORTED.contains(v));
    let version = requested.unwrap_or(ProtocolVersion::LATEST_LEGACY);
    let mut result = json!({
        "protocolVersion": version.as_str(),
        "capabilities": capabilities(),
        "serverInfo": core.server_info(),
    });
    if let Some(instructions) = &core.instructions {
        result["instructions"] = json!(instructions);
    }
    Ok(result)
}

fn discover(core: &Core) -> Value {
    let mut result = json!({
        "supportedVersions": ProtocolVersion::supported_strings(),
        "capabilities": capabilities(),
        "ttlMs": core.options.ttl_ms,
        "cacheScope": "public",
    });
    if let Some(instructions) = &core.instructions {
        result["instructions"] = json!(instructions);
    }
    result
}
