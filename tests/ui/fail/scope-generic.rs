use mcp_scopes::scope;

/// Read the database.
#[scope(name = "db:query")]
pub struct DbQuery<T>(std::marker::PhantomData<T>);

fn main() {}
