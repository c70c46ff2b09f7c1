use mcp_scopes::scope;

/// Read the database.
#[scope(name = "db:query")]
pub struct DbQuery {
    pub level: u8,
}

fn main() {}
