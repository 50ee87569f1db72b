//! From table rows to spec fields: data model names resolved, flattened request names
//! (`Disks.N.Size`, `Network.VPCId`) rebuilt into lists and structures, and the checks that
//! keep every field list usable as a Rust struct (no duplicate names, no two names that become
//! the same Rust identifier).

use std::collections::{HashMap, HashSet};

use dezai_spec::names::Namer;
use dezai_spec::{Field, Subject, Type, Warning, WarningKind};

use crate::error::DocError;
use crate::table::{RawField, TypeExpr};

/// How deep flattened names may nest. Published documents go six levels deep; the limit only
/// keeps a malformed name from producing an absurd type.
pub(crate) const MAX_NESTING: usize = 8;

/// Resolves a written type against the document's data models.
pub(crate) fn resolve_type(
    file: &str,
    raw: &RawField,
    ty: &TypeExpr,
    models: &HashSet<&str>,
) -> Result<Type, DocError> {
    Ok(match ty {
        TypeExpr::Scalar(s) => Type::from(*s),
        TypeExpr::List(item) => Type::List {
            item: Box::new(resolve_type(file, raw, item, models)?),
        },
        TypeExpr::Model { name, linked } => {
            if models.contains(name.as_str()) {
                Type::Model { name: name.clone() }
            } else if *linked {
                return Err(DocError::new(
                    file,
                    raw.line,
                    format!(
                        "data model `{name}` is referenced by `{}` but not defined under Data Model",
                        raw.name
                    ),
                    &raw.source,
                ));
            } else {
                return Err(DocError::new(
                    file,
                    raw.line,
                    format!("unknown type `{}` for field `{}`", raw.ty_text, raw.name),
                    &raw.source,
                ));
            }
        }
    })
}

/// A field with a plain name (responses and data models: their names are not flattened).
pub(crate) fn plain_field(raw: &RawField, ty: Type) -> Field {
    Field {
        name: raw.name.clone(),
        ty,
        required: raw.required,
        description: raw.description.clone(),
        deprecated: deprecation_note(&raw.description),
        aliases: Vec::new(),
        documented: true,
        line: raw.line,
    }
}

/// Builds plain fields, reporting names listed twice.
pub(crate) fn plain_fields(
    file: &str,
    rows: Vec<(RawField, Type)>,
    errors: &mut Vec<DocError>,
) -> Vec<Field> {
    let mut fields: Vec<Field> = Vec::new();
    let mut lines: HashMap<String, u32> = HashMap::new();
    for (raw, ty) in rows {
        if raw.name.contains('.') {
            errors.push(DocError::new(
                file,
                raw.line,
                format!(
                    "field name `{}` is flattened, which only request parameters may be",
                    raw.name
                ),
                &raw.source,
            ));
            continue;
        }
        if let Some(&first) = lines.get(&raw.name) {
            errors.push(duplicate(file, &raw, first));
            continue;
        }
        lines.insert(raw.name.clone(), raw.line);
        fields.push(plain_field(&raw, ty));
    }
    fields
}

fn duplicate(file: &str, raw: &RawField, first_line: u32) -> DocError {
    DocError::new(
        file,
        raw.line,
        format!(
            "field `{}` is listed twice (first on line {first_line})",
            raw.name
        ),
        &raw.source,
    )
}

/// One name of the tree being rebuilt from flattened request names.
struct Node {
    name: String,
    /// How many list levels wrap this node (`Disks.N` → 1, `Matrix.N.N` → 2).
    lists: usize,
    required: bool,
    description: String,
    line: u32,
    kind: NodeKind,
}

enum NodeKind {
    Leaf(Type),
    Struct(Level),
}

/// The nodes of one structure, in document order, found by name in constant time.
#[derive(Default)]
struct Level {
    nodes: Vec<Node>,
    index: HashMap<String, usize>,
}

/// Rebuilds request fields from their flattened names.
///
/// A container's `required` is true when any of its fields is required: a required
/// `Disks.N.Size` means the request needs at least one disk. The container has no description
/// of its own.
pub(crate) fn request_fields(
    file: &str,
    rows: Vec<(RawField, Type)>,
    errors: &mut Vec<DocError>,
) -> Vec<Field> {
    let mut roots = Level::default();
    for (raw, ty) in rows {
        let groups = match segment_groups(&raw.name) {
            Ok(groups) => groups,
            Err(message) => {
                errors.push(DocError::new(file, raw.line, message, &raw.source));
                continue;
            }
        };
        if let Err(message) = insert(&mut roots, &groups, ty, &raw) {
            errors.push(DocError::new(file, raw.line, message, &raw.source));
        }
    }
    roots.nodes.into_iter().map(into_field).collect()
}

