use mcp_scopes::tool;

/// Says hello.
#[tool(public, name = "hello", name = "hi")]
async fn hello() -> &'static str {
    "hello"
}

fn main() {}
