//! Rust names for wire names, by the one rule of [`dezai_spec::names`]:
//! `DescribeUDBInstanceBackupURL` → `DescribeUdbInstanceBackupUrl` (types) and
//! `describe_udb_instance_backup_url` (functions, modules, fields), with keywords made legal and
//! fields of one structure kept distinct.

use dezai_spec::{Field, Model};
use proc_macro2::{Ident, Span};

/// Words Rust reserves; a field named like one becomes a raw identifier (`r#type`).
const KEYWORDS: &[&str] = &[
    "abstract", "as", "async", "await", "become", "box", "break", "const", "continue", "do", "dyn",
    "else", "enum", "extern", "false", "final", "fn", "for", "gen", "if", "impl", "in", "let",
    "loop", "macro", "match", "mod", "move", "mut", "override", "priv", "pub", "ref", "return",
    "static", "struct", "trait", "true", "try", "type", "typeof", "unsafe", "unsized", "use",
    "virtual", "where", "while", "yield",
];

/// Keywords that cannot be raw identifiers; they get a trailing underscore instead.
const NOT_RAW: &[&str] = &["crate", "self", "super", "Self", "_"];

/// Names a request-like struct's fields may not take: its setters are named after its fields,
/// and these are the struct's and its call's own methods.
pub(crate) const REQUEST_RESERVED: &[&str] = &["new", "send", "into_request", "builder"];

/// Names a response or model struct's fields may not take.
pub(crate) const READ_RESERVED: &[&str] = &["unknown_fields"];

/// A snake_case identifier for a function or module.
pub(crate) fn snake(wire: &str) -> Ident {
    ident(&dezai_spec::names::snake_name(wire))
}

/// An UpperCamelCase type name.
pub(crate) fn camel(wire: &str) -> String {
    dezai_spec::names::type_name(wire)
}

/// The Rust type name of a data model: the one the spec records, else the derived one.
pub(crate) fn model_type(model: &Model) -> String {
    model
        .type_name
        .clone()
        .unwrap_or_else(|| camel(&model.name))
}

/// The identifiers of one struct's fields, in order, distinct from each other and from
/// `reserved` (see [`dezai_spec::names::field_names`]).
pub(crate) fn field_idents(fields: &[Field], reserved: &[&str]) -> Vec<Ident> {
    dezai_spec::names::field_names(fields.iter().map(|f| f.name.as_str()), reserved)
        .iter()
        .map(|name| ident(name))
        .collect()
}

/// An identifier from a name that is already in the right case.
pub(crate) fn ident(name: &str) -> Ident {
    if name.is_empty() {
        // A wire name with no letters or digits (`_`) has no snake_case form.
        Ident::new("field", Span::call_site())
    } else if NOT_RAW.contains(&name) {
        Ident::new(&format!("{name}_"), Span::call_site())
    } else if KEYWORDS.contains(&name) {
        Ident::new_raw(name, Span::call_site())
    } else if name.starts_with(|c: char| c.is_ascii_digit()) {
        Ident::new(&format!("_{name}"), Span::call_site())
    } else {
        Ident::new(name, Span::call_site())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert_eq!(
            camel("DescribeUDBInstanceBackupURL"),
            "DescribeUdbInstanceBackupUrl"
        );
        assert_eq!(
            snake("DescribeUDBInstanceBackupURL").to_string(),
            "describe_udb_instance_backup_url"
        );
        assert_eq!(snake("Type").to_string(), "r#type");
        assert_eq!(snake("Self").to_string(), "self_");
        assert_eq!(snake("MD5").to_string(), "md5");
        assert_eq!(snake("_").to_string(), "field");
        assert_eq!(snake("95Bandwidth").to_string(), "_95bandwidth");
    }
}
