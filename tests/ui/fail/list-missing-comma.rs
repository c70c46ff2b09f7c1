use mcp_scopes::tool;

/// Runs a query.
#[tool(scope = ["db:query" "db:modify"])]
async fn run_query() -> String {
    String::new()
}

fn main() {}