/// Splits `Rules.N.Ports.N` into `[("Rules", 1), ("Ports", 1)]`.
fn segment_groups(name: &str) -> Result<Vec<(String, usize)>, String> {
    let mut groups: Vec<(String, usize)> = Vec::new();
    for segment in name.split('.') {
        if segment == "N" || segment == "n" {
            match groups.last_mut() {
                Some(last) => last.1 += 1,
                None => return Err(format!("parameter name `{name}` starts with a list marker")),
            }
        } else {
            groups.push((segment.to_owned(), 0));
        }
    }
    if groups.len() > MAX_NESTING {
        return Err(format!(
            "parameter `{name}` nests {} levels deep; at most {MAX_NESTING} are supported",
            groups.len()
        ));
    }
    Ok(groups)
}

fn insert(
    level: &mut Level,
    groups: &[(String, usize)],
    ty: Type,
    raw: &RawField,
) -> Result<(), String> {
    let Some(((name, lists), rest)) = groups.split_first() else {
        return Ok(());
    };
    let existing = level.index.get(name).copied();
    if rest.is_empty() {
        if let Some(i) = existing {
            let node = &level.nodes[i];
            return Err(match node.kind {
                NodeKind::Leaf(_) => format!(
                    "field `{}` is listed twice (first on line {})",
                    raw.name, node.line
                ),
                NodeKind::Struct(_) => format!(
                    "`{}` is declared as a plain field, but line {} makes `{name}` a structure",
                    raw.name, node.line
                ),
            });
        }
        level.index.insert(name.clone(), level.nodes.len());
        level.nodes.push(Node {
            name: name.clone(),
            lists: *lists,
            required: raw.required,
            description: raw.description.clone(),
            line: raw.line,
            kind: NodeKind::Leaf(ty),
        });
        return Ok(());
    }
    let index = match existing {
        Some(i) => i,
        None => {
            level.index.insert(name.clone(), level.nodes.len());
            level.nodes.push(Node {
                name: name.clone(),
                lists: *lists,
                required: false,
                description: String::new(),
                line: raw.line,
                kind: NodeKind::Struct(Level::default()),
            });
            level.nodes.len() - 1
        }
    };
    let node = &mut level.nodes[index];
    let NodeKind::Struct(children) = &mut node.kind else {
        return Err(format!(
            "`{}` makes `{name}` a structure, but line {} declares `{name}` as a plain field",
            raw.name, node.line
        ));
    };
    if node.lists != *lists {
        return Err(format!(
            "`{}` disagrees with line {} on whether `{name}` is a list (`{name}.N`)",
            raw.name, node.line
        ));
    }
    node.required |= raw.required;
    insert(children, rest, ty, raw)
}

fn into_field(node: Node) -> Field {
    let mut ty = match node.kind {
        NodeKind::Leaf(ty) => ty,
        NodeKind::Struct(children) => Type::Struct {
            fields: children.nodes.into_iter().map(into_field).collect(),
        },
    };
    for _ in 0..node.lists {
        ty = Type::List { item: Box::new(ty) };
    }
    Field {
        deprecated: deprecation_note(&node.description),
        name: node.name,
        ty,
        required: node.required,
        description: node.description,
        aliases: Vec::new(),
        documented: true,
        line: node.line,
    }
}

/// The Rust identifier a wire name becomes (before keyword escaping), for loose matching:
/// by the naming rule without a product of its own, the same on both sides of a match.
pub(crate) fn rust_name(wire: &str) -> String {
    thread_local! {
        static NAMER: Namer = Namer::for_product("");
    }
    NAMER.with(|namer| namer.snake_name(wire))
}

/// Warns about fields of one struct (recursively, for rebuilt structures) whose wire names
/// become the same Rust identifier, e.g. `BackupId` and `BackupID`: the generator numbers the
/// later ones (`backup_id_2`), see [`Namer::field_names`].
pub(crate) fn name_collisions(
    namer: &Namer,
    fields: &[Field],
    prefix: &str,
    at: &dyn Fn(String) -> Subject,
    warnings: &mut Vec<Warning>,
) {
    let mut seen: HashMap<String, &Field> = HashMap::new();
    let names = namer.field_names(fields.iter().map(|f| f.name.as_str()), &[]);
    for (field, name) in fields.iter().zip(names) {
        let ident = namer.snake_name(&field.name);
        match seen.get(&ident) {
            Some(first) => warnings.push(Warning {
                kind: WarningKind::NameCollision,
                line: field.line,
                message: format!(
                    "`{}` and `{}` (line {}) would both become `{ident}` in Rust; `{}` is `{name}`",
                    field.name, first.name, first.line, field.name
                ),
                about: Some(at(format!("{prefix}{}", field.name))),
            }),
            None => {
                seen.insert(ident, field);
            }
        }
        if let Some(inner) = field.ty.struct_fields() {
            let prefix = format!("{prefix}{}.", field.name);
            name_collisions(namer, inner, &prefix, at, warnings);
        }
    }
}

