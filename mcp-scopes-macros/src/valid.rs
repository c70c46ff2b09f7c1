//! The checks between parsing and expansion: everything that can be known wrong before type
//! checking (scope grammar, the function's shape, missing keys) becomes a spanned error here, and
//! what passes becomes the model the expansion reads.

use proc_macro2::Span;
use syn::ext::IdentExt;
use syn::spanned::Spanned;
use syn::{FnArg, Ident, ItemStruct, LitStr, Path, ReturnType, Signature, Type, parse_quote};

use crate::ast::{Errors, ItemTool, ScopeArgs, ScopeRef, ToolArgs};
use crate::doc::doc_comment;

/// A checked `#[tool]`.
pub(crate) struct Tool<'a> {
    pub(crate) item: &'a ItemTool,
    pub(crate) name: String,
    pub(crate) description: String,
    pub(crate) title: Option<String>,
    pub(crate) scopes: Vec<ScopeRef>,
    pub(crate) public: bool,
    pub(crate) read_only: Option<bool>,
    pub(crate) destructive: Option<bool>,
    pub(crate) idempotent: Option<bool>,
    pub(crate) open_world: Option<bool>,
    pub(crate) krate: Path,
    pub(crate) arg_types: Vec<&'a Type>,
}

/// A checked `#[scope]`.
pub(crate) struct Scope<'a> {
    pub(crate) item: &'a ItemStruct,
    pub(crate) name: String,
    pub(crate) display_name: String,
    pub(crate) description: String,
    pub(crate) baseline: bool,
    pub(crate) implies: Vec<ScopeRef>,
    pub(crate) krate: Path,
}

pub(crate) fn tool<'a>(args: ToolArgs, item: &'a ItemTool, errors: &mut Errors) -> Tool<'a> {
    let sig = &item.sig;
    let fn_name = sig.ident.unraw().to_string();
    let arg_types = check_signature(sig, &fn_name, errors);

    let scopes = match (args.scope, &args.public) {
        (Some((key, _)), Some(_)) => {
            errors.add(
                key.span(),
                "a tool is either `public` or scoped, remove `public` or `scope`",
            );
            Vec::new()
        }
        (Some((_, scopes)), None) => {
            check_scope_refs(&scopes, errors);
            scopes
        }
        (None, Some(_)) => Vec::new(),
        (None, None) => {
            errors.add(
                Span::call_site(),
                "missing `scope`, e.g. `#[tool(scope = \"db:query\")]`, or `#[tool(public)]` for a tool any signed-in caller may use",
            );
            Vec::new()
        }
    };

    let name = if let Some(lit) = &args.name {
        let name = lit.value();
        if let Some(problem) = tool_name_problem(&name) {
            errors.add(lit.span(), problem);
        }
        name
    } else {
        // Rust identifiers may be non-ASCII or long; MCP tool names may not.
        if tool_name_problem(&fn_name).is_some() {
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
        args.description.as_ref(),
        &item.attrs,
        &sig.ident,
        "the tool does",
        errors,
    );

    Tool {
        item,
        name,
        description,
        title: args.title.map(|lit| lit.value()),
        scopes,
        public: args.public.is_some(),
        read_only: args.read_only.map(|b| b.value),
        destructive: args.destructive.map(|b| b.value),
        idempotent: args.idempotent.map(|b| b.value),
        open_world: args.open_world.map(|b| b.value),
        krate: args.krate.unwrap_or_else(|| parse_quote!(::mcp_scopes)),
        arg_types,
    }
}

/// The shape of the function: async, no `unsafe`, no generics, no receiver, named types.
/// Returns the argument types.
fn check_signature<'a>(sig: &'a Signature, fn_name: &str, errors: &mut Errors) -> Vec<&'a Type> {
    if sig.asyncness.is_none() {
        errors.add(
            sig.fn_token.span,
            format_args!("tool functions must be async, write `async fn {fn_name}(…)`"),
        );
    }
    if let Some(unsafety) = sig.unsafety {
        errors.add(
            unsafety.span,
            "tool functions cannot be `unsafe`, remove `unsafe` and call unsafe code inside",
        );
    }
    if !sig.generics.params.is_empty() || sig.generics.where_clause.is_some() {
        errors.add(
            sig.generics.span(),
            "tool functions cannot be generic, remove the generic parameters",
        );
    }
    let mut arg_types = Vec::new();
    for input in &sig.inputs {
        match input {
            FnArg::Receiver(receiver) => errors.add(
                receiver.span(),
                "tool functions cannot take `self`, make it a free function",
            ),
            FnArg::Typed(typed) => {
                if let Type::ImplTrait(_) = &*typed.ty {
                    errors.add(
                        typed.ty.span(),
                        "tool arguments cannot be `impl Trait`, name the type, e.g. `Args<Query>`",
                    );
                } else {
                    arg_types.push(&*typed.ty);
                }
            }
        }
    }
    if let ReturnType::Type(_, ty) = &sig.output
        && let Type::ImplTrait(_) = &**ty
    {
        errors.add(
            ty.span(),
            "tool functions cannot return `impl Trait`, name the type, e.g. `String`",
        );
    }
    arg_types
}

pub(crate) fn scope<'a>(args: ScopeArgs, item: &'a ItemStruct, errors: &mut Errors) -> Scope<'a> {
    if !matches!(item.fields, syn::Fields::Unit) {
        errors.add(
            item.fields.span(),
            format_args!(
                "`#[scope]` goes on a unit struct, write `struct {};`",
                item.ident
            ),
        );
    }
    if !item.generics.params.is_empty() || item.generics.where_clause.is_some() {
        errors.add(
            item.generics.span(),
            "scope types cannot be generic, remove the generic parameters",
        );
    }
    let name = if let Some(lit) = &args.name {
        check_scope_name(lit, errors);
        lit.value()
    } else {
        errors.add(
            Span::call_site(),
            "missing `name`, e.g. `#[scope(name = \"db:query\")]`",
        );
        String::new()
    };
    let implies = args.implies.unwrap_or_default();
    check_scope_refs(&implies, errors);
    let description = description(
        args.description.as_ref(),
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

fn description(
    explicit: Option<&LitStr>,
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
        None => (doc_comment(attrs), ident.span()),
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

/// MCP tool names: 1 to 128 characters of `[A-Za-z0-9_.-]`.
fn tool_name_problem(name: &str) -> Option<String> {
    const FIX: &str = "use letters, digits, `_`, `-` and `.`, e.g. `name = \"run_query\"`";
    if name.is_empty() || name.len() > 128 {
        return Some(format!("a tool name has 1 to 128 characters, {FIX}"));
    }
    name.chars()
        .find(|&c| !(c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.')))
        .map(|found| format!("tool name `{name}` holds {found:?}, {FIX}"))
}
