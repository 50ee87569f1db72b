//! Structs written as parameters: an action's request, and the structures rebuilt from
//! flattened request names (`Disks.N.Size` → `Vec<Disks>`). Required fields are constructor
//! arguments in document order, so a value without them cannot be built; the others have
//! setters taking concrete types. Rebuilt structures belong to their action (they are
//! parameters, not shared data), so they stay in its module.
//!
//! The request itself has a type parameter, `C`: `()` for a request value, the runtime's
//! `Bound<'a>` (a client and per-call settings) for the fluent call, `…Call<'a>`. The setters
//! are generic over it, so one set serves both, and each setter is written once.

use std::collections::{BTreeMap, BTreeSet};

use dezai_spec::Field;
use proc_macro2::{Ident, TokenStream};
use quote::quote;

use super::{
    Scope, argument, child, debug_field, debug_impl, deprecated, field_doc, rust_type, setter_doc,
};
use crate::Ctx;
use crate::docs::doc_lines;
use crate::names::{REQUEST_RESERVED, field_idents, ident};

/// Whether a field is a constructor argument. `top`: a field of the request itself.
pub(crate) fn is_required(f: &Field, top: bool) -> bool {
    f.is_required_argument(top)
}

/// Names each rebuilt structure after its path (`Disks`, `RulesPorts`), adding `Param` when
/// the plain name is taken (by a model, say).
pub(crate) fn name_structs(
    ctx: &Ctx,
    fields: &[Field],
    parent: &[String],
    taken: &mut BTreeSet<String>,
    out: &mut BTreeMap<Vec<String>, Ident>,
) {
    for field in fields {
        if let Some(inner) = field.ty.struct_fields() {
            let path = child(parent, &field.name);
            let plain = ctx.namer.type_name(&path.join("_"));
            let mut name = plain.clone();
            let mut n = 1;
            while taken.contains(&name) {
                name = if n == 1 {
                    format!("{plain}Param")
                } else {
                    format!("{plain}Param{n}")
                };
                n += 1;
            }
            taken.insert(name.clone());
            out.insert(path.clone(), ident(&name));
            name_structs(ctx, inner, &path, taken, out);
        }
    }
}

/// A constructor argument.
pub(crate) struct Required {
    pub ident: Ident,
    pub param_ty: TokenStream,
    pub convert: TokenStream,
}

/// The required fields of a request-like struct: constructor arguments, typed as seen from
/// `scope`.
pub(crate) fn required_args(
    ctx: &Ctx,
    scope: &Scope<'_>,
    fields: &[Field],
    parent: &[String],
    top: bool,
) -> Vec<Required> {
    fields
        .iter()
        .zip(field_idents(&ctx.namer, fields, REQUEST_RESERVED))
        .filter(|(f, _)| is_required(f, top))
        .map(|(f, ident)| {
            let ty = rust_type(ctx, scope, &f.ty, Some(&child(parent, &f.name)));
            let (param_ty, convert) = argument(&f.ty, ty);
            Required {
                ident,
                param_ty,
                convert,
            }
        })
        .collect()
}

/// One request-like struct.
pub(crate) struct RequestLike<'a> {
    pub name: &'a Ident,
    pub fields: &'a [Field],
    /// The struct's path among rebuilt structures (empty for the request).
    pub parent: &'a [String],
    pub top: bool,
    pub doc: String,
    /// More items for the constructor's impl block.
    pub extra: TokenStream,
}

/// The type parameter of a request (see the module docs): its declaration, and the name of
/// the field holding it.
fn call_param(top: bool) -> (TokenStream, TokenStream, TokenStream) {
    if top {
        (quote!(<C = ()>), quote!(<C>), quote!(call: C,))
    } else {
        (quote!(), quote!(), quote!())
    }
}