/// The deprecation note of a description that says the *field* is going away, e.g.
/// `[Going offline, please use BackupPath]Public network address` → `Going offline, please use
/// BackupPath`. A bracketed note at the start is taken as the note; otherwise the whole
/// description is.
///
/// Descriptions also list what an enum's values mean, with words that elsewhere mean
/// "deprecated" (`Status: 0 停用 1 启用`, `已下线 = offline`). So only phrases that speak of a
/// field count (`going offline`, `deprecated`, `已废弃`, `即将下线`, …; plain `下线` or `停用` is a
/// status), and a phrase written as an enum value (right after a digit, `=`, `:`, a comma or a
/// quote, or right before `=` or `:`) does not.
pub(crate) fn deprecation_note(description: &str) -> Option<String> {
    const MARKERS: [&str; 10] = [
        "going offline",
        "deprecated",
        "obsolete",
        "已废弃",
        "将废弃",
        "即将废弃",
        "即将下线",
        "将下线",
        "已弃用",
        "不再使用",
    ];
    let lower = description.to_lowercase();
    let trimmed = description.trim_start();
    let bracketed = trimmed
        .strip_prefix('[')
        .or_else(|| trimmed.strip_prefix('【'))
        .and_then(|rest| rest.find([']', '】']).map(|end| rest[..end].trim()));
    // A bracketed note at the start that says "offline" in any form is a deprecation:
    // `[已下线]`, `【下线】`, `[Offline soon]`.
    let bracket_says = bracketed.is_some_and(|note| {
        let note = note.to_lowercase();
        MARKERS.iter().any(|m| note.contains(m))
            || note.contains("下线")
            || note.contains("offline")
    });
    let says = bracket_says
        || MARKERS.iter().any(|marker| {
            lower
                .match_indices(marker)
                .any(|(at, _)| !is_enum_value(&lower, at, at + marker.len()))
        });
    if !says {
        return None;
    }
    Some(bracketed.unwrap_or(description.trim()).to_owned())
}

/// Whether the phrase at `start..end` of `text` reads as an enum value's meaning rather than a
/// statement about the field, and for ASCII words, whether it is part of a longer word.
fn is_enum_value(text: &str, start: usize, end: usize) -> bool {
    let before = text[..start]
        .trim_end_matches([' ', '\t'])
        .chars()
        .next_back();
    let after = text[end..].trim_start_matches([' ', '\t']).chars().next();
    let ascii_word = text[start..end].is_ascii();
    if ascii_word {
        let glued = |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphanumeric());
        if glued(text[..start].chars().next_back()) || glued(text[end..].chars().next()) {
            return true;
        }
    }
    let value_before = before.is_some_and(|c| {
        c.is_ascii_digit()
            || matches!(
                c,
                '=' | ':' | '：' | ',' | '，' | '、' | '"' | '\'' | '`' | '|' | '/'
            )
    });
    let value_after = after.is_some_and(|c| matches!(c, '=' | ':' | '：' | '"' | '\'' | '`' | '/'));
    // A phrase that opens the description (`Deprecated: use X`) is about the field.
    value_before || (before.is_some() && value_after)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segments() {
        assert_eq!(
            segment_groups("Rules.N.Ports.N"),
            Ok(vec![("Rules".into(), 1), ("Ports".into(), 1)])
        );
        assert_eq!(
            segment_groups("Network.VPCId"),
            Ok(vec![("Network".into(), 0), ("VPCId".into(), 0)])
        );
        assert_eq!(segment_groups("Tags.n"), Ok(vec![("Tags".into(), 1)]));
        assert!(segment_groups("N.Foo").is_err());
    }

    #[test]
    fn deprecation_notes() {
        assert_eq!(
            deprecation_note("[Going offline, please use BackupPath]Public network address")
                .as_deref(),
            Some("Going offline, please use BackupPath")
        );
        assert_eq!(
            deprecation_note("【即将下线】旧地址").as_deref(),
            Some("即将下线")
        );
        assert_eq!(deprecation_note("Public network address"), None);
        assert_eq!(
            deprecation_note("该字段已废弃，请使用 BackupPath").as_deref(),
            Some("该字段已废弃，请使用 BackupPath")
        );
        assert!(deprecation_note("This field is deprecated; use Name").is_some());
        // Enum values' meanings are not deprecations.
        assert_eq!(deprecation_note("Status: 0 停用 1 启用"), None);
        assert_eq!(
            deprecation_note("状态：已下线 = offline，运行中 = running"),
            None
        );
        assert_eq!(
            deprecation_note("State: Available, Deprecated, Deleted"),
            None
        );
        assert_eq!(
            deprecation_note("Image state: 1 available, 2 deprecated"),
            None
        );
        assert_eq!(deprecation_note("One of `Normal`, `Deprecated`"), None);
        assert_eq!(deprecation_note("Undeprecated images only"), None);
    }
}
