//! The code `#[tool]` writes: the user's function unchanged, its `ToolDef` in the registry's slice
//! and the hidden `TOOL` constant `tools![…]` names.

use super::handler::{Shape, handler, option, output_type, scope_names};
use crate::ast::ItemTool;
use crate::valid::Tool;
use proc_macro2::TokenStream;
use quote::{format_ident, quote, quote_spanned};
use syn::ext::IdentExt;
use syn::spanned::Spanned;

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
