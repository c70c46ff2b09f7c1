//! A tool as the registry holds it: the static [`ToolDef`] that `#[tool]` writes, and what the
//! gate, `tools/list` and the manifests read from it.

use serde_json::Value;

use super::argument::{ArgSpec, MissingState};
use super::call::ToolHandler;
use super::state::StateMap;

/// The MCP tool annotations (hints for clients; never trusted for security).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ToolAnnotations {
    /// `readOnlyHint`.
    pub read_only: Option<bool>,
    /// `destructiveHint`.
    pub destructive: Option<bool>,
    /// `idempotentHint`.
    pub idempotent: Option<bool>,
    /// `openWorldHint`.
    pub open_world: Option<bool>,
}

/// A tool, as `#[tool]` declares it. Read by the scope gate, `tools/list` and the manifests.
#[derive(Debug)]
pub struct ToolDef {
    /// The MCP tool name (default: the function's name).
    pub name: &'static str,
    /// The optional human title.
    pub title: Option<&'static str>,
    /// What the tool does, written for the model (default: the doc comment).
    pub description: &'static str,
    /// Every scope the caller must hold (all of them; implications count). Empty exactly for a
    /// tool declared `#[tool(public)]`: callable by any caller with a valid token.
    pub scopes: &'static [&'static str],
    /// The MCP annotations.
    pub annotations: ToolAnnotations,
    /// One entry per handler argument, in order.
    pub args: &'static [ArgSpec],
    /// The output schema, when the return type is structured.
    pub output_schema: fn() -> Option<serde_json::Value>,
    /// The generated entry point.
    pub handler: ToolHandler,
    /// Where the tool is declared (`file:line`), for error messages.
    pub location: &'static str,
}

impl ToolDef {
    /// The tool's `inputSchema`: the schema of its [`Args`](super::Args) argument, or an empty object schema
    /// when it takes none.
    pub fn input_schema(&self) -> Value {
        self.args
            .iter()
            .find_map(|arg| (arg.input_schema)())
            .unwrap_or_else(|| serde_json::json!({ "type": "object", "properties": {} }))
    }

    /// The tool's `outputSchema`, when its return type is structured.
    pub fn output_schema(&self) -> Option<Value> {
        (self.output_schema)()
    }

    /// Checks that `state` holds everything this tool's arguments need.
    pub fn check_state(&self, state: &StateMap) -> Result<(), MissingState> {
        MissingState::check("tool", self.name, self.location, self.args, [], state)
    }
}
