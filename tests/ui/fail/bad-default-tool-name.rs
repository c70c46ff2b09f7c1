use mcp_scopes::tool;

/// Makes coffee.
#[tool(public)]
async fn café() -> &'static str {
    "coffee"
}

/// Accepted: the explicit name replaces the function's.
#[tool(public, name = "tea")]
async fn thé() -> &'static str {
    "tea"
}

fn main() {}
