//! The checks of `#[resource]` and `#[prompt]`: the same function shape and scope rules as
//! `#[tool]` (shared with it), plus what each adds: a resource's URI or template, whose variables
//! must each be a parameter of the same name, and the completers of both.

use proc_macro2::Span;
use syn::ext::IdentExt;
use syn::{LitStr, Path, parse_quote};

use super::declaration::{description, gate, name_problem};
use super::func::{Func, func};
use crate::args::{Completers, PromptArgs, ResourceArgs, ScopeRef};
use crate::ast::{Errors, ItemTool};
use crate::uri::{template_variables, uri_problem, variable_name};

/// A checked `#[resource]`.
pub(crate) struct Resource<'a> {
    pub(crate) func: Func<'a>,
    pub(crate) name: String,
    pub(crate) description: String,
    pub(crate) title: Option<String>,
    pub(crate) scopes: Vec<ScopeRef>,
    /// The URI, or the template when `variables` is not empty.
    pub(crate) uri: String,
    pub(crate) template: bool,
    pub(crate) variables: Vec<String>,
    pub(crate) mime_type: Option<String>,
    pub(crate) completers: Completers,
    pub(crate) krate: Path,
}

/// A checked `#[prompt]`.
pub(crate) struct Prompt<'a> {
    pub(crate) func: Func<'a>,
    pub(crate) name: String,
    pub(crate) description: String,
    pub(crate) title: Option<String>,
    pub(crate) scopes: Vec<ScopeRef>,
    pub(crate) completers: Completers,
    pub(crate) krate: Path,
}

pub(crate) fn resource<'a>(
    args: ResourceArgs,
    item: &'a ItemTool,
    errors: &mut Errors,
) -> Resource<'a> {
    let mut func = func(item, "resource", errors);
    let mut gated = args.gated;
    let scopes = gate(&mut gated, "resource", errors);
    let before = errors.count();
    let (uri, template, variables) = resource_uri(
        args.uri,
        args.uri_template,
        gated.given.contains("uri") || gated.given.contains("uri_template"),
        errors,
    );
    if let Some(template_lit) = &template
        && func.callable
    {
        for variable in &variables {
            if !func
                .params
                .iter()
                .any(|p| variable_name(p, std::slice::from_ref(variable)).is_some())
            {
                errors.add(
                    template_lit.span(),
                    format_args!("template variable `{variable}` has no parameter, add `{variable}: String` to the function"),
                );
            }
        }
    }
    // With the URI refused, which parameters are variables is unknown: calling the function
    // would only report them again as extractors that are not.
    if errors.count() > before {
        func.callable = false;
    }
    let completers = args.complete.unwrap_or_default();
    for (argument, _) in &completers {
        if template.is_none() {
            errors.add(
                argument.span(),
                "a fixed `uri` has no variable to complete, remove `complete` or use `uri_template`",
            );
        } else if !variables.iter().any(|v| argument == v) {
            errors.add(
                argument.span(),
                format_args!(
                    "`{argument}` is not a variable of the template, complete one of: {}",
                    variables.join(", ")
                ),
            );
        }
    }
    if let Some(lit) = &args.mime_type {
        let mime = lit.value();
        let valid = mime.split_once('/').is_some_and(|(kind, sub)| {
            !kind.is_empty() && !sub.is_empty() && !mime.contains(char::is_whitespace)
        });
        if !valid {
            errors.add(
                lit.span(),
                format_args!("MIME type `{mime}` is not `type/subtype`, e.g. `text/plain`"),
            );
        }
    }
    let name = declared_name(gated.name.as_ref(), &func, "resource", errors);
    let description = description(
        gated.description.as_ref(),
        gated.given.contains("description"),
        &item.attrs,
        &item.sig.ident,
        "the resource holds",
        errors,
    );
    Resource {
        func,
        name,
        description,
        title: gated.title.map(|lit| lit.value()),
        scopes,
        template: template.is_some(),
        uri: uri.map(|lit| lit.value()).unwrap_or_default(),
        variables,
        mime_type: args.mime_type.map(|lit| lit.value()),
        completers,
        krate: gated.krate.unwrap_or_else(|| parse_quote!(::mcp_scopes)),
    }
}

/// The URI (fixed or template), the template literal when it is one, and its variables.
fn resource_uri(
    uri: Option<LitStr>,
    template: Option<LitStr>,
    given: bool,
    errors: &mut Errors,
) -> (Option<LitStr>, Option<LitStr>, Vec<String>) {
    match (uri, template) {
        (Some(uri), Some(template)) => {
            errors.add(
                template.span(),
                "a resource has either `uri` or `uri_template`, remove one",
            );
            (Some(uri), None, Vec::new())
        }
        (Some(uri), None) => {
            if let Some(problem) = uri_problem(&uri.value()) {
                errors.add(uri.span(), problem);
            }
            (Some(uri), None, Vec::new())
        }
        (None, Some(template)) => match template_variables(&template.value()) {
            Ok(variables) => (Some(template.clone()), Some(template), variables),
            Err(problem) => {
                errors.add(template.span(), problem);
                (Some(template), None, Vec::new())
            }
        },
        (None, None) => {
            if !given {
                errors.add(
                    Span::call_site(),
                    "missing `uri`, e.g. `#[resource(uri = \"db://schema\", scope = DbQuery)]`, or `uri_template = \"db://tables/{table}\"` for a template",
                );
            }
            (None, None, Vec::new())
        }
    }
}

pub(crate) fn prompt<'a>(args: PromptArgs, item: &'a ItemTool, errors: &mut Errors) -> Prompt<'a> {
    let func = func(item, "prompt", errors);
    let mut gated = args.gated;
    let scopes = gate(&mut gated, "prompt", errors);
    let name = declared_name(gated.name.as_ref(), &func, "prompt", errors);
    let description = description(
        gated.description.as_ref(),
        gated.given.contains("description"),
        &item.attrs,
        &item.sig.ident,
        "the prompt is for",
        errors,
    );
    Prompt {
        func,
        name,
        description,
        title: gated.title.map(|lit| lit.value()),
        scopes,
        completers: args.complete.unwrap_or_default(),
        krate: gated.krate.unwrap_or_else(|| parse_quote!(::mcp_scopes)),
    }
}

/// The `name`, else the function's name, checked as MCP names are.
fn declared_name(
    explicit: Option<&LitStr>,
    func: &Func<'_>,
    what: &str,
    errors: &mut Errors,
) -> String {
    let ident = &func.item.sig.ident;
    if let Some(lit) = explicit {
        let name = lit.value();
        if let Some(problem) = name_problem(what, &name) {
            errors.add(lit.span(), problem);
        }
        return name;
    }
    let fn_name = ident.unraw().to_string();
    if name_problem(what, &fn_name).is_some() {
        errors.add(
            ident.span(),
            format_args!(
                "the {what} name defaults to the function's, and `{fn_name}` is not one \
                 (letters, digits, `_`, `-` and `.`, at most 128), set it with `name = \"…\"`"
            ),
        );
    }
    fn_name
}
