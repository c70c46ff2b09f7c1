use mcp_scopes::resource;

/// One table's rows.
#[resource(uri_template = "db://tables/{table}", public)]
async fn rows(name: String) -> String {
    name
}

fn main() {}
