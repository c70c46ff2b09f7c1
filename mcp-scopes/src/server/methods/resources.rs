//! `resources/list`, `resources/templates/list`, `resources/read` and `resources/subscribe`: the
//! registry's resources shown to a caller (with their scopes, optionally filtered, paginated), and
//! a read that passes the scope gate before its handler starts.
//!
//! A resource the caller may not see (list filtering on, scope missing) is answered exactly as
//! an unknown URI is: `-32002` "resource not found", the code the MCP SDKs use, so its existence
//! does not leak.

use std::sync::Arc;

use http::StatusCode;
use serde_json::{Map, Value, json};

use super::deferred::{handler_call, run, with_scopes};
use super::page::paginated;
use crate::resource::{ResourceDef, ResourceUri};
use crate::server::gate::{self, Guarded};
use crate::server::jsonrpc::{METHOD_NOT_FOUND, RESOURCE_NOT_FOUND, RpcError};
use crate::server::reply::{Reply, RequestContext};
use crate::server::state::ServerState;

/// The resources `ctx`'s caller may see, in `all`'s order.
fn visible<'a>(
    server: &ServerState,
    ctx: RequestContext<'_>,
    all: impl Iterator<Item = &'a &'static ResourceDef>,
) -> Vec<&'static ResourceDef> {
    let shown = gate::Listing::for_caller(server, ctx.principal);
    all.copied()
        .filter(|r| shown.shows(guarded(r, uri_of(r))))
        .collect()
}

fn uri_of(resource: &ResourceDef) -> &'static str {
    match resource.uri {
        ResourceUri::Fixed(uri) | ResourceUri::Template(uri) => uri,
    }
}

/// `resources/list`: the fixed resources.
pub(super) fn list(
    server: &ServerState,
    ctx: RequestContext<'_>,
    params: &Map<String, Value>,
) -> Result<Value, RpcError> {
    let visible = visible(server, ctx, server.registry.resources().iter());
    paginated(
        server,
        ctx,
        params,
        "resources",
        &visible,
        |r| uri_of(r),
        |r| with_scopes(r.list_entry(), r.scopes),
    )
}

/// `resources/templates/list`: the URI templates.
pub(super) fn templates(
    server: &ServerState,
    ctx: RequestContext<'_>,
    params: &Map<String, Value>,
) -> Result<Value, RpcError> {
    let all: Vec<&'static ResourceDef> = server.registry.resource_templates().collect();
    let visible = visible(server, ctx, all.iter());
    paginated(
        server,
        ctx,
        params,
        "resourceTemplates",
        &visible,
        |r| uri_of(r),
        |r| with_scopes(r.list_entry(), r.scopes),
    )
}

/// The "not found" error of `uri`, the same for an unknown and a hidden resource.
pub(super) fn not_found(uri: &str) -> RpcError {
    RpcError::new(
        StatusCode::OK,
        RESOURCE_NOT_FOUND,
        // The URI is the client's: echoed cut short, so a huge one is not sent back whole.
        format!("resource not found: {}", crate::audit::clip_to(uri, 128)),
    )
    .with_data(json!({ "uri": crate::audit::clip_to(uri, 128) }))
}

/// Whether the server hides `resource` from `ctx`'s caller.
fn hidden(server: &ServerState, ctx: RequestContext<'_>, resource: &ResourceDef) -> bool {
    server.options.filter_tools_by_scope
        && !gate::may_use(&server.registry, resource.scopes, ctx.principal)
}

/// The gate's view of `resource`, read as `uri`.
fn guarded<'a>(resource: &ResourceDef, uri: &'a str) -> Guarded<'a> {
    Guarded {
        kind: "resource",
        name: uri,
        scopes: resource.scopes,
    }
}

/// `resources/read`: resolve the URI, gate, then run the handler.
pub(super) fn read(
    server: &Arc<ServerState>,
    ctx: RequestContext<'_>,
    params: &Map<String, Value>,
) -> Reply {
    let Some(uri) = params.get("uri").and_then(Value::as_str) else {
        return Reply::Error(RpcError::invalid_params(
            "missing resource `uri` (a string)",
        ));
    };
    let found = server.registry.resolve_resource(uri);
    let hidden = found.as_ref().is_some_and(|m| hidden(server, ctx, m.def));
    let Some(found) = found.filter(|_| !hidden) else {
        crate::audit::item_refused(ctx.principal, "resource", uri, hidden);
        return Reply::Error(not_found(uri));
    };
    if let Err(refusal) = gate::check(server, guarded(found.def, uri), ctx.principal, ctx.version) {
        return refusal;
    }
    let call = handler_call(server, found.def.name, ctx.principal);
    let future = found.read(uri, call);
    run(server, ctx, "resource", uri, future)
}

/// `resources/subscribe` and `resources/unsubscribe`: update notifications need a stream the
/// server keeps per client, which this stateless server does not have, so the capability is not
/// advertised and a request is refused plainly.
pub(super) fn subscribe(method: &str, status: StatusCode) -> RpcError {
    RpcError::new(
        status,
        METHOD_NOT_FOUND,
        format!(
            "{method} is not supported: this server is stateless and sends no resource update \
             notifications; read the resource again instead"
        ),
    )
}
