//! The two examples of a document, and where they disagree with its tables.
//!
//! Tables are the contract and examples illustrate, so nothing here fails a document: each
//! disagreement becomes a [`Warning`] resolved as [`WarningKind`] documents.

use std::collections::BTreeMap;

use dezai_spec::{ExampleParam, Field, Model, PUBLIC_PARAMETERS, Type, Warning, WarningKind};
use serde_json::Value;

use crate::fields::rust_name;
use crate::markdown::CodeBlock;

/// A parsed request example.
pub(crate) struct RequestExample {
    /// `scheme://host` of the example URL.
    pub endpoint: Option<String>,
    pub line: u32,
    pub params: Vec<(ExampleParam, u32)>,
}

/// Reads a request example: a URL with a query string, usually one `&name=value` per line.
/// Values are kept exactly as written.
pub(crate) fn parse_request_example(block: &CodeBlock) -> RequestExample {
    let mut example = RequestExample {
        endpoint: None,
        line: block.line,
        params: Vec::new(),
    };
    for (i, line) in block.text.lines().enumerate() {
        let line_no = block.line + u32::try_from(i).unwrap_or(u32::MAX - block.line);
        let mut query = line.trim();
        if let Some(scheme_end) = query.find("://") {
            let (url, rest) = query.split_once('?').unwrap_or((query, ""));
            let host_end = url[scheme_end + 3..]
                .find('/')
                .map_or(url.len(), |i| scheme_end + 3 + i);
            if example.endpoint.is_none() {
                example.endpoint = Some(url[..host_end].to_owned());
                example.line = line_no;
            }
            query = rest;
        }
        for pair in query.split('&') {
            let pair = pair.trim().trim_start_matches('?');
            if pair.is_empty() {
                continue;
            }
            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
            example.params.push((
                ExampleParam {
                    name: name.trim().to_owned(),
                    value: value.trim().to_owned(),
                },
                line_no,
            ));
        }
    }
    example
}

/// Reads a request example in any of the shapes documents use: a URL with a query string, a
/// JSON body (the JSON-body variants of some actions), or an HTTP transcript around either.
/// Returns the example and, when the block was not plainly readable, what was wrong with it.
pub(crate) fn read_request_example(block: &CodeBlock) -> (RequestExample, Option<(u32, String)>) {
    let (body_block, transcript) = match transcript_body(&block.text) {
        Some((skipped, body)) => (
            CodeBlock {
                line: block.line + u32::try_from(skipped).unwrap_or(0),
                info: block.info.clone(),
                text: body.to_owned(),
            },
            true,
        ),
        None => (block.clone(), false),
    };
    let note = |problem: Option<(u32, String)>| {
        problem.or_else(|| {
            transcript.then(|| {
                (
                    block.line,
                    "the request example is an HTTP transcript; its body is used".to_owned(),
                )
            })
        })
    };
    if !body_block.text.trim_start().starts_with('{') {
        return (parse_request_example(&body_block), note(None));
    }
    let read = read_json_example(&body_block);
    let mut example = RequestExample {
        endpoint: None,
        line: body_block.line,
        params: Vec::new(),
    };
    if let Some(Value::Object(map)) = &read.value {
        for (key, value) in map {
            flatten_json(key, value, body_block.line, &mut example.params);
        }
    }
    (example, note(read.problem))
}

/// A JSON request body as the flat parameters the wire would carry (`Disks.0.Size`).
fn flatten_json(name: &str, value: &Value, line: u32, out: &mut Vec<(ExampleParam, u32)>) {
    let mut push = |value: String| {
        out.push((
            ExampleParam {
                name: name.to_owned(),
                value,
            },
            line,
        ))
    };
    match value {
        Value::Null => {}
        Value::String(s) => push(s.clone()),
        Value::Bool(_) | Value::Number(_) => push(value.to_string()),
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                flatten_json(&format!("{name}.{i}"), item, line, out);
            }
        }
        Value::Object(map) => {
            for (key, item) in map {
                flatten_json(&format!("{name}.{key}"), item, line, out);
            }
        }
    }
}

/// What reading an example's JSON gave: the value, if any could be read, and what was wrong
/// with the text as written (for an [`WarningKind::InvalidExample`] warning).
pub(crate) struct ReadJson {
    pub value: Option<Value>,
    pub problem: Option<(u32, String)>,
}

