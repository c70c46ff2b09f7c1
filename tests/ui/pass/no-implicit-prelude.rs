//! Generated code names everything by absolute path, so it compiles with no prelude at all.

#[derive(serde::Deserialize, schemars::JsonSchema)]
pub struct Query {
    pub sql: ::std::string::String,
}

#[no_implicit_prelude]
mod tools {
    use ::mcp_scopes::tool::{Args, Notifier, State, Structured};
    use ::mcp_scopes::{scope, tool};

    /// Read the database.
    #[scope(name = "db:query", display_name = "Query the database", baseline)]
    pub struct DbQuery;

    /// Change rows.
    #[scope(name = "db:modify", implies = [DbQuery, "db:query"])]
    pub struct DbModify;

    /// Runs a query.
    #[tool(scope = [DbQuery, "db:modify"], title = "Run a query", read_only, open_world = false)]
    pub async fn run_query(
        Args(query): Args<super::Query>,
        principal: ::mcp_scopes::auth::Principal,
        State(limit): State<u32>,
        notifier: Notifier,
    ) -> ::std::result::Result<Structured<::std::collections::BTreeMap<::std::string::String, u32>>, ::std::string::String> {
        let _ = (query.sql, principal, notifier);
        let mut out = ::std::collections::BTreeMap::new();
        out.insert(::std::string::ToString::to_string("limit"), limit);
        ::std::result::Result::Ok(Structured(out))
    }

    /// Says hello.
    #[tool(public)]
    pub async fn hello() {}
}

fn main() {
    let tools = mcp_scopes::tools![tools::run_query, tools::hello];
    let registry = ::mcp_scopes::registry::Registry::from_tools(tools).unwrap();
    ::std::assert_eq!(registry.tools().len(), 2);
}
