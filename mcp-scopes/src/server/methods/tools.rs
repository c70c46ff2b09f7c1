//! `tools/list` and `tools/call`: how a registry's tools are shown to a caller (with their scopes,
//! optionally filtered, paginated) and how a call passes the scope gate and starts its handler.

use std::sync::Arc;
use std::time::Duration;

use http::StatusCode;
use serde::Serialize;
use serde_json::value::RawValue;
use serde_json::{Map, Value, json};
use tokio::sync::mpsc;

use super::logging::requested_level;
use super::page::page;
use crate::server::cancel::call_key;
use crate::server::gate;
use crate::server::jsonrpc::{RequestId, RpcError, TOO_MANY_CALLS};
use crate::server::reply::{Reply, RequestContext};
use crate::server::running::{AbortOnDrop, Running};
use crate::server::state::ServerState;
use crate::tool::{CallToolResult, NOTIFICATION_BUFFER, Notifier, ToolCall, ToolDef, ToolFuture};

/// The `_meta` key under which each listed tool shows the scopes it needs.
pub const SCOPES_META_KEY: &str = "dev.mcp-scopes/scopes";

/// The tool as `tools/list` shows it.
pub(crate) fn tool_json(tool: &ToolDef) -> Value {
    let mut out = json!({
        "name": tool.name,
        "description": tool.description,
        "inputSchema": tool.input_schema(),
        "_meta": { SCOPES_META_KEY: tool.scopes },
    });
    if let Some(title) = tool.title {
        out["title"] = json!(title);
    }
    if let Some(schema) = tool.output_schema() {
        out["outputSchema"] = schema;
    }
    let a = tool.annotations;
    let mut annotations = Map::new();
    for (key, value) in [
        ("readOnlyHint", a.read_only),
        ("destructiveHint", a.destructive),
        ("idempotentHint", a.idempotent),
        ("openWorldHint", a.open_world),
    ] {
        if let Some(value) = value {
            annotations.insert(key.to_owned(), json!(value));
        }
    }
    if !annotations.is_empty() {
        out["annotations"] = Value::Object(annotations);
    }
    out
}

/// The tool's listing as JSON text, written once when the server is built: `tools/list` copies
/// these bytes instead of cloning and re-serializing each tool's schemas on every request.
pub(crate) fn listing(tool: &ToolDef) -> Box<RawValue> {
    // A `Value` always prints as valid JSON, so the fallback is never taken.
    RawValue::from_string(tool_json(tool).to_string()).unwrap_or_else(|_| RawValue::NULL.to_owned())
}

/// `tools/list`'s result, written straight from the prebuilt listings.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ToolPage<'a> {
    tools: Vec<&'a RawValue>,
    #[serde(skip_serializing_if = "Option::is_none")]
    next_cursor: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    ttl_ms: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    cache_scope: Option<&'static str>,
    /// 2026-07-28's `resultType` and `_meta` server info (what `shape_result` adds elsewhere).
    #[serde(skip_serializing_if = "Option::is_none")]
    result_type: Option<&'static str>,
    #[serde(rename = "_meta", skip_serializing_if = "Option::is_none")]
    meta: Option<Value>,
}

/// `tools/list`.
pub(crate) fn list(
    server: &ServerState,
    ctx: RequestContext<'_>,
    params: &Map<String, Value>,
) -> Reply {
    let shown = gate::Listing::for_caller(server, ctx.principal);
    let visible: Vec<(&ToolDef, &RawValue)> = server
        .registry
        .tools()
        .iter()
        .copied()
        .zip(server.listings.iter().map(AsRef::as_ref))
        .filter(|(t, _)| shown.shows((*t).into()))
        .collect();
    let page = match page(server, ctx, params, &visible, |(tool, _)| tool.name) {
        Ok(page) => page,
        Err(err) => return Reply::Error(err),
    };
    let modern = ctx.version.is_modern();
    let result = ToolPage {
        tools: page.items.iter().map(|(_, listing)| *listing).collect(),
        next_cursor: page.next_cursor,
        ttl_ms: page.cache.map(|c| c.ttl_ms),
        cache_scope: page.cache.map(|c| c.scope),
        result_type: modern.then_some("complete"),
        meta: modern.then(|| server.meta_with_server_info()),
    };
    let size: usize = result.tools.iter().map(|t| t.get().len() + 1).sum();
    let mut json = Vec::with_capacity(size + 512);
    match serde_json::to_writer(&mut json, &result) {
        Ok(()) => Reply::Json(json),
        Err(err) => {
            tracing::error!(%err, "tools/list could not be written");
            Reply::Error(RpcError::internal())
        }
    }
}

