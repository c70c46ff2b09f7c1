//! Attribute macros for mcp-scopes: `#[tool]` and `#[scope]`. Use them through the `mcp-scopes`
//! crate, which documents them; this crate only turns declarations into registry entries.
//!
//! Each macro runs as a pipeline: [`ast`] parses the attribute and the item, [`valid`] checks
//! them (every independent problem is reported, spanned on its culprit), and [`expand`] writes
//! the registry entry. On error the user's item is still emitted, next to `compile_error!`s, so
//! the rest of the crate and IDEs keep working.

mod ast;
mod expand;
mod valid;

use proc_macro::TokenStream;
use proc_macro2::Span;
use quote::ToTokens;
use syn::parse::Parser;

use crate::ast::{Errors, ItemTool, ScopeArgs, ToolArgs};

/// Declares an MCP tool. See `mcp_scopes::tool`.
#[proc_macro_attribute]
pub fn tool(attr: TokenStream, item: TokenStream) -> TokenStream {
    let item_tokens = proc_macro2::TokenStream::from(item.clone());
    let Ok(item) = syn::parse::<ItemTool>(item) else {
        let message = "`#[tool]` goes on an async fn, e.g. `async fn run_query(Args(q): Args<Query>) -> String`";
        return with_error(item_tokens, syn::Error::new(Span::call_site(), message));
    };
    let mut errors = Errors::default();
    let args = match ast::parse_entries.parse(attr) {
        Ok(entries) => ToolArgs::from_entries(entries, &mut errors),
        Err(error) => return with_error(expand::user_fn(&item), error),
    };
    let tool = valid::tool(args, &item, &mut errors);
    if let Some(error) = errors.finish() {
        return with_error(expand::user_fn(&item), error);
    }
    let mut out = expand::user_fn(&item);
    out.extend(expand::tool(&tool));
    out.into()
}

/// Declares an OAuth scope on a unit struct. See `mcp_scopes::scope`.
#[proc_macro_attribute]
pub fn scope(attr: TokenStream, item: TokenStream) -> TokenStream {
    let item_tokens = proc_macro2::TokenStream::from(item.clone());
    let Ok(item) = syn::parse::<syn::ItemStruct>(item) else {
        let message = "`#[scope]` goes on a unit struct, e.g. `pub struct DbQuery;`";
        return with_error(item_tokens, syn::Error::new(Span::call_site(), message));
    };
    let mut errors = Errors::default();
    let args = match ast::parse_entries.parse(attr) {
        Ok(entries) => ScopeArgs::from_entries(entries, &mut errors),
        Err(error) => return with_error(item.into_token_stream(), error),
    };
    let scope = valid::scope(args, &item, &mut errors);
    match errors.finish() {
        Some(error) => with_error(item.to_token_stream(), error),
        None => expand::scope(&scope).into(),
    }
}

fn with_error(mut item: proc_macro2::TokenStream, error: syn::Error) -> TokenStream {
    item.extend(error.into_compile_error());
    item.into()
}
