//! Each mistake in `complete(…)`, spanned on its culprit.
use mcp_scopes::completion::Completing;
use mcp_scopes::resource;

async fn names(_: Completing) -> Vec<String> {
    Vec::new()
}

/// A fixed URI has nothing to complete.
#[resource(uri = "db://schema", public, complete(table = names))]
async fn fixed() -> &'static str {
    ""
}

/// Not a variable of the template.
#[resource(uri_template = "db://tables/{table}", public, complete(tabel = names))]
async fn unknown(table: String) -> String {
    table
}

/// Not a list.
#[resource(uri_template = "db://a/{table}", public, complete = names)]
async fn not_a_list(table: String) -> String {
    table
}

/// No completer.
#[resource(uri_template = "db://b/{table}", public, complete(table))]
async fn no_completer(table: String) -> String {
    table
}

/// A string, not a function.
#[resource(uri_template = "db://c/{table}", public, complete(table = "names"))]
async fn not_a_path(table: String) -> String {
    table
}

/// The same variable twice.
#[resource(uri_template = "db://d/{table}", public, complete(table = names, table = names))]
async fn twice(table: String) -> String {
    table
}

fn main() {}
