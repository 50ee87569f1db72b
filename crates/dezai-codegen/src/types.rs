//! The type generator: spec types → Rust types, and the structs that hold data.
//!
//! - [`models`]: the product's data models, one Rust type per distinct model (structurally
//!   identical models of several actions are one type), named once for the product.
//! - [`readable`]: structs read from responses (responses and models), with their builders.
//! - [`request_like`]: structs written as parameters (requests and the structures rebuilt
//!   from flattened names such as `Disks.N.Size`), with constructors and setters.
//!
//! The action generator ([`crate::action`]) puts these together per action.

use dezai_spec::{Field, Type};
use proc_macro2::{Ident, TokenStream};
use quote::quote;

use crate::Ctx;
use crate::docs::{describe, doc_lines};
use crate::scope::Scope;

pub(crate) mod models;
pub(crate) mod readable;
pub(crate) mod request_like;

/// The one mapping of spec types to Rust. Rebuilt structures have a type of their own only
/// in requests (`path` names it); elsewhere such a value is JSON.
pub(crate) fn rust_type(
    ctx: &Ctx,
    scope: &Scope<'_>,
    ty: &Type,
    path: Option<&[String]>,
) -> TokenStream {
    let rt = &ctx.rt;
    match ty {
        Type::String => quote!(::std::string::String),
        Type::Int => quote!(i64),
        Type::Float => quote!(f64),
        Type::Bool => quote!(bool),
        Type::Object => quote!(#rt::serde_json::Value),
        Type::List { item } => {
            let item = rust_type(ctx, scope, item, path);
            quote!(::std::vec::Vec<#item>)
        }
        Type::Model { name } => match scope.models.get(name) {
            Some(ident) => {
                let qual = &scope.model_qual;
                quote!(#qual #ident)
            }
            // Validation rejects undefined models before generation.
            None => quote!(#rt::serde_json::Value),
        },
        Type::Struct { .. } => match (path, scope.structs) {
            (Some(p), Some(structs)) if structs.contains_key(p) => {
                let (name, qual) = (&structs[p], &scope.own_qual);
                quote!(#qual #name)
            }
            _ => quote!(#rt::serde_json::Value),
        },
    }
}

/// The argument type of a setter or constructor for a value of `ty`: `&str` for strings,
/// the type itself otherwise. Returns the type and the conversion applied to the argument.
pub(crate) fn argument(ty: &Type, rust: TokenStream) -> (TokenStream, TokenStream) {
    match ty {
        Type::String => (quote!(&str), quote!(.to_owned())),
        _ => (rust, quote!()),
    }
}

/// A field's rustdoc: the document's description, its wire name and aliases.
pub(crate) fn field_doc(
    ctx: &Ctx,
    scope: &Scope<'_>,
    f: &Field,
    required_note: bool,
) -> TokenStream {
    let mut doc = describe(ctx, scope, &f.description);
    if !doc.is_empty() {
        doc.push_str("\n\n");
    }
    doc.push_str(&format!("Wire name `{}`", f.name));
    if !f.aliases.is_empty() {
        let aliases: Vec<String> = f.aliases.iter().map(|a| format!("`{a}`")).collect();
        doc.push_str(&format!(" (also read as {})", aliases.join(", ")));
    }
    doc.push('.');
    if required_note && f.required {
        doc.push_str(" Required by the document.");
    }
    if !f.documented {
        doc.push_str(" Not in the document's tables: seen in its response example.");
    }
    doc_lines(&doc)
}

/// A setter's rustdoc: what it sets, in the document's words.
pub(crate) fn setter_doc(ctx: &Ctx, scope: &Scope<'_>, f: &Field) -> TokenStream {
    let description = describe(ctx, scope, &f.description);
    let doc = if description.is_empty() {
        format!("Sets `{}`.", f.name)
    } else {
        format!("{description}\n\nSets `{}`.", f.name)
    };
    doc_lines(&doc)
}

/// `#[deprecated]` for a field the document deprecates.
pub(crate) fn deprecated(f: &Field) -> TokenStream {
    match &f.deprecated {
        Some(note) => quote!(#[deprecated(note = #note)]),
        None => quote!(),
    }
}

/// The names of the models the fields' types mention, through lists and structures.
pub(crate) fn collect_models(fields: &[Field], out: &mut Vec<String>) {
    fn in_type(ty: &Type, out: &mut Vec<String>) {
        match ty {
            Type::Model { name } => out.push(name.clone()),
            Type::List { item } => in_type(item, out),
            Type::Struct { fields } => collect_models(fields, out),
            _ => {}
        }
    }
    for field in fields {
        in_type(&field.ty, out);
    }
}

/// `parent` with `name` appended: the path of a field inside rebuilt structures.
pub(crate) fn child(parent: &[String], name: &str) -> Vec<String> {
    let mut path = parent.to_vec();
    path.push(name.to_owned());
    path
}

/// One field as `Debug` shows it: its Rust name and the value printed. A field whose wire
/// name is sensitive (`dezai_spec::protocol::is_sensitive`) prints `***` (`Some(***)` when
/// optional and set), so a typed request never shows a password; a field that may hold
/// download URLs (`dezai_spec::download::may_hold_url`) prints them without their query.
pub(crate) fn debug_field(
    ctx: &Ctx,
    f: &Field,
    id: &Ident,
    optional: bool,
) -> (String, TokenStream) {
    let rt = &ctx.rt;
    let shown = id.to_string().trim_start_matches("r#").to_owned();
    let value = match (dezai_spec::protocol::is_sensitive(&f.name), optional) {
        (true, false) => quote!(&#rt::__private::debug::Masked),
        (true, true) => quote!(&#rt::__private::debug::masked(&self.#id)),
        _ if dezai_spec::download::may_hold_url(f) => {
            quote!(&#rt::__private::debug::Urls(&self.#id))
        }
        _ => quote!(&self.#id),
    };
    (shown, value)
}

/// `impl Debug` for a generated struct, written out rather than derived: sensitive fields
/// are masked (see [`debug_field`]) and internal fields left out or named as their accessor.
/// `generics`: the impl's parameters and the type's arguments (`<C>`), or nothing.
pub(crate) fn debug_impl(
    ctx: &Ctx,
    name: &Ident,
    generics: &TokenStream,
    fields: Vec<(String, TokenStream)>,
) -> TokenStream {
    let rt = &ctx.rt;
    let shown = name.to_string();
    let (names, values): (Vec<String>, Vec<TokenStream>) = fields.into_iter().unzip();
    quote! {
        #[allow(deprecated)]
        impl #generics ::std::fmt::Debug for #name #generics {
            // As derived: compiled where it is used, not for every type of the product.
            #[inline]
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                #rt::__private::debug::fields(f, #shown, &[#(#names),*], &[#(#values),*])
            }
        }
    }
}
