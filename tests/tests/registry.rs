//! The registry seen from a user's crate: `#[scope]` and `#[tool]` declarations, `tools![…]`
//! lists, the checks a server build runs, and generated handlers called directly.

use mcp_scopes::tool::{Args, State, Structured, ToolCall};
use mcp_scopes::{scope, tool};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Read the database.
#[scope(name = "db:query", display_name = "Query the database", baseline)]
pub struct DbQuery;

/// Change rows.
#[scope(name = "db:modify", display_name = "Change rows", implies = [DbQuery])]
pub struct DbModify;

#[derive(Deserialize, JsonSchema)]
struct Query {
    sql: String,
}

/// Runs a query.
#[tool(scope = DbQuery, read_only)]
async fn run_query(Args(q): Args<Query>, State(prefix): State<String>) -> String {
    format!("{prefix}{}", q.sql)
}

#[derive(Serialize, JsonSchema)]
struct Count {
    rows: u32,
}

/// Counts.
#[tool(scope = "db:modify")]
async fn count() -> Result<Structured<Count>, String> {
    Ok(Structured(Count { rows: 1 }))
}

#[test]
fn collected() {
    let registry =
        mcp_scopes::registry::Registry::from_tools(mcp_scopes::tools![run_query, count]).unwrap();
    assert_eq!(registry.tools().len(), 2);
}
