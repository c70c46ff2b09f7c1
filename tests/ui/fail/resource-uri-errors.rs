//! Each mistake in a resource's URI gives one error, and the resources are still listed.
use mcp_scopes::resource;

/// No URI.
#[resource(public)]
async fn missing() -> &'static str {
    ""
}

/// Both forms.
#[resource(uri = "db://a", uri_template = "db://{a}", public)]
async fn both(a: String) -> String {
    a
}

/// No scheme.
#[resource(uri = "schema", public)]
async fn no_scheme() -> &'static str {
    ""
}

/// A variable in a fixed URI.
#[resource(uri = "db://tables/{table}", public)]
async fn variable_in_uri() -> &'static str {
    ""
}

/// A MIME type without a subtype.
#[resource(uri = "db://x", public, mime_type = "text")]
async fn bad_mime() -> &'static str {
    ""
}

fn main() {
    let _ = mcp_scopes::resources![missing, both, no_scheme, variable_in_uri, bad_mime];
}
