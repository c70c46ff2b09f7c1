//! `scope = []` on a resource or a prompt is refused with the fix, as on a tool.
use mcp_scopes::{prompt, resource};

/// The schema.
#[resource(uri = "db://schema", scope = [])]
async fn schema() -> &'static str {
    ""
}

/// Explains a query.
#[prompt(scope = [])]
async fn explain() -> &'static str {
    "explain"
}

fn main() {}
