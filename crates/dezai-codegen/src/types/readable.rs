//! Structs read from responses: an action's response and the product's data models.
//!
//! Every field is an `Option` read leniently; fields the document does not list are kept in
//! `unknown_fields`. `Deserialize` is written out (one call into the runtime per field), not
//! derived: that compiles far faster than serde's visitor for thousands of types. Each struct
//! gets a builder, since `#[non_exhaustive]` forbids struct literals outside the crate and
//! tests need to make values (`…Response::builder().backup_path("…").build()`).

use std::collections::BTreeSet;

use dezai_spec::{Field, Type};
use proc_macro2::{Ident, TokenStream};
use quote::{format_ident, quote};

use super::{argument, debug_field, debug_impl, deprecated, field_doc, rust_type};
use crate::Ctx;
use crate::docs::doc_lines;
use crate::names::{MODEL_RESERVED, RESPONSE_RESERVED, field_idents};
use crate::scope::Scope;

/// A response's own fields: the document's, without the envelope.
pub(crate) fn response_fields(fields: &[Field]) -> Vec<Field> {
    fields
        .iter()
        // The runtime reads the envelope into `meta()`.
        .filter(|f| !dezai_spec::ENVELOPE_FIELDS.contains(&f.name.as_str()))
        .cloned()
        .collect()
}

/// One struct read from responses.
pub(crate) struct Readable<'a> {
    pub name: &'a Ident,
    pub fields: &'a [Field],
    pub doc: String,
    /// Fields holding a model that contains this one again: boxed.
    pub boxed: &'a BTreeSet<String>,
    /// Adds `PartialEq` (models a request holds, compared like the request).
    pub partial_eq: bool,
    /// An action's response: the envelope goes to `meta()`, and it implements the runtime's
    /// `Response`. Otherwise a data model.
    pub response: bool,
}

