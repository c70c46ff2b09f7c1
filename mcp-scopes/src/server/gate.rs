//! The scope gate: decides, before a handler runs, whether the caller's token grants every scope the
//! tool, resource or prompt needs (with implications), records each decision as an audit event, and builds the refusal
//! the client sees (the 403 step-up challenge, or the in-band error).
//!
//! The events (see [`crate::audit`]) name the tool (resource, prompt), the subject, client, token id and the required
//! vs granted scopes, never the token itself.

use http::StatusCode;
use serde_json::json;

use super::jsonrpc::{INSUFFICIENT_SCOPE, NOT_ENTITLED, RpcError};
use super::reply::Reply;
use super::state::{ScopeFailure, ServerState};
use super::version::ProtocolVersion;
use crate::audit;
use crate::auth::{Entitlement, GatedCall, Principal};
use crate::registry::Registry;
use crate::scope::ScopeSet;
use crate::tool::ToolDef;

/// What the gate guards: a tool, a resource or a prompt, by the name a client asks for it with.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Guarded<'a> {
    /// `tool`, `resource` or `prompt`, for messages and the audit event.
    pub kind: &'static str,
    /// The tool or prompt name, or the resource URI.
    pub name: &'a str,
    /// Every scope it needs.
    pub scopes: &'static [&'static str],
}

impl<'a> From<&'a ToolDef> for Guarded<'a> {
    fn from(tool: &'a ToolDef) -> Self {
        Self {
            kind: "tool",
            name: tool.name,
            scopes: tool.scopes,
        }
    }
}

/// Checks `principal` against `guarded` and writes one audit event for the decision: allowed
/// (INFO), refused for a missing scope or refused by the entitlements hook (WARN).
/// `Err` is the refusal to send: the handler must not run.
pub(crate) fn check(
    server: &ServerState,
    guarded: Guarded<'_>,
    principal: &Principal,
    version: ProtocolVersion,
) -> Result<(), Reply> {
    let missing = server
        .registry
        .missing_scopes_of(guarded.scopes, &principal.scopes);
    let decided = |allowed| {
        audit::scope_decision(
            principal,
            guarded.kind,
            guarded.name,
            guarded.scopes,
            allowed,
        );
    };
    if !missing.is_empty() {
        decided(false);
        return Err(refusal(server, guarded, principal, &missing, version));
    }
    let Some(hook) = &server.options.entitlements else {
        decided(true);
        return Ok(());
    };
    let call = GatedCall::new(
        principal,
        guarded.kind,
        guarded.name,
        guarded.scopes,
        &server.registry,
    );
    match hook.0.check(&call) {
        Entitlement::Allow => {
            decided(true);
            Ok(())
        }
        Entitlement::Deny { reason } => {
            audit::not_entitled(principal, guarded.kind, guarded.name, &reason);
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

/// Whether `principal` holds every scope of `required` (no audit event: used to filter listings
/// and to hide what the caller may not use).
pub(crate) fn may_use(
    registry: &Registry,
    required: &'static [&'static str],
    principal: &Principal,
) -> bool {
    registry
        .missing_scopes_of(required, &principal.scopes)
        .is_empty()
}

/// Whether `principal` may call `tool` (no audit event: used to filter `tools/list`).
pub(crate) fn may_call(registry: &Registry, tool: &ToolDef, principal: &Principal) -> bool {
    may_use(registry, tool.scopes, principal)
}

/// What a caller's listings (`tools/list`, `resources/list`, `resources/templates/list`,
/// `prompts/list`) show when per-caller filtering is on: the items whose scopes the caller's token
/// gives (implications counted, worked out once for the whole list) and which the entitlements
/// hook would let this caller use, so a listing offers nothing a call would refuse. With filtering
/// off it shows everything. No audit event: a listing decides nothing.
pub(crate) struct Listing<'s> {
    server: &'s ServerState,
    principal: &'s Principal,
    /// The caller's scopes with implications, when filtering is on.
    holdings: Option<ScopeSet>,
}

impl<'s> Listing<'s> {
    /// The listing rule for `principal` on `server`.
    pub(crate) fn for_caller(server: &'s ServerState, principal: &'s Principal) -> Self {
        let holdings = server
            .options
            .filter_tools_by_scope
            .then(|| server.registry.effective_scopes(&principal.scopes));
        Self {
            server,
            principal,
            holdings,
        }
    }

    /// Whether the listing shows `guarded`.
    pub(crate) fn shows(&self, guarded: Guarded<'_>) -> bool {
        let Some(holdings) = &self.holdings else {
            return true;
        };
        if !guarded.scopes.iter().all(|scope| holdings.contains(scope)) {
            return false;
        }
        self.server
            .options
            .entitlements
            .as_ref()
            .is_none_or(|hook| {
                let call = GatedCall::new(
                    self.principal,
                    guarded.kind,
                    guarded.name,
                    guarded.scopes,
                    &self.server.registry,
                );
                hook.0.check(&call) == Entitlement::Allow
            })
    }
}

/// The scopes a step-up challenge asks for. 2026-07-28 (SEP-2350): exactly the scopes the
/// operation needs; the client adds them to what it holds. Earlier revisions (2025-11-25 says so,
/// 2025-06-18 is silent): those scopes, then the scopes this server declares that the caller
/// already holds, so a client that re-authorizes with exactly this list loses nothing it had.
fn step_up_scopes<'a>(
    server: &'a ServerState,
    guarded: Guarded<'_>,
    principal: &'a Principal,
    version: ProtocolVersion,
) -> Vec<&'a str> {
    let mut scopes: Vec<&str> = guarded.scopes.to_vec();
    if version.is_modern() {
        return scopes;
    }
    for held in &principal.scopes {
        let declared = server.registry.scopes().iter().any(|s| s.name == held);
        if declared && !scopes.contains(&held) {
            scopes.push(held);
        }
    }
    scopes
}

/// The refusal of a request lacking `missing`, in the form the server is configured to answer
/// with.
fn refusal(
    server: &ServerState,
    guarded: Guarded<'_>,
    principal: &Principal,
    missing: &[&'static str],
    version: ProtocolVersion,
) -> Reply {
    let message = format!(
        "insufficient scope: {} `{}` needs {}",
        guarded.kind,
        guarded.name,
        missing.join(" ")
    );
    let data = json!({ "requiredScopes": guarded.scopes, "missingScopes": missing });
    match server.options.scope_failure {
        ScopeFailure::InBand => {
            Reply::Error(RpcError::new(StatusCode::OK, INSUFFICIENT_SCOPE, message).with_data(data))
        }
        ScopeFailure::HttpChallenge => Reply::Forbidden {
            error: RpcError::new(StatusCode::FORBIDDEN, INSUFFICIENT_SCOPE, message.clone())
                .with_data(data),
            challenge: server.challenge.insufficient_scope_header(
                &step_up_scopes(server, guarded, principal, version),
                Some(&message),
            ),
        },
    }
}
