//! The function under `#[tool]`, `#[resource]` or `#[prompt]`: its shape (async, no `unsafe`, no
//! generics, no receiver, named types), checked once for every kind of declaration.

use crate::ast::{Errors, ItemTool};
use syn::ext::IdentExt;
use syn::spanned::Spanned;
use syn::{FnArg, Generics, PatType, ReturnType, Signature, Type};

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
pub(super) fn check_not_generic(generics: &Generics, what: &str, errors: &mut Errors) {
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
