//! The words every audit event is spelled with: its tracing target and its `reason` codes. Apart
//! from the event writers in `audit.rs` and the window summaries in `summary.rs`, so both name
//! them without importing each other.

/// The tracing target of every audit event.
pub const TARGET: &str = "mcp_scopes::audit";

/// The `reason` codes of events that are not token errors (those use
/// [`AuthError::reason`](crate::auth::AuthError::reason)).
pub mod reason {
    /// `allow`: the bearer token is valid (logged at DEBUG; the scope gate's event is the one at
    /// INFO).
    pub const TOKEN_VALID: &str = "token_valid";
    /// `deny`: no bearer token (logged at DEBUG, summarized at INFO).
    pub const NO_CREDENTIALS: &str = "no_credentials";
    /// `deny`: an `Authorization` header that cannot be read.
    pub const MALFORMED_AUTHORIZATION: &str = "malformed_authorization";
    /// `deny`: the `Origin` header names an origin that is not allowed.
    pub const ORIGIN_NOT_ALLOWED: &str = "origin_not_allowed";
    /// `deny`: the `Host` header names a host that is not allowed.
    pub const HOST_NOT_ALLOWED: &str = "host_not_allowed";
    /// `allow`: the token grants every scope the tool needs.
    pub const SCOPE_GRANTED: &str = "scope_granted";
    /// `deny`: the token lacks a scope the tool needs (the client may step up).
    pub const INSUFFICIENT_SCOPE: &str = "insufficient_scope";
    /// `deny`: no tool has this name.
    pub const UNKNOWN_TOOL: &str = "unknown_tool";
    /// `deny`: the tool exists but is hidden from this caller (answered like an unknown tool).
    pub const HIDDEN_TOOL: &str = "hidden_tool";
    /// `deny`: no resource or prompt has this URI or name.
    pub const UNKNOWN_ITEM: &str = "unknown_item";
    /// `deny`: the resource or prompt exists but is hidden from this caller (answered like an
    /// unknown one).
    pub const HIDDEN_ITEM: &str = "hidden_item";
    /// `deny`: the scopes suffice but the entitlements hook refused the user (no step-up).
    pub const NOT_ENTITLED: &str = "not_entitled";
    /// `deny`: the summary, at the end of a peer's window, of its refusals left out of the log
    /// (`suppressed`, `peer`).
    pub const REFUSALS_SUPPRESSED: &str = "refusals_suppressed";
}