impl Readable<'_> {
    pub(crate) fn emit(&self, ctx: &Ctx, scope: &Scope<'_>) -> TokenStream {
        let rt = &ctx.rt;
        let name = self.name;
        let reserved = if self.response {
            RESPONSE_RESERVED
        } else {
            MODEL_RESERVED
        };
        let ids = field_idents(&ctx.namer, self.fields, reserved);
        let types: Vec<TokenStream> = self
            .fields
            .iter()
            .map(|f| rust_type(ctx, scope, &f.ty, None))
            .collect();
        let decls = self
            .fields
            .iter()
            .zip(&ids)
            .zip(&types)
            .map(|((f, id), ty)| {
                let ty = if self.boxed.contains(&f.name) {
                    quote!(::std::boxed::Box<#ty>)
                } else {
                    ty.clone()
                };
                let doc = field_doc(ctx, scope, f, true);
                let deprecated = deprecated(f);
                quote! {
                    #doc
                    #deprecated
                    pub #id: ::std::option::Option<#ty>,
                }
            });
        let reads = self.fields.iter().zip(&ids).map(|(f, id)| {
            let wire = &f.name;
            let aliases = &f.aliases;
            quote!(#id: #rt::de::take(&mut map, #wire, &[#(#aliases),*]),)
        });
        let doc = doc_lines(&self.doc);
        let partial_eq = if self.partial_eq {
            quote!(, PartialEq)
        } else {
            quote!()
        };
        let (meta_field, meta_read, meta_impl) = if self.response {
            (
                quote!(__meta: #rt::ResponseMeta,),
                quote!(__meta: #rt::ResponseMeta::take(&mut map),),
                quote! {
                    /// The envelope (`RetCode`, `Action`, `Message`) and the call's request id.
                    #[inline]
                    pub fn meta(&self) -> &#rt::ResponseMeta {
                        &self.__meta
                    }
                },
            )
        } else {
            (quote!(), quote!(), quote!())
        };
        let response_impl = if self.response {
            quote! {
                impl #rt::Response for #name {
                    #[inline]
                    fn from_json_object(map: #rt::serde_json::Map<::std::string::String, #rt::serde_json::Value>) -> ::std::result::Result<Self, #rt::serde_json::Error> {
                        ::std::result::Result::Ok(Self::from_object(map))
                    }
                    #[inline]
                    fn meta_mut(&mut self) -> ::std::option::Option<&mut #rt::ResponseMeta> {
                        ::std::option::Option::Some(&mut self.__meta)
                    }
                    // The envelope arrives apart from the object (its keys never allocated).
                    #[inline]
                    fn from_parts(_action: &'static str, map: #rt::serde_json::Map<::std::string::String, #rt::serde_json::Value>, envelope: #rt::AnswerEnvelope, request_id: ::std::option::Option<::std::string::String>) -> ::std::result::Result<Self, #rt::Error> {
                        let mut response = Self::from_object(map);
                        response.__meta = envelope.into_meta(request_id);
                        ::std::result::Result::Ok(response)
                    }
                }
            }
        } else {
            quote!()
        };
        let (builder_fn, builder) = self.builder(ctx, &ids, &types);
        let mut debug_fields: Vec<(String, TokenStream)> = self
            .fields
            .iter()
            .zip(&ids)
            .map(|(f, id)| debug_field(ctx, f, id, true))
            .collect();
        debug_fields.push((
            "unknown_fields".to_owned(),
            quote!(&#rt::__private::debug::UnknownFields(&self.unknown_fields)),
        ));
        if self.response {
            debug_fields.push(("meta".to_owned(), quote!(&self.__meta)));
        }
        let debug = debug_impl(ctx, name, &quote!(), debug_fields);
        // Only for a user's tests: the mock answers a typed call with the JSON a server would
        // send. The runtime's macro expands to the impl with its `test-util` feature and to
        // nothing otherwise, so a build without it pays for a few tokens a struct.
        let wires = self.fields.iter().map(|f| &f.name);
        let to_json = quote! {
            #rt::__to_json!(#name { #(#ids: #wires),* });
        };
        quote! {
            #doc
            // No PartialEq on responses: every derive is compile time for thousands of types,
            // and whole responses are rarely compared; requests keep it.
            #[derive(Clone, Default #partial_eq)]
            #[non_exhaustive]
            pub struct #name {
                #(#decls)*
                /// Fields the document does not list, as the service sent them.
                pub unknown_fields: #rt::serde_json::Map<::std::string::String, #rt::serde_json::Value>,
                #meta_field
            }

            // The generated code's own reading and building touches fields the documents
            // deprecate; a user's use of them still warns.
            #[allow(deprecated)]
            impl #name {
                #[inline]
                fn from_object(mut map: #rt::serde_json::Map<::std::string::String, #rt::serde_json::Value>) -> Self {
                    Self {
                        #meta_read
                        #(#reads)*
                        unknown_fields: map,
                    }
                }
                #meta_impl
                #builder_fn
            }

            impl<'de> #rt::__private::serde::Deserialize<'de> for #name {
                fn deserialize<D: #rt::__private::serde::Deserializer<'de>>(deserializer: D) -> ::std::result::Result<Self, D::Error> {
                    #rt::de::object(deserializer).map(Self::from_object)
                }
            }

            #response_impl
            #builder
            #debug
            #to_json
        }
    }

    /// `Name::builder()`, and `NameBuilder` with a setter per field and `build()`.
    fn builder(
        &self,
        ctx: &Ctx,
        ids: &[Ident],
        types: &[TokenStream],
    ) -> (TokenStream, TokenStream) {
        let rt = &ctx.rt;
        let name = self.name;
        let builder = format_ident!("{}Builder", name);
        let setters = self.fields.iter().zip(ids).zip(types).map(|((f, id), ty)| {
            let (arg, convert) = argument(&f.ty, ty.clone());
            let value = if self.boxed.contains(&f.name) {
                quote!(::std::boxed::Box::new(value #convert))
            } else {
                quote!(value #convert)
            };
            // The field's own docs carry the description; one line here keeps the generated
            // code (and compile time) down.
            let doc = format!(" Sets `{}`.", f.name);
            let deprecated = deprecated(f);
            quote! {
                #[doc = #doc] #deprecated
                #[inline]
                pub fn #id(mut self, value: #arg) -> Self {
                    self.inner.#id = ::std::option::Option::Some(#value);
                    self
                }
            }
        });
        let meta = if self.response {
            quote! {
                /// Sets the envelope and request id `meta()` returns.
                #[inline]
                pub fn meta(mut self, meta: #rt::ResponseMeta) -> Self {
                    self.inner.__meta = meta;
                    self
                }
            }
        } else {
            quote!()
        };
        let builder_doc = format!(" Builds a [`{name}`] field by field, for tests and mocks.");
        let start_doc = format!(" A [`{builder}`] with every field unset.");
        // `builder()` goes into the type's own impl block: fewer impl blocks, less to check.
        let builder_fn = quote! {
            #[doc = #start_doc]
            #[inline]
            pub fn builder() -> #builder {
                #builder { inner: Self::default() }
            }
        };
        let builder_type = quote! {
            #[doc = #builder_doc]
            // No derives: a builder is made, chained and built in one expression.
            #[must_use = "a builder does nothing until `.build()`"]
            pub struct #builder {
                inner: #name,
            }

            #[allow(deprecated)]
            impl #builder {
                #(#setters)*
                #meta
                /// The value built.
                #[inline]
                pub fn build(self) -> #name {
                    self.inner
                }
            }
        };
        (builder_fn, builder_type)
    }
}

/// Whether a model's field is a model of its own kind directly (not in a list): see
/// [`super::models`] for boxing.
pub(crate) fn direct_model(f: &Field) -> Option<&str> {
    match &f.ty {
        Type::Model { name } => Some(name),
        _ => None,
    }
}
