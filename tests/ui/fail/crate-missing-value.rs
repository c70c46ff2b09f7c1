use mcp_scopes::tool;

/// Says hello.
#[tool(public, crate)]
async fn hello() -> &'static str {
    "hello"
}

fn main() {}