/// Whether a block is an HTTP transcript (`HTTP/1.1 200 OK` or `POST / HTTP/1.1` followed by
/// headers), whose body follows the first blank line.
fn transcript_body(text: &str) -> Option<(usize, &str)> {
    let first = text.lines().find(|l| !l.trim().is_empty())?.trim();
    let is_status = first.starts_with("HTTP/");
    let is_request = first
        .rsplit_once(' ')
        .is_some_and(|(_, version)| version.starts_with("HTTP/"));
    if !is_status && !is_request {
        return None;
    }
    // The body starts after the first blank line that follows the start line.
    let start = text.find(first).unwrap_or(0);
    let mut offset = start;
    for line in text[start..].split_inclusive('\n') {
        offset += line.len();
        if line.trim().is_empty() {
            let skipped = text[..offset].matches('\n').count();
            return Some((skipped, &text[offset..]));
        }
    }
    Some((text.matches('\n').count(), ""))
}

/// Reads an example block as a JSON object. Examples illustrate and the tables are the
/// contract, so nothing here is an error: a transcript's body is read, JSON with trailing
/// commas is read without them, and anything else leaves no value, each with the problem
/// stated.
pub(crate) fn read_json_example(block: &CodeBlock) -> ReadJson {
    let (skipped, body) = match transcript_body(&block.text) {
        Some((skipped, body)) => (skipped, body),
        None => (0, block.text.as_str()),
    };
    let base = block.line + u32::try_from(skipped).unwrap_or(0);
    let line_of = |json_line: usize| base + u32::try_from(json_line.saturating_sub(1)).unwrap_or(0);
    let transcript = (skipped > 0)
        .then(|| "the example is an HTTP transcript; its JSON body is used".to_owned());
    let parsed = serde_json::from_str::<Value>(body);
    let (value, problem) = match parsed {
        Ok(value) => (Some(value), transcript.map(|t| (block.line, t))),
        Err(e) => {
            let fixed = without_trailing_commas(body);
            match serde_json::from_str::<Value>(&fixed) {
                Ok(value) if fixed != body => (
                    Some(value),
                    Some((
                        line_of(e.line()),
                        format!(
                            "the example is not valid JSON ({e}); read with its trailing commas removed"
                        ),
                    )),
                ),
                _ => (
                    None,
                    Some((
                        line_of(e.line()),
                        format!("the example is not valid JSON ({e}); ignored"),
                    )),
                ),
            }
        }
    };
    match value {
        Some(Value::Object(map)) => ReadJson {
            value: Some(Value::Object(map)),
            problem,
        },
        Some(_) => ReadJson {
            value: None,
            problem: Some((base, "the example is not a JSON object; ignored".into())),
        },
        None => ReadJson {
            value: None,
            problem,
        },
    }
}

/// The text with every comma that directly precedes `}` or `]` (whitespace aside) removed,
/// outside strings.
fn without_trailing_commas(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut in_string = false;
    let mut escaped = false;
    let mut pending: Option<usize> = None;
    for c in text.chars() {
        if in_string {
            out.push(c);
            match (escaped, c) {
                (true, _) => escaped = false,
                (false, '\\') => escaped = true,
                (false, '"') => in_string = false,
                _ => {}
            }
            continue;
        }
        match c {
            ',' => {
                pending = Some(out.len());
                out.push(c);
                continue;
            }
            '}' | ']' => {
                if let Some(at) = pending {
                    out.remove(at);
                }
            }
            '"' => in_string = true,
            _ => {}
        }
        if !c.is_whitespace() {
            pending = None;
        }
        out.push(c);
    }
    out
}

fn matches_loosely(written: &str, documented: &str) -> bool {
    written.eq_ignore_ascii_case(documented) || rust_name(written) == rust_name(documented)
}

fn add_alias(field: &mut Field, alias: &str) -> bool {
    if field.aliases.iter().any(|a| a == alias) {
        return false;
    }
    field.aliases.push(alias.to_owned());
    field.aliases.sort();
    true
}

