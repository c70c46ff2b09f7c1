//! The function rules shared with `#[tool]`, and the MCP name rule for prompts.
use mcp_scopes::{prompt, resource};

/// The schema.
#[resource(uri = "db://schema", public)]
fn schema() -> &'static str {
    ""
}

/// Says hello.
#[prompt(public, name = "say hello")]
async fn hello() -> &'static str {
    "hello"
}

fn main() {
    let _ = schema();
}
