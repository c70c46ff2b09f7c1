use mcp_scopes::tool;

/// Says hello.
#[tool(public, name = "say hello")]
async fn hello() -> &'static str {
    "hello"
}

/// Says goodbye.
#[tool(public, name = "")]
async fn goodbye() -> &'static str {
    "goodbye"
}

fn main() {}
