//! Running a resource, prompt or completion handler after the gate let it through: on its own
//! task (a panic becomes an internal error, not a dropped connection), within the call time limit
//! and the caller's limit of running calls (shared with tools), stopped when the client goes away,
//! and its [`HandlerError`] turned into the JSON-RPC error of its kind (these have no `isError`
//! result as tools do).

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use serde::Serialize;
use serde_json::{Value, json};

use crate::auth::Principal;
use crate::handler::HandlerError;
use crate::server::jsonrpc::{INTERNAL_ERROR, RpcError};
use crate::server::reply::{Deferred, Reply, RequestContext};
use crate::server::running::AbortOnDrop;
use crate::server::state::ServerState;
use crate::tool::{Notifier, ToolCall};

use super::tools::{SCOPES_META_KEY, too_many_calls};

/// A handler's future, as the runtime types return it.
pub(super) type HandlerFuture<T> = Pin<Box<dyn Future<Output = Result<T, HandlerError>> + Send>>;

/// The call a resource, prompt or completion handler reads its extractors from: the caller and
/// the shared state. It sends no notifications (its reply is one JSON body).
pub(super) fn handler_call(server: &ServerState, name: &str, principal: &Principal) -> ToolCall {
    ToolCall {
        name: name.to_owned(),
        arguments: None,
        principal: principal.clone(),
        state: server.state.clone(),
        notifier: Notifier::disconnected(),
    }
}

/// A listing entry with the scopes it needs under [`SCOPES_META_KEY`], as `tools/list` shows them.
pub(super) fn with_scopes(mut entry: Value, scopes: &[&str]) -> Value {
    entry["_meta"] = json!({ SCOPES_META_KEY: scopes });
    entry
}

/// The reply that runs `future` (what `kind` `name` produces) and answers with its result.
pub(super) fn run<T: Serialize + Send + 'static>(
    server: &Arc<ServerState>,
    ctx: RequestContext<'_>,
    kind: &'static str,
    name: &str,
    future: HandlerFuture<T>,
) -> Reply {
    // Counted with the caller's tool calls: a handler is a task like a tool's.
    let Some(permit) = server.options.callers.try_acquire(ctx.principal) else {
        return Reply::Busy(too_many_calls(server.options.callers.max_per_caller()));
    };
    let server = Arc::clone(server);
    let version = ctx.version;
    let name = name.to_owned();
    let limit = server.options.call_timeout;
    Reply::Deferred(Deferred(Box::pin(async move {
        let task = tokio::spawn(async move {
            let _permit = permit;
            future.await
        });
        // Dropping the reply (the client left) stops the handler.
        let _abort = AbortOnDrop(Some(task.abort_handle()));
        let outcome = match limit {
            None => task.await,
            Some(limit) => {
                let Ok(outcome) = tokio::time::timeout(limit, task).await else {
                    tracing::warn!(kind, name, ?limit, "handler timed out");
                    return Err(RpcError::new(
                        http::StatusCode::OK,
                        INTERNAL_ERROR,
                        format!(
                            "the {kind} `{name}` did not finish within {limit:?} and was stopped"
                        ),
                    ));
                };
                outcome
            }
        };
        let result = match outcome {
            Ok(result) => result,
            Err(err) => {
                tracing::error!(kind, name, %err, "handler panicked or was cancelled");
                return Err(RpcError::internal());
            }
        };
        let value = match result {
            Ok(result) => serde_json::to_value(result).map_err(|err| {
                tracing::error!(kind, name, %err, "handler result is not serializable");
                RpcError::internal()
            })?,
            Err(error) => return Err(handler_error(kind, &name, &error)),
        };
        Ok(server.shape_result(version, value))
    })))
}

/// The JSON-RPC error for a handler's `error` (an internal fault's details go to the log only).
fn handler_error(kind: &str, name: &str, error: &HandlerError) -> RpcError {
    if let HandlerError::Internal(detail) = error {
        tracing::error!(kind, name, detail, "handler failed");
    }
    RpcError::new(http::StatusCode::OK, error.code(), error.client_message())
}
