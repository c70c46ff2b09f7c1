//! The JSON-RPC methods, one file per family, and the table that routes a request to them per
//! protocol revision. A new family is a new file here and new rows in [`dispatch`]; `page` (list
//! pagination) and `deferred` (running a resource, prompt or completion handler) are shared.

mod completion;
mod deferred;
mod lifecycle;
mod logging;
mod notifications;
mod page;
mod prompts;
mod resources;
pub(crate) mod tools;

use std::sync::Arc;

use http::StatusCode;
use serde_json::{Map, Value};

use super::jsonrpc::{METHOD_NOT_FOUND, RequestId, RpcError};
use super::reply::{Reply, RequestContext};
use super::state::ServerState;
use super::version::ProtocolVersion;

pub(crate) use notifications::notify;

/// Runs `method` for a request.
pub(crate) fn dispatch(
    server: &Arc<ServerState>,
    ctx: RequestContext<'_>,
    id: &RequestId,
    method: &str,
    params: &Map<String, Value>,
) -> Reply {
    let modern = ctx.version.is_modern();
    if modern && let Err(err) = logging::requested_level(params) {
        return Reply::Error(err);
    }
    // (method, whether the request speaks 2026-07-28): methods only one era knows are refused in
    // the other with "method not found".
    if !offered(server, method) {
        return Reply::Error(method_not_found(method, ctx.version));
    }
    let result = match (method, modern) {
        ("initialize", false) => lifecycle::initialize(server, params),
        ("ping", false) => Ok(lifecycle::ping()),
        ("server/discover", true) => Ok(lifecycle::discover(server)),
        ("logging/setLevel", false) => logging::set_level(params),
        ("tools/list", _) => return tools::list(server, ctx, params),
        ("tools/call", _) => return tools::call(server, ctx, params, id),
        ("resources/list", _) => resources::list(server, ctx, params),
        ("resources/templates/list", _) => resources::templates(server, ctx, params),
        ("resources/read", _) => return resources::read(server, ctx, params),
        ("resources/subscribe" | "resources/unsubscribe", _) => {
            Err(resources::subscribe(method, not_found_status(ctx.version)))
        }
        ("prompts/list", _) => prompts::list(server, ctx, params),
        ("prompts/get", _) => return prompts::get(server, ctx, params),
        ("completion/complete", _) => return completion::complete(server, ctx, params),
        _ => Err(method_not_found(method, ctx.version)),
    };
    match result {
        Ok(value) => Reply::Result(server.shape_result(ctx.version, value)),
        Err(err) => Reply::Error(err),
    }
}

/// Whether the server offers `method`: a `resources/*`, `prompts/*` or `completion/complete`
/// method exists only when the registry holds something it serves (the capability is advertised
/// then, see `lifecycle`), as the MCP SDKs do.
fn offered(server: &ServerState, method: &str) -> bool {
    let capabilities = lifecycle::Offered::of(&server.registry);
    if method.starts_with("resources/") {
        capabilities.resources
    } else if method.starts_with("prompts/") {
        capabilities.prompts
    } else if method == "completion/complete" {
        capabilities.completions
    } else {
        true
    }
}

/// The HTTP status of "method not found": 2026-07-28 sends 404 so a client can tell "no such
/// method" from a legacy server's 400.
fn not_found_status(version: ProtocolVersion) -> StatusCode {
    if version.is_modern() {
        StatusCode::NOT_FOUND
    } else {
        StatusCode::OK
    }
}

fn method_not_found(method: &str, version: ProtocolVersion) -> RpcError {
    RpcError::new(
        not_found_status(version),
        METHOD_NOT_FOUND,
        format!("method not found: {method} (protocol version {version})"),
    )
}
