//! Audit events: every access decision the framework makes (token accepted or refused, `Origin` or
//! `Host` refused, scope granted or missing, unknown or hidden tool, resource or prompt) is one `tracing` event on the
//! target [`TARGET`], spelled the same way wherever it is made, so one filter finds them all.
//!
//! # Fields
//! | field | value |
//! |---|---|
//! | `decision` | `allow` or `deny` |
//! | `reason` | a snake_case code: see [`reason`] and [`AuthError::reason`](crate::auth::AuthError::reason) |
//! | `subject`, `client_id`, `jti` | the token's `sub`, `client_id`/`azp` and `jti` (empty when absent) |
//! | `granted` | the token's scopes, space-separated |
//! | `required` | the scopes the tool needs, space-separated |
//! | `tool` | the tool name the client asked for (or the prompt name, or the resource URI) |
//! | `kind` | on scope decisions and unknown or hidden items: `tool`, `resource` or `prompt` |
//! | `method`, `path` | the HTTP request |
//! | `peer` | the client's address, when the server knows it (empty otherwise) |
//! | `detail` | why, in words (a refused `Origin`/`Host` value, a token error) |
//! | `suppressed` | on a refusal: how many refusals from this peer were not logged just before it; on the `refusals_suppressed` summary, how many in its window were not |
//! | `count`, `seconds` | on the summary of requests without a token |
//!
//! Never the token. Every value a client can influence is recorded as a string (formatters quote
//! and escape it, so a header holding `" decision="allow` cannot add a field) and cut to
//! [`MAX_FIELD_CHARS`] characters.
//!
//! # Volume
//! The INFO trail is the authorization decisions: each gated operation (`tools/call`,
//! `resources/read`, `prompts/get`, `completion/complete`) is exactly one event naming the caller,
//! the item and the decision, at INFO when allowed and at WARN when refused (missing scope, not
//! entitled, unknown or hidden item). A valid token on its own is logged at DEBUG
//! ([`reason::TOKEN_VALID`]): a `ping`, an `initialize` or a listing reaches no data, and logging
//! every request's token at INFO was about a quarter of the cost of a `ping`; each access to data
//! is still one line, made by the gate with the same caller fields.
//!
//! A client without a token can send requests as fast as the network allows, so what such requests
//! cause is bounded: a request without any token is logged at DEBUG only, and counted; a non-zero
//! count is logged at INFO once a minute. Other refusals before authentication (a bad token, a refused
//! `Origin`) are logged at WARN up to a number of lines per peer address per minute
//! ([`McpServerBuilder::refusals_logged_per_peer`](crate::server::McpServerBuilder::refusals_logged_per_peer));
//! how many were left out is said by the next line logged for that peer, or, when its minute ends
//! first, by a WARN summary line for it ([`reason::REFUSALS_SUPPRESSED`]).
//!
//! The summaries come from a task that [`McpServer::into_router`](crate::server::McpServer::into_router)
//! starts (when called inside a Tokio runtime; otherwise the next request after a minute reports the
//! count), once per minute
//! ([`McpServerBuilder::audit_window`](crate::server::McpServerBuilder::audit_window)), so a burst
//! followed by silence is reported within a minute; what is still counted when the server is
//! dropped (after [`serve`](crate::server::serve) returns from a graceful shutdown) is logged then.
//! Decisions about authenticated callers (the scope gate) are always logged: the caller is known
//! and can be held to account.

mod limits;
mod summary;
mod vocabulary;

use std::net::IpAddr;

pub(crate) use limits::AuditLimits;
pub use limits::DEFAULT_REFUSALS_PER_PEER;
pub(crate) use summary::start_summaries;
pub use vocabulary::{TARGET, reason};

/// The longest value (in characters) an audit field holds; longer ones are cut and end in `…`.
pub const MAX_FIELD_CHARS: usize = 256;

/// `value` cut to [`MAX_FIELD_CHARS`] characters (ending in `…` when cut).
pub(crate) fn clip(value: &str) -> String {
    clip_to(value, MAX_FIELD_CHARS)
}

/// `value` cut to `max` characters (ending in `…` when cut).
pub(crate) fn clip_to(value: &str, max: usize) -> String {
    match value.char_indices().nth(max) {
        None => value.to_owned(),
        Some((end, _)) => format!("{}…", &value[..end]),
    }
}

/// What an event says about the HTTP request: method, path and the client's address.
#[derive(Debug, Clone)]
pub(crate) struct Seen {
    method: String,
    path: String,
    /// Known when the server put it in the request (as `serve` and axum's
    /// `into_make_service_with_connect_info` do).
    peer: Option<IpAddr>,
}

impl Seen {
    pub(crate) fn of<B>(request: &http::Request<B>) -> Self {
        Self {
            method: clip(request.method().as_str()),
            path: clip(request.uri().path()),
            peer: request
                .extensions()
                .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
                .map(|info| info.0.ip()),
        }
    }

    fn peer(&self) -> String {
        self.peer.map(|p| p.to_string()).unwrap_or_default()
    }
}

/// A request refused before authentication (`Origin`/`Host`, unreadable `Authorization`, bad
/// token), logged at WARN within the per-peer limit, with `message` as the event's message.
pub(crate) fn refused(
    limits: &AuditLimits,
    seen: &Seen,
    message: &'static str,
    reason: &str,
    detail: &str,
) {
    let Some(suppressed) = limits.admit(seen.peer) else {
        return;
    };
    tracing::warn!(
        target: TARGET,
        decision = "deny",
        reason,
        detail = clip(detail).as_str(),
        method = seen.method.as_str(),
        path = seen.path.as_str(),
        peer = seen.peer().as_str(),
        suppressed,
        "{message}"
    );
}

