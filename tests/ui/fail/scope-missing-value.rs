use mcp_scopes::tool;

/// Says hello.
#[tool(scope)]
async fn hello() -> &'static str {
    "hello"
}

fn main() {}
