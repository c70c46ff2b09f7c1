use mcp_scopes::tool;

/// Says hello.
#[tool(scope = [1, "db:query"])]
async fn hello() -> &'static str {
    "hello"
}

fn main() {}
