use mcp_scopes::tool;

/// Not declared with `#[scope]`.
pub struct DbQuery;

/// Runs a query.
#[tool(scope = DbQuery)]
async fn run_query() -> String {
    String::new()
}

fn main() {}
