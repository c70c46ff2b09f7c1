//! Attribute macros for mcp-scopes: `#[tool]`, `#[resource]`, `#[prompt]` and `#[scope]`. Use them through the `mcp-scopes`
//! crate, which documents them; this crate only turns declarations into registry entries.
//!
//! Each macro runs as a pipeline: `ast` parses the attribute and the item, `valid` checks
//! them (every independent problem is reported, spanned on its culprit), and `expand` writes
//! the registry entry. On error the user's item and its companion items (a tool's `TOOL`, a
//! scope's `DeclaredScope` impl) are still emitted, next to `compile_error!`s, so one mistake
//! gives one error: the rest of the crate, `tools![…]` and IDEs keep working.

mod args;
mod ast;
mod doc;
mod expand;
mod uri;
mod valid;

use proc_macro::TokenStream;
use proc_macro2::Span;

use crate::args::{PromptArgs, ResourceArgs, ScopeArgs, ToolArgs};
use crate::ast::{Errors, ItemTool};

/// Declares an MCP tool: an async function, the scopes a caller needs to call it, and what
/// `tools/list` shows about it.
///
/// ```ignore
/// use mcp_scopes::tool;
/// use mcp_scopes::tool::{Args, State};
///
/// #[derive(serde::Deserialize, schemars::JsonSchema)]
/// struct Query {
///     /// The SQL to run.
///     sql: String,
/// }
///
/// /// Runs a read-only SQL query and returns the rows as text.
/// #[tool(scope = DbQuery, read_only)]
/// async fn run_query(Args(query): Args<Query>, State(db): State<Db>) -> Result<String, DbError> {
///     db.query(&query.sql).await
/// }
/// ```
///
/// # Keys
/// - `scope = DbQuery` (a type declared with `#[scope]`, so a typo does not compile),
///   `scope = "db:query"` (checked when the registry is built), or a list of either
///   (`scope = [DbModify, "audit:write"]`): the caller needs all of them, implications counted.
/// - `public`: any caller with a valid token may call the tool. A tool needs `scope` or
///   `public`; neither is a compile error, so no tool is left open by omission.
/// - `name = "…"`: the MCP tool name (default: the function's name). Letters, digits, `_`,
///   `-` and `.`.
/// - `description = "…"`: what the tool does, for the model (default: the doc comment; one of
///   the two is required). A doc comment reads as rustdoc renders it: the wrapped lines of a
///   paragraph are joined with spaces, blank lines stay paragraph breaks, and code blocks, list
///   items, headings and hard breaks keep their lines. A doc attribute that is not a string
///   literal (`#[doc = include_str!("query.md")]`) cannot be read by a macro and is a compile
///   error unless `description` is given.
/// - `title = "…"`: a human title.
/// - `read_only`, `destructive`, `idempotent`, `open_world`: the MCP annotations; a bare key
///   means `true`, or write `= false`. Hints for clients, never trusted for security.
/// - `crate = path`: where the `mcp-scopes` crate is, when it is renamed or re-exported.
///
/// # The function
/// It must be `async`, not generic and not a method. Each argument is
/// an extractor (`ToolArgument`): `Args<T>` for the input (`T: Deserialize + JsonSchema`; its
/// schema becomes `inputSchema`), `Principal` for the caller, `State<T>` for shared state given
/// to the server builder, `Notifier` for progress and log messages. The return type implements
/// `IntoToolResult`: text, `()`, `Content`, `Vec<Content>`, `CallToolResult`, `Structured<T>`
/// (`structuredContent` plus `outputSchema`), or `Result<T, E: Display>`, whose `Err` becomes a
/// result with `isError: true` that the model reads.
///
/// Next to the function, `#[tool]` writes the tool's definition into the registry
/// (`Registry::collected()`) and a hidden type of the same name holding `TOOL`, the definition,
/// so `tools![run_query]` can list it explicitly.
#[proc_macro_attribute]
pub fn tool(attr: TokenStream, item: TokenStream) -> TokenStream {
    let item_tokens = proc_macro2::TokenStream::from(item.clone());
    let Ok(item) = syn::parse::<ItemTool>(item) else {
        let message = "`#[tool]` goes on an async fn, e.g. `async fn run_query(Args(q): Args<Query>) -> String`";
        return with_error(item_tokens, syn::Error::new(Span::call_site(), message));
    };
    let mut errors = Errors::default();
    let entries = ast::parse_entries(attr.into(), args::TOOL_GRAMMAR, &mut errors);
    let args = ToolArgs::from_entries(&entries, &mut errors);
    let tool = valid::tool(args, &item, &mut errors);
    // `#[tool]` requires `async`, so a body with no `.await` is not the user's mistake.
    let mut out = quote::quote!(#[allow(clippy::unused_async)]);
    out.extend(expand::user_fn(&item));
    // A method sits in an `impl` block, where the companion items cannot go; its error says so.
    if !tool.func.method {
        out.extend(expand::tool(&tool));
    }
    if let Some(error) = errors.finish() {
        out.extend(error.into_compile_error());
    }
    out.into()
}

/// Declares an OAuth scope on a unit struct; the doc comment says what the scope allows (shown
/// on consent screens and in the Casdoor manifest).
///
/// ```ignore
/// use mcp_scopes::scope;
///
/// /// Read the database: list tables, describe them, run read-only queries.
/// #[scope(name = "db:query", display_name = "Query the database", baseline)]
/// pub struct DbQuery;
///
/// /// Insert, update and delete rows.
/// #[scope(name = "db:modify", display_name = "Change rows", implies = [DbQuery])]
/// pub struct DbModify;
/// ```
///
/// # Keys
/// - `name = "…"` (required): the scope token, `resource:action` segments of letters, digits,
///   `_` and `-`.
/// - `display_name = "…"`: a short human name (default: the name).
/// - `description = "…"`: instead of the doc comment (one of the two is required). A doc
///   comment's wrapped lines are joined as for `#[tool]`.
/// - `baseline`: a client should ask for this scope first (the 401 `scope=` hint).
/// - `implies = [DbQuery, "other:scope"]`: a token granting this scope may also call tools that
///   need these.
/// - `crate = path`: where the `mcp-scopes` crate is, when it is renamed or re-exported.
///
/// The struct implements `DeclaredScope`, so tools can name it (`#[tool(scope = DbQuery)]`),
/// and the scope enters the registry.
#[proc_macro_attribute]
pub fn scope(attr: TokenStream, item: TokenStream) -> TokenStream {
    let item_tokens = proc_macro2::TokenStream::from(item.clone());
    let Ok(item) = syn::parse::<syn::DeriveInput>(item) else {
        let message = "`#[scope]` goes on a unit struct, e.g. `pub struct DbQuery;`";
        return with_error(item_tokens, syn::Error::new(Span::call_site(), message));
    };
    let mut errors = Errors::default();
    let entries = ast::parse_entries(attr.into(), args::SCOPE_GRAMMAR, &mut errors);
    let args = ScopeArgs::from_entries(&entries, &mut errors);
    let scope = valid::scope(args, &item, &mut errors);
    let mut out = expand::scope(&scope);
    if let Some(error) = errors.finish() {
        out.extend(error.into_compile_error());
    }
    out.into()
}

/// Declares an MCP resource: an async function returning its contents, the scopes a caller needs
/// to read it, and what `resources/list` (or `resources/templates/list`) shows about it.
///
/// ```ignore
/// use mcp_scopes::resource;
/// use mcp_scopes::tool::State;
///
/// /// The database schema, as `CREATE` statements.
/// #[resource(uri = "db://schema", scope = DbQuery, mime_type = "application/sql")]
/// async fn schema(State(db): State<Db>) -> Result<String, DbError> {
///     db.schema().await
/// }
///
/// /// The rows of one table, as CSV.
/// #[resource(uri_template = "db://tables/{table}", scope = DbQuery, mime_type = "text/csv",
///            complete(table = table_names))]
/// async fn table(table: String, State(db): State<Db>) -> Result<String, DbError> {
///     db.rows_as_csv(&table).await
/// }
///
/// async fn table_names(partial: Completing, State(db): State<Db>) -> Vec<String> {
///     db.tables_starting_with(&partial.value).await
/// }
/// ```
///
/// # Keys
/// - `uri = "db://schema"` for one resource, or `uri_template = "db://tables/{table}"` (RFC 6570
///   level 1) for a family: each `{variable}` is the function's parameter of the same name,
///   of any type that implements `FromStr` (`table: String`, `id: u64`).
/// - `scope` / `public`, `name`, `description`, `title`, `crate`: as for `#[tool]` (the name
///   defaults to the function's, the description to the doc comment).
/// - `mime_type = "text/csv"`: the MIME type of the contents.
/// - `complete(table = table_names)`: a completer for a template variable, an async fn taking
///   `Completing` and then extractors, returning `Vec<String>` or `Completion`.
///
/// The function's other parameters are tool extractors (`Principal`, `State<T>`, …); it returns
/// `String` (text), `Blob` (binary), `ResourceContents`, `Vec<ResourceContents>`, or a
/// `Result` of those whose `Err` becomes a JSON-RPC error. Next to the function the macro writes
/// the definition into the registry and a hidden type holding `RESOURCE`, for `resources![…]`.
#[proc_macro_attribute]
pub fn resource(attr: TokenStream, item: TokenStream) -> TokenStream {
    let item_tokens = proc_macro2::TokenStream::from(item.clone());
    let Ok(item) = syn::parse::<ItemTool>(item) else {
        let message = "`#[resource]` goes on an async fn, e.g. `async fn schema() -> String`";
        return with_error(item_tokens, syn::Error::new(Span::call_site(), message));
    };
    let mut errors = Errors::default();
    let entries = ast::parse_entries(attr.into(), args::RESOURCE_GRAMMAR, &mut errors);
    let args = ResourceArgs::from_entries(&entries, &mut errors);
    let resource = valid::resource(args, &item, &mut errors);
    let mut out = quote::quote!(#[allow(clippy::unused_async)]);
    out.extend(expand::user_fn(&item));
    if !resource.func.method {
        out.extend(expand::resource(&resource));
    }
    if let Some(error) = errors.finish() {
        out.extend(error.into_compile_error());
    }
    out.into()
}

/// Declares an MCP prompt: an async function building its messages from typed arguments, the
/// scopes a caller needs to get it, and what `prompts/list` shows about it.
///
/// ```ignore
/// use mcp_scopes::prompt;
/// use mcp_scopes::prompt::PromptMessage;
/// use mcp_scopes::tool::Args;
///
/// #[derive(serde::Deserialize, schemars::JsonSchema)]
/// struct ExplainArgs {
///     /// The query to explain.
///     sql: String,
/// }
///
/// /// Asks the model to explain a query's plan.
/// #[prompt(scope = DbQuery)]
/// async fn explain_query(Args(args): Args<ExplainArgs>) -> Vec<PromptMessage> {
///     vec![PromptMessage::user(format!("Explain the plan of: {}", args.sql))]
/// }
/// ```
///
/// # Keys
/// - `scope` / `public`, `name`, `description`, `title`, `crate`: as for `#[tool]`.
/// - `complete(sql = sql_snippets)`: a completer for an argument (checked against the arguments
///   when the registry is built).
///
/// The arguments come from an `Args<T>` parameter: `T`'s JSON Schema gives their names,
/// whether each is required, and their descriptions (the fields' doc comments); values arrive as
/// strings and are read as the field types. The function returns `String` (one user message),
/// `PromptMessage`, `Vec<PromptMessage>`, `GetPromptResult`, or a `Result` of those whose `Err`
/// becomes a JSON-RPC error. The macro writes a hidden type holding `PROMPT`, for `prompts![…]`.
#[proc_macro_attribute]
pub fn prompt(attr: TokenStream, item: TokenStream) -> TokenStream {
    let item_tokens = proc_macro2::TokenStream::from(item.clone());
    let Ok(item) = syn::parse::<ItemTool>(item) else {
        let message = "`#[prompt]` goes on an async fn, e.g. `async fn explain(Args(a): Args<ExplainArgs>) -> String`";
        return with_error(item_tokens, syn::Error::new(Span::call_site(), message));
    };
    let mut errors = Errors::default();
    let entries = ast::parse_entries(attr.into(), args::PROMPT_GRAMMAR, &mut errors);
    let args = PromptArgs::from_entries(&entries, &mut errors);
    let prompt = valid::prompt(args, &item, &mut errors);
    let mut out = quote::quote!(#[allow(clippy::unused_async)]);
    out.extend(expand::user_fn(&item));
    if !prompt.func.method {
        out.extend(expand::prompt(&prompt));
    }
    if let Some(error) = errors.finish() {
        out.extend(error.into_compile_error());
    }
    out.into()
}

fn with_error(mut item: proc_macro2::TokenStream, error: syn::Error) -> TokenStream {
    item.extend(error.into_compile_error());
    item.into()
}
