use mcp_scopes::tool;

/// Echoes its input.
#[tool(public)]
async fn echo(value: impl ToString + Send) -> String {
    value.to_string()
}

fn main() {}
