use mcp_scopes::tool;

/// Says hello.
#[tool(public,, read_only)]
async fn hello() -> &'static str {
    "hello"
}

fn main() {}
