use mcp_scopes::{prompt, resource};

/// The schema.
#[resource(uri = "db://schema", public)]
async fn schema() -> u32 {
    1
}

/// Says hello.
#[prompt(public)]
async fn hello() -> u32 {
    1
}

fn main() {}
