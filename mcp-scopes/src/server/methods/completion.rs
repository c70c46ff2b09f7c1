//! `completion/complete`: suggestions for a prompt argument or a resource template variable. The
//! request passes the gate of the prompt or resource it completes (same scopes, same 403), and a
//! hidden one is answered as an unknown one, so completion reveals nothing `prompts/get` or
//! `resources/read` would not.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde_json::{Map, Value, json};

use super::deferred::{handler_call, run};
use super::{prompts, resources};
use crate::completion::{Completing, CompletionDef, CompletionRef};
use crate::server::gate::{self, Guarded};
use crate::server::jsonrpc::RpcError;
use crate::server::reply::{Reply, RequestContext};
use crate::server::state::ServerState;

/// The longest partial value accepted: completion is for what a person is typing.
const MAX_VALUE_BYTES: usize = 4096;

/// What a completion request names, once found and allowed to be seen.
struct Target<'a> {
    guarded: Guarded<'a>,
    /// The completer of the argument, if one is declared.
    completer: Option<&'static CompletionDef>,
}

fn string_field<'a>(object: &'a Value, field: &str, what: &str) -> Result<&'a str, RpcError> {
    object
        .get(field)
        .and_then(Value::as_str)
        .ok_or_else(|| RpcError::invalid_params(format!("`{what}.{field}` must be a string")))
}

fn target<'a>(
    server: &ServerState,
    ctx: RequestContext<'_>,
    reference: &'a Value,
    argument: &str,
) -> Result<Target<'a>, RpcError> {
    let (reference, kind, name) = match string_field(reference, "type", "ref")? {
        "ref/prompt" => {
            let name = string_field(reference, "name", "ref")?;
            (CompletionRef::Prompt(name), "prompt", name)
        }
        "ref/resource" => {
            let uri = string_field(reference, "uri", "ref")?;
            (CompletionRef::ResourceTemplate(uri), "resource", uri)
        }
        other => {
            return Err(RpcError::invalid_params(format!(
                "`ref.type` must be \"ref/prompt\" or \"ref/resource\", not {other:?}"
            )));
        }
    };
    let found = server.registry.completion_target(reference, argument);
    let hidden = found.is_some_and(|t| {
        server.options.filter_tools_by_scope
            && !gate::may_use(&server.registry, t.scopes, ctx.principal)
    });
    let Some(found) = found.filter(|_| !hidden) else {
        crate::audit::item_refused(ctx.principal, kind, name, hidden);
        // The answer `prompts/get` or `resources/read` gives for an unknown name.
        return Err(match reference {
            CompletionRef::Prompt(_) => prompts::unknown(name),
            CompletionRef::ResourceTemplate(_) => resources::not_found(name),
        });
    };
    Ok(Target {
        guarded: Guarded {
            kind,
            name,
            scopes: found.scopes,
        },
        completer: found.completer,
    })
}

/// The other arguments already filled in (`context.arguments`), as strings.
fn context(params: &Map<String, Value>) -> Result<BTreeMap<String, String>, RpcError> {
    let Some(arguments) = params.get("context").and_then(|c| c.get("arguments")) else {
        return Ok(BTreeMap::new());
    };
    let invalid = || RpcError::invalid_params("`context.arguments` must map names to strings");
    arguments
        .as_object()
        .ok_or_else(invalid)?
        .iter()
        .map(|(k, v)| Ok((k.clone(), v.as_str().ok_or_else(invalid)?.to_owned())))
        .collect()
}

/// `completion/complete`: find what is completed, gate, then run its completer (none declared:
/// no suggestions).
pub(super) fn complete(
    server: &Arc<ServerState>,
    ctx: RequestContext<'_>,
    params: &Map<String, Value>,
) -> Reply {
    let parsed = (|| {
        let reference = params
            .get("ref")
            .filter(|r| r.is_object())
            .ok_or_else(|| RpcError::invalid_params("`ref` must be an object"))?;
        let argument = params
            .get("argument")
            .filter(|a| a.is_object())
            .ok_or_else(|| RpcError::invalid_params("`argument` must be an object"))?;
        let name = string_field(argument, "name", "argument")?;
        let value = string_field(argument, "value", "argument")?;
        if value.len() > MAX_VALUE_BYTES {
            return Err(RpcError::invalid_params(format!(
                "`argument.value` is longer than {MAX_VALUE_BYTES} bytes"
            )));
        }
        let completing = Completing {
            argument: name.to_owned(),
            value: value.to_owned(),
            context: context(params)?,
        };
        Ok((target(server, ctx, reference, name)?, completing))
    })();
    let (target, completing) = match parsed {
        Ok(parsed) => parsed,
        Err(err) => return Reply::Error(err),
    };
    if let Err(refusal) = gate::check(server, target.guarded, ctx.principal, ctx.version) {
        return refusal;
    }
    let Some(completer) = target.completer else {
        let empty = json!({ "completion": { "values": [] } });
        return Reply::Result(server.shape_result(ctx.version, empty));
    };
    let name = target.guarded.name;
    let call = handler_call(server, name, ctx.principal);
    run(
        server,
        ctx,
        "completion",
        name,
        completer.complete(completing, call),
    )
}
