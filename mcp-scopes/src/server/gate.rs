//! The scope gate: decides, before a handler runs, whether the caller's token grants every scope the
//! tool needs (with implications), records each decision as an audit event, and builds the refusal
//! the client sees (the 403 step-up challenge, or the in-band error).
//!
//! The events (see [`crate::audit`]) name the tool, the subject, client, token id and the required
//! vs granted scopes, never the token itself.

use http::StatusCode;
use serde_json::json;

use super::jsonrpc::{INSUFFICIENT_SCOPE, NOT_ENTITLED, RpcError};
use super::reply::Reply;
use super::state::{ScopeFailure, ServerState};
use crate::audit;
use crate::auth::{Entitlement, Principal, ToolCall};
use crate::registry::Registry;
use crate::tool::ToolDef;

/// Checks `principal` against `tool` and writes the audit event.
/// `Err` is the refusal to send: the handler must not run.
pub(crate) fn check(
    server: &ServerState,
    tool: &ToolDef,
    principal: &Principal,
) -> Result<(), Reply> {
    let missing = server.registry.missing_scopes(tool, &principal.scopes);
    audit::scope_decision(principal, tool.name, tool.scopes, missing.is_empty());
    if !missing.is_empty() {
        return Err(refusal(server, tool, principal, &missing));
    }
    let Some(hook) = &server.options.entitlements else {
        return Ok(());
    };
    match hook
        .0
        .check(&ToolCall::new(principal, tool, &server.registry))
    {
        Entitlement::Allow => Ok(()),
        Entitlement::Deny { reason } => {
            audit::not_entitled(principal, tool.name, &reason);
            Err(not_entitled(server, &reason))
        }
    }
}

/// The refusal of a call the user is not entitled to: 403 (or in band, as configured) without a
/// step-up challenge, since a token with more scopes would not help.
fn not_entitled(server: &ServerState, reason: &str) -> Reply {
    match server.options.scope_failure {
        ScopeFailure::InBand => Reply::Error(RpcError::new(StatusCode::OK, NOT_ENTITLED, reason)),
        ScopeFailure::HttpChallenge => Reply::Forbidden {
            error: RpcError::new(StatusCode::FORBIDDEN, NOT_ENTITLED, reason),
            challenge: server.challenge.access_denied_header(reason),
        },
    }
}

/// Whether `principal` may call `tool` (no audit event: used to filter `tools/list`).
pub(crate) fn may_call(registry: &Registry, tool: &ToolDef, principal: &Principal) -> bool {
    registry.missing_scopes(tool, &principal.scopes).is_empty()
}

/// The scopes a step-up challenge asks for: every scope the tool needs, then the scopes this server
/// declares that the caller already holds. MCP 2025-11-25 recommends keeping granted scopes in the
/// challenge so a client that re-authorizes with exactly this list loses nothing it had.
fn step_up_scopes<'a>(
    server: &'a ServerState,
    tool: &ToolDef,
    principal: &'a Principal,
) -> Vec<&'a str> {
    let mut scopes: Vec<&str> = tool.scopes.to_vec();
    for held in &principal.scopes {
        let declared = server.registry.scopes().iter().any(|s| s.name == held);
        if declared && !scopes.contains(&held) {
            scopes.push(held);
        }
    }
    scopes
}

/// The refusal of a call lacking `missing`, in the form the server is configured to answer with.
fn refusal(
    server: &ServerState,
    tool: &ToolDef,
    principal: &Principal,
    missing: &[&'static str],
) -> Reply {
    let message = format!(
        "insufficient scope: tool `{}` needs {}",
        tool.name,
        missing.join(" ")
    );
    let data = json!({ "requiredScopes": tool.scopes, "missingScopes": missing });
    match server.options.scope_failure {
        ScopeFailure::InBand => {
            Reply::Error(RpcError::new(StatusCode::OK, INSUFFICIENT_SCOPE, message).with_data(data))
        }
        ScopeFailure::HttpChallenge => Reply::Forbidden {
            error: RpcError::new(StatusCode::FORBIDDEN, INSUFFICIENT_SCOPE, message.clone())
                .with_data(data),
            challenge: server.challenge.insufficient_scope_header(
                &step_up_scopes(server, tool, principal),
                Some(&message),
            ),
        },
    }
}
