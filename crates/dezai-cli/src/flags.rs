//! An action's request fields as command-line flags, and the flags given back as the JSON
//! object `invoke` sends.
//!
//! - Names are the SDK's field names in kebab case (`DBId` → `--db-id`, `UHostIds` →
//!   `--uhost-ids`); two fields that would share one are numbered as the SDK numbers them.
//! - Scalars are parsed as their documented type by the protocol's rules
//!   (`dezai_spec::value`), with a message naming the flag and the type (`--backup-id abc`:
//!   "expected an integer").
//! - Lists of scalars are repeatable flags (`--uhost-ids a --uhost-ids b`).
//! - Structures, lists of structures, data models and free-form objects take JSON
//!   (`--disks '[{"Size": 20}]'`), sent flattened as the SDK sends them (`Disks.0.Size=20`).
//! - `Region`, `Zone` and `ProjectId` are the global `--region`, `--zone` and `--project-id`.

use clap::{Arg, ArgAction, ArgMatches};
use dezai_spec::names::Namer;
use dezai_spec::protocol::ConfigParam;
use dezai_spec::{Action, Field, ScalarType, Type};
use serde_json::{Map, Value};

/// Flag names clap and the global flags other than the configuration parameters' take (as
/// snake case, for numbering). Only the top command has `--version`, so an action's `Version`
/// field keeps `--version`.
const OTHER_RESERVED: [&str; 4] = ["profile", "base_url", "dry_run", "help"];

/// How a flag's text becomes a JSON value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// A scalar, read by the protocol's rules for its type.
    Scalar(ScalarType),
    /// A structure, list of structures, data model or free-form object, given as JSON.
    Json,
}

impl Kind {
    fn of(ty: &Type) -> (Kind, bool) {
        match ty {
            Type::Object | Type::Model { .. } | Type::Struct { .. } => (Kind::Json, false),
            Type::List { item } => match Kind::of(item) {
                (Kind::Json, _) | (_, true) => (Kind::Json, false),
                (scalar, false) => (scalar, true),
            },
            scalar => (scalar.scalar().map_or(Kind::Json, Kind::Scalar), false),
        }
    }

    fn value_name(self) -> &'static str {
        match self {
            Kind::Scalar(ScalarType::String) => "TEXT",
            Kind::Scalar(ScalarType::Int) => "INT",
            Kind::Scalar(ScalarType::Float) => "NUMBER",
            Kind::Scalar(ScalarType::Bool) => "true|false",
            Kind::Scalar(ScalarType::Object) | Kind::Json => "JSON",
        }
    }

    /// Parses one flag value; the message is what clap shows after the flag's name.
    fn parse(self, text: &str) -> Result<Value, String> {
        match self {
            Kind::Scalar(scalar) => scalar.parse_value(text).map_err(|e| e.to_string()),
            Kind::Json => serde_json::from_str(text).map_err(|e| format!("expected JSON: {e}")),
        }
    }
}

/// Flag names the action's own flags may not take, as snake case.
fn reserved() -> Vec<&'static str> {
    ConfigParam::ALL
        .iter()
        .map(|p| p.key())
        .chain(OTHER_RESERVED)
        .collect()
}

/// The flags of one action, in document order.
pub(crate) fn args(namer: &Namer, action: &Action) -> Vec<Arg> {
    named_fields(namer, action)
        .into_iter()
        .map(|(field, long)| arg(field, &long))
        .collect()
}

/// The action's own fields with their flags' long names (`db-id`): the SDK's field names in
/// kebab case, numbered around the global flags.
fn named_fields<'a>(namer: &Namer, action: &'a Action) -> Vec<(&'a Field, String)> {
    let fields = own_fields(action);
    let names = namer.field_names(fields.iter().map(|f| f.name.as_str()), &reserved());
    fields
        .into_iter()
        .zip(names)
        .map(|(field, name)| (field, name.replace('_', "-")))
        .collect()
}

/// Whether the action's document lists `Zone`, which a call by name is not given from the
/// configuration unless asked (the typed call fills it in because its spec says so).
pub(crate) fn takes_zone(action: &Action) -> bool {
    let zone = ConfigParam::Zone.wire_name();
    action.request.iter().any(|f| f.name == zone)
}

