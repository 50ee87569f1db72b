//! Where the request example disagrees with the Request Parameters table: parameters the
//! table does not list, other spellings, repeats, values of another type, another `Action`.

use std::collections::{BTreeMap, HashMap};

use dezai_spec::protocol::RESERVED_PARAMETERS;
use dezai_spec::{Field, Subject, Type, Warning, WarningKind};

use crate::examples::RequestExample;
use crate::field_index::{FieldIndex, Match, add_alias};

/// Compares the request example with the request fields.
pub(crate) fn check_request_example(
    action: &str,
    example: &RequestExample,
    fields: &mut [Field],
    warnings: &mut Vec<Warning>,
) {
    // One index per structure reached, built on first use.
    let mut indexes: HashMap<Vec<usize>, FieldIndex> = HashMap::new();
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
                about: Some(Subject::request(name.to_string())),
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
                    about: None,
                });
            }
            continue;
        }
        if RESERVED_PARAMETERS.contains(&name) {
            continue;
        }
        let segments: Vec<&str> = name.split('.').collect();
        let Some(found) = lookup(
            fields,
            &segments,
            &param.value,
            &mut Vec::new(),
            &mut indexes,
        ) else {
            warnings.push(Warning {
                kind: WarningKind::UnknownExampleParameter,
                line: *line,
                message: format!(
                    "request example sends `{name}`, which the Request Parameters table does not list; ignored"
                ),
                about: Some(Subject::request(name.to_owned())),
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
                    about: Some(Subject::request(name.to_owned())),
                });
            }
        }
        if let Some(documented) = found.mismatch {
            warnings.push(Warning {
                kind: WarningKind::ExampleTypeMismatch,
                line: *line,
                message: format!(
                    "request example gives `{}` for `{name}`, documented as `{documented}`; the table's type wins",
                    param.value,
                ),
                about: Some(Subject::request(name.to_owned())),
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
    /// The documented type, when the example's value does not fit it.
    mismatch: Option<String>,
}

/// Finds the field that `segments` (a flattened name split at dots) names below the structure
/// at `prefix`, and checks `value` against its type.
fn lookup(
    fields: &[Field],
    segments: &[&str],
    value: &str,
    prefix: &mut Vec<usize>,
    indexes: &mut HashMap<Vec<usize>, FieldIndex>,
) -> Option<Found> {
    let (first, mut rest) = segments.split_first()?;
    if is_index(first) {
        return None;
    }
    let index = indexes
        .entry(prefix.clone())
        .or_insert_with(|| FieldIndex::new(fields));
    let (index, case_mismatch) = match index.find(first)? {
        Match::Exact(i) => (i, None),
        Match::Loose(i) => (i, Some(fields[i].name.clone())),
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
            mismatch: (!value_fits(value, ty)).then(|| ty.describe()),
        });
    }
    let Type::Struct { fields: inner } = ty else {
        return None;
    };
    prefix.push(index);
    let found = lookup(inner, rest, value, prefix, indexes);
    prefix.pop();
    let mut found = found?;
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
        field
            .ty
            .struct_fields_mut()
            .expect("lookup walked through a structure"),
        rest,
    )
}

fn value_fits(value: &str, ty: &Type) -> bool {
    match ty {
        // The protocol's reading of a value of the type (`dezai_spec::value`).
        Type::Int | Type::Float | Type::Bool => ty
            .scalar()
            .is_some_and(|scalar| scalar.parse_value(value).is_ok()),
        // A list or structure given as one plain value is a mismatch in shape.
        Type::List { .. } | Type::Struct { .. } => false,
        Type::String | Type::Object | Type::Model { .. } => true,
    }
}
