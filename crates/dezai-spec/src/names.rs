//! The one rule that turns wire names into Rust names, shared by the parser (which records
//! renames in the spec and warns about collisions) and the generator (which emits the names).
//!
//! Types are UpperCamelCase as aws-sdk-rust spells them (`DescribeUDBInstanceBackupURL` →
//! `DescribeUdbInstanceBackupUrl`); fields, functions and modules are snake_case
//! (`describe_udb_instance_backup_url`). Keyword escaping is the generator's business.

use heck::{ToSnakeCase, ToUpperCamelCase};

/// The UpperCamelCase type name of a wire name.
pub fn type_name(wire: &str) -> String {
    wire.to_upper_camel_case()
}

/// The snake_case name of a wire name, for fields, functions and modules.
pub fn snake_name(wire: &str) -> String {
    wire.to_snake_case()
}

/// The names of the types the generator derives for an action: `…Request`, `…Response`,
/// `…Call`. A data model may not take one of them.
pub fn action_type_names(action: &str) -> [String; 3] {
    let base = type_name(action);
    [
        format!("{base}Request"),
        format!("{base}Response"),
        format!("{base}Call"),
    ]
}

/// Rust names for the fields of one structure, in order: each field's snake_case name, or
/// for a name already taken (by an earlier field, or by one of `reserved`) the name with
/// `_2`, `_3`, … appended. Deterministic: it depends only on the names and their order.
pub fn field_names<'a>(wires: impl IntoIterator<Item = &'a str>, reserved: &[&str]) -> Vec<String> {
    let mut taken: std::collections::HashSet<String> =
        reserved.iter().map(|r| (*r).to_owned()).collect();
    // The next suffix to try for each base, so that many fields of one name stay linear.
    let mut next: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    wires
        .into_iter()
        .map(|wire| {
            let mut base = snake_name(wire);
            if base.is_empty() {
                // A name of underscores only (`_`) has no snake_case form.
                base = "field".to_owned();
            }
            if taken.insert(base.clone()) {
                return base;
            }
            let n = next.entry(base.clone()).or_insert(2);
            loop {
                let name = format!("{base}_{n}");
                *n += 1;
                if taken.insert(name.clone()) {
                    return name;
                }
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn collisions_get_numbered_in_order() {
        assert_eq!(
            field_names(["BackupId", "BackupID", "Backup_Id", "New"], &["new"]),
            ["backup_id", "backup_id_2", "backup_id_3", "new_2"]
        );
        assert_eq!(
            field_names(["_", "Field", "__"], &[]),
            ["field", "field_2", "field_3"]
        );
    }
}
