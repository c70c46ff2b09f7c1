use mcp_scopes::scope;

/// Read the database.
#[scope(display_name = "Query the database")]
pub struct DbQuery;

fn main() {}
