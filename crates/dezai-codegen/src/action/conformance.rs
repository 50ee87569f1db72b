//! Conformance tests generated from the spec itself: for every action, the request example set
//! through the typed API encodes to the same parameters (repeats aside), the response example
//! decodes into the typed response with the documented fields holding its values, and the Rust
//! call the action's rustdoc shows compiles (one function per action, compiled with the tests:
//! product crates run no doctests).

use dezai_spec::{Action, ProductSpec, Type};
use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use serde_json::Value;

use super::Names;
use super::example::request_example;
use crate::names::{RESPONSE_RESERVED, field_idents};
use crate::types::readable::response_fields;
use crate::{Ctx, Error, Options};

/// `#[test]` functions, one per action, checking the generated types of `module` (the path
/// where the product's generated code lives) against the spec's own examples.
pub fn conformance_tests(
    spec: &ProductSpec,
    module: &TokenStream,
    options: &Options,
) -> Result<TokenStream, Error> {
    per_action(spec, options, |ctx, action, names| {
        let rt = &ctx.rt;
        let test_name = fn_name(names);
        let request = request_check(ctx, action, names, module, rt);
        let response = response_check(ctx, action, names, module, rt);
        let doc_example = doc_example(ctx, action, names, module, rt);
        Some(quote! {
            #[test]
            #[allow(deprecated, unused_mut)]
            fn #test_name() {
                #request
                #response
            }
            #doc_example
        })
    })
}

/// One `pub async fn` per action that sends the request example (set through the typed API)
/// with a client and returns the response's RetCode: what a program calling these actions
/// compiles, for `cargo xtask bench-compile`'s figures of a user's crate.
#[cfg(feature = "bench-helpers")]
pub fn example_calls(
    spec: &ProductSpec,
    module: &TokenStream,
    options: &Options,
) -> Result<TokenStream, Error> {
    per_action(spec, options, |ctx, action, names| {
        let rt = &ctx.rt;
        let name = fn_name(names);
        let expr = request_example(ctx, action, names, module)?.expr;
        Some(quote! {
            #[allow(deprecated, unused_mut)]
            pub async fn #name(client: &#rt::Client) -> ::std::result::Result<::std::option::Option<i64>, #rt::Error> {
                let response = client.send(#expr).await?;
                ::std::result::Result::Ok(response.meta().ret_code())
            }
        })
    })
}

