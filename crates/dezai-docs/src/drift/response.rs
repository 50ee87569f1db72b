//! Where the response example disagrees with the Response Field table and the data models:
//! fields no table lists (added as undocumented), other spellings (aliases), values of another
//! type, required fields the example leaves out.
//!
//! Linear in the example and the tables: fields are found through [`FieldIndex`]es, key lines
//! come from one scan of the example's text, and each table's required fields are checked
//! against the first object that shows it only.

use std::collections::{HashMap, HashSet};

use dezai_spec::{Field, Model, Subject, Type, Warning, WarningKind};
use serde_json::{Map, Value};

use crate::field_index::{FieldIndex, Match, add_alias};
use crate::markdown::CodeBlock;

/// Responses nest through models; a self-referencing model with a deep example stops here.
const MAX_DEPTH: usize = 32;

/// The response's fields and each model's, while the example is checked against them.
struct Table {
    /// How messages name it (`Response Field table`, ``data model `BackupFile` ``).
    title: String,
    fields: Vec<Field>,
    index: FieldIndex,
}

/// Checks `example` against the response fields and the models, adding undocumented fields
/// and aliases to them and warnings for every disagreement.
pub(crate) fn check_response_example(
    block: &CodeBlock,
    example: &Value,
    response: &mut Vec<Field>,
    models: &mut [Model],
    warnings: &mut Vec<Warning>,
) {
    let Value::Object(map) = example else {
        return;
    };
    let mut tables = Vec::with_capacity(models.len() + 1);
    let mut table = |title: String, fields: Vec<Field>| {
        let index = FieldIndex::new(&fields);
        tables.push(Table {
            title,
            fields,
            index,
        });
    };
    table("Response Field table".into(), std::mem::take(response));
    for model in models.iter_mut() {
        table(
            format!("data model `{}`", model.name),
            std::mem::take(&mut model.fields),
        );
    }
    let mut check = Check {
        tables,
        models: models
            .iter()
            .enumerate()
            .map(|(i, m)| (m.name.clone(), i + 1))
            .collect(),
        key_lines: key_lines(block),
        first_line: block.line,
        required_checked: HashSet::new(),
        warnings,
    };
    check.object(0, map, "", 0);
    let mut tables = check.tables.into_iter();
    if let Some(t) = tables.next() {
        *response = t.fields;
    }
    for (model, t) in models.iter_mut().zip(tables) {
        model.fields = t.fields;
    }
}

struct Check<'w> {
    tables: Vec<Table>,
    /// Model name → index in `tables`.
    models: HashMap<String, usize>,
    key_lines: HashMap<String, u32>,
    first_line: u32,
    /// Tables whose required fields were compared with an object already.
    required_checked: HashSet<usize>,
    warnings: &'w mut Vec<Warning>,
}

