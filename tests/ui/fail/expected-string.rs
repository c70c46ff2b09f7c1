use mcp_scopes::tool;

/// Says hello.
#[tool(public, title = Hello)]
async fn hello() -> &'static str {
    "hello"
}

fn main() {}
