//! The checks between parsing and expansion: everything that can be known wrong before type
//! checking (scope grammar, the function's shape, missing keys) becomes a spanned error here, and
//! what passes becomes the model the expansion reads. A model is built even when a check fails,
//! so the expansion can still write the companion items (a tool's `TOOL`, a scope's
//! `DeclaredScope` impl) and one mistake gives one error.

use proc_macro2::Span;
use syn::ext::IdentExt;
use syn::spanned::Spanned;
use syn::{
    Data, DeriveInput, FnArg, Generics, Ident, LitStr, PatType, Path, ReturnType, Signature, Type,
    parse_quote,
};

use crate::args::{GatedArgs, ScopeArgs, ScopeRef, ToolArgs};
use crate::ast::{Errors, ItemTool};
use crate::doc::doc_comment;

mod items;

pub(crate) use items::{Prompt, Resource, prompt, resource};

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

/// The function under `#[tool]`, `#[resource]` or `#[prompt]`, checked.
pub(crate) struct Func<'a> {
    pub(crate) item: &'a ItemTool,
    /// The parameters, in order.
    pub(crate) params: Vec<&'a PatType>,
    /// Whether the signature passed its checks, so a handler calling the function can be written.
    pub(crate) callable: bool,
    /// Whether the function is a method (then it sits in an `impl` block, where no companion
    /// item can go).
    pub(crate) method: bool,
}

/// Checks the function's shape; `what` names it in messages (`tool`).
pub(crate) fn func<'a>(item: &'a ItemTool, what: &str, errors: &mut Errors) -> Func<'a> {
    let sig = &item.sig;
    let before = errors.count();
    let params = check_signature(sig, what, errors);
    Func {
        item,
        params,
        callable: errors.count() == before,
        method: matches!(sig.inputs.first(), Some(FnArg::Receiver(_))),
    }
}

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

/// The shape of the function: async, no `unsafe`, no generics, no receiver, named types.
/// Returns the typed parameters.
fn check_signature<'a>(sig: &'a Signature, what: &str, errors: &mut Errors) -> Vec<&'a PatType> {
    let fn_name = sig.ident.unraw();
    if sig.asyncness.is_none() {
        errors.add(
            sig.fn_token.span,
            format_args!("{what} functions must be async, write `async fn {fn_name}(…)`"),
        );
    }
    if let Some(unsafety) = sig.unsafety {
        errors.add(
            unsafety.span,
            format_args!(
                "{what} functions cannot be `unsafe`, remove `unsafe` and call unsafe code inside"
            ),
        );
    }
    check_not_generic(&sig.generics, &format!("{what} functions"), errors);
    let mut params = Vec::new();
    for input in &sig.inputs {
        match input {
            FnArg::Receiver(receiver) => errors.add(
                receiver.span(),
                format_args!("{what} functions cannot take `self`, make it a free function"),
            ),
            FnArg::Typed(typed) => {
                if let Type::ImplTrait(_) = &*typed.ty {
                    errors.add(
                        typed.ty.span(),
                        format_args!(
                            "{what} arguments cannot be `impl Trait`, name the type, e.g. `Args<Query>`"
                        ),
                    );
                } else {
                    params.push(typed);
                }
            }
        }
    }
    if let ReturnType::Type(_, ty) = &sig.output
        && let Type::ImplTrait(_) = &**ty
    {
        errors.add(
            ty.span(),
            format_args!(
                "{what} functions cannot return `impl Trait`, name the type, e.g. `String`"
            ),
        );
    }
    params
}

/// Generic parameters, or a `where` clause alone (which `Generics`' own span does not cover).
fn check_not_generic(generics: &Generics, what: &str, errors: &mut Errors) {
    if !generics.params.is_empty() {
        errors.add(
            generics.span(),
            format_args!("{what} cannot be generic, remove the generic parameters"),
        );
    } else if let Some(where_clause) = &generics.where_clause {
        errors.add(
            where_clause.where_token.span,
            format_args!("{what} cannot be generic, remove the `where` clause"),
        );
    }
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

fn check_scope_refs(scopes: &[ScopeRef], errors: &mut Errors) {
    for scope in scopes {
        if let ScopeRef::Name(lit) = scope {
            check_scope_name(lit, errors);
        }
    }
}

fn check_scope_name(lit: &LitStr, errors: &mut Errors) {
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
