//! Every kind of argument a tool may take, including a user-defined extractor, argument patterns,
//! and every key of `#[tool]`.
use std::sync::Arc;

use mcp_scopes::auth::Principal;
use mcp_scopes::tool::{Args, Notifier, State, ToolArgument, ToolCall, ToolCallError};
use mcp_scopes::{scope, tool};

#[derive(serde::Deserialize, schemars::JsonSchema)]
pub struct Query {
    pub sql: String,
    #[serde(default)]
    pub limit: Option<u32>,
}

#[derive(Clone)]
pub struct Pool;

/// The caller's subject, or `anonymous`.
pub struct Subject(pub String);

impl ToolArgument for Subject {
    fn from_tool_call(call: &mut ToolCall) -> Result<Self, ToolCallError> {
        let subject = call.principal.subject.clone();
        Ok(Subject(subject.unwrap_or_else(|| String::from("anonymous"))))
    }
}

/// Read the database.
#[scope(name = "db:query", display_name = "Query the database", baseline)]
pub struct DbQuery;

/// Run a query.
///
/// Read only; returns rows as text.
#[tool(
    scope = [DbQuery, "db:query"],
    name = "query.run",
    title = "Run a query",
    read_only,
    destructive = false,
    idempotent = true,
    open_world = false,
)]
pub async fn run_query(
    Args(Query { sql, limit }): Args<Query>,
    principal: Principal,
    State(pool): State<Arc<Pool>>,
    notifier: Notifier,
    Subject(subject): Subject,
) -> String {
    let _ = (pool, notifier, principal);
    format!("{subject}: {sql} {limit:?}")
}

/// Takes nothing.
#[tool(public, description = "Says hello")]
pub async fn r#hello() -> &'static str {
    "hello"
}

fn main() {
    let registry = mcp_scopes::registry::Registry::from_tools(mcp_scopes::tools![run_query, hello]).unwrap();
    let tool = registry.tool("query.run").unwrap();
    assert_eq!(tool.description, "Run a query.\n\nRead only; returns rows as text.");
    assert_eq!(tool.args.len(), 5);
    assert_eq!(tool.args[0].type_name, "Args<Query>");
    assert_eq!(tool.args[2].type_name, "State<Arc<Pool>>");
    assert_eq!(registry.tool("hello").unwrap().description, "Says hello");
}
