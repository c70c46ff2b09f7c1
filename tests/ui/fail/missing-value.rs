use mcp_scopes::tool;

/// Says hello.
#[tool(public, title)]
async fn hello() -> &'static str {
    "hello"
}

fn main() {}
