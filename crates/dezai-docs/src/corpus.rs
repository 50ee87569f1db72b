//! Many documents → one spec per product, with the checks that need more than one document:
//! duplicate actions, a parameter typed differently by the actions of one product, and request
//! examples that point at different hosts.

use std::collections::BTreeMap;
use std::path::Path;

use dezai_spec::{Action, FORMAT_VERSION, ProductSpec, Warning, WarningKind};

use crate::document::{self, Parsed};
use crate::error::{DocError, DocErrors};

/// One document as read from disk.
#[derive(Debug, Clone)]
pub struct Source {
    /// The product the document belongs to (its folder).
    pub product: String,
    /// The path that names the document in errors and in the spec, e.g.
    /// `udb/describe_udb_instance_backup_url.md`.
    pub path: String,
    /// The document's bytes; they must be UTF-8.
    pub bytes: Vec<u8>,
}

/// Reads every document of a docs folder laid out as `DIR/<product>/*.md`, in a stable order.
/// Other files are ignored.
pub fn read_docs_dir(dir: &Path) -> std::io::Result<Vec<Source>> {
    let mut sources = Vec::new();
    for product_dir in sorted_entries(dir)? {
        if !product_dir.is_dir() {
            continue;
        }
        let product = file_name(&product_dir);
        for doc in sorted_entries(&product_dir)? {
            if doc.is_file() && doc.extension().is_some_and(|e| e == "md") {
                sources.push(Source {
                    path: format!("{product}/{}", file_name(&doc)),
                    product: product.clone(),
                    bytes: std::fs::read(&doc)?,
                });
            }
        }
    }
    Ok(sources)
}

fn sorted_entries(dir: &Path) -> std::io::Result<Vec<std::path::PathBuf>> {
    let mut entries = std::fs::read_dir(dir)?
        .map(|e| e.map(|e| e.path()))
        .collect::<Result<Vec<_>, _>>()?;
    entries.sort();
    Ok(entries)
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// Builds one spec per product from the given documents, or reports every error found in any
/// of them: all or nothing.
pub fn build_specs(sources: &[Source]) -> Result<Vec<ProductSpec>, DocErrors> {
    let built = build_products(sources);
    if built.failed.is_empty() {
        Ok(built.specs)
    } else {
        Err(DocErrors(built.failed.into_values().flatten().collect()))
    }
}

/// What [`build_products`] made: the spec of every product whose documents all parsed, and the
/// errors of each product that has any.
#[derive(Debug, Default)]
pub struct Built {
    /// Specs of the products without errors, sorted by product.
    pub specs: Vec<ProductSpec>,
    /// The errors of each product that has any, by product.
    pub failed: BTreeMap<String, Vec<DocError>>,
}

/// Builds one spec per product; a product with an error in any of its documents gets no spec
/// and its errors are returned, while the other products are built as usual. Checks that span
/// documents look only at the products that parsed.
pub fn build_products(sources: &[Source]) -> Built {
    let mut failed: BTreeMap<String, Vec<DocError>> = BTreeMap::new();
    let mut products: BTreeMap<&str, Vec<(Parsed, &Source)>> = BTreeMap::new();
    for source in sources {
        let mut errors = Vec::new();
        if !is_valid_product_name(&source.product) {
            errors.push(DocError::new(
                &source.path,
                1,
                format!(
                    "product folder `{}` is not a valid module name (lower-case letters, digits and `_`, \
                     starting with a letter)",
                    source.product
                ),
                "",
            ));
        }
        match std::str::from_utf8(&source.bytes) {
            Ok(text) => {
                if let Some(parsed) = document::parse(&source.path, text, &mut errors) {
                    products
                        .entry(&source.product)
                        .or_default()
                        .push((parsed, source));
                }
            }
            Err(e) => {
                let valid = &source.bytes[..e.valid_up_to()];
                let line = valid.iter().filter(|&&b| b == b'\n').count() + 1;
                let line_start = valid.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
                errors.push(DocError::new(
                    &source.path,
                    u32::try_from(line).unwrap_or(u32::MAX),
                    "the document is not valid UTF-8",
                    String::from_utf8_lossy(&source.bytes[line_start..e.valid_up_to()])
                        .into_owned(),
                ));
            }
        }
        if !errors.is_empty() {
            failed
                .entry(source.product.clone())
                .or_default()
                .extend(errors);
        }
    }
    let mut parsed_products: BTreeMap<&str, Vec<Parsed>> = BTreeMap::new();
    for (product, mut actions) in products {
        let errors = one_document_per_action(&mut actions);
        if !errors.is_empty() {
            failed.entry(product.to_owned()).or_default().extend(errors);
        }
        if failed.contains_key(product) {
            continue;
        }
        parsed_products.insert(product, actions.into_iter().map(|(p, _)| p).collect());
    }
    endpoint_warnings(&mut parsed_products);
    for actions in parsed_products.values_mut() {
        type_warnings(actions);
    }
    let specs = parsed_products
        .into_iter()
        .map(|(product, parsed)| {
            let mut actions: Vec<Action> = parsed.into_iter().map(|p| p.action).collect();
            for action in &mut actions {
                action.warnings.sort_by(|a, b| (a.line, a.kind, &a.message).cmp(&(b.line, b.kind, &b.message)));
            }
            ProductSpec {
                format_version: FORMAT_VERSION,
                product: product.to_owned(),
                generated: format!(
                    "Generated by `cargo xtask codegen` from the documents in {product}/; do not edit."
                ),
                actions,
            }
        })
        .collect();
    Built { specs, failed }
}

/// Sorts a product's actions by name and keeps one document per action. Two documents of the
/// same action are an error naming both files, unless they are byte-identical (a copy): then
/// the first in path order is kept, with a warning.
fn one_document_per_action(actions: &mut Vec<(Parsed, &Source)>) -> Vec<DocError> {
    actions.sort_by(|(a, _), (b, _)| {
        a.action
            .name
            .cmp(&b.action.name)
            .then(a.action.source.cmp(&b.action.source))
    });
    let mut errors = Vec::new();
    let mut kept: Vec<(Parsed, &Source)> = Vec::with_capacity(actions.len());
    for (parsed, source) in actions.drain(..) {
        let Some((first, first_source)) = kept
            .last_mut()
            .filter(|(p, _)| p.action.name == parsed.action.name)
        else {
            kept.push((parsed, source));
            continue;
        };
        if first_source.bytes == source.bytes {
            first.action.warnings.push(Warning {
                kind: WarningKind::DuplicateDocument,
                line: 1,
                message: format!(
                    "{} is a byte-identical copy of this document; it is not read again",
                    source.path
                ),
                about: None,
            });
        } else {
            errors.push(DocError::new(
                &source.path,
                1,
                format!(
                    "action `{}` is documented twice, in {} and in {}; remove one of them or list it in specs/exclude.txt",
                    parsed.action.name, first_source.path, source.path
                ),
                format!("# {} - {}", parsed.action.summary, parsed.action.name),
            ));
        }
    }
    *actions = kept;
    errors
}

fn is_valid_product_name(name: &str) -> bool {
    name.starts_with(|c: char| c.is_ascii_lowercase())
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

/// Actions whose request example points at a host other than the most common one.
fn endpoint_warnings(products: &mut BTreeMap<&str, Vec<Parsed>>) {
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    for parsed in products.values().flatten() {
        if let Some(endpoint) = &parsed.action.endpoint {
            *counts.entry(endpoint.clone()).or_default() += 1;
        }
    }
    // Most documents use the main host; ties go to the alphabetically first, for determinism.
    let Some(common) = counts
        .iter()
        .max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(a.0)))
        .map(|(e, _)| e.clone())
    else {
        return;
    };
    for parsed in products.values_mut().flatten() {
        if let Some(endpoint) = &parsed.action.endpoint {
            if *endpoint != common {
                let line = parsed.endpoint_line;
                parsed.action.warnings.push(Warning {
                    kind: WarningKind::EndpointDiffers,
                    line,
                    message: format!(
                        "request example points at {endpoint} while most documents use {common}; \
                         recorded as information, requests go only to the configured base URL"
                    ),
                    about: None,
                });
            }
        }
    }
}

