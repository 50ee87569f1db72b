//! Checks a spec before any code is generated, so that a spec the parser would never write (a
//! hand edit, a newer generator, a fuzzer) becomes an error naming the action and field, never
//! a panic inside the macro.

use std::collections::BTreeSet;

use dezai_spec::{Action, Field, Type};

use crate::Error;

/// Whether `name` can become a Rust identifier once cased: ASCII letters, digits and `_` (a
/// leading digit gets `_` in front, a name of underscores only becomes `field`).
fn nameable(name: &str) -> bool {
    !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

/// Whether `name` can name a type: as [`nameable`], starting with a letter.
fn type_nameable(name: &str) -> bool {
    nameable(name) && name.starts_with(|c: char| c.is_ascii_alphabetic())
}

/// Every problem that would stop `action` from becoming Rust.
pub(crate) fn action(action: &Action) -> Result<(), Error> {
    let a = &action.name;
    if !type_nameable(a) || a.contains('-') {
        return Err(Error(format!(
            "action name `{a}` cannot become a Rust type (letters, digits and `_`, starting with a letter)"
        )));
    }
    let mut models = BTreeSet::new();
    for model in &action.models {
        if !type_nameable(&model.name) || model.name.contains('-') {
            return Err(Error(format!(
                "{a}: data model name `{}` cannot become a Rust type",
                model.name
            )));
        }
        if let Some(rust) = &model.type_name {
            if !type_nameable(rust) || rust.contains('-') {
                return Err(Error(format!(
                    "{a}: data model `{}` has the Rust name `{rust}`, which is not a type name",
                    model.name
                )));
            }
        }
        models.insert(model.name.as_str());
    }
    fields(a, "request", &action.request, &models)?;
    fields(a, "response", &action.response, &models)?;
    for model in &action.models {
        fields(
            a,
            &format!("data model `{}`", model.name),
            &model.fields,
            &models,
        )?;
    }
    Ok(())
}

fn fields(
    action: &str,
    what: &str,
    fields: &[Field],
    models: &BTreeSet<&str>,
) -> Result<(), Error> {
    for field in fields {
        if !nameable(&field.name) {
            return Err(Error(format!(
                "{action}: {what} field `{}` cannot become a Rust name (ASCII letters, digits, `_` and `-` only)",
                field.name
            )));
        }
        ty(action, what, field, &field.ty, models)?;
    }
    Ok(())
}

fn ty(
    action: &str,
    what: &str,
    field: &Field,
    t: &Type,
    models: &BTreeSet<&str>,
) -> Result<(), Error> {
    match t {
        Type::Model { name } if !models.contains(name.as_str()) => Err(Error(format!(
            "{action}: {what} field `{}` refers to data model `{name}`, which the action does not define",
            field.name
        ))),
        Type::List { item } => ty(action, what, field, item, models),
        Type::Struct { fields: inner } => fields(
            action,
            &format!("{what} structure `{}`", field.name),
            inner,
            models,
        ),
        _ => Ok(()),
    }
}
