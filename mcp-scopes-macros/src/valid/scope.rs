//! A checked `#[scope]`: its name, display name, description, baseline flag and implications.

use super::declaration::{check_scope_name, check_scope_refs, description};
use super::func::check_not_generic;
use crate::args::{ScopeArgs, ScopeRef};
use crate::ast::Errors;
use proc_macro2::Span;
use syn::spanned::Spanned;
use syn::{Data, DeriveInput, Path, parse_quote};

/// A checked `#[scope]`.
pub(crate) struct Scope<'a> {
    pub(crate) item: &'a DeriveInput,
    pub(crate) name: String,
    pub(crate) display_name: String,
    pub(crate) description: String,
    pub(crate) baseline: bool,
    pub(crate) implies: Vec<ScopeRef>,
    pub(crate) krate: Path,
}

pub(crate) fn scope<'a>(args: ScopeArgs, item: &'a DeriveInput, errors: &mut Errors) -> Scope<'a> {
    let not_unit = match &item.data {
        Data::Struct(data) => {
            (!matches!(data.fields, syn::Fields::Unit)).then(|| data.fields.span())
        }
        Data::Enum(data) => Some(data.enum_token.span),
        Data::Union(data) => Some(data.union_token.span),
    };
    if let Some(span) = not_unit {
        errors.add(
            span,
            format_args!(
                "`#[scope]` goes on a unit struct, write `struct {};`",
                item.ident
            ),
        );
    }
    check_not_generic(&item.generics, "scope types", errors);
    let name = if let Some(lit) = &args.name {
        check_scope_name(lit, errors);
        lit.value()
    } else {
        if !args.given.contains("name") {
            errors.add(
                Span::call_site(),
                "missing `name`, e.g. `#[scope(name = \"db:query\")]`",
            );
        }
        String::new()
    };
    let implies = args.implies.unwrap_or_default();
    check_scope_refs(&implies, errors);
    let description = description(
        args.description.as_ref(),
        args.given.contains("description"),
        &item.attrs,
        &item.ident,
        "this scope allows",
        errors,
    );
    Scope {
        item,
        display_name: args
            .display_name
            .map_or_else(|| name.clone(), |lit| lit.value()),
        name,
        description,
        baseline: args.baseline.is_some_and(|b| b.value),
        implies,
        krate: args.krate.unwrap_or_else(|| parse_quote!(::mcp_scopes)),
    }
}
