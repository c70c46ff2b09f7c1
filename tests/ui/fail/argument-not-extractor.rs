use mcp_scopes::tool;

/// Echoes its input.
#[tool(public)]
async fn echo(text: String) -> String {
    text
}

fn main() {}