/// The flag of one of an action's request fields (`--db-id`), as [`args`] names it; the field's
/// wire name when the action is not in the embedded specs.
pub(crate) fn flag_name(product: &str, action: &str, field: &str) -> String {
    let found = crate::catalog::product(product)
        .and_then(|spec| spec.actions.iter().find(|a| a.name == action));
    found
        .and_then(|action| {
            named_fields(&Namer::for_product(product), action)
                .into_iter()
                .find(|(f, _)| f.name == field)
        })
        .map_or_else(|| field.to_owned(), |(_, long)| format!("--{long}"))
}

fn own_fields(action: &Action) -> Vec<&Field> {
    action
        .request
        .iter()
        .filter(|f| ConfigParam::from_wire_name(&f.name).is_none())
        .collect()
}

fn arg(field: &Field, long: &str) -> Arg {
    let (kind, repeated) = Kind::of(&field.ty);
    let mut help = plain_text(&field.description);
    if help.is_empty() {
        help = format!("`{}`", field.name);
    }
    if let Some(note) = &field.deprecated {
        help.push_str(&format!(" [deprecated: {note}]"));
    }
    if repeated {
        help.push_str(" (repeat the flag for each item)");
    }
    if kind == Kind::Json {
        help.push_str(" (JSON, sent flattened)");
    }
    let mut arg = Arg::new(field.name.clone())
        .long(long.to_owned())
        .value_name(kind.value_name())
        .help(help)
        .required(field.required)
        .value_parser(move |text: &str| kind.parse(text));
    if repeated {
        arg = arg.action(ArgAction::Append);
    }
    arg
}

/// The flags given, as the request's JSON object (wire names as keys).
pub(crate) fn request(action: &Action, matches: &ArgMatches) -> Map<String, Value> {
    let mut object = Map::new();
    for field in own_fields(action) {
        let (_, repeated) = Kind::of(&field.ty);
        // A command may leave some of the action's fields out (`backup list` pages itself).
        let Some(values) = matches.try_get_many::<Value>(&field.name).ok().flatten() else {
            continue;
        };
        let values: Vec<Value> = values.cloned().collect();
        let value = if repeated {
            Value::Array(values)
        } else {
            values.into_iter().next().unwrap_or(Value::Null)
        };
        object.insert(field.name.clone(), value);
    }
    object
}

/// A description for a terminal: Markdown links become their text, code marks go.
pub(crate) fn plain_text(markdown: &str) -> String {
    let mut out = String::with_capacity(markdown.len());
    let mut rest = markdown;
    while let Some(open) = rest.find('[') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        match (after.find("]("), after.find(')')) {
            (Some(close), Some(end)) if close < end => {
                out.push_str(&after[..close]);
                rest = &after[end + 1..];
            }
            _ => {
                out.push('[');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out.replace('`', "")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_named_like_global_flags_are_numbered_and_version_is_kept() {
        let field = |name: &str| Field {
            name: name.into(),
            ty: Type::String,
            required: false,
            description: String::new(),
            deprecated: None,
            aliases: Vec::new(),
            documented: true,
            line: 1,
        };
        let action = Action {
            request: vec![field("Profile"), field("Version"), field("Help"), field("Region")],
            ..serde_json::from_str(r#"{"name": "DoThing", "summary": "", "description": "", "source": "x/do_thing.md", "request": [], "response": [], "models": [], "request_example": [], "warnings": []}"#).unwrap()
        };
        let longs: Vec<String> = args(&Namer::for_product("x"), &action)
            .iter()
            .map(|a| a.get_long().unwrap_or_default().to_owned())
            .collect();
        assert_eq!(longs, ["profile-2", "version", "help-2"]);
    }

    #[test]
    fn links_become_their_text() {
        assert_eq!(
            plain_text("Region. See [List of Regions](/docs/api/summary/regionlist) `x`"),
            "Region. See List of Regions x"
        );
        assert_eq!(plain_text("a[0] b"), "a[0] b");
    }

    #[test]
    fn values_parse_as_their_type_with_a_message_naming_it() {
        let int = Kind::Scalar(ScalarType::Int);
        assert_eq!(int.parse("12"), Ok(Value::from(12)));
        assert!(
            int.parse("abc")
                .unwrap_err()
                .contains("expected an integer")
        );
        assert_eq!(
            Kind::Scalar(ScalarType::Bool).parse("TRUE"),
            Ok(Value::Bool(true))
        );
        assert!(Kind::Json.parse("{").unwrap_err().contains("expected JSON"));
        assert_eq!(
            Kind::of(&Type::List {
                item: Box::new(Type::Int)
            }),
            (Kind::Scalar(ScalarType::Int), true)
        );
    }
}
