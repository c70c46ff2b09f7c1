//! The scope gate: decides, before a handler runs, whether the caller's token grants every scope the
//! tool needs (with implications), and records each decision as an audit event.
//!
//! Audit events go to the tracing target `mcp_scopes::audit` so operators can route them apart from
//! the rest of the log. They name the subject, client, token id and the required vs granted scopes,
//! never the token itself.

use crate::auth::{Principal, audit_scope_decision};
use crate::registry::Registry;
use crate::tool::ToolDef;

/// The tracing target of audit events.
pub const AUDIT_TARGET: &str = "mcp_scopes::audit";

/// The gate's answer for one call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Decision {
    /// Every required scope is granted.
    Allowed,
    /// Some are missing; the handler must not run.
    Denied {
        /// The required scopes the token does not grant.
        missing: Vec<&'static str>,
    },
}

/// Checks `principal` against `tool` and writes the audit event (inside a span naming the tool).
pub(crate) fn check(registry: &Registry, tool: &ToolDef, principal: &Principal) -> Decision {
    let missing = registry.missing_scopes(tool, &principal.scopes);
    let _span = tracing::info_span!(target: AUDIT_TARGET, "tools/call", tool = tool.name).entered();
    audit_scope_decision(principal, tool.scopes, missing.is_empty());
    if missing.is_empty() {
        Decision::Allowed
    } else {
        Decision::Denied { missing }
    }
}

/// Whether `principal` may call `tool` (no audit event: used to filter `tools/list`).
pub(crate) fn may_call(registry: &Registry, tool: &ToolDef, principal: &Principal) -> bool {
    registry.missing_scopes(tool, &principal.scopes).is_empty()
}

/// Records a call of an unknown tool, or of one hidden from the caller.
pub(crate) fn audit_unknown(name: &str, principal: &Principal, hidden: bool) {
    tracing::warn!(
        target: AUDIT_TARGET,
        decision = "denied",
        tool = name,
        reason = if hidden { "hidden by scope filter" } else { "unknown tool" },
        granted = %principal.scopes,
        subject = principal.subject.as_deref().unwrap_or("-"),
        client_id = principal.client_id.as_deref().unwrap_or("-"),
        jti = principal.jti.as_deref().unwrap_or("-"),
        "tool call refused"
    );
}
