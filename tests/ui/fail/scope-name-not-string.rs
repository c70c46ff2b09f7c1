//! A key with a refused value still counts as given: no second "missing `name`".
use mcp_scopes::scope;

/// Read the database.
#[scope(name = db_query)]
pub struct DbQuery;

fn main() {}
