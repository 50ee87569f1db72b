//! Conformance tests generated from the spec itself: for every action, the request example set
//! through the typed API encodes to the same parameters (repeats aside), and the response
//! example decodes into the typed response with the documented fields holding its values.

use dezai_spec::{Action, Field, ProductSpec, Type};
use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use serde_json::Value;

use super::Names;
use crate::names::{REQUEST_RESERVED, RESPONSE_RESERVED, field_idents};
use crate::types::child;
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
        Some(quote! {
            #[test]
            #[allow(deprecated, unused_mut)]
            fn #test_name() {
                #request
                #response
            }
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

/// The request example set through the typed API, if every required field can be built.
fn request_example(
    ctx: &Ctx,
    action: &Action,
    names: &Names,
    module: &TokenStream,
) -> Option<Built> {
    let params = example_params(action);
    build_struct(
        ctx,
        &action.request,
        &[],
        &params,
        names,
        module,
        true,
        &names.request,
    )
}

/// The request example's parameters below `Action` and the signature, first occurrence of
/// each name (the example's repeats are documentation drift), split at the dots.
fn example_params(action: &Action) -> Vec<(Vec<String>, String)> {
    let mut seen = std::collections::BTreeSet::new();
    action
        .request_example
        .iter()
        .filter(|p| seen.insert(p.name.clone()))
        .filter(|p| !dezai_spec::protocol::RESERVED_PARAMETERS.contains(&p.name.as_str()))
        .map(|p| {
            (
                p.name.split('.').map(str::to_owned).collect(),
                p.value.clone(),
            )
        })
        .collect()
}

/// One example parameter, split into its path below the field it belongs to.
#[derive(Clone)]
struct Entry {
    rest: Vec<String>,
    value: String,
}

/// A value built from example entries, and the wire names it will produce.
struct Built {
    expr: TokenStream,
    /// `name=value` pairs expected on the wire (normalised as the runtime formats them).
    expected: Vec<(String, String)>,
    /// Wire-name prefixes filled with placeholders (required fields the example leaves out).
    placeholders: Vec<String>,
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

/// Finds the field an example segment names: exactly, or through an alias.
fn find<'a>(fields: &'a [Field], segment: &str) -> Option<&'a Field> {
    fields.iter().find(|f| f.name == segment).or_else(|| {
        fields
            .iter()
            .find(|f| f.aliases.iter().any(|a| a == segment))
    })
}

