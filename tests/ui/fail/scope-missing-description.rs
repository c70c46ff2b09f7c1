use mcp_scopes::scope;

#[scope(name = "db:query")]
pub struct DbQuery;

fn main() {}
