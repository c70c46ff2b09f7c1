use mcp_scopes::tool;

/// Says hello.
#[tool(public = true)]
async fn hello() -> &'static str {
    "hello"
}

fn main() {}
