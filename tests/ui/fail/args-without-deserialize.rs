use mcp_scopes::tool;
use mcp_scopes::tool::Args;

#[derive(schemars::JsonSchema)]
struct Query {
    sql: String,
}

/// Runs a query.
#[tool(public)]
async fn run_query(Args(query): Args<Query>) -> String {
    query.sql
}

fn main() {}
