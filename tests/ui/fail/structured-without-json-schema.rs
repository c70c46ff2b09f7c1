use mcp_scopes::tool;
use mcp_scopes::tool::Structured;

#[derive(serde::Serialize)]
struct Count {
    rows: u32,
}

/// Counts.
#[tool(public)]
async fn count() -> Structured<Count> {
    Structured(Count { rows: 1 })
}

fn main() {}
