use mcp_scopes::tool;

/// Says hello.
#[tool(public)]
async fn hello() -> impl ToString {
    "hello"
}

fn main() {}