/// Builds a request-like struct (`top`: the request itself) from example entries.
// The arguments are the recursion's state; bundling them would only rename them.
#[allow(clippy::too_many_arguments)]
fn build_struct(
    ctx: &Ctx,
    fields: &[Field],
    parent: &[String],
    entries: &[(Vec<String>, String)],
    names: &Names,
    module: &TokenStream,
    top: bool,
    type_name: &proc_macro2::Ident,
) -> Option<Built> {
    let mut args = Vec::new();
    let mut setters = Vec::new();
    let mut expected = Vec::new();
    let mut placeholders = Vec::new();
    let prefix = if parent.is_empty() {
        String::new()
    } else {
        format!("{}.", parent.join("."))
    };
    for (field, id) in fields
        .iter()
        .zip(field_idents(&ctx.namer, fields, REQUEST_RESERVED))
    {
        let mine: Vec<Entry> = entries
            .iter()
            .filter(|(path, _)| {
                path.first()
                    .is_some_and(|s| find(fields, s).is_some_and(|f| f.name == field.name))
            })
            .map(|(path, value)| Entry {
                rest: path[1..].to_vec(),
                value: value.clone(),
            })
            .collect();
        let wire = format!("{prefix}{}", field.name);
        let path = child(parent, &field.name);
        let required = field.is_required_argument(top);
        let built = if mine.is_empty() {
            None
        } else {
            build_value(ctx, &field.ty, &path, &wire, &mine, names, module)
        };
        match (built, required) {
            (Some(b), true) => {
                args.push(arg_expr(&field.ty, b.expr));
                expected.extend(b.expected);
                placeholders.extend(b.placeholders);
            }
            (Some(b), false) => {
                let value = arg_expr(&field.ty, b.expr);
                setters.push(quote!(.#id(#value)));
                expected.extend(b.expected);
                placeholders.extend(b.placeholders);
            }
            (None, true) => {
                args.push(arg_expr(
                    &field.ty,
                    placeholder(ctx, &field.ty, &path, names, module)?,
                ));
                placeholders.push(wire);
            }
            (None, false) => {}
        }
    }
    Some(Built {
        // Every type of an action lives in its module; only some are re-exported.
        expr: {
            let action_module = &names.module;
            quote!(#module::#action_module::#type_name::new(#(#args),*)#(#setters)*)
        },
        expected,
        placeholders,
    })
}

/// Strings are passed as `&str` to constructors and setters.
/// An argument as a program would write it: a string argument (`&str`) as the literal
/// itself rather than a reference to a `String` built from it.
fn arg_expr(ty: &Type, expr: TokenStream) -> TokenStream {
    match ty {
        Type::String => match string_literal(&expr) {
            Some(literal) => quote!(#literal),
            None => quote!(&#expr),
        },
        _ => expr,
    }
}

/// The literal of `::std::string::String::from("…")`.
fn string_literal(expr: &TokenStream) -> Option<proc_macro2::Literal> {
    let tokens: Vec<proc_macro2::TokenTree> = expr.clone().into_iter().collect();
    let [
        ..,
        proc_macro2::TokenTree::Ident(from),
        proc_macro2::TokenTree::Group(args),
    ] = tokens.as_slice()
    else {
        return None;
    };
    let inner: Vec<proc_macro2::TokenTree> = args.stream().into_iter().collect();
    match (from.to_string().as_str(), inner.as_slice()) {
        ("from", [proc_macro2::TokenTree::Literal(literal)]) => Some(literal.clone()),
        _ => None,
    }
}

fn build_value(
    ctx: &Ctx,
    ty: &Type,
    path: &[String],
    wire: &str,
    entries: &[Entry],
    names: &Names,
    module: &TokenStream,
) -> Option<Built> {
    let scalar = || {
        entries
            .iter()
            .find(|e| e.rest.is_empty())
            .map(|e| e.value.clone())
    };
    let one = |expr: TokenStream, text: String| {
        Some(Built {
            expr,
            expected: vec![(wire.to_owned(), text)],
            placeholders: vec![],
        })
    };
    match ty {
        Type::String => {
            let v = scalar()?;
            one(quote!(::std::string::String::from(#v)), v)
        }
        Type::Int => {
            let v: i64 = scalar()?.trim().parse().ok()?;
            one(quote!(#v), v.to_string())
        }
        Type::Float => {
            let v: f64 = scalar()?
                .trim()
                .parse()
                .ok()
                .filter(|f: &f64| f.is_finite())?;
            let text = if v == 0.0 {
                "0".to_owned()
            } else {
                v.to_string()
            };
            one(quote!(#v), text)
        }
        Type::Bool => {
            let v: bool = scalar()?.trim().to_ascii_lowercase().parse().ok()?;
            one(quote!(#v), v.to_string())
        }
        Type::List { item } => {
            let mut by_index: std::collections::BTreeMap<usize, Vec<Entry>> = Default::default();
            for e in entries {
                let index: usize = e.rest.first()?.parse().ok()?;
                by_index.entry(index).or_default().push(Entry {
                    rest: e.rest[1..].to_vec(),
                    value: e.value.clone(),
                });
            }
            // The runtime numbers items from 0; an example with gaps cannot round-trip.
            if by_index.keys().copied().ne(0..by_index.len()) {
                return None;
            }
            let mut items = Vec::new();
            let mut expected = Vec::new();
            let mut placeholders = Vec::new();
            for (i, item_entries) in by_index {
                let b = build_value(
                    ctx,
                    item,
                    path,
                    &format!("{wire}.{i}"),
                    &item_entries,
                    names,
                    module,
                )?;
                items.push(b.expr);
                expected.extend(b.expected);
                placeholders.extend(b.placeholders);
            }
            Some(Built {
                expr: quote!(::std::vec![#(#items),*]),
                expected,
                placeholders,
            })
        }
        Type::Struct { fields } => {
            let inner: Vec<(Vec<String>, String)> = entries
                .iter()
                .map(|e| (e.rest.clone(), e.value.clone()))
                .collect();
            let name = names.structs.get(path)?;
            let b = build_struct(ctx, fields, path, &inner, names, module, false, name)?;
            // Struct fields were named relative to the struct; give them the full wire prefix.
            let depth = path.join(".");
            let fix = |n: String| n.replacen(&depth, wire, 1);
            Some(Built {
                expr: b.expr,
                expected: b.expected.into_iter().map(|(n, v)| (fix(n), v)).collect(),
                placeholders: b.placeholders.into_iter().map(fix).collect(),
            })
        }
        // Free-form objects and data models are not written flattened in examples.
        Type::Object | Type::Model { .. } => None,
    }
}

/// A stand-in for a required field the example leaves out.
fn placeholder(
    ctx: &Ctx,
    ty: &Type,
    path: &[String],
    names: &Names,
    module: &TokenStream,
) -> Option<TokenStream> {
    Some(match ty {
        Type::String => quote!(::std::string::String::new()),
        Type::Int => quote!(0i64),
        Type::Float => quote!(0f64),
        Type::Bool => quote!(false),
        Type::List { .. } => quote!(::std::vec::Vec::new()),
        Type::Struct { fields } => {
            let name = names.structs.get(path)?;
            let b = build_struct(ctx, fields, path, &[], names, module, false, name)?;
            b.expr
        }
        Type::Model { name } => {
            let model = names.models.get(name)?;
            let action_module = &names.module;
            quote!(#module::#action_module::#model::default())
        }
        Type::Object => return None,
    })
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
