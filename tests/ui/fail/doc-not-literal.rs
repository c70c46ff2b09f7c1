//! An attribute macro sees `include_str!` unexpanded, so it cannot read the description from
//! it: a clear error instead of a silently missing or partial description.
use mcp_scopes::tool;

/// Runs a query.
#[doc = include_str!("doc-not-literal.md")]
#[tool(scope = "db:query")]
async fn run_query() -> String {
    String::new()
}

/// The same text as an explicit description works, and rustdoc still shows the file.
#[doc = include_str!("doc-not-literal.md")]
#[tool(scope = "db:query", description = "Runs a query.")]
async fn run_query_documented() -> String {
    String::new()
}

fn main() {}
