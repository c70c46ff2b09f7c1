//! A checked `#[tool]`: its name, description, scopes and annotations.

use super::declaration::{description, gate, name_problem};
use super::func::{Func, func};
use crate::args::{ScopeRef, ToolArgs};
use crate::ast::{Errors, ItemTool};
use syn::ext::IdentExt;
use syn::{Path, parse_quote};

/// A checked `#[tool]`.
pub(crate) struct Tool<'a> {
    pub(crate) name: String,
    pub(crate) description: String,
    pub(crate) title: Option<String>,
    pub(crate) scopes: Vec<ScopeRef>,
    pub(crate) read_only: Option<bool>,
    pub(crate) destructive: Option<bool>,
    pub(crate) idempotent: Option<bool>,
    pub(crate) open_world: Option<bool>,
    pub(crate) krate: Path,
    pub(crate) func: Func<'a>,
}

pub(crate) fn tool<'a>(args: ToolArgs, item: &'a ItemTool, errors: &mut Errors) -> Tool<'a> {
    let sig = &item.sig;
    let fn_name = sig.ident.unraw().to_string();
    let func = func(item, "tool", errors);

    let mut gated = args.gated;
    let scopes = gate(&mut gated, "tool", errors);

    let name = if let Some(lit) = &gated.name {
        let name = lit.value();
        if let Some(problem) = name_problem("tool", &name) {
            errors.add(lit.span(), problem);
        }
        name
    } else {
        // Rust identifiers may be non-ASCII or long; MCP tool names may not.
        if name_problem("tool", &fn_name).is_some() {
            errors.add(
                sig.ident.span(),
                format_args!(
                    "the tool name defaults to the function's, and `{fn_name}` is not one \
                     (letters, digits, `_`, `-` and `.`, at most 128), \
                     set it with `name = \"run_query\"`"
                ),
            );
        }
        fn_name
    };
    let description = description(
        gated.description.as_ref(),
        gated.given.contains("description"),
        &item.attrs,
        &sig.ident,
        "the tool does",
        errors,
    );

    Tool {
        name,
        description,
        title: gated.title.map(|lit| lit.value()),
        scopes,
        read_only: args.read_only.map(|b| b.value),
        destructive: args.destructive.map(|b| b.value),
        idempotent: args.idempotent.map(|b| b.value),
        open_world: args.open_world.map(|b| b.value),
        krate: gated.krate.unwrap_or_else(|| parse_quote!(::mcp_scopes)),
        func,
    }
}
