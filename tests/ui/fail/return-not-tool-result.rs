use mcp_scopes::tool;

/// Counts.
#[tool(public)]
async fn count() -> u32 {
    1
}

fn main() {}
