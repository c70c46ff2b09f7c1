use mcp_scopes::{scope, tool};

/// Read the database.
#[scope(name = "db:query")]
pub struct DbQuery;

/// Runs a query.
#[tool(scope = DbQeury)]
async fn run_query() -> String {
    String::new()
}

fn main() {}
