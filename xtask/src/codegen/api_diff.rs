//! What a regeneration changes in the SDK's public API, action by action, compared with the
//! specs on disk: actions, fields and models added or removed, types changed, optional made
//! required. Each change says whether code written against the old SDK still compiles
//! (**compatible**) or may not (**breaking**).
//!
//! The rules follow what the generator emits: request fields are constructor arguments when
//! required (so adding, removing or un-requiring one changes the constructor) and setters when
//! optional; response and model fields are all `Option`s of `#[non_exhaustive]` types, so
//! adding one is compatible and removing or retyping one is not. `Region`, `Zone` and
//! `ProjectId` are always optional in the types.

use std::collections::BTreeMap;
use std::fmt;

use dezai_spec::names::Namer;
use dezai_spec::{Action, Field, Model, ProductSpec, Type};

/// How a change affects code written against the previous SDK.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Impact {
    /// Existing code may stop compiling or change meaning.
    Breaking,
    /// Existing code keeps compiling.
    Compatible,
}

impl fmt::Display for Impact {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Impact::Breaking => "breaking",
            Impact::Compatible => "compatible",
        })
    }
}

/// One change of the public API.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiChange {
    /// The product.
    pub product: String,
    /// The action (the wire name).
    pub action: String,
    /// What changed, in words (`request field \`Limit\` added (optional)`).
    pub what: String,
    /// Breaking or compatible.
    pub impact: Impact,
    /// The documents' own words for what was added or removed (the action's summary, the
    /// field's description), where they have them.
    pub words: Option<String>,
}

impl fmt::Display for ApiChange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {}: {} [{}]",
            self.product, self.action, self.what, self.impact
        )
    }
}

/// The changes from `old` to `new` for one product. Either side may be missing (a new or a
/// removed product).
pub fn diff_product(old: Option<&ProductSpec>, new: Option<&ProductSpec>) -> Vec<ApiChange> {
    let product = new.or(old).map(|s| s.product.clone()).unwrap_or_default();
    let namer = Namer::for_product(&product);
    let actions = |spec: Option<&ProductSpec>| -> BTreeMap<String, Action> {
        spec.map(|s| {
            s.actions
                .iter()
                .map(|a| (a.name.clone(), a.clone()))
                .collect()
        })
        .unwrap_or_default()
    };
    let (old_actions, new_actions) = (actions(old), actions(new));
    let mut out = Vec::new();
    let names: std::collections::BTreeSet<&String> =
        old_actions.keys().chain(new_actions.keys()).collect();
    for name in names {
        let mut changes = Changes::default();
        match (old_actions.get(name), new_actions.get(name)) {
            (None, Some(new)) => {
                changes.push_with("action added", Impact::Compatible, &new.summary)
            }
            (Some(old), None) => {
                changes.push_with("action removed", Impact::Breaking, &old.summary)
            }
            (Some(old), Some(new)) => diff_action(&namer, old, new, &mut changes),
            (None, None) => {}
        }
        out.extend(
            changes
                .0
                .into_iter()
                .map(|(what, impact, words)| ApiChange {
                    product: product.clone(),
                    action: name.clone(),
                    what,
                    impact,
                    words,
                }),
        );
    }
    out
}

#[derive(Default)]
struct Changes(Vec<(String, Impact, Option<String>)>);

impl Changes {
    fn push(&mut self, what: impl Into<String>, impact: Impact) {
        self.0.push((what.into(), impact, None));
    }

    /// A change with the documents' words for it (left out when they have none).
    fn push_with(&mut self, what: impl Into<String>, impact: Impact, words: &str) {
        let words = words.trim();
        self.0.push((
            what.into(),
            impact,
            (!words.is_empty()).then(|| words.to_owned()),
        ));
    }
}

fn diff_action(namer: &Namer, old: &Action, new: &Action, changes: &mut Changes) {
    diff_request(&old.request, &new.request, "", true, changes);
    diff_readable(&old.response, &new.response, "response field", changes);
    let old_models: BTreeMap<&str, &Model> =
        old.models.iter().map(|m| (m.name.as_str(), m)).collect();
    let new_models: BTreeMap<&str, &Model> =
        new.models.iter().map(|m| (m.name.as_str(), m)).collect();
    for (name, old_model) in &old_models {
        match new_models.get(name) {
            None => changes.push(format!("data model `{name}` removed"), Impact::Breaking),
            Some(new_model) => {
                if old_model.type_name != new_model.type_name {
                    changes.push(
                        format!(
                            "data model `{name}` renamed in Rust from `{}` to `{}`",
                            rust_model_name(namer, old_model),
                            rust_model_name(namer, new_model)
                        ),
                        Impact::Breaking,
                    );
                }
                diff_readable(
                    &old_model.fields,
                    &new_model.fields,
                    &format!("field of data model `{name}`"),
                    changes,
                );
            }
        }
    }
    for name in new_models.keys() {
        if !old_models.contains_key(name) {
            changes.push(format!("data model `{name}` added"), Impact::Compatible);
        }
    }
}