/// Compares the request example with the request fields.
pub(crate) fn check_request_example(
    action: &str,
    example: &RequestExample,
    fields: &mut [Field],
    warnings: &mut Vec<Warning>,
) {
    let mut seen: BTreeMap<&str, Vec<(&str, u32)>> = BTreeMap::new();
    for (param, line) in &example.params {
        seen.entry(&param.name)
            .or_default()
            .push((&param.value, *line));
    }
    for (name, uses) in &seen {
        if uses.len() > 1 {
            let values: Vec<String> = uses.iter().map(|(v, _)| format!("`{v}`")).collect();
            warnings.push(Warning {
                kind: WarningKind::RepeatedParameter,
                line: uses[1].1,
                message: format!(
                    "request example sends `{name}` {} times ({}); the example keeps every value, \
                     readers that need one take the first",
                    uses.len(),
                    values.join(", ")
                ),
            });
        }
    }

    for (param, line) in &example.params {
        let name = param.name.as_str();
        if name == "Action" {
            if param.value != action {
                warnings.push(Warning {
                    kind: WarningKind::ExampleActionMismatch,
                    line: *line,
                    message: format!(
                        "request example calls `{}` but the document is for `{action}`; the title's name is used",
                        param.value
                    ),
                });
            }
            continue;
        }
        if PUBLIC_PARAMETERS.contains(&name) || name == "SecurityToken" {
            continue;
        }
        let segments: Vec<&str> = name.split('.').collect();
        let Some(found) = lookup(fields, &segments) else {
            warnings.push(Warning {
                kind: WarningKind::UnknownExampleParameter,
                line: *line,
                message: format!(
                    "request example sends `{name}`, which the Request Parameters table does not list; ignored"
                ),
            });
            continue;
        };
        if let Some(documented) = &found.case_mismatch {
            let written = segments
                .iter()
                .rev()
                .find(|s| !is_index(s))
                .copied()
                .unwrap_or(name);
            if add_alias(field_at(fields, &found.path), written) {
                warnings.push(Warning {
                    kind: WarningKind::CaseAlias,
                    line: *line,
                    message: format!(
                        "request example writes `{written}` where the table has `{documented}`; \
                         accepted as an alias of `{documented}`"
                    ),
                });
            }
        }
        if !value_fits(&param.value, &found.ty) {
            warnings.push(Warning {
                kind: WarningKind::ExampleTypeMismatch,
                line: *line,
                message: format!(
                    "request example gives `{}` for `{name}`, documented as `{}`; the table's type wins",
                    param.value,
                    found.ty.describe()
                ),
            });
        }
    }
}

fn is_index(segment: &str) -> bool {
    !segment.is_empty() && segment.bytes().all(|b| b.is_ascii_digit())
}

/// Where a flattened example name lands in the request's fields.
struct Found {
    /// Indexes of the field at each structure level.
    path: Vec<usize>,
    /// The documented spelling, when the example's differs in case.
    case_mismatch: Option<String>,
    /// The type at that place (after list indexes are applied).
    ty: Type,
}

fn lookup(fields: &[Field], segments: &[&str]) -> Option<Found> {
    let (first, mut rest) = segments.split_first()?;
    if is_index(first) {
        return None;
    }
    let (index, case_mismatch) = match fields.iter().position(|f| f.name == *first) {
        Some(i) => (i, None),
        None => {
            let i = fields
                .iter()
                .position(|f| matches_loosely(first, &f.name))?;
            (i, Some(fields[i].name.clone()))
        }
    };
    let mut ty = &fields[index].ty;
    while let (Some(segment), Type::List { item }) = (rest.first(), ty) {
        if !is_index(segment) {
            break;
        }
        ty = item;
        rest = &rest[1..];
    }
    if rest.is_empty() {
        return Some(Found {
            path: vec![index],
            case_mismatch,
            ty: ty.clone(),
        });
    }
    let Type::Struct { fields: inner } = ty else {
        return None;
    };
    let mut found = lookup(inner, rest)?;
    found.path.insert(0, index);
    if case_mismatch.is_some() && found.case_mismatch.is_none() {
        found.case_mismatch = case_mismatch;
    }
    Some(found)
}

fn field_at<'f>(fields: &'f mut [Field], path: &[usize]) -> &'f mut Field {
    let (first, rest) = path.split_first().expect("lookup returns a non-empty path");
    let field = &mut fields[*first];
    if rest.is_empty() {
        return field;
    }
    field_at(
        struct_fields_mut(&mut field.ty).expect("lookup walked through a structure"),
        rest,
    )
}

fn struct_fields_mut(ty: &mut Type) -> Option<&mut [Field]> {
    match ty {
        Type::Struct { fields } => Some(fields),
        Type::List { item } => struct_fields_mut(item),
        _ => None,
    }
}

fn value_fits(value: &str, ty: &Type) -> bool {
    match ty {
        Type::Int => value.parse::<i64>().is_ok(),
        Type::Float => value.parse::<f64>().is_ok(),
        Type::Bool => value.eq_ignore_ascii_case("true") || value.eq_ignore_ascii_case("false"),
        // A list or structure given as one plain value is a mismatch in shape.
        Type::List { .. } | Type::Struct { .. } => false,
        Type::String | Type::Object | Type::Model { .. } => true,
    }
}

/// Compares the response example with the response fields and data models. Undocumented
/// fields are added (to the response or to the model whose object shows them); case variants
/// become aliases.
pub(crate) struct ResponseCheck<'a> {
    pub block: &'a CodeBlock,
    pub models: &'a mut Vec<Model>,
    pub warnings: &'a mut Vec<Warning>,
}