/// Request parameters (compared by name, ignoring case) whose documented type differs between
/// the actions of one product: each action keeps its own type and says which others differ.
/// Products are separate modules, so a difference across products is no surprise to a user.
fn type_warnings(actions: &mut [Parsed]) {
    let mut types: BTreeMap<String, BTreeMap<String, Vec<String>>> = BTreeMap::new();
    // Parameters the configuration fills in are typed alike by every product, and a
    // difference would be noise.
    let compared = |f: &&dezai_spec::Field| {
        dezai_spec::protocol::ConfigParam::from_wire_name(&f.name).is_none()
    };
    for action in actions.iter().map(|p| &p.action) {
        for field in action.request.iter().filter(compared) {
            types
                .entry(field.name.to_lowercase())
                .or_default()
                .entry(field.ty.describe())
                .or_default()
                .push(action.name.clone());
        }
    }
    for action in actions.iter_mut().map(|p| &mut p.action) {
        let mut found = Vec::new();
        for field in action.request.iter().filter(compared) {
            let by_type = &types[&field.name.to_lowercase()];
            if by_type.len() < 2 {
                continue;
            }
            let mine = field.ty.describe();
            // Only other actions count: two spellings in one action (`BackupId`, `BackupID`)
            // are that action's own business.
            let others: Vec<String> = by_type
                .iter()
                .filter(|(ty, _)| **ty != mine)
                .filter_map(|(ty, names)| {
                    let names: Vec<String> = names
                        .iter()
                        .filter(|n| **n != action.name)
                        .cloned()
                        .collect();
                    (!names.is_empty()).then(|| format!("`{ty}` in {}", list_some(&names)))
                })
                .collect();
            if others.is_empty() {
                continue;
            }
            found.push(Warning {
                kind: WarningKind::TypeDiffersAcrossActions,
                line: field.line,
                message: format!(
                    "`{}` is `{mine}` here but {}; this action keeps its documented type",
                    field.name,
                    others.join(", ")
                ),
                about: Some(dezai_spec::Subject::request(field.name.clone())),
            });
        }
        action.warnings.extend(found);
    }
}

fn list_some(actions: &[String]) -> String {
    const SHOWN: usize = 3;
    let mut text = actions
        .iter()
        .take(SHOWN)
        .cloned()
        .collect::<Vec<_>>()
        .join(", ");
    if actions.len() > SHOWN {
        text.push_str(&format!(" and {} more", actions.len() - SHOWN));
    }
    text
}
