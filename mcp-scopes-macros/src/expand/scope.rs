//! The code `#[scope]` writes: the item unchanged, its `ScopeDef` in the registry's slice and its
//! `DeclaredScope` impl.

use super::handler::scope_names;
use crate::valid::Scope;
use proc_macro2::TokenStream;
use quote::quote;

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