/// The rustdoc example of the action, verbatim, in a function that is compiled and never run:
/// the product is in scope under its own name and the client has its handle, as in a user's
/// code after `use dezai_sdk::{prelude::*, udb};`.
fn doc_example(
    ctx: &Ctx,
    action: &Action,
    names: &Names,
    module: &TokenStream,
    rt: &TokenStream,
) -> TokenStream {
    let Some(text) = super::example::doc_call(ctx, action, names) else {
        return quote!();
    };
    let statement: TokenStream = match text.parse() {
        Ok(tokens) => tokens,
        Err(_) => {
            let message = format!("the rustdoc example of {} is not Rust: {text}", action.name);
            return quote!(compile_error!(#message););
        }
    };
    let name = format_ident!("doc_example_of_{}", fn_name(names));
    let product = &ctx.accessor;
    let ext = format_ident!("{}Ext", ctx.product_type);
    quote! {
        #[allow(dead_code, deprecated, unused_imports, unused_variables, clippy::all)]
        async fn #name(client: &#rt::Client) -> ::std::result::Result<(), #rt::Error> {
            use #module as #product;
            use #module::#ext as _;
            #statement
            ::std::result::Result::Ok(())
        }
    }
}

/// `item` of every action of the product that has one, after checking the action.
fn per_action(
    spec: &ProductSpec,
    options: &Options,
    mut item: impl FnMut(&Ctx, &Action, &Names) -> Option<TokenStream>,
) -> Result<TokenStream, Error> {
    let ctx = Ctx::new(spec, options)?;
    let mut items = Vec::new();
    for action in &spec.actions {
        crate::validate::action(action)?;
        let names = Names::new(&ctx, action)?;
        items.extend(item(&ctx, action, &names));
    }
    Ok(quote!(#(#items)*))
}

/// A function named after the action's module (without a raw-identifier prefix).
fn fn_name(names: &Names) -> proc_macro2::Ident {
    format_ident!("{}", names.module.to_string().trim_start_matches("r#"))
}

fn request_check(
    ctx: &Ctx,
    action: &Action,
    names: &Names,
    module: &TokenStream,
    rt: &TokenStream,
) -> TokenStream {
    let Some(built) = request_example(ctx, action, names, module) else {
        return quote!();
    };
    let expr = built.expr;
    let expected = built.expected.iter().map(|(n, v)| quote!((#n, #v)));
    let placeholders = &built.placeholders;
    quote! {
        let request = #expr;
        let mut params = #rt::Params::new();
        #rt::Action::write_params(&request, &mut #rt::ParamWriter::new(&mut params));
        let encoded: ::std::vec::Vec<(&str, &str)> = params.iter().collect();
        let expected: &[(&str, &str)] = &[#(#expected),*];
        let placeholders: &[&str] = &[#(#placeholders),*];
        for pair in expected {
            assert!(encoded.contains(pair), "{:?} from the request example is not encoded; encoded: {:?}", pair, encoded);
        }
        for (name, value) in &encoded {
            let from_example = expected.iter().any(|(n, _)| n == name);
            let placeholder = placeholders.iter().any(|p| name == p || name.starts_with(&format!("{p}.")));
            assert!(from_example || placeholder, "{}={} is encoded but not in the request example", name, value);
        }
    }
}

fn response_check(
    ctx: &Ctx,
    action: &Action,
    names: &Names,
    module: &TokenStream,
    rt: &TokenStream,
) -> TokenStream {
    let Some(Value::Object(example)) = action.response_example.as_ref().map(|e| e.to_value())
    else {
        return quote!();
    };
    let response = &names.response;
    let text = Value::Object(example.clone()).to_string();
    let mut checks = Vec::new();
    // The envelope is read into `meta()`.
    if let Some(code) = example.get("RetCode").and_then(Value::as_i64) {
        let shown = format!("RetCode of {}", action.name);
        checks.push(quote!(assert_eq!(response.meta().ret_code(), ::std::option::Option::Some(#code), #shown);));
    }
    let fields = response_fields(&action.response);
    let ids = field_idents(&ctx.namer, &fields, RESPONSE_RESERVED);
    for (field, id) in fields.iter().zip(ids) {
        let Some(value) = example
            .get(&field.name)
            .or_else(|| field.aliases.iter().find_map(|a| example.get(a)))
        else {
            continue;
        };
        let shown = format!("{} of {}", field.name, action.name);
        let check = match (&field.ty, value) {
            (_, Value::Null) => {
                quote!(assert_eq!(response.#id, ::std::option::Option::None, #shown);)
            }
            (Type::String, Value::String(s)) => {
                quote!(assert_eq!(response.#id.as_deref(), ::std::option::Option::Some(#s), #shown);)
            }
            (Type::Int, Value::Number(n)) if n.is_i64() => {
                let v = n.as_i64().unwrap_or_default();
                quote!(assert_eq!(response.#id, ::std::option::Option::Some(#v), #shown);)
            }
            (Type::Float, Value::Number(n)) => {
                let v = n.as_f64().unwrap_or_default();
                quote!(assert_eq!(response.#id, ::std::option::Option::Some(#v), #shown);)
            }
            (Type::Bool, Value::Bool(b)) => {
                quote!(assert_eq!(response.#id, ::std::option::Option::Some(#b), #shown);)
            }
            // The lenient reader rightly drops list items that do not fit the type, which the
            // parser reported as `example_type_mismatch`: no length to compare then.
            (Type::List { .. }, Value::Array(_)) if mismatched(action, &field.name) => quote!(),
            (Type::List { .. }, Value::Array(items)) => {
                let len = items.len();
                quote!(assert_eq!(response.#id.as_ref().map(|v| v.len()), ::std::option::Option::Some(#len), #shown);)
            }
            (Type::Object | Type::Model { .. }, Value::Object(_)) => {
                quote!(assert!(response.#id.is_some(), #shown);)
            }
            // The example disagrees with the type (a recorded warning): it must still decode.
            _ => quote!(),
        };
        checks.push(check);
    }
    quote! {
        let response: #module::#response = #rt::serde_json::from_str(#text)
            .expect("the response example decodes into the typed response");
        #(#checks)*
    }
}

/// Whether the parser flagged a response example value of `field` (or inside it) as not
/// fitting its type: decided on what the warning is about, never on its words.
fn mismatched(action: &Action, field: &str) -> bool {
    action.warnings.iter().any(|w| {
        w.kind == dezai_spec::WarningKind::ExampleTypeMismatch
            && w.about.as_ref().is_some_and(|about| {
                about.part == dezai_spec::Part::Response && about.field() == field
            })
    })
}
