use mcp_scopes::{prompt, resource};

/// The schema.
#[resource(uri = "db://schema", public)]
struct Schema;

/// Says hello.
#[prompt(public)]
struct Hello;

fn main() {}
