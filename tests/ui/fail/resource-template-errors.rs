//! Each template the level-1 grammar refuses, with its fix.
use mcp_scopes::resource;

/// Unmatched brace.
#[resource(uri_template = "db://{table", public)]
async fn unmatched() -> &'static str {
    ""
}

/// An operator of a higher level.
#[resource(uri_template = "files://{+path}", public)]
async fn operator() -> &'static str {
    ""
}

/// Two variables side by side.
#[resource(uri_template = "db://{schema}{table}", public)]
async fn adjacent(schema: String, table: String) -> String {
    schema + &table
}

/// A variable twice.
#[resource(uri_template = "db://{table}/{table}", public)]
async fn twice(table: String) -> String {
    table
}

/// No variable at all.
#[resource(uri_template = "db://schema", public)]
async fn no_variable() -> &'static str {
    ""
}

/// Whitespace.
#[resource(uri_template = "db://my tables/{table}", public)]
async fn whitespace(table: String) -> String {
    table
}

fn main() {}
