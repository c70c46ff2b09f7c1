//! A function name that is not an MCP name (here non-ASCII) needs `name = "…"`.
use mcp_scopes::{prompt, resource};

/// The schema.
#[resource(uri = "db://schema", public)]
async fn schéma() -> &'static str {
    ""
}

/// Says hello.
#[prompt(public)]
async fn grüß() -> &'static str {
    "hello"
}

fn main() {}
