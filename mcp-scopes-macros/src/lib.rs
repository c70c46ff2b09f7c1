//! Attribute macros for mcp-scopes: `#[tool]` and `#[scope]`. Use them through the `mcp-scopes`
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
mod valid;

use proc_macro::TokenStream;
use proc_macro2::Span;

use crate::args::{ScopeArgs, ToolArgs};
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
    if !tool.method {
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

fn with_error(mut item: proc_macro2::TokenStream, error: syn::Error) -> TokenStream {
    item.extend(error.into_compile_error());
    item.into()
}
