//! `initialize` and `ping` (legacy revisions) and `server/discover` (2026-07-28): what the server
//! is, which revisions it speaks and what it can do.

use serde_json::{Map, Value, json};

use crate::registry::Registry;
use crate::server::jsonrpc::RpcError;
use crate::server::state::ServerState;
use crate::server::version::ProtocolVersion;

/// Which method families beyond tools the registry gives the server something to serve.
pub(super) struct Offered {
    pub resources: bool,
    pub prompts: bool,
    /// A prompt or resource template declares a completer.
    pub completions: bool,
}

impl Offered {
    pub(super) fn of(registry: &Registry) -> Self {
        let templates = || registry.resource_templates();
        Self {
            resources: !registry.resources().is_empty() || templates().next().is_some(),
            prompts: !registry.prompts().is_empty(),
            completions: registry.has_completions(),
        }
    }
}

/// What the server offers: each of tools, resources, prompts and completions only when the
/// registry holds one (resource subscriptions never: see `resources::subscribe`).
fn capabilities(server: &ServerState) -> Value {
    let offered = Offered::of(&server.registry);
    let mut capabilities = json!({ "logging": {} });
    if !server.registry.tools().is_empty() {
        capabilities["tools"] = json!({ "listChanged": false });
    }
    if offered.resources {
        capabilities["resources"] = json!({ "subscribe": false, "listChanged": false });
    }
    if offered.prompts {
        capabilities["prompts"] = json!({ "listChanged": false });
    }
    if offered.completions {
        capabilities["completions"] = json!({});
    }
    capabilities
}

/// `ping`: an empty result.
pub(super) fn ping() -> Value {
    json!({})
}

/// `initialize`: the version both sides speak, the capabilities and the server's identity.
pub(super) fn initialize(
    server: &ServerState,
    params: &Map<String, Value>,
) -> Result<Value, RpcError> {
    // Any version string is an offer the server may counter; no version at all is malformed.
    let offered = params
        .get("protocolVersion")
        .and_then(Value::as_str)
        .ok_or_else(|| RpcError::invalid_params("`protocolVersion` must be a version string"))?;
    let requested = ProtocolVersion::parse(offered)
        .filter(|v| !v.is_modern() && ProtocolVersion::SUPPORTED.contains(v));
    let version = requested.unwrap_or(ProtocolVersion::LATEST_LEGACY);
    let mut result = json!({
        "protocolVersion": version.as_str(),
        "capabilities": capabilities(server),
        "serverInfo": server.server_info(),
    });
    if let Some(instructions) = &server.instructions {
        result["instructions"] = json!(instructions);
    }
    Ok(result)
}

/// `server/discover`: the supported revisions and capabilities, cacheable by anyone.
pub(super) fn discover(server: &ServerState) -> Value {
    let mut result = json!({
        "supportedVersions": ProtocolVersion::supported_strings(),
        "capabilities": capabilities(server),
        "ttlMs": server.options.ttl_ms,
        "cacheScope": "public",
    });
    if let Some(instructions) = &server.instructions {
        result["instructions"] = json!(instructions);
    }
    result
}
