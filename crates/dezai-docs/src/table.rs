//! Field tables: the four-column name/type/description/required tables of requests, responses
//! and data models, read into rows with their types parsed.

use dezai_spec::ScalarType;

use crate::error::DocError;
use crate::markdown::{Cell, Row, Table};

/// A field table's row, before flattened names are rebuilt and model names resolved.
#[derive(Debug, Clone)]
pub(crate) struct RawField {
    pub name: String,
    pub ty: TypeExpr,
    /// The type cell as written, for messages.
    pub ty_text: String,
    pub required: bool,
    pub description: String,
    pub line: u32,
    pub source: String,
}

/// A type as written, before data model names are checked against the document's models.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum TypeExpr {
    Scalar(ScalarType),
    List(Box<TypeExpr>),
    /// A model name; `linked` when written as a link (`[*Model*](#Model)`).
    Model {
        name: String,
        linked: bool,
    },
}

/// Whether a table is a field table: four columns reading name, type, description, required,
/// in English or Chinese.
pub(crate) fn is_field_table(table: &Table) -> bool {
    const COLUMNS: [&[&str]; 4] = [
        &["name", "名"],
        &["type", "类型"],
        &["desc", "描述", "说明"],
        &["required", "必填", "必选"],
    ];
    table.header.len() == 4
        && table.header.iter().zip(COLUMNS).all(|(cell, words)| {
            let text = cell.text.to_lowercase();
            words.iter().any(|w| text.contains(w))
        })
}

/// Reads the rows of a field table. Rows that cannot be read become errors; the rest are
/// returned so that one run reports every broken row.
pub(crate) fn read_fields(file: &str, table: &Table, errors: &mut Vec<DocError>) -> Vec<RawField> {
    let mut fields = Vec::new();
    for row in &table.rows {
        if row.written_cells != table.header.len() {
            errors.push(DocError::new(
                file,
                row.line,
                format!(
                    "table row has {} cells but the table has {} columns (an unescaped `|` in a \
                     description? write it as `\\|`)",
                    row.written_cells,
                    table.header.len()
                ),
                &row.source,
            ));
            continue;
        }
        match read_row(file, row) {
            Ok(field) => fields.push(field),
            Err(e) => errors.push(e),
        }
    }
    fields
}

fn read_row(file: &str, row: &Row) -> Result<RawField, DocError> {
    let err = |message: String| DocError::new(file, row.line, message, &row.source);
    let [name, ty, description, required] = &row.cells[..] else {
        return Err(err(format!(
            "table row has {} cells, expected 4",
            row.cells.len()
        )));
    };
    let name_text = name.text.trim();
    if name_text.is_empty() {
        return Err(err("table row has no field name".into()));
    }
    if !is_valid_wire_name(name_text) {
        let name_text = crate::error::short(name_text);
        return Err(err(format!(
            "field name `{name_text}` is not a valid parameter name (letters, digits, `_`, `-`, \
             and `.` between flattened segments)"
        )));
    }
    let ty_cell_text = ty.markdown.clone();
    let ty = parse_type(ty).map_err(|()| {
        err(format!(
            "unknown type `{}` for field `{name_text}`",
            crate::error::short(&ty.markdown)
        ))
    })?;
    let required = match required.text.trim().to_lowercase().as_str() {
        "yes" | "是" | "true" | "required" => true,
        "no" | "否" | "false" | "optional" => false,
        other => {
            return Err(err(format!(
                "required column of `{name_text}` reads `{other}`; expected `Yes` or `No`"
            )));
        }
    };
    Ok(RawField {
        name: name_text.to_owned(),
        ty,
        ty_text: ty_cell_text,
        required,
        description: description.markdown.clone(),
        line: row.line,
        source: row.source.clone(),
    })
}

fn is_valid_wire_name(name: &str) -> bool {
    name.split('.').all(|segment| {
        !segment.is_empty()
            && segment
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
    }) && name
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// Whether `name` can name a data model (and so become a Rust type name).
pub(crate) fn is_valid_model_name(name: &str) -> bool {
    name.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// Parses a type cell. The cell's plain text is used, so `[*Model*](#Model)` reads as `Model`
/// and `array[[*Model*](#Model)]` as `array[Model]`.
fn parse_type(cell: &Cell) -> Result<TypeExpr, ()> {
    parse_type_text(cell.text.trim(), cell.has_link)
}

/// How many `array[` a type may nest: published documents use one; more is a typo or an
/// attack, and must not exhaust the stack.
const MAX_ARRAY_NESTING: usize = 8;

fn parse_type_text(text: &str, linked: bool) -> Result<TypeExpr, ()> {
    let mut text = text.trim();
    let mut lists = 0;
    while text.len() > "array[".len()
        && text
            .get(.."array[".len())
            .is_some_and(|p| p.eq_ignore_ascii_case("array["))
        && text.ends_with(']')
    {
        lists += 1;
        if lists > MAX_ARRAY_NESTING {
            return Err(());
        }
        text = text["array[".len()..text.len() - 1].trim();
    }
    let mut ty = parse_scalar_or_model(text, linked)?;
    for _ in 0..lists {
        ty = TypeExpr::List(Box::new(ty));
    }
    Ok(ty)
}

fn parse_scalar_or_model(text: &str, linked: bool) -> Result<TypeExpr, ()> {
    if let Some(scalar) = ScalarType::parse(text) {
        return Ok(TypeExpr::Scalar(scalar));
    }
    if is_valid_model_name(text) {
        // An unlinked bare name is accepted only if the document defines a model by that name;
        // that is checked once all models are read.
        return Ok(TypeExpr::Model {
            name: text.to_owned(),
            linked,
        });
    }
    Err(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str, linked: bool) -> Result<TypeExpr, ()> {
        parse_type_text(text, linked)
    }

    #[test]
    fn types() {
        use ScalarType::*;
        assert_eq!(parse("string", false), Ok(TypeExpr::Scalar(String)));
        assert_eq!(parse("boolean", false), Ok(TypeExpr::Scalar(Bool)));
        assert_eq!(parse("bool", false), Ok(TypeExpr::Scalar(Bool)));
        assert_eq!(
            parse("array[int]", false),
            Ok(TypeExpr::List(Box::new(TypeExpr::Scalar(Int))))
        );
        assert_eq!(
            parse("array[BackupFile]", true),
            Ok(TypeExpr::List(Box::new(TypeExpr::Model {
                name: "BackupFile".into(),
                linked: true
            })))
        );
        assert_eq!(parse("array[string", false), Err(()));
        assert_eq!(parse("map<string>", false), Err(()));
    }
}
