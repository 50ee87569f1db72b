//! The document's request example as a call of the typed API: one builder for the rustdoc
//! example every action shows (`client.udb().describe_udb_instance_backup_url("udb-1", 1234)
//! .valid_time(5).send().await?`) and for the conformance tests, which compile that text and
//! check the request it builds encodes to the example's parameters.

use dezai_spec::{Action, Field, Type};
use proc_macro2::{Delimiter, Literal, TokenStream, TokenTree};
use quote::quote;

use super::Names;
use crate::Ctx;
use crate::names::{REQUEST_RESERVED, field_idents};
use crate::types::child;

/// The call a user writes for the document's request example, as rustdoc shows it: the
/// product handle's method with the example's required values, a setter for each optional
/// value, sent. Types the example needs are named from the product module (`udb::…`).
/// `None` without a request example, or when the example cannot be built (a free-form
/// object, a list with gaps).
pub(crate) fn doc_call(ctx: &Ctx, action: &Action, names: &Names) -> Option<String> {
    if action.request_example.is_empty() {
        return None;
    }
    let product = &ctx.accessor;
    let built = request_example(ctx, action, names, &quote!(#product))?;
    let method = &names.module;
    let args: Vec<String> = built.args.iter().map(|a| render(a.clone())).collect();
    let mut steps = vec![
        format!(".{product}()"),
        format!(".{method}({})", args.join(", ")),
    ];
    steps.extend(built.setters.iter().map(|s| render(s.clone())));
    steps.push(".send()".into());
    steps.push(".await?".into());
    let one_line = format!("let response = client{};", steps.concat());
    if one_line.len() <= 90 {
        return Some(one_line);
    }
    Some(format!(
        "let response = client\n    {};",
        steps.join("\n    ")
    ))
}

/// Tokens as a person writes them: no spaces around `::`, `.` and brackets, one after a comma,
/// and the prelude's names without their `::std::` paths.
fn render(tokens: TokenStream) -> String {
    fn walk(tokens: TokenStream, out: &mut String) {
        let mut previous_word = false;
        for tree in tokens {
            match tree {
                TokenTree::Ident(ident) => {
                    if previous_word {
                        out.push(' ');
                    }
                    out.push_str(&ident.to_string());
                    previous_word = true;
                }
                TokenTree::Literal(literal) => {
                    if previous_word {
                        out.push(' ');
                    }
                    out.push_str(&literal.to_string());
                    previous_word = true;
                }
                TokenTree::Punct(punct) => {
                    out.push(punct.as_char());
                    if punct.as_char() == ',' {
                        out.push(' ');
                    }
                    previous_word = false;
                }
                TokenTree::Group(group) => {
                    let (open, close) = match group.delimiter() {
                        Delimiter::Parenthesis => ("(", ")"),
                        Delimiter::Bracket => ("[", "]"),
                        Delimiter::Brace => ("{ ", " }"),
                        Delimiter::None => ("", ""),
                    };
                    out.push_str(open);
                    walk(group.stream(), out);
                    out.push_str(close);
                    previous_word = false;
                }
            }
        }
    }
    let mut out = String::new();
    walk(tokens, &mut out);
    out.replace("::std::vec::Vec::", "Vec::")
        .replace("::std::vec!", "vec!")
        .replace("::std::string::String::", "String::")
}

/// The request example set through the typed API, if every required field can be built.
pub(crate) fn request_example(
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
#[derive(Default)]
pub(crate) struct Built {
    pub expr: TokenStream,
    /// For the request itself: the constructor's arguments and the setter calls (`.x(v)`).
    pub args: Vec<TokenStream>,
    pub setters: Vec<TokenStream>,
    /// `name=value` pairs expected on the wire (normalised as the runtime formats them).
    pub expected: Vec<(String, String)>,
    /// Wire-name prefixes filled with placeholders (required fields the example leaves out).
    pub placeholders: Vec<String>,
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
        args,
        setters,
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
fn string_literal(expr: &TokenStream) -> Option<Literal> {
    let tokens: Vec<TokenTree> = expr.clone().into_iter().collect();
    let [.., TokenTree::Ident(from), TokenTree::Group(args)] = tokens.as_slice() else {
        return None;
    };
    let inner: Vec<TokenTree> = args.stream().into_iter().collect();
    match (from.to_string().as_str(), inner.as_slice()) {
        ("from", [TokenTree::Literal(literal)]) => Some(literal.clone()),
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
            ..Built::default()
        })
    };
    match ty {
        Type::String => {
            let v = scalar()?;
            one(quote!(::std::string::String::from(#v)), v)
        }
        Type::Int => {
            let v: i64 = scalar()?.trim().parse().ok()?;
            let literal = Literal::i64_unsuffixed(v);
            one(quote!(#literal), v.to_string())
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
            let literal = Literal::f64_unsuffixed(v);
            one(quote!(#literal), text)
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
                ..Built::default()
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
                ..Built::default()
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
        // `""` as an argument (see `arg_expr`).
        Type::String => quote!(::std::string::String::from("")),
        Type::Int => quote!(0),
        Type::Float => quote!(0.0),
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
