//! What the `casdoor_sync*` suites give `casdoor sync`: the db-server's manifest, built against the
//! fake application in `admin.rs` (one entry new, one changed), and options pointing at a fake.

use mcp_scopes::casdoor::{Credentials, SyncOptions};
use mcp_scopes::manifest::CasdoorScope;

use super::admin::{APP_ID, CLIENT_ID, CLIENT_SECRET, FakeCasdoor};

pub fn scope(name: &str, display: &str, description: &str, tools: &[&str]) -> CasdoorScope {
    CasdoorScope {
        name: name.into(),
        display_name: display.into(),
        description: description.into(),
        tools: tools.iter().map(|t| (*t).to_owned()).collect(),
    }
}

/// The db-server's manifest: `db:admin` is new to the application, `db:query` changed.
pub fn manifest() -> Vec<CasdoorScope> {
    vec![
        scope(
            "db:admin",
            "Database Admin",
            "Create & drop <tables>",
            &["create_table", "drop_table"],
        ),
        scope(
            "db:query",
            "Query Database",
            "Run read-only queries",
            &["describe_table", "list_tables", "query"],
        ),
    ]
}

pub fn options(fake: &FakeCasdoor) -> SyncOptions {
    SyncOptions::new(
        &fake.endpoint,
        APP_ID,
        Credentials::new(CLIENT_ID, CLIENT_SECRET),
        manifest(),
    )
}
