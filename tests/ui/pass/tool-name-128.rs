//! The longest tool name MCP allows: 128 characters.
use mcp_scopes::tool;

/// Says hello.
#[tool(public, name = "hhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhh")]
async fn hello() -> &'static str {
    "hello"
}

fn main() {
    let registry = mcp_scopes::registry::Registry::from_tools(mcp_scopes::tools![hello]).unwrap();
    assert_eq!(registry.tools()[0].name.len(), 128);
}
