//! `prompts/list` and `prompts/get`: the registry's prompts shown to a caller (with their scopes,
//! optionally filtered, paginated), and a get that passes the scope gate before its handler
//! starts. A prompt hidden from the caller is answered exactly as an unknown name is (`-32602`
//! "unknown prompt", as the MCP SDKs answer).

use std::sync::Arc;

use serde_json::{Map, Value};

use super::deferred::{handler_call, run, with_scopes};
use super::page::paginated;
use crate::prompt::PromptDef;
use crate::server::gate::{self, Guarded};
use crate::server::jsonrpc::RpcError;
use crate::server::reply::{Reply, RequestContext};
use crate::server::state::ServerState;

/// `prompts/list`.
pub(super) fn list(
    server: &ServerState,
    ctx: RequestContext<'_>,
    params: &Map<String, Value>,
) -> Result<Value, RpcError> {
    let shown = gate::Listing::for_caller(server, ctx.principal);
    let visible: Vec<&'static PromptDef> = server
        .registry
        .prompts()
        .iter()
        .copied()
        .filter(|p| shown.shows(guarded(p)))
        .collect();
    paginated(
        server,
        ctx,
        params,
        "prompts",
        &visible,
        |p| p.name,
        |p| with_scopes(p.list_entry(), p.scopes),
    )
}

/// The prompt `name`, unless it is unknown or hidden from `ctx`'s caller; the error is the same
/// for both.
fn find(
    server: &ServerState,
    ctx: RequestContext<'_>,
    name: &str,
) -> Result<&'static PromptDef, RpcError> {
    let prompt = server.registry.prompt(name);
    let hidden = prompt.is_some_and(|p| {
        server.options.filter_tools_by_scope
            && !gate::may_use(&server.registry, p.scopes, ctx.principal)
    });
    prompt.filter(|_| !hidden).ok_or_else(|| {
        crate::audit::item_refused(ctx.principal, "prompt", name, hidden);
        unknown(name)
    })
}

/// The error for a prompt name that is unknown, or hidden from the caller.
pub(super) fn unknown(name: &str) -> RpcError {
    // The name is the client's: echoed cut short, so a huge one is not sent back whole.
    RpcError::invalid_params(format!(
        "unknown prompt: {}",
        crate::audit::clip_to(name, 128)
    ))
}

/// The gate's view of `prompt`.
fn guarded(prompt: &PromptDef) -> Guarded<'static> {
    Guarded {
        kind: "prompt",
        name: prompt.name,
        scopes: prompt.scopes,
    }
}

/// `prompts/get`: look up, gate, then run the handler.
pub(super) fn get(
    server: &Arc<ServerState>,
    ctx: RequestContext<'_>,
    params: &Map<String, Value>,
) -> Reply {
    let Some(name) = params.get("name").and_then(Value::as_str) else {
        return Reply::Error(RpcError::invalid_params("missing prompt `name` (a string)"));
    };
    let arguments = match params.get("arguments") {
        None | Some(Value::Null) => None,
        Some(Value::Object(arguments)) => Some(arguments.clone()),
        Some(_) => return Reply::Error(RpcError::invalid_params("`arguments` must be an object")),
    };
    let prompt = match find(server, ctx, name) {
        Ok(prompt) => prompt,
        Err(err) => return Reply::Error(err),
    };
    if let Err(refusal) = gate::check(server, guarded(prompt), ctx.principal, ctx.version) {
        return refusal;
    }
    let call = handler_call(server, prompt.name, ctx.principal);
    run(
        server,
        ctx,
        "prompt",
        prompt.name,
        prompt.get(arguments, call),
    )
}
