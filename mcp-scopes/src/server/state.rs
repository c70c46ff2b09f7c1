//! The built server as every request sees it: identity, registry, shared state and the options that
//! change protocol behaviour. Immutable after `build()`, shared behind an `Arc`. Also how a result
//! is shaped for the revision it answers, since that needs the server's identity.

use std::sync::Arc;
use std::time::Duration;

use serde_json::{Map, Value, json};

use super::callers::{CallerLimits, DEFAULT_MAX_CALLS_PER_CALLER};
use super::cancel::InFlight;
use super::version::{META_SERVER_INFO, ProtocolVersion};

use crate::auth::{Challenge, EntitlementsHook};
use crate::registry::Registry;
use crate::tool::StateMap;

/// How the server answers a `tools/call`, `resources/read`, `prompts/get` or `completion/complete`
/// whose token lacks a scope the tool, resource or prompt needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ScopeFailure {
    /// HTTP 403 with `WWW-Authenticate: Bearer error="insufficient_scope", scope="…"`, so the client
    /// can step up (re-authorize with more scopes). The default, as MCP 2025-11-25 recommends.
    #[default]
    HttpChallenge,
    /// HTTP 200 with a JSON-RPC error naming the missing scopes, for clients that cannot step up.
    InBand,
}

/// How long a tool handler may run, unless configured.
pub(crate) const DEFAULT_CALL_TIMEOUT: Duration = Duration::from_mins(1);

/// Options that change what clients see.
#[derive(Debug, Clone)]
pub(crate) struct Options {
    pub scope_failure: ScopeFailure,
    /// List only the tools the caller may call (then `cacheScope: "private"`).
    pub filter_tools_by_scope: bool,
    /// Tools per `tools/list` page.
    pub page_size: usize,
    /// `ttlMs` of cacheable results (2026-07-28).
    pub ttl_ms: u64,
    /// How long a tool handler may run before its call ends with an error result.
    pub call_timeout: Option<Duration>,
    /// What the user may do beyond the token's scopes, checked after the scope gate.
    pub entitlements: Option<EntitlementsHook>,
    /// The tool calls each caller has running, and how many it may.
    pub callers: Arc<CallerLimits>,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            scope_failure: ScopeFailure::default(),
            filter_tools_by_scope: false,
            page_size: 100,
            ttl_ms: 300_000,
            call_timeout: Some(DEFAULT_CALL_TIMEOUT),
            callers: Arc::new(CallerLimits::new(Some(DEFAULT_MAX_CALLS_PER_CALLER))),
            entitlements: None,
        }
    }
}

/// Everything a method reads.
#[derive(Debug, Clone)]
pub(crate) struct ServerState {
    pub name: String,
    pub version: String,
    pub title: Option<String>,
    pub instructions: Option<String>,
    pub registry: Registry,
    /// Each tool as `tools/list` shows it, in registry order, as JSON text: built once at start,
    /// since its schemas come from schemars and do not change.
    pub listings: Vec<Box<serde_json::value::RawValue>>,
    pub state: StateMap,
    pub options: Options,
    /// Builds the step-up challenge (same parameters as the auth layer's 401s).
    pub challenge: Challenge,
    /// Legacy calls that `notifications/cancelled` can abort.
    pub inflight: Arc<InFlight>,
}

impl ServerState {
    /// The `Implementation` object: `serverInfo` (legacy) or `_meta` server info (2026-07-28).
    pub(crate) fn server_info(&self) -> Value {
        let mut info = json!({ "name": self.name, "version": self.version });
        if let Some(title) = &self.title {
            info["title"] = json!(title);
        }
        info
    }

    /// `_meta` holding only the server info, as 2026-07-28 results carry it.
    pub(crate) fn meta_with_server_info(&self) -> Value {
        let mut meta = Map::new();
        meta.insert(META_SERVER_INFO.to_owned(), self.server_info());
        Value::Object(meta)
    }

    /// Adds what 2026-07-28 asks of every result: `resultType` and the server's identity in `_meta`.
    pub(crate) fn shape_result(&self, version: ProtocolVersion, mut result: Value) -> Value {
        if version.is_modern()
            && let Value::Object(object) = &mut result
        {
            object
                .entry("resultType")
                .or_insert_with(|| json!("complete"));
            let meta = object
                .entry("_meta")
                .or_insert_with(|| Value::Object(Map::new()));
            if let Value::Object(meta) = meta {
                meta.insert(META_SERVER_INFO.to_owned(), self.server_info());
            }
        }
        result
    }
}
