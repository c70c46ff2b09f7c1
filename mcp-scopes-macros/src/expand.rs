//! The generated code: data (a `ToolDef` or `ScopeDef` in the registry's distributed slice) plus
//! one handler that calls into the runtime. Everything is named through `<crate>::__private`, so
//! the output does not depend on the user's imports or prelude. A model whose checks failed is
//! expanded too, as close to the normal output as its errors allow.

use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote, quote_spanned};
use syn::ReturnType;
use syn::ext::IdentExt;
use syn::spanned::Spanned;

use crate::args::ScopeRef;
use crate::ast::ItemTool;
use crate::valid::{Scope, Tool};

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
    let item = tool.item;
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

    let (arg_specs, output_schema, handler) = if tool.callable {
        handler(tool, &private)
    } else {
        // The signature was refused: keep the definition (so `tools![…]` and the registry still
        // see the tool) but call nothing, which would only repeat that error in other words.
        let handler = quote! {
            |_: #private::ToolCall| -> #private::ToolFuture {
                #private::core::unreachable!("`#[tool]` refused this function")
            }
        };
        (Vec::new(), quote!(|| #private::Option::None), handler)
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

/// The argument specs, the output schema function and the handler of a tool whose signature
/// passed its checks.
fn handler(tool: &Tool<'_>, private: &TokenStream) -> (Vec<TokenStream>, TokenStream, TokenStream) {
    let item = tool.item;
    let fn_ident = &item.sig.ident;
    let arg_specs = tool
        .arg_types
        .iter()
        .map(|ty| {
            let type_name = type_name(ty);
            quote_spanned! {ty.span()=>
                #private::ArgSpec {
                    type_name: #type_name,
                    input_schema: <#ty as #private::ToolArgument>::input_schema,
                    check_state: <#ty as #private::ToolArgument>::check_state,
                }
            }
        })
        .collect();
    let call = format_ident!("call", span = Span::mixed_site());
    let arg_idents: Vec<_> = (0..tool.arg_types.len())
        .map(|i| format_ident!("arg{}", i, span = Span::mixed_site()))
        .collect();
    let extract = tool.arg_types.iter().zip(&arg_idents).map(|(ty, arg)| {
        quote_spanned! {ty.span()=>
            let #arg = <#ty as #private::ToolArgument>::from_tool_call(&mut #call)?;
        }
    });
    let output = match &item.sig.output {
        ReturnType::Default => quote!(()),
        ReturnType::Type(_, ty) => quote!(#ty),
    };
    let output_span = item.sig.output.span();
    let output_schema =
        quote_spanned!(output_span=> <#output as #private::IntoToolResult>::output_schema);
    let result = format_ident!("result", span = Span::mixed_site());
    let into_result = quote_spanned! {output_span=>
        <#output as #private::IntoToolResult>::into_tool_result(#result)
    };
    let run = quote_spanned! {fn_ident.span()=>
        #private::assert_send(#fn_ident(#(#arg_idents),*))
    };
    let handler = quote! {
        |mut #call: #private::ToolCall| -> #private::ToolFuture {
            #private::box_future(async move {
                #(#extract)*
                let #result = #run.await;
                #into_result
            })
        }
    };
    (arg_specs, output_schema, handler)
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

fn option(private: &TokenStream, value: Option<TokenStream>) -> TokenStream {
    value.map_or_else(
        || quote!(#private::Option::None),
        |value| quote!(#private::Option::Some(#value)),
    )
}

fn scope_names<'a>(
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
