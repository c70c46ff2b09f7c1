use mcp_scopes::tool;

/// Echoes its input.
#[tool(public)]
async fn echo<T: ToString>(value: T) -> String {
    value.to_string()
}

fn main() {}
