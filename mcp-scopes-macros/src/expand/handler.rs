//! What every generated handler shares: how it is called ([`Shape`]), the argument specs and the
//! closure that extracts each parameter, runs the user's function and finishes its result, and the
//! small token helpers the declarations use.

use crate::args::ScopeRef;
use crate::ast::ItemTool;
use crate::uri::variable_name;
use crate::valid::Func;
use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote, quote_spanned};
use syn::spanned::Spanned;
use syn::{Ident, ReturnType};

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
