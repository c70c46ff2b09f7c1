//! A misspelt scope type on a resource or a prompt does not compile, as on a tool.
use mcp_scopes::{prompt, resource, scope};

/// Read the database.
#[scope(name = "db:query")]
pub struct DbQuery;

/// The schema.
#[resource(uri = "db://schema", scope = DbQeury)]
async fn schema() -> &'static str {
    ""
}

/// Explains a query.
#[prompt(scope = DbQuerry)]
async fn explain() -> &'static str {
    "explain"
}

fn main() {}