/// `tools/call`: look up, gate, then start the handler.
pub(crate) fn call(
    server: &Arc<ServerState>,
    ctx: RequestContext<'_>,
    params: &Map<String, Value>,
    id: &RequestId,
) -> Reply {
    let Some(name) = params.get("name").and_then(Value::as_str) else {
        return Reply::Error(RpcError::invalid_params("missing tool `name`"));
    };
    let arguments = match params.get("arguments") {
        None | Some(Value::Null) => None,
        Some(Value::Object(arguments)) => Some(arguments.clone()),
        Some(_) => return Reply::Error(RpcError::invalid_params("`arguments` must be an object")),
    };
    let tool = server.registry.tool(name);
    let hidden = tool.is_some_and(|t| {
        server.options.filter_tools_by_scope && !gate::may_call(&server.registry, t, ctx.principal)
    });
    let Some(tool) = tool.filter(|_| !hidden) else {
        crate::audit::tool_refused(ctx.principal, name, hidden);
        // Identical for unknown and hidden tools, so a hidden tool's existence does not leak.
        // The name is the client's: echoed cut short, so a huge one is not sent back whole.
        let shown = crate::audit::clip_to(name, 128);
        return Reply::Error(RpcError::invalid_params(format!("unknown tool: {shown}")));
    };
    if let Err(refusal) = gate::check(server, tool.into(), ctx.principal, ctx.version) {
        return refusal;
    }
    let Some(permit) = server.options.callers.try_acquire(ctx.principal) else {
        return Reply::Busy(too_many_calls(server.options.callers.max_per_caller()));
    };
    let (sender, notifications) = mpsc::channel(NOTIFICATION_BUFFER);
    let notifier = if ctx.accepts_sse {
        let progress_token = params
            .get("_meta")
            .and_then(|m| m.get("progressToken"))
            .filter(|t| t.is_string() || t.is_number())
            .cloned();
        let notifier = Notifier::new(sender, progress_token, None);
        if ctx.version.is_modern() {
            // 2026-07-28: no log messages unless the request asks for a level.
            match requested_level(params) {
                Ok(Some(level)) => notifier.with_min_level(level),
                _ => notifier.without_logs(),
            }
        } else {
            // Legacy revisions set a level with the stateful `logging/setLevel`; a stateless
            // server cannot remember it, so every level is sent and the client filters.
            notifier
        }
    } else {
        Notifier::disconnected()
    };
    let call = ToolCall {
        name: tool.name.to_owned(),
        arguments,
        principal: ctx.principal.clone(),
        state: server.state.clone(),
        notifier,
    };
    let timed = with_timeout(tool.name, server.options.call_timeout, (tool.handler)(call));
    // The caller's place is held by the handler's task, so it is freed when the handler ends,
    // whether or not anyone is still waiting for the answer.
    let future: ToolFuture = Box::pin(async move {
        let _permit = permit;
        timed.await
    });
    let task = if ctx.version.is_modern() {
        // 2026-07-28 cancels by closing the stream (see `response`), not by notification.
        tokio::spawn(future)
    } else {
        server.inflight.spawn(call_key(ctx.principal, id), future)
    };
    // Every revision's call stops when its reply is dropped (the client went away): 2026-07-28
    // defines that as cancellation; legacy revisions do not, but this server keeps no event
    // stream to resume, so the answer could never reach anyone and running on only holds
    // the caller's place and the server's resources.
    let cancel_on_drop = AbortOnDrop(Some(task.abort_handle()));
    Reply::Running(Running {
        id: id.clone(),
        cancel_on_drop,
        task,
        notifications,
        server: Arc::clone(server),
        version: ctx.version,
        tool: tool.name,
    })
}

pub(super) fn too_many_calls(limit: Option<usize>) -> RpcError {
    let limit = limit.map_or_else(String::new, |n| format!(" ({n})"));
    RpcError::new(
        StatusCode::TOO_MANY_REQUESTS,
        TOO_MANY_CALLS,
        format!("too many tool calls running for this caller{limit}; retry when one has finished"),
    )
}

/// `future`, ended after `limit` with an error result the model can read (it may retry with less).
fn with_timeout(tool: &'static str, limit: Option<Duration>, future: ToolFuture) -> ToolFuture {
    let Some(limit) = limit else {
        return future;
    };
    Box::pin(async move {
        tokio::time::timeout(limit, future)
            .await
            .unwrap_or_else(|_| {
                tracing::warn!(tool, ?limit, "tool call timed out");
                Ok(CallToolResult::error(format!(
                    "the tool `{tool}` did not finish within {limit:?} and was stopped"
                )))
            })
    })
}
