use mcp_scopes::resource;

fn names(prefix: &str) -> Vec<String> {
    vec![prefix.to_owned()]
}

/// One table's rows.
#[resource(uri_template = "db://tables/{table}", public, complete(table = names))]
async fn rows(table: String) -> String {
    table
}

fn main() {}
