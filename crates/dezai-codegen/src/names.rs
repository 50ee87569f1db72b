//! Rust names for wire names, by the one rule of [`dezai_spec::names`]:
//! `DescribeUDBInstanceBackupURL` → `DescribeUdbInstanceBackupUrl` (types) and
//! `describe_udb_instance_backup_url` (functions, modules, fields), with keywords made legal and
//! fields of one structure kept distinct.

use dezai_spec::Field;
use dezai_spec::names::Namer;
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
pub(crate) const REQUEST_RESERVED: &[&str] = &[
    "new",
    "send",
    "into_request",
    "builder",
    "customize",
    "into_paginator",
    "on",
    "with_call",
];

/// Names a response's fields may not take: its builder's setters are named after its fields,
/// next to `build` and `meta`.
pub(crate) const RESPONSE_RESERVED: &[&str] = &["unknown_fields", "build", "meta"];

/// Names a data model's fields may not take (see [`RESPONSE_RESERVED`]).
pub(crate) const MODEL_RESERVED: &[&str] = &["unknown_fields", "build"];

/// A snake_case identifier for a function or module.
pub(crate) fn snake(namer: &Namer, wire: &str) -> Ident {
    ident(&namer.snake_name(wire))
}

/// An UpperCamelCase type name.
pub(crate) fn camel(namer: &Namer, wire: &str) -> String {
    namer.type_name(wire)
}

/// The identifiers of one struct's fields, in order, distinct from each other and from
/// `reserved` (see [`Namer::field_names`]).
pub(crate) fn field_idents(namer: &Namer, fields: &[Field], reserved: &[&str]) -> Vec<Ident> {
    namer
        .field_names(fields.iter().map(|f| f.name.as_str()), reserved)
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
        let n = Namer::for_product("udb");
        assert_eq!(
            camel(&n, "DescribeUDBInstanceBackupURL"),
            "DescribeUdbInstanceBackupUrl"
        );
        assert_eq!(
            snake(&n, "DescribeUDBInstanceBackupURL").to_string(),
            "describe_udb_instance_backup_url"
        );
        assert_eq!(snake(&n, "Type").to_string(), "r#type");
        assert_eq!(snake(&n, "Self").to_string(), "self_");
        assert_eq!(snake(&n, "MD5").to_string(), "md5");
        assert_eq!(snake(&n, "_").to_string(), "field");
        assert_eq!(snake(&n, "95Bandwidth").to_string(), "_95_bandwidth");
    }
}
