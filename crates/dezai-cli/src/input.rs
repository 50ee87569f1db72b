//! Requests from files: `--generate-skeleton` prints an action's parameters as a JSON object
//! whose values say each one's documented type and whether it is required (`"<int, required>"`,
//! lists as one item, structures and data models as objects); `--input-json FILE|-` reads such
//! an object back, leaves out whatever still holds its placeholder, and takes the flags given on
//! the command line over it. Nested and list parameters are JSON as the flags take them.

use clap::{Arg, ArgAction, ArgMatches};
use dezai_spec::protocol::ConfigParam;
use dezai_spec::{Action, Field, Type};
use serde_json::{Map, Value};

/// Data models nested deeper than this are left as `"<object>"` (a model may hold itself).
const MAX_DEPTH: usize = 6;

/// The flags of every action command.
pub(crate) fn args() -> [Arg; 2] {
    [
        Arg::new("generate-skeleton")
            .long("generate-skeleton")
            .action(ArgAction::SetTrue)
            .conflicts_with("input-json")
            .help_heading("Requests from files")
            .help("Print the action's parameters as JSON (types, required ones marked) and exit"),
        Arg::new("input-json")
            .long("input-json")
            .value_name("FILE")
            .help_heading("Requests from files")
            .help(
                "Read the parameters from this JSON file (- for standard input); flags given win",
            ),
    ]
}

/// The skeleton of `action`'s own parameters (the configuration's aside).
pub(crate) fn skeleton(action: &Action) -> Value {
    Value::Object(fields(action, own(&action.request), 0))
}

fn own(fields: &[Field]) -> impl Iterator<Item = &Field> {
    fields
        .iter()
        .filter(|f| ConfigParam::from_wire_name(&f.name).is_none())
}

fn fields<'a>(
    action: &Action,
    fields: impl Iterator<Item = &'a Field>,
    depth: usize,
) -> Map<String, Value> {
    fields
        .map(|f| (f.name.clone(), value(action, &f.ty, f.required, depth)))
        .collect()
}

fn value(action: &Action, ty: &Type, required: bool, depth: usize) -> Value {
    let placeholder = |name: &str| {
        let mark = if required { ", required" } else { "" };
        Value::String(format!("<{name}{mark}>"))
    };
    match ty {
        Type::String => placeholder("string"),
        Type::Int => placeholder("int"),
        Type::Float => placeholder("float"),
        Type::Bool => placeholder("bool"),
        Type::Object => placeholder("object"),
        Type::List { item } => Value::Array(vec![value(action, item, required, depth + 1)]),
        Type::Struct { fields: inner } => Value::Object(fields(action, inner.iter(), depth + 1)),
        Type::Model { name } => match action.model(name).filter(|_| depth < MAX_DEPTH) {
            Some(model) => Value::Object(fields(action, model.fields.iter(), depth + 1)),
            None => placeholder("object"),
        },
    }
}

/// Whether `value` is one of the skeleton's placeholders.
fn is_placeholder(value: &Value) -> bool {
    let Some(text) = value.as_str() else {
        return false;
    };
    let Some(inner) = text.strip_prefix('<').and_then(|t| t.strip_suffix('>')) else {
        return false;
    };
    let kind = inner.strip_suffix(", required").unwrap_or(inner);
    matches!(kind, "string" | "int" | "float" | "bool" | "object")
}

/// `value` without its placeholders: a list or object left empty by them is left out too.
fn filled(value: Value) -> Option<Value> {
    match value {
        v if is_placeholder(&v) => None,
        Value::Array(items) => {
            let items: Vec<Value> = items.into_iter().filter_map(filled).collect();
            (!items.is_empty()).then_some(Value::Array(items))
        }
        Value::Object(map) => {
            let map: Map<String, Value> = map
                .into_iter()
                .filter_map(|(k, v)| Some((k, filled(v)?)))
                .collect();
            (!map.is_empty()).then_some(Value::Object(map))
        }
        other => Some(other),
    }
}