fn rust_model_name(namer: &Namer, model: &Model) -> String {
    model
        .type_name
        .clone()
        .unwrap_or_else(|| namer.type_name(&model.name))
}

/// Whether a request field is a constructor argument.
fn is_argument(field: &Field, top: bool) -> bool {
    field.is_required_argument(top)
}

fn diff_request(old: &[Field], new: &[Field], prefix: &str, top: bool, changes: &mut Changes) {
    for o in old {
        let name = format!("{prefix}{}", o.name);
        let Some(n) = new.iter().find(|n| n.name == o.name) else {
            changes.push_with(
                format!("request field `{name}` removed"),
                Impact::Breaking,
                &o.description,
            );
            continue;
        };
        match (is_argument(o, top), is_argument(n, top)) {
            (false, true) => changes.push(
                format!("request field `{name}` made required (a new constructor argument)"),
                Impact::Breaking,
            ),
            (true, false) => changes.push(
                format!("request field `{name}` made optional (no longer a constructor argument)"),
                Impact::Breaking,
            ),
            _ => {}
        }
        diff_type(&o.ty, &n.ty, &name, "request field", true, changes);
        diff_deprecation(o, n, &name, "request field", changes);
    }
    for n in new {
        if old.iter().any(|o| o.name == n.name) {
            continue;
        }
        let name = format!("{prefix}{}", n.name);
        if is_argument(n, top) {
            changes.push_with(
                format!("request field `{name}` added (required: a new constructor argument)"),
                Impact::Breaking,
                &n.description,
            );
        } else {
            changes.push_with(
                format!("request field `{name}` added (optional)"),
                Impact::Compatible,
                &n.description,
            );
        }
    }
}

fn diff_readable(old: &[Field], new: &[Field], what: &str, changes: &mut Changes) {
    for o in old {
        match new.iter().find(|n| n.name == o.name) {
            None => changes.push_with(
                format!("{what} `{}` removed", o.name),
                Impact::Breaking,
                &o.description,
            ),
            Some(n) => {
                diff_type(&o.ty, &n.ty, &o.name, what, false, changes);
                diff_deprecation(o, n, &o.name, what, changes);
            }
        }
    }
    for n in new {
        if !old.iter().any(|o| o.name == n.name) {
            changes.push_with(
                format!("{what} `{}` added", n.name),
                Impact::Compatible,
                &n.description,
            );
        }
    }
}

fn diff_type(old: &Type, new: &Type, name: &str, what: &str, request: bool, changes: &mut Changes) {
    match (old, new) {
        // A rebuilt request structure: compare its fields, which are API of their own.
        (Type::Struct { fields: o }, Type::Struct { fields: n }) if request => {
            diff_request(o, n, &format!("{name}."), false, changes)
        }
        (Type::List { item: o }, Type::List { item: n }) => {
            if matches!((&**o, &**n), (Type::Struct { .. }, Type::Struct { .. })) {
                diff_type(o, n, name, what, request, changes)
            } else if o != n {
                changes.push(type_changed(what, name, old, new), Impact::Breaking)
            }
        }
        _ if old != new => changes.push(type_changed(what, name, old, new), Impact::Breaking),
        _ => {}
    }
}

fn type_changed(what: &str, name: &str, old: &Type, new: &Type) -> String {
    format!(
        "{what} `{name}` changed type from `{}` to `{}`",
        old.describe(),
        new.describe()
    )
}

fn diff_deprecation(old: &Field, new: &Field, name: &str, what: &str, changes: &mut Changes) {
    match (&old.deprecated, &new.deprecated) {
        (None, Some(note)) => changes.push(
            format!("{what} `{name}` deprecated (\"{note}\")"),
            Impact::Compatible,
        ),
        (Some(_), None) => changes.push(
            format!("{what} `{name}` no longer deprecated"),
            Impact::Compatible,
        ),
        _ => {}
    }
}
