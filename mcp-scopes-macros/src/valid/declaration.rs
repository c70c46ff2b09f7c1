//! The checks every gated declaration shares: its gate (`scope = …` or `public`), its name, its
//! description, and the grammar of the scope names it uses.

use crate::args::{GatedArgs, ScopeRef};
use crate::ast::Errors;
use crate::doc::doc_comment;
use proc_macro2::Span;
use syn::{Ident, LitStr};

/// The scopes of a gated declaration (`#[tool]` and its siblings): `scope = …` or `public`,
/// exactly one of the two.
pub(crate) fn gate(args: &mut GatedArgs, attr: &str, errors: &mut Errors) -> Vec<ScopeRef> {
    match (args.scope.take(), &args.public) {
        (Some((key, _)), Some(_)) => {
            errors.add(
                key.span(),
                format_args!("a {attr} is either `public` or scoped, remove `public` or `scope`"),
            );
            Vec::new()
        }
        (Some((_, scopes)), None) => {
            check_scope_refs(&scopes, errors);
            scopes
        }
        (None, Some(_)) => Vec::new(),
        (None, None) => {
            if !args.given.contains("scope") {
                errors.add(
                    Span::call_site(),
                    format_args!(
                        "missing `scope`, e.g. `#[{attr}(scope = \"db:query\")]`, or `#[{attr}(public)]` for a {attr} any signed-in caller may use"
                    ),
                );
            }
            Vec::new()
        }
    }
}

/// The explicit description, else the doc comment. `given` says a `description` key was written
/// (its refused value was already reported).
pub(crate) fn description(
    explicit: Option<&LitStr>,
    given: bool,
    attrs: &[syn::Attribute],
    ident: &Ident,
    what: &str,
    errors: &mut Errors,
) -> String {
    let (text, span) = match explicit {
        Some(lit) => (
            Some(lit.value().trim().to_owned()).filter(|s| !s.is_empty()),
            lit.span(),
        ),
        None if given => return String::new(),
        None => match doc_comment(attrs) {
            Ok(text) => (text, ident.span()),
            Err(unreadable) => {
                errors.add(
                    unreadable,
                    "a description cannot be read from a doc attribute that is not a string \
                     literal, add `description = \"…\"` or write the doc comment as `///` lines",
                );
                return String::new();
            }
        },
    };
    text.unwrap_or_else(|| {
        errors.add(
            span,
            format_args!(
                "missing description, add a doc comment (`/// What {what}`) or `description = \"…\"`"
            ),
        );
        String::new()
    })
}

pub(super) fn check_scope_refs(scopes: &[ScopeRef], errors: &mut Errors) {
    for scope in scopes {
        if let ScopeRef::Name(lit) = scope {
            check_scope_name(lit, errors);
        }
    }
}

pub(super) fn check_scope_name(lit: &LitStr, errors: &mut Errors) {
    if let Some(problem) = scope_name_problem(&lit.value()) {
        errors.add(lit.span(), problem);
    }
}

/// The same rule as `mcp_scopes::scope::validate_scope_name` (this crate cannot depend on the
/// runtime): `:`-separated segments of `[A-Za-z0-9_-]`. The UI test `fail/bad-scope-name` and the
/// runtime's unit tests use the same names, so the two stay in agreement.
pub(crate) fn scope_name_problem(name: &str) -> Option<String> {
    const FIX: &str =
        "use `resource:action` segments of letters, digits, `_` and `-`, e.g. `db:query`";
    if name.is_empty() {
        return Some(format!("a scope name cannot be empty, {FIX}"));
    }
    for segment in name.split(':') {
        if segment.is_empty() {
            return Some(format!("scope `{name}` has an empty segment, {FIX}"));
        }
        if let Some(found) = segment
            .chars()
            .find(|&c| !(c.is_ascii_alphanumeric() || c == '_' || c == '-'))
        {
            return Some(format!("scope `{name}` holds {found:?}, {FIX}"));
        }
    }
    None
}

/// MCP names of tools, resources and prompts: 1 to 128 characters of `[A-Za-z0-9_.-]`. `what`
/// says which (`tool`).
pub(crate) fn name_problem(what: &str, name: &str) -> Option<String> {
    let fix = "use letters, digits, `_`, `-` and `.`, e.g. `name = \"run_query\"`";
    if name.is_empty() {
        return Some(format!("a {what} name cannot be empty, {fix}"));
    }
    let length = name.chars().count();
    if length > 128 {
        return Some(format!(
            "a {what} name has at most 128 characters and this one has {length}, shorten it"
        ));
    }
    name.chars()
        .find(|&c| !(c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.')))
        .map(|found| format!("{what} name `{name}` holds {found:?}, {fix}"))
}