/// The request: `--input-json`'s object (if given), the flags given over it; a required
/// parameter missing from both is an error naming its flag.
pub(crate) fn request(
    product: &str,
    action: &Action,
    args: &ArgMatches,
    flags: Map<String, Value>,
) -> Result<Map<String, Value>, String> {
    let mut request = match args.get_one::<String>("input-json") {
        None => return Ok(flags),
        Some(path) => read(path)?,
    };
    request.extend(flags);
    for field in own(&action.request).filter(|f| f.required) {
        if !request.contains_key(&field.name) {
            let flag = crate::flags::flag_name(product, &action.name, &field.name);
            return Err(format!(
                "`{}` is required: give it in the JSON or as {flag}",
                field.name
            ));
        }
    }
    Ok(request)
}

fn read(path: &str) -> Result<Map<String, Value>, String> {
    let text = if path == "-" {
        std::io::read_to_string(std::io::stdin())
            .map_err(|e| format!("cannot read standard input: {e}"))?
    } else {
        std::fs::read_to_string(path).map_err(|e| format!("cannot read {path}: {e}"))?
    };
    match serde_json::from_str::<Value>(&text) {
        Ok(Value::Object(map)) => Ok(map
            .into_iter()
            .filter_map(|(k, v)| Some((k, filled(v)?)))
            .collect()),
        Ok(_) => Err(format!("{path}: expected a JSON object of parameters")),
        Err(e) => Err(format!("{path} is not JSON: {e}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn field(name: &str, ty: Type, required: bool) -> Field {
        Field {
            name: name.into(),
            ty,
            required,
            description: String::new(),
            deprecated: None,
            aliases: Vec::new(),
            documented: true,
            line: 1,
        }
    }

    #[test]
    fn a_nested_skeleton_filled_in_is_the_request_the_json_flags_make() {
        let disk = Type::Struct {
            fields: vec![
                field("Size", Type::Int, true),
                field("Type", Type::String, false),
            ],
        };
        let mut action: Action = serde_json::from_str(
            r#"{"name": "CreateFixtureHost", "summary": "", "description": "", "source": "x/c.md",
                "request": [], "response": [], "models": [], "request_example": [], "warnings": []}"#,
        )
        .unwrap();
        action.request = vec![
            field("Region", Type::String, true),
            field("Name", Type::String, true),
            field(
                "Disks",
                Type::List {
                    item: Box::new(disk),
                },
                false,
            ),
            field(
                "Tags",
                Type::List {
                    item: Box::new(Type::String),
                },
                false,
            ),
            field(
                "Network",
                Type::Struct {
                    fields: vec![field("VPCId", Type::String, false)],
                },
                false,
            ),
        ];
        let skeleton = skeleton(&action);
        assert_eq!(
            skeleton,
            json!({
                "Name": "<string, required>",
                "Disks": [{"Size": "<int, required>", "Type": "<string>"}],
                "Tags": ["<string>"],
                "Network": {"VPCId": "<string>"}
            }),
            "the configuration's Region is the global flag's"
        );
        // Filled in the way a user edits it: some placeholders replaced, the rest left.
        let mut edited = skeleton;
        edited["Name"] = json!("web");
        edited["Disks"][0]["Size"] = json!(20);
        edited["Tags"] = json!(["a", "b"]);
        let request = filled(edited).unwrap();
        assert_eq!(
            request,
            json!({"Name": "web", "Disks": [{"Size": 20}], "Tags": ["a", "b"]}),
            "as --name web --disks '[{{\"Size\": 20}}]' --tags a --tags b give it"
        );
    }

    #[test]
    fn placeholders_are_left_out_and_values_kept() {
        let given = json!({
            "DBId": "udb-1",
            "Limit": "<int>",
            "Disks": [{"Size": 20, "Type": "<string>"}, {"Size": "<int, required>"}],
            "Tags": ["<string>"],
            "Note": "<not a placeholder>"
        });
        assert_eq!(
            filled(given),
            Some(json!({"DBId": "udb-1", "Disks": [{"Size": 20}], "Note": "<not a placeholder>"}))
        );
    }
}