/// A request without a bearer token: DEBUG each, counted for the INFO summary of the window.
pub(crate) fn without_credentials(limits: &AuditLimits, seen: &Seen) {
    tracing::debug!(
        target: TARGET,
        decision = "deny",
        reason = reason::NO_CREDENTIALS,
        method = seen.method.as_str(),
        path = seen.path.as_str(),
        peer = seen.peer().as_str(),
        "request without a bearer token"
    );
    if let Some((count, seconds)) = limits.count_unauthenticated() {
        summary::unauthenticated(count, seconds);
    }
}

/// Who a token says the caller is, as audit fields.
struct Caller {
    subject: String,
    client_id: String,
    jti: String,
    granted: String,
}

impl Caller {
    fn of(principal: &crate::auth::Principal) -> Self {
        let field = |v: &Option<String>| clip(v.as_deref().unwrap_or(""));
        Self {
            subject: field(&principal.subject),
            client_id: field(&principal.client_id),
            jti: field(&principal.jti),
            granted: clip(&principal.scopes.to_string()),
        }
    }
}

/// A valid bearer token: DEBUG, since a token alone grants nothing (see the module's "Volume").
/// Nothing is worked out for the event unless DEBUG is on for [`TARGET`].
pub(crate) fn token_accepted<B>(principal: &crate::auth::Principal, request: &http::Request<B>) {
    if !tracing::enabled!(target: TARGET, tracing::Level::DEBUG) {
        return;
    }
    let (c, seen) = (Caller::of(principal), Seen::of(request));
    tracing::debug!(
        target: TARGET,
        decision = "allow",
        reason = reason::TOKEN_VALID,
        subject = c.subject.as_str(),
        client_id = c.client_id.as_str(),
        jti = c.jti.as_str(),
        granted = c.granted.as_str(),
        method = seen.method.as_str(),
        path = seen.path.as_str(),
        peer = seen.peer().as_str(),
        "bearer token accepted"
    );
}

/// The scope gate's decision on a request for `tool` (a `kind`: tool, resource or prompt), which
/// needs `required`: allowed (INFO; only once the entitlements hook, if any, has allowed it too)
/// or refused for a missing scope (WARN).
pub(crate) fn scope_decision(
    principal: &crate::auth::Principal,
    kind: &str,
    tool: &str,
    required: &[&str],
    allowed: bool,
) {
    let c = Caller::of(principal);
    let required = clip(&required.join(" "));
    let tool = clip(tool);
    // One spelling for both levels (a tracing level must be known at compile time).
    macro_rules! decision {
        ($level:ident, $decision:literal, $reason:expr, $message:literal) => {
            tracing::$level!(
                target: TARGET,
                decision = $decision,
                reason = $reason,
                kind,
                tool = tool.as_str(),
                required = required.as_str(),
                granted = c.granted.as_str(),
                subject = c.subject.as_str(),
                client_id = c.client_id.as_str(),
                jti = c.jti.as_str(),
                $message
            )
        };
    }
    if allowed {
        decision!(info, "allow", reason::SCOPE_GRANTED, "call allowed");
    } else {
        decision!(
            warn,
            "deny",
            reason::INSUFFICIENT_SCOPE,
            "call refused: step-up needed"
        );
    }
}

/// A call of `tool` (a `kind`: tool, resource or prompt) the entitlements hook refused, with its
/// reason as `detail`.
pub(crate) fn not_entitled(
    principal: &crate::auth::Principal,
    kind: &str,
    tool: &str,
    detail: &str,
) {
    let c = Caller::of(principal);
    tracing::warn!(
        target: TARGET,
        decision = "deny",
        reason = reason::NOT_ENTITLED,
        kind,
        tool = clip(tool).as_str(),
        detail = clip(detail).as_str(),
        granted = c.granted.as_str(),
        subject = c.subject.as_str(),
        client_id = c.client_id.as_str(),
        jti = c.jti.as_str(),
        "call refused: the user is not entitled"
    );
}

/// A call of a tool that does not exist, or is hidden from the caller.
pub(crate) fn tool_refused(principal: &crate::auth::Principal, tool: &str, hidden: bool) {
    let c = Caller::of(principal);
    tracing::warn!(
        target: TARGET,
        decision = "deny",
        reason = if hidden { reason::HIDDEN_TOOL } else { reason::UNKNOWN_TOOL },
        kind = "tool",
        tool = clip(tool).as_str(),
        granted = c.granted.as_str(),
        subject = c.subject.as_str(),
        client_id = c.client_id.as_str(),
        jti = c.jti.as_str(),
        "tool call refused"
    );
}

/// A request for a resource or prompt (`kind`) that does not exist, or is hidden from the caller.
pub(crate) fn item_refused(
    principal: &crate::auth::Principal,
    kind: &str,
    name: &str,
    hidden: bool,
) {
    let c = Caller::of(principal);
    tracing::warn!(
        target: TARGET,
        decision = "deny",
        reason = if hidden { reason::HIDDEN_ITEM } else { reason::UNKNOWN_ITEM },
        kind,
        tool = clip(name).as_str(),
        granted = c.granted.as_str(),
        subject = c.subject.as_str(),
        client_id = c.client_id.as_str(),
        jti = c.jti.as_str(),
        "request refused"
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clip_cuts_on_a_character_boundary() {
        assert_eq!(clip_to("abc", 3), "abc");
        assert_eq!(clip_to("abcd", 3), "abc…");
        assert_eq!(clip_to("ééé", 2), "éé…");
        assert_eq!(
            clip(&"x".repeat(300_000)).chars().count(),
            MAX_FIELD_CHARS + 1
        );
    }
}