/// Responses nest through models; a self-referencing model with a deep example stops here.
const MAX_DEPTH: usize = 32;

impl ResponseCheck<'_> {
    pub(crate) fn check(&mut self, example: &Value, fields: &mut Vec<Field>) {
        if let Value::Object(map) = example {
            self.check_object(map, fields, "", "Response Field table", 0);
        }
    }

    fn line_of_key(&self, key: &str) -> u32 {
        let quoted = format!("\"{key}\"");
        match self.block.text.find(&quoted) {
            Some(offset) => {
                let newlines = self.block.text[..offset].matches('\n').count();
                self.block.line + u32::try_from(newlines).unwrap_or(0)
            }
            None => self.block.line,
        }
    }

    fn check_object(
        &mut self,
        map: &serde_json::Map<String, Value>,
        fields: &mut Vec<Field>,
        path: &str,
        table: &str,
        depth: usize,
    ) {
        if depth > MAX_DEPTH {
            return;
        }
        for (key, value) in map {
            let shown = format!("{path}{key}");
            let line = self.line_of_key(key);
            let index = match fields.iter().position(|f| &f.name == key) {
                Some(i) => i,
                None => match fields.iter().position(|f| matches_loosely(key, &f.name)) {
                    Some(i) => {
                        if add_alias(&mut fields[i], key) {
                            self.warnings.push(Warning {
                                kind: WarningKind::CaseAlias,
                                line,
                                message: format!(
                                    "response example writes `{shown}` where the {table} has `{}`; \
                                     accepted as an alias of `{}`",
                                    fields[i].name, fields[i].name
                                ),
                            });
                        }
                        i
                    }
                    None => {
                        let ty = infer_type(value);
                        self.warnings.push(Warning {
                            kind: WarningKind::UndocumentedField,
                            line,
                            message: format!(
                                "response example has `{shown}`, which the {table} does not list; \
                                 added as an optional undocumented `{}` field",
                                ty.describe()
                            ),
                        });
                        fields.push(Field {
                            name: key.clone(),
                            ty,
                            required: false,
                            description: String::new(),
                            deprecated: None,
                            aliases: Vec::new(),
                            documented: false,
                            line,
                        });
                        continue;
                    }
                },
            };
            let ty = fields[index].ty.clone();
            self.check_value(value, &ty, &shown, line, depth);
        }
        for field in fields.iter() {
            let present = map
                .keys()
                .any(|k| *k == field.name || field.aliases.contains(k));
            if field.required && field.documented && !present {
                self.warnings.push(Warning {
                    kind: WarningKind::RequiredMissingFromExample,
                    line: field.line,
                    message: format!(
                        "`{path}{}` is marked required but the response example leaves it out; it stays \
                         required in the spec and readers treat it as optional",
                        field.name
                    ),
                });
            }
        }
    }

    fn check_value(&mut self, value: &Value, ty: &Type, shown: &str, line: u32, depth: usize) {
        let fits = match (ty, value) {
            (_, Value::Null) | (Type::Object, _) => true,
            (Type::String, Value::String(_))
            | (Type::Bool, Value::Bool(_))
            | (Type::Float, Value::Number(_)) => true,
            (Type::Int, Value::Number(n)) => n.is_i64() || n.is_u64(),
            (Type::List { item }, Value::Array(items)) => {
                for (i, v) in items.iter().enumerate() {
                    self.check_value(v, item, &format!("{shown}[{i}]"), line, depth + 1);
                }
                true
            }
            (Type::Model { name }, Value::Object(map)) => {
                if let Some(model_index) = self.models.iter().position(|m| &m.name == name) {
                    // Check against a copy, so that nested objects of this same model (a model
                    // that contains itself) see the model as documented; then merge what the
                    // check added (undocumented fields, aliases) back.
                    let mut model_fields = self.models[model_index].fields.clone();
                    let table = format!("data model `{name}`");
                    self.check_object(
                        map,
                        &mut model_fields,
                        &format!("{shown}."),
                        &table,
                        depth + 1,
                    );
                    merge_fields(&mut self.models[model_index].fields, model_fields);
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
            });
        }
    }
}

/// Adds to `into` the fields and aliases that `checked` (a checked copy of it) gained.
fn merge_fields(into: &mut Vec<Field>, checked: Vec<Field>) {
    for field in checked {
        match into.iter_mut().find(|f| f.name == field.name) {
            Some(existing) => {
                for alias in field.aliases {
                    add_alias(existing, &alias);
                }
            }
            None => into.push(field),
        }
    }
}

fn excerpt(value: &Value) -> String {
    let text = value.to_string();
    if text.chars().count() > 40 {
        format!("{}…", text.chars().take(40).collect::<String>())
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
