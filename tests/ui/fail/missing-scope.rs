use mcp_scopes::tool;

/// Says hello.
#[tool]
async fn hello() -> &'static str {
    "hello"
}

fn main() {}
