use mcp_scopes::tool;

/// Not a function.
#[tool(public)]
struct Hello;

fn main() {}
