//! A `#[scope]` with a mistake still declares its type, so the tool naming it adds no second
//! error: one mistake, one error.
use mcp_scopes::{scope, tool};

/// Read the database.
#[scope(name = "db query")]
pub struct DbQuery;

/// Runs a query.
#[tool(scope = DbQuery)]
async fn run_query() -> String {
    String::new()
}

fn main() {
    let _ = mcp_scopes::tools![run_query];
}
