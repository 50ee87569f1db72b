//! The checked-in specs: current with the documents, and valid against the checked-in schema.

use xtask::codegen::{self, Drift};

/// rust-analyzer's `ensure_file_contents` pattern: fail, saying which command fixes it, when a
/// checked-in spec is not what the documents produce.
#[test]
fn checked_in_specs_are_current() {
    let root = xtask::project_root();
    // The specs and the SDK wiring that follows from them (modules, features, conformance).
    let plan = codegen::project_plan(&root, false).unwrap_or_else(|e| panic!("{e}"));
    let drift: Vec<Drift> = plan.check();
    if !drift.is_empty() {
        let report: Vec<String> = drift.iter().map(ToString::to_string).collect();
        panic!(
            "the checked-in specs or SDK wiring are out of date with specs/docs/:\n{}\n\nRun `cargo xtask codegen` and commit the result.",
            report.join("\n")
        );
    }
}

#[test]
fn fixture_specs_are_current() {
    let root = xtask::project_root();
    for (docs, out) in xtask::FIXTURE_SPECS {
        let plan =
            codegen::plan(&root.join(docs), &root.join(out)).unwrap_or_else(|e| panic!("{e}"));
        let drift: Vec<String> = plan.check().iter().map(ToString::to_string).collect();
        assert!(
            drift.is_empty(),
            "{}\n\nRun `cargo xtask codegen` and commit the result.",
            drift.join("\n")
        );
    }
}

#[test]
fn every_checked_in_spec_validates_against_the_schema() {
    let root = xtask::project_root();
    let schema: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(root.join("specs").join(codegen::SCHEMA_FILE)).unwrap(),
    )
    .unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let mut checked = 0;
    for entry in std::fs::read_dir(root.join("specs")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "json") || path.ends_with(codegen::SCHEMA_FILE) {
            continue;
        }
        let spec: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        let errors: Vec<String> = validator
            .iter_errors(&spec)
            .map(|e| format!("{}: {e}", e.instance_path()))
            .collect();
        assert!(
            errors.is_empty(),
            "{} does not match the schema:\n{}",
            path.display(),
            errors.join("\n")
        );
        checked += 1;
    }
    let products = std::fs::read_dir(root.join("specs/docs"))
        .unwrap()
        .filter(|e| e.as_ref().unwrap().path().is_dir())
        .count();
    assert_eq!(checked, products, "one spec per product folder");
}

#[test]
fn the_schema_rejects_what_the_model_rejects() {
    let schema: serde_json::Value = serde_json::from_str(&dezai_spec::json_schema()).unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let bad_type = serde_json::json!({
        "format_version": dezai_spec::FORMAT_VERSION, "product": "p", "actions": [{
            "name": "A", "summary": "", "description": "", "source": "p/a.md", "endpoint": null,
            "request": [{"name": "X", "type": {"kind": "strin"}, "required": true, "description": "", "line": 1}],
            "response": [], "models": [], "request_example": [], "response_example": null, "warnings": []
        }]
    });
    assert!(!validator.is_valid(&bad_type));
    assert!(dezai_spec::ProductSpec::from_json(&bad_type.to_string()).is_err());
}

/// The format's warning table (`docs/format.md`, linked from the README) lists every kind the
/// parser can emit (read from the spec's schema, so a new kind without a row fails here).
#[test]
fn the_format_doc_lists_every_warning_kind() {
    let schema: serde_json::Value = serde_json::from_str(&dezai_spec::json_schema()).unwrap();
    let mut kinds = Vec::new();
    collect_consts(&schema["$defs"]["WarningKind"], &mut kinds);
    assert!(kinds.len() > 10, "{kinds:?}");
    let format = std::fs::read_to_string(xtask::project_root().join("docs/format.md")).unwrap();
    let missing: Vec<&String> = kinds
        .iter()
        .filter(|k| !format.contains(&format!("| `{k}` |")))
        .collect();
    assert!(
        missing.is_empty(),
        "docs/format.md's warning table lacks {missing:?}"
    );
}

fn collect_consts(value: &serde_json::Value, out: &mut Vec<String>) {
    match value {
        serde_json::Value::Object(map) => {
            for (key, v) in map {
                match (key.as_str(), v) {
                    ("const", serde_json::Value::String(s)) => out.push(s.clone()),
                    ("enum", serde_json::Value::Array(items)) => {
                        out.extend(items.iter().filter_map(|i| i.as_str().map(str::to_owned)))
                    }
                    _ => collect_consts(v, out),
                }
            }
        }
        serde_json::Value::Array(items) => items.iter().for_each(|i| collect_consts(i, out)),
        _ => {}
    }
}
