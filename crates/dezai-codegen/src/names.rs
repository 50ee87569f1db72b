//! Rust names for wire names: `DescribeUDBInstanceBackupURL` → `DescribeUdbInstanceBackupUrl`
//! (types, as aws-sdk-rust spells them) and `describe_udb_instance_backup_url` (functions,
//! modules, fields), with keywords made legal.

use heck::{ToSnakeCase, ToUpperCamelCase};
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

/// A snake_case identifier for a field, function or module.
pub(crate) fn snake(wire: &str) -> Ident {
    let name = wire.to_snake_case();
    ident(&name)
}

/// The snake_case name as a string (before keyword handling), for collision checks.
pub(crate) fn snake_str(wire: &str) -> String {
    wire.to_snake_case()
}

/// An UpperCamelCase type name.
pub(crate) fn camel(wire: &str) -> String {
    wire.to_upper_camel_case()
}

/// An identifier from a name that is already in the right case.
pub(crate) fn ident(name: &str) -> Ident {
    if NOT_RAW.contains(&name) {
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
    }
}