impl Check<'_> {
    fn line_of_key(&self, key: &str) -> u32 {
        self.key_lines.get(key).copied().unwrap_or(self.first_line)
    }

    fn object(&mut self, t: usize, map: &Map<String, Value>, path: &str, depth: usize) {
        if depth > MAX_DEPTH {
            return;
        }
        for (key, value) in map {
            let line = self.line_of_key(key);
            let index = match self.tables[t].index.find(key) {
                Some(Match::Exact(i)) => i,
                Some(Match::Loose(i)) => {
                    let table = &mut self.tables[t];
                    let documented = table.fields[i].name.clone();
                    if add_alias(&mut table.fields[i], key) {
                        let title = table.title.clone();
                        self.warnings.push(Warning {
                            kind: WarningKind::CaseAlias,
                            line,
                            message: format!(
                                "response example writes `{path}{key}` where the {title} has \
                                 `{documented}`; accepted as an alias of `{documented}`"
                            ),
                            about: Some(Subject::response(format!("{path}{documented}"))),
                        });
                    }
                    i
                }
                None => {
                    self.undocumented(t, key, value, path, line);
                    continue;
                }
            };
            let ty = self.tables[t].fields[index].ty.clone();
            self.value(value, &ty, &format!("{path}{key}"), line, depth);
        }
        if self.required_checked.insert(t) {
            self.required_missing(t, map, path);
        }
    }

    fn undocumented(&mut self, t: usize, key: &str, value: &Value, path: &str, line: u32) {
        let ty = infer_type(value);
        let table = &mut self.tables[t];
        self.warnings.push(Warning {
            kind: WarningKind::UndocumentedField,
            line,
            message: format!(
                "response example has `{path}{key}`, which the {} does not list; added as an \
                 optional undocumented `{}` field",
                table.title,
                ty.describe()
            ),
            about: Some(Subject::response(format!("{path}{key}"))),
        });
        table.index.add(key, table.fields.len());
        table.fields.push(Field {
            name: key.to_owned(),
            ty,
            required: false,
            description: String::new(),
            deprecated: None,
            aliases: Vec::new(),
            documented: false,
            line,
        });
    }

    fn required_missing(&mut self, t: usize, map: &Map<String, Value>, path: &str) {
        for field in &self.tables[t].fields {
            let present =
                map.contains_key(&field.name) || field.aliases.iter().any(|a| map.contains_key(a));
            if field.required && field.documented && !present {
                self.warnings.push(Warning {
                    kind: WarningKind::RequiredMissingFromExample,
                    line: field.line,
                    message: format!(
                        "`{path}{}` is marked required but the response example leaves it out; it \
                         stays required in the spec and readers treat it as optional",
                        field.name
                    ),
                    about: Some(Subject::response(format!("{path}{}", field.name))),
                });
            }
        }
    }

    fn value(&mut self, value: &Value, ty: &Type, shown: &str, line: u32, depth: usize) {
        let fits = match (ty, value) {
            (_, Value::Null) | (Type::Object, _) => true,
            (Type::String, Value::String(_))
            | (Type::Bool, Value::Bool(_))
            | (Type::Float, Value::Number(_)) => true,
            (Type::Int, Value::Number(n)) => n.is_i64() || n.is_u64(),
            (Type::List { item }, Value::Array(items)) => {
                if depth < MAX_DEPTH {
                    for (i, v) in items.iter().enumerate() {
                        self.value(v, item, &format!("{shown}[{i}]"), line, depth + 1);
                    }
                }
                true
            }
            (Type::Model { name }, Value::Object(map)) => {
                if let Some(&t) = self.models.get(name) {
                    self.object(t, map, &format!("{shown}."), depth + 1);
                }
                true
            }
            (Type::Struct { fields }, Value::Object(_)) => !fields.is_empty(),
            _ => false,
        };
        if !fits {
            self.warnings.push(Warning {
                kind: WarningKind::ExampleTypeMismatch,
                line,
                message: format!(
                    "response example gives `{}` for `{shown}`, documented as `{}`; the table's type wins",
                    excerpt(value),
                    ty.describe()
                ),
                about: Some(Subject::response(shown)),
            });
        }
    }
}

/// The line of the first place each key is written (`"Key":`) in the example, from one scan of
/// its text. Keys written with escapes are not found and point at the block's first line.
fn key_lines(block: &CodeBlock) -> HashMap<String, u32> {
    let mut lines = HashMap::new();
    let text = block.text.as_bytes();
    let mut line = block.line;
    let mut i = 0;
    while i < text.len() {
        match text[i] {
            b'\n' => line += 1,
            b'"' => {
                let start = i + 1;
                let mut end = start;
                while end < text.len() && text[end] != b'"' {
                    if text[end] == b'\\' {
                        end += 1;
                    }
                    end += 1;
                }
                let after = text[end.min(text.len())..]
                    .iter()
                    .skip(1)
                    .find(|b| !b.is_ascii_whitespace());
                if after == Some(&b':') {
                    if let Ok(key) = std::str::from_utf8(&text[start..end.min(text.len())]) {
                        lines.entry(key.to_owned()).or_insert(line);
                    }
                }
                // Newlines inside a string (invalid JSON, but be exact) still count.
                let slice = &text[start..end.min(text.len())];
                line += u32::try_from(slice.iter().filter(|&&b| b == b'\n').count()).unwrap_or(0);
                i = end;
            }
            _ => {}
        }
        i += 1;
    }
    lines
}

/// At most 40 characters of a value's JSON, without serializing all of a large one.
fn excerpt(value: &Value) -> String {
    const MAX: usize = 40;
    struct Capped(String);
    impl std::io::Write for Capped {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            if self.0.len() > MAX * 4 {
                return Err(std::io::Error::other("enough"));
            }
            self.0.push_str(&String::from_utf8_lossy(buf));
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let mut out = Capped(String::new());
    let _ = serde_json::to_writer(&mut out, value);
    let text = out.0;
    if text.chars().count() > MAX {
        format!("{}…", text.chars().take(MAX).collect::<String>())
    } else {
        text
    }
}

/// The type of an undocumented field, from its example value. `null` and empty lists say
/// nothing, so they become free-form `object`.
pub(crate) fn infer_type(value: &Value) -> Type {
    match value {
        Value::String(_) => Type::String,
        Value::Bool(_) => Type::Bool,
        Value::Number(n) if n.is_i64() || n.is_u64() => Type::Int,
        Value::Number(_) => Type::Float,
        Value::Array(items) => match items.iter().find(|v| !v.is_null()) {
            Some(first) => Type::List {
                item: Box::new(infer_type(first)),
            },
            None => Type::List {
                item: Box::new(Type::Object),
            },
        },
        Value::Object(_) | Value::Null => Type::Object,
    }
}
