use mcp_scopes::tool;

/// Says hello.
#[tool(public, "db:query")]
async fn hello() -> &'static str {
    "hello"
}

fn main() {}
