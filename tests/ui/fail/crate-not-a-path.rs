use mcp_scopes::tool;

/// Says hello.
#[tool(public, crate = "mcp_scopes")]
async fn hello() -> &'static str {
    "hello"
}

fn main() {}
