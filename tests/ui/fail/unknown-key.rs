use mcp_scopes::tool;

/// Says hello.
#[tool(public, readonly)]
async fn hello() -> &'static str {
    "hello"
}

fn main() {}
