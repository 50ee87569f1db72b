//! Fixture helpers shared by the parser's integration tests.
#![allow(dead_code, unreachable_pub)]

use dezai_spec::{Action, Field, Type, WarningKind};

/// A minimal valid document around the given request rows, response rows and trailing text
/// (data models, examples). Rows are written as in a document: `| **Name** | string | d |No|`.
pub fn doc(request_rows: &str, response_rows: &str, rest: &str) -> String {
    format!(
        "# Do a thing - DoThing\n\n## Overview\n\nDoes a thing.\n\n## Definition\n\n### Public Parameters\n\n\
         | Parameter Name | Type | Description Information | Required |\n|:---|:---|:---|:---|\n\
         | **Action** | string | Corresponding API command name, the current API is `DoThing`. | **Yes** |\n\
         | **PublicKey** | string | The user's public key. | **Yes** |\n\
         | **Signature** | string | User signature. | **Yes** |\n\n\
         ### Request Parameters\n\n\
         | Parameter Name | Type | Description Information | Required |\n|:---|:---|:---|:---|\n\
         | **Region** | string | Region. |**Yes**|\n{request_rows}\n\n\
         ### Response Field\n\n\
         | Field Name | Type | Description Information | Required |\n|:---|:---|:---|:---|\n\
         | **RetCode** | int | Return status code. |**Yes**|\n\
         | **Action** | string | Operation command name. |**Yes**|\n{response_rows}\n\n{rest}"
    )
}

/// Parses a fixture, panicking with the errors if it does not parse.
pub fn parse(text: &str) -> Action {
    match dezai_docs::parse_document("test/doc.md", text) {
        Ok(action) => action,
        Err(e) => panic!("fixture did not parse:\n{e}"),
    }
}

/// Parses a fixture that must fail, returning the rendered errors.
pub fn parse_err(text: &str) -> String {
    match dezai_docs::parse_document("test/doc.md", text) {
        Ok(action) => panic!("fixture parsed but should not: {action:#?}"),
        Err(e) => e.to_string(),
    }
}

pub fn field<'a>(fields: &'a [Field], name: &str) -> &'a Field {
    fields
        .iter()
        .find(|f| f.name == name)
        .unwrap_or_else(|| panic!("no field {name} in {fields:#?}"))
}

pub fn list(item: Type) -> Type {
    Type::List {
        item: Box::new(item),
    }
}

pub fn kinds(action: &Action) -> Vec<WarningKind> {
    action.warnings.iter().map(|w| w.kind).collect()
}

/// The 1-based line of the first line containing `needle`.
pub fn line_of(text: &str, needle: &str) -> u32 {
    text.lines()
        .position(|l| l.contains(needle))
        .map(|i| i as u32 + 1)
        .unwrap_or_else(|| panic!("{needle} not in fixture"))
}

/// The fields of a rebuilt structure, through list wrappers.
pub fn struct_fields(ty: &Type) -> &[Field] {
    match ty {
        Type::Struct { fields } => fields,
        Type::List { item } => struct_fields(item),
        other => panic!("not a structure: {other:?}"),
    }
}
