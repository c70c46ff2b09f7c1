use mcp_scopes::tool;

#[tool(public)]
async fn hello() -> &'static str {
    "hello"
}

/// Not used: an explicit description must say something.
#[tool(public, description = "  ")]
async fn goodbye() -> &'static str {
    "goodbye"
}

fn main() {}
