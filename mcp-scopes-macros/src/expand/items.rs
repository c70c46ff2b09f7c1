//! The generated code of `#[resource]` and `#[prompt]`: a `ResourceDef` or `PromptDef` in its
//! registry slice, the handler (written by the shared [`handler`](super::handler::handler)), the
//! completers, and the hidden type holding the definition for `resources![…]` / `prompts![…]`.

use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote, quote_spanned};
use syn::ext::IdentExt;
use syn::spanned::Spanned;

use super::handler::{Shape, handler, option, scope_names};
use crate::args::Completers;
use crate::valid::{Func, Prompt, Resource};

pub(crate) fn resource(resource: &Resource<'_>) -> TokenStream {
    let krate = &resource.krate;
    let private = quote!(#krate::__private);
    let name = &resource.name;
    let description = &resource.description;
    let title = option(&private, resource.title.as_ref().map(|t| quote!(#t)));
    let scopes = scope_names(&private, &resource.scopes);
    let uri = &resource.uri;
    let uri = if resource.template {
        quote!(#private::ResourceUri::Template(#uri))
    } else {
        quote!(#private::ResourceUri::Fixed(#uri))
    };
    let mime_type = option(&private, resource.mime_type.as_ref().map(|m| quote!(#m)));
    let shape = Shape {
        input: quote!(#private::ResourceRequest),
        future: quote!(#private::ResourceFuture),
        boxer: quote!(#private::box_resource_future),
        call_place: Some(quote!(call)),
        variables: &resource.variables,
    };
    let (arg_specs, handler) = handler(
        &resource.func,
        &private,
        &shape,
        |span, output, result, input| {
            quote_spanned! {span=>
                <#output as #private::IntoResourceContents>::into_resource_contents(
                    #result, &#input.uri, #mime_type,
                )
            }
        },
    );
    let completions = completions(&private, &resource.completers);
    let body = quote! {
        #private::ResourceDef {
            name: #name,
            title: #title,
            description: #description,
            uri: #uri,
            mime_type: #mime_type,
            scopes: &[#(#scopes),*],
            args: &[#(#arg_specs),*],
            completions: &[#(#completions),*],
            #[allow(unused_mut, unused_variables)]
            handler: #handler,
            location: #private::core::concat!(
                #private::core::file!(), ":", #private::core::line!()
            ),
        }
    };
    definition(&resource.func, &private, &Kind::RESOURCE, &body)
}

pub(crate) fn prompt(prompt: &Prompt<'_>) -> TokenStream {
    let krate = &prompt.krate;
    let private = quote!(#krate::__private);
    let name = &prompt.name;
    let description = &prompt.description;
    let title = option(&private, prompt.title.as_ref().map(|t| quote!(#t)));
    let scopes = scope_names(&private, &prompt.scopes);
    let shape = Shape {
        input: quote!(#private::ToolCall),
        future: quote!(#private::PromptFuture),
        boxer: quote!(#private::box_prompt_future),
        call_place: None,
        variables: &[],
    };
    let (arg_specs, handler) = handler(
        &prompt.func,
        &private,
        &shape,
        |span, output, result, _| quote_spanned!(span=> <#output as #private::IntoPromptResult>::into_prompt_result(#result)),
    );
    let completions = completions(&private, &prompt.completers);
    let body = quote! {
        #private::PromptDef {
            name: #name,
            title: #title,
            description: #description,
            scopes: &[#(#scopes),*],
            args: &[#(#arg_specs),*],
            completions: &[#(#completions),*],
            #[allow(unused_mut, unused_variables)]
            handler: #handler,
            location: #private::core::concat!(
                #private::core::file!(), ":", #private::core::line!()
            ),
        }
    };
    definition(&prompt.func, &private, &Kind::PROMPT, &body)
}

/// What differs between the definitions' statics.
struct Kind {
    /// The definition type in `__private`.
    def: &'static str,
    /// The registry slice in `__private`.
    slice: &'static str,
    /// The constant on the hidden type, and the list macro that reads it.
    constant: &'static str,
    list_macro: &'static str,
}

impl Kind {
    const RESOURCE: Kind = Kind {
        def: "ResourceDef",
        slice: "RESOURCES",
        constant: "RESOURCE",
        list_macro: "resources",
    };
    const PROMPT: Kind = Kind {
        def: "PromptDef",
        slice: "PROMPTS",
        constant: "PROMPT",
        list_macro: "prompts",
    };
}

/// The static in the registry slice, and the hidden type next to the function holding it (as
/// `#[tool]` writes `TOOL`).
fn definition(
    func: &Func<'_>,
    private: &TokenStream,
    kind: &Kind,
    body: &TokenStream,
) -> TokenStream {
    let item = func.item;
    let fn_ident = &item.sig.ident;
    let vis = &item.vis;
    let def = format_ident!("{}", kind.def);
    let slice = format_ident!("{}", kind.slice);
    let constant = format_ident!("{}", kind.constant);
    let static_ident = format_ident!("__MCP_SCOPES_{}_{}", kind.constant, fn_ident.unraw());
    let doc = format!(
        "The definition the macro wrote, for `mcp_scopes::{}![…]`.",
        kind.list_macro
    );
    quote! {
        #[doc(hidden)]
        #[allow(non_upper_case_globals)]
        #[#private::linkme::distributed_slice(#private::#slice)]
        #[linkme(crate = #private::linkme)]
        static #static_ident: #private::#def = #body;

        #[doc(hidden)]
        #[allow(non_camel_case_types, dead_code)]
        #vis struct #fn_ident {}

        impl #fn_ident {
            #[doc = #doc]
            #[doc(hidden)]
            #[allow(dead_code)]
            #vis const #constant: &'static #private::#def = &#static_ident;
        }
    }
}

/// One `CompletionDef` per completer, each call spanned on the completer's path so a function
/// that cannot complete is reported there.
fn completions(private: &TokenStream, completers: &Completers) -> Vec<TokenStream> {
    let completing = format_ident!("completing", span = Span::mixed_site());
    let call = format_ident!("call", span = Span::mixed_site());
    let state = format_ident!("state", span = Span::mixed_site());
    completers
        .iter()
        .map(|(argument, path)| {
            let argument = argument.unraw().to_string();
            let span = path.span();
            let complete = quote_spanned! {span=>
                #private::Completer::complete(#path, #completing, #call)
            };
            let check = quote_spanned! {span=>
                #private::check_completer_state(#path, #state)
            };
            quote! {
                #private::CompletionDef {
                    argument: #argument,
                    handler: |#completing, #call| #complete,
                    check_state: |#state| #check,
                }
            }
        })
        .collect()
}