impl RequestLike<'_> {
    /// Fields, constructor and setters.
    pub(crate) fn emit(&self, ctx: &Ctx, scope: &Scope<'_>) -> TokenStream {
        let ids = field_idents(&ctx.namer, self.fields, REQUEST_RESERVED);
        let decls = self.fields.iter().zip(&ids).map(|(f, id)| {
            let ty = rust_type(ctx, scope, &f.ty, Some(&child(self.parent, &f.name)));
            let doc = field_doc(ctx, scope, f, false);
            let deprecated = deprecated(f);
            if is_required(f, self.top) {
                quote!(#doc #deprecated pub #id: #ty,)
            } else {
                quote!(#doc #deprecated pub #id: ::std::option::Option<#ty>,)
            }
        });
        let required = required_args(ctx, scope, self.fields, self.parent, self.top);
        let params = required.iter().map(|r| {
            let (id, ty) = (&r.ident, &r.param_ty);
            quote!(#id: #ty)
        });
        let inits = ids
            .iter()
            .map(|id| match required.iter().find(|r| r.ident == *id) {
                Some(r) => {
                    let convert = &r.convert;
                    quote!(#id: #id #convert,)
                }
                None => quote!(#id: ::std::option::Option::None,),
            });
        let setters = self
            .fields
            .iter()
            .zip(&ids)
            .filter(|(f, _)| !is_required(f, self.top))
            .map(|(f, id)| self.setter(ctx, scope, f, id));
        let doc = doc_lines(&self.doc);
        let new_doc = if required.is_empty() {
            " A value with every field unset."
        } else {
            " A value with its required fields, in document order; the others start unset."
        };
        let name = self.name;
        let (declare, apply, call_field) = call_param(self.top);
        let call_init = if self.top {
            quote!(call: (),)
        } else {
            quote!()
        };
        let with_call = if self.top {
            quote! {
                /// The same fields under another type parameter, and the old one.
                #[inline]
                fn with_call<D>(self, call: D) -> (#name<D>, C) {
                    (#name { #(#ids: self.#ids,)* call }, self.call)
                }
            }
        } else {
            quote!()
        };
        // A request's setters serve both type parameters (an impl block of their own); a
        // rebuilt structure's share the constructor's block.
        let setters: Vec<TokenStream> = setters.collect();
        let (unbound_setters, generic_setters) = if self.top {
            let generic = quote! {
                impl #apply #name #apply {
                    #(#setters)*
                    #with_call
                }
            };
            (quote!(), generic)
        } else {
            (quote!(#(#setters)*), quote!())
        };
        let extra = &self.extra;
        // The call's settings (`C`) are not shown: they are not the request.
        let debug_fields = self
            .fields
            .iter()
            .zip(&ids)
            .map(|(f, id)| debug_field(ctx, f, id, !is_required(f, self.top)))
            .collect();
        let debug = debug_impl(ctx, name, &apply, debug_fields);
        quote! {
            #doc
            #[derive(Clone, PartialEq)]
            #[non_exhaustive]
            pub struct #name #declare {
                #(#decls)*
                #call_field
            }

            impl #name {
                #[doc = #new_doc]
                #[allow(clippy::new_without_default, clippy::too_many_arguments)]
                #[inline]
                pub fn new(#(#params),*) -> Self {
                    Self { #(#inits)* #call_init }
                }
                #extra
                #unbound_setters
            }

            #generic_setters
            #debug
        }
    }

    fn setter(&self, ctx: &Ctx, scope: &Scope<'_>, f: &Field, id: &Ident) -> TokenStream {
        let ty = rust_type(ctx, scope, &f.ty, Some(&child(self.parent, &f.name)));
        let (arg, convert) = argument(&f.ty, ty);
        let doc = setter_doc(ctx, scope, f);
        let deprecated = deprecated(f);
        quote! {
            #doc #deprecated
            #[inline]
            pub fn #id(mut self, value: #arg) -> Self {
                self.#id = ::std::option::Option::Some(value #convert);
                self
            }
        }
    }
}

/// Writes each field under its wire name.
pub(crate) fn write_fields(ctx: &Ctx, fields: &[Field]) -> TokenStream {
    let writes = fields
        .iter()
        .zip(field_idents(&ctx.namer, fields, REQUEST_RESERVED))
        .map(|(f, id)| {
            let wire = &f.name;
            quote!(w.field(#wire, &self.#id);)
        });
    quote!(#(#writes)*)
}
