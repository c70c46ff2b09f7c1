//! The generated code: data (a `ToolDef` or `ScopeDef` in the registry's distributed slice) plus
//! one handler that calls into the runtime. Everything is named through `<crate>::__private`, so
//! the output does not depend on the user's imports or prelude. A model whose checks failed is
//! expanded too, as close to the normal output as its errors allow.

use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote, quote_spanned};
use syn::ext::IdentExt;
use syn::spanned::Spanned;
use syn::{Ident, Pat, PatType, ReturnType};

use crate::args::ScopeRef;
use crate::ast::ItemTool;
use crate::valid::{Func, Scope, Tool};

mod items;

pub(crate) use items::{prompt, resource};

/// The user's function unchanged, as written.
pub(crate) fn user_fn(item: &ItemTool) -> TokenStream {
    let ItemTool {
        attrs,
        vis,
        sig,
        body,
    } = item;
    quote!(#(#attrs)* #vis #sig #body)
}

pub(crate) fn tool(tool: &Tool<'_>) -> TokenStream {
    let krate = &tool.krate;
    let private = quote!(#krate::__private);
    let item = tool.func.item;
    let fn_ident = &item.sig.ident;
    let vis = &item.vis;
    let static_ident = format_ident!("__MCP_SCOPES_TOOL_{}", fn_ident.unraw());

    let name = &tool.name;
    let description = &tool.description;
    let title = option(&private, tool.title.as_ref().map(|t| quote!(#t)));
    let scopes = scope_names(&private, &tool.scopes);
    let read_only = option(&private, tool.read_only.map(|b| quote!(#b)));
    let destructive = option(&private, tool.destructive.map(|b| quote!(#b)));
    let idempotent = option(&private, tool.idempotent.map(|b| quote!(#b)));
    let open_world = option(&private, tool.open_world.map(|b| quote!(#b)));

    let shape = Shape {
        input: quote!(#private::ToolCall),
        future: quote!(#private::ToolFuture),
        boxer: quote!(#private::box_future),
        call_place: None,
        variables: &[],
    };
    let (arg_specs, handler) = handler(
        &tool.func,
        &private,
        &shape,
        |span, output, result, _| quote_spanned!(span=> <#output as #private::IntoToolResult>::into_tool_result(#result)),
    );
    let output_schema = if tool.func.callable {
        let output = output_type(item);
        let output_span = item.sig.output.span();
        quote_spanned!(output_span=> <#output as #private::IntoToolResult>::output_schema)
    } else {
        quote!(|| #private::Option::None)
    };

    quote! {
        #[doc(hidden)]
        #[allow(non_upper_case_globals)]
        #[#private::linkme::distributed_slice(#private::TOOLS)]
        #[linkme(crate = #private::linkme)]
        static #static_ident: #private::ToolDef = #private::ToolDef {
            name: #name,
            title: #title,
            description: #description,
            scopes: &[#(#scopes),*],
            annotations: #private::ToolAnnotations {
                read_only: #read_only,
                destructive: #destructive,
                idempotent: #idempotent,
                open_world: #open_world,
            },
            args: &[#(#arg_specs),*],
            output_schema: #output_schema,
            // A closure, not a nested fn, so no item name can shadow the user's function.
            #[allow(unused_mut, unused_variables)]
            handler: #handler,
            location: #private::core::concat!(
                #private::core::file!(), ":", #private::core::line!()
            ),
        };

        // `run_query::TOOL` for `tools![run_query]`: a braced struct lives in the type namespace
        // only, so it sits next to the function, and unlike a module it also works in a block.
        #[doc(hidden)]
        #[allow(non_camel_case_types, dead_code)]
        #vis struct #fn_ident {}

        impl #fn_ident {
            /// The definition `#[tool]` wrote, for `mcp_scopes::tools![…]`.
            #[doc(hidden)]
            #[allow(dead_code)]
            #vis const TOOL: &'static #private::ToolDef = &#static_ident;
        }
    }
}

/// How a generated handler is called and what it returns.
pub(crate) struct Shape<'a> {
    /// The type of the handler's one parameter (`ToolCall`, `ResourceRequest`).
    pub(crate) input: TokenStream,
    /// The boxed future it returns.
    pub(crate) future: TokenStream,
    /// The `__private` function that boxes the async block.
    pub(crate) boxer: TokenStream,
    /// The field of the input holding the `ToolCall` extractors read, when the input is not one.
    pub(crate) call_place: Option<TokenStream>,
    /// The parameters that are template variables (by name), not extractors.
    pub(crate) variables: &'a [String],
}

/// The return type as written (`()` when none).
pub(crate) fn output_type(item: &ItemTool) -> TokenStream {
    match &item.sig.output {
        ReturnType::Default => quote!(()),
        ReturnType::Type(_, ty) => quote!(#ty),
    }
}

/// The argument specs (one per extractor) and the handler closure: it takes the input, extracts
/// each parameter, runs the function and turns its value into the result with `finish(span of
/// the return type, output type, result, input)`. A function whose signature was refused gets a handler that calls
/// nothing: keeping the definition lets `tools![…]` and the registry still see it, and calling
/// the function would only repeat the error in other words.
pub(crate) fn handler(
    func: &Func<'_>,
    private: &TokenStream,
    shape: &Shape<'_>,
    finish: impl Fn(Span, &TokenStream, &Ident, &Ident) -> TokenStream,
) -> (Vec<TokenStream>, TokenStream) {
    let Shape {
        input: input_ty,
        future,
        boxer,
        call_place,
        variables,
    } = shape;
    if !func.callable {
        let handler = quote! {
            |_: #input_ty| -> #future {
                #private::core::unreachable!("the macro refused this function")
            }
        };
        return (Vec::new(), handler);
    }
    let item = func.item;
    let fn_ident = &item.sig.ident;
    let input = format_ident!("input", span = Span::mixed_site());
    let call = call_place
        .as_ref()
        .map_or_else(|| quote!(#input), |field| quote!(#input.#field));
    let mut arg_specs = Vec::new();
    let mut extract = Vec::new();
    let mut arg_idents = Vec::new();
    for (i, param) in func.params.iter().enumerate() {
        let ty = &param.ty;
        let arg = format_ident!("arg{}", i, span = Span::mixed_site());
        if let Some(name) = variable_name(param, variables) {
            extract.push(quote_spanned! {ty.span()=>
                let #arg = #private::template_variable::<#ty>(&#input, #name)?;
            });
        } else {
            let type_name = type_name(ty);
            arg_specs.push(quote_spanned! {ty.span()=>
                #private::ArgSpec {
                    type_name: #type_name,
                    input_schema: <#ty as #private::ToolArgument>::input_schema,
                    check_state: <#ty as #private::ToolArgument>::check_state,
                }
            });
            extract.push(quote_spanned! {ty.span()=>
                let #arg = <#ty as #private::ToolArgument>::from_tool_call(&mut #call)?;
            });
        }
        arg_idents.push(arg);
    }
    let output = output_type(item);
    let output_span = item.sig.output.span();
    let result = format_ident!("result", span = Span::mixed_site());
    let finish = finish(output_span, &output, &result, &input);
    let run = quote_spanned! {fn_ident.span()=>
        #private::assert_send(#fn_ident(#(#arg_idents),*))
    };
    let handler = quote! {
        |mut #input: #input_ty| -> #future {
            #boxer(async move {
                #(#extract)*
                let #result = #run.await;
                #finish
            })
        }
    };
    (arg_specs, handler)
}

/// The template variable a parameter stands for: its pattern is a plain name among `variables`.
pub(crate) fn variable_name(param: &PatType, variables: &[String]) -> Option<String> {
    match &*param.pat {
        Pat::Ident(pat) if pat.subpat.is_none() => {
            let name = pat.ident.unraw().to_string();
            variables.contains(&name).then_some(name)
        }
        _ => None,
    }
}

pub(crate) fn scope(scope: &Scope<'_>) -> TokenStream {
    let krate = &scope.krate;
    let private = quote!(#krate::__private);
    let item = scope.item;
    let ident = &item.ident;
    let name = &scope.name;
    let display_name = &scope.display_name;
    let description = &scope.description;
    let baseline = scope.baseline;
    let implies = scope_names(&private, &scope.implies);
    // Generics are refused, but the impl still fits the item, so a tool naming it sees a scope.
    let (impl_generics, type_generics, where_clause) = item.generics.split_for_impl();
    quote! {
        #item

        const _: () = {
            #[#private::linkme::distributed_slice(#private::SCOPES)]
            #[linkme(crate = #private::linkme)]
            static __MCP_SCOPES_SCOPE: #private::ScopeDef = #private::ScopeDef {
                name: #name,
                display_name: #display_name,
                description: #description,
                baseline: #baseline,
                implies: &[#(#implies),*],
                location: #private::core::concat!(
                    #private::core::file!(), ":", #private::core::line!()
                ),
            };

            impl #impl_generics #private::DeclaredScope for #ident #type_generics #where_clause {
                const NAME: &'static str = #name;
                const DEF: &'static #private::ScopeDef = &__MCP_SCOPES_SCOPE;
            }
        };
    }
}

pub(crate) fn option(private: &TokenStream, value: Option<TokenStream>) -> TokenStream {
    value.map_or_else(
        || quote!(#private::Option::None),
        |value| quote!(#private::Option::Some(#value)),
    )
}

pub(crate) fn scope_names<'a>(
    private: &'a TokenStream,
    scopes: &'a [ScopeRef],
) -> impl Iterator<Item = TokenStream> + 'a {
    scopes.iter().map(move |scope| match scope {
        ScopeRef::Name(lit) => quote!(#lit),
        ScopeRef::Path(path) => quote_spanned! {path.span()=>
            <#path as #private::DeclaredScope>::NAME
        },
    })
}

/// `Args<Query>` as written, without the spaces token printing adds.
fn type_name(ty: &syn::Type) -> String {
    let mut out = String::new();
    for part in quote!(#ty).to_string().split(' ') {
        let glue = out.ends_with(['<', ':', '&', '(', '['])
            || part.starts_with(['<', '>', ':', ',', ';', ')', ']']);
        if !out.is_empty() && !glue {
            out.push(' ');
        }
        out.push_str(part);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::type_name;

    #[test]
    fn type_names_read_as_written() {
        for (ty, expected) in [
            ("Args<Query>", "Args<Query>"),
            ("State < Arc < Pool > >", "State<Arc<Pool>>"),
            (
                "mcp_scopes :: auth :: Principal",
                "mcp_scopes::auth::Principal",
            ),
            ("State<(u8, String)>", "State<(u8, String)>"),
            ("State<[u8; 4]>", "State<[u8; 4]>"),
        ] {
            let ty: syn::Type = syn::parse_str(ty).unwrap();
            assert_eq!(type_name(&ty), expected);
        }
    }
}
