//! `#[resource]` and `#[prompt]` with every key, under `#![no_implicit_prelude]`, listed
//! explicitly and collected.

#[derive(serde::Deserialize, schemars::JsonSchema)]
pub struct ExplainArgs {
    /// The query.
    pub sql: ::std::string::String,
}

#[no_implicit_prelude]
mod declared {
    use ::mcp_scopes::completion::Completing;
    use ::mcp_scopes::prompt::PromptMessage;
    use ::mcp_scopes::resource::Blob;
    use ::mcp_scopes::tool::{Args, State};
    use ::mcp_scopes::{prompt, resource, scope};

    /// Read the database.
    #[scope(name = "db:query")]
    pub struct DbQuery;

    /// The schema.
    #[resource(uri = "db://schema", scope = DbQuery, name = "schema", title = "Schema", mime_type = "application/sql")]
    pub async fn schema(State(limit): State<u32>) -> ::std::string::String {
        ::std::string::ToString::to_string(&limit)
    }

    /// One table.
    #[resource(uri_template = "db://tables/{table}/{page}", scope = [DbQuery, "db:query"], complete(table = tables, page = pages))]
    pub async fn table(
        page: u32,
        table: ::std::string::String,
    ) -> ::std::result::Result<::std::string::String, ::std::string::String> {
        ::std::result::Result::Ok(::std::format!("{table}{page}"))
    }

    /// A picture.
    #[resource(uri = "files://logo.png", public, description = "The logo")]
    pub async fn logo() -> Blob {
        Blob(::std::vec::Vec::new())
    }

    pub async fn tables(partial: Completing) -> ::std::vec::Vec<::std::string::String> {
        ::std::vec![partial.value]
    }

    pub async fn pages(_: Completing, State(limit): State<u32>) -> ::std::vec::Vec<&'static str> {
        let _ = limit;
        ::std::vec!["1"]
    }

    /// Explains a query.
    #[prompt(scope = DbQuery, title = "Explain", complete(sql = tables))]
    pub async fn explain(Args(args): Args<super::ExplainArgs>) -> ::std::vec::Vec<PromptMessage> {
        ::std::vec![PromptMessage::user(args.sql)]
    }

    /// Says hello.
    #[prompt(public, name = "hello")]
    pub async fn greeting() -> &'static str {
        "hello"
    }
}

fn main() {
    let registry = ::mcp_scopes::registry::Registry::from_declarations(
        mcp_scopes::tools![],
        mcp_scopes::resources![declared::schema, declared::table, declared::logo],
        mcp_scopes::prompts![declared::explain, declared::greeting],
    )
    .unwrap();
    ::std::assert_eq!(registry.resources().len(), 2);
    ::std::assert_eq!(registry.prompts().len(), 2);
    ::std::assert_eq!(::mcp_scopes::registry::Registry::collected().unwrap().prompts().len(), 2);
}
