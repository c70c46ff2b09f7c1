//! `crate = …` names the runtime crate when it is renamed or re-exported: an absolute path, a
//! `crate::` path and a relative path all work.

pub extern crate mcp_scopes as renamed;

mod reexport {
    pub use renamed as runtime;
}

/// Read the database.
#[renamed::scope(name = "db:query", crate = ::renamed)]
pub struct DbQuery;

/// Change rows.
#[renamed::scope(name = "db:modify", implies = [DbQuery], crate = reexport::runtime)]
pub struct DbModify;

/// Runs a query.
#[renamed::tool(scope = DbQuery, crate = ::renamed)]
pub async fn absolute() -> String {
    String::new()
}

/// Runs a query.
#[renamed::tool(scope = DbModify, crate = crate::reexport::runtime)]
pub async fn from_crate_root() -> String {
    String::new()
}

mod nested {
    /// Runs a query.
    #[renamed::tool(public, crate = super::reexport::runtime)]
    pub async fn relative() -> String {
        String::new()
    }
}

fn main() {
    let tools = renamed::tools![absolute, from_crate_root, nested::relative];
    let registry = renamed::registry::Registry::from_tools(tools).unwrap();
    assert_eq!(registry.tools().len(), 3);
    assert_eq!(registry.scopes().len(), 2);
}
