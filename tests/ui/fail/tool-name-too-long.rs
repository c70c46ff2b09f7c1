use mcp_scopes::tool;

/// Says hello.
#[tool(public, name = "hhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhh")]
async fn hello() -> &'static str {
    "hello"
}

fn main() {}
