//! Where examples and tables disagree (docs/format.md, "Examples illustrate; tables are the
//! contract"): one test per warning kind, each checking the resolution, and what the warning is
//! about (its part and field path), which tools decide on.

mod common;

use common::{doc, field, kinds, list, parse};
use dezai_spec::{Part, Subject, Type, WarningKind};

#[test]
fn drift_case_alias_in_response() {
    let action = parse(&doc(
        "",
        "| **MD5** | string | md5 |No|",
        "## Example\n\n### Response Example\n\n```json\n{\"Action\": \"DoThingResponse\", \"RetCode\": 0,\n\"Md5\": \"x\"}\n```\n",
    ));
    assert_eq!(field(&action.response, "MD5").aliases, ["Md5"]);
    assert_eq!(kinds(&action), [WarningKind::CaseAlias]);
    let warning = &action.warnings[0];
    assert!(
        warning.message.contains("`Md5`") && warning.message.contains("`MD5`"),
        "{}",
        warning.message
    );
    let text = doc("", "", "");
    let example_line = text.lines().count() as u32 + 7;
    assert_eq!(warning.line, example_line, "points at the line of the key");
    assert_eq!(warning.about, Some(Subject::response("MD5")));
}

#[test]
fn drift_case_alias_in_request() {
    let action = parse(&doc(
        "| **DBId** | string | db |No|",
        "",
        "## Example\n\n### Request Example\n\n```\nhttps://api.dezai.com/?Action=DoThing\n&DbId=1\n```\n",
    ));
    assert_eq!(field(&action.request, "DBId").aliases, ["DbId"]);
    assert_eq!(kinds(&action), [WarningKind::CaseAlias]);
    assert_eq!(action.warnings[0].about, Some(Subject::request("DbId")));
}

#[test]
fn drift_undocumented_response_field_gets_inferred_type() {
    let action = parse(&doc(
        "",
        "",
        "## Example\n\n### Response Example\n\n```json\n{\"Action\": \"DoThingResponse\", \"RetCode\": 0, \
         \"InnerBackupPath\": \"x\", \"Size\": 3, \"Ratio\": 0.5, \"On\": true, \"Names\": [\"a\"], \"Meta\": {}}\n```\n",
    ));
    let undocumented: Vec<(&str, Type)> = action
        .response
        .iter()
        .filter(|f| !f.documented)
        .map(|f| {
            assert!(!f.required);
            (f.name.as_str(), f.ty.clone())
        })
        .collect();
    assert_eq!(
        undocumented,
        [
            ("InnerBackupPath", Type::String),
            ("Meta", Type::Object),
            ("Names", list(Type::String)),
            ("On", Type::Bool),
            ("Ratio", Type::Float),
            ("Size", Type::Int)
        ]
    );
    assert!(
        kinds(&action)
            .iter()
            .all(|k| *k == WarningKind::UndocumentedField)
    );
    assert_eq!(action.warnings.len(), 6);
}

#[test]
fn drift_undocumented_field_inside_a_model() {
    let action = parse(&doc(
        "",
        "| **Items** | array[[*Item*](#Item)] | items |No|",
        "#### Data Model\n\n#### Item\n\n| Field Name | Type | Description Information | Required |\n\
         |:---|:---|:---|:---|\n| **Id** | string | id |No|\n\n## Example\n\n### Response Example\n\n\
         ```json\n{\"RetCode\": 0, \"Action\": \"DoThingResponse\", \"Items\": [{\"Id\": \"a\", \"Color\": \"red\"}]}\n```\n",
    ));
    let color = field(&action.models[0].fields, "Color");
    assert!(!color.documented);
    assert!(
        action.warnings[0].message.contains("Items[0].Color"),
        "{}",
        action.warnings[0].message
    );
    let about = action.warnings[0].about.as_ref().unwrap();
    assert_eq!(
        (about.part, about.path.as_str(), about.field()),
        (Part::Response, "Items[0].Color", "Items")
    );
}

#[test]
fn drift_repeated_request_parameter() {
    let action = parse(&doc(
        "| **ValidTime** | int | v |No|",
        "",
        "## Example\n\n### Request Example\n\n```\nhttps://api.dezai.com/?Action=DoThing\n&ValidTime=5\n&ValidTime=8\n```\n",
    ));
    assert_eq!(kinds(&action), [WarningKind::RepeatedParameter]);
    let values: Vec<&str> = action
        .request_example
        .iter()
        .map(|p| p.value.as_str())
        .collect();
    assert_eq!(values, ["DoThing", "5", "8"], "repeats are kept");
    assert_eq!(
        action.warnings[0].about,
        Some(Subject::request("ValidTime"))
    );
}

#[test]
fn drift_required_response_field_missing_from_example() {
    let action = parse(&doc(
        "",
        "| **BackupPath** | string | path |**Yes**|",
        "## Example\n\n### Response Example\n\n```json\n{\"Action\": \"DoThingResponse\", \"RetCode\": 0}\n```\n",
    ));
    assert_eq!(kinds(&action), [WarningKind::RequiredMissingFromExample]);
    assert!(
        field(&action.response, "BackupPath").required,
        "stays required in the spec"
    );
    assert_eq!(
        action.warnings[0].about,
        Some(Subject::response("BackupPath"))
    );
}

#[test]
fn drift_deprecated_field() {
    let action = parse(&doc(
        "",
        "| **BackupURL** | string | [Going offline, please use BackupPath]Public address |No|",
        "",
    ));
    let url = field(&action.response, "BackupURL");
    assert_eq!(
        url.deprecated.as_deref(),
        Some("Going offline, please use BackupPath")
    );
    assert_eq!(kinds(&action), [WarningKind::Deprecated]);
    assert_eq!(
        action.warnings[0].about,
        Some(Subject::response("BackupURL"))
    );
}

#[test]
fn drift_example_values_that_do_not_fit_the_type() {
    let action = parse(&doc(
        "| **Limit** | int | l |No|",
        "| **Count** | int | c |No|",
        "## Example\n\n### Request Example\n\n```\nhttps://api.dezai.com/?Action=DoThing\n&Limit=ten\n```\n\n\
         ### Response Example\n\n```json\n{\"Action\": \"DoThingResponse\", \"RetCode\": 0, \"Count\": \"3\"}\n```\n",
    ));
    assert_eq!(
        kinds(&action),
        [
            WarningKind::ExampleTypeMismatch,
            WarningKind::ExampleTypeMismatch
        ]
    );
    assert_eq!(
        field(&action.request, "Limit").ty,
        Type::Int,
        "the table's type wins"
    );
    // A request warning and a response warning about fields of one name stay apart: tools
    // decide on the part and path, not on the words.
    let about: Vec<(Part, &str)> = action
        .warnings
        .iter()
        .map(|w| w.about.as_ref().map(|a| (a.part, a.field())).unwrap())
        .collect();
    assert!(about.contains(&(Part::Request, "Limit")), "{about:?}");
    assert!(about.contains(&(Part::Response, "Count")), "{about:?}");
}

#[test]
fn drift_unknown_request_example_parameter() {
    let action = parse(&doc(
        "",
        "",
        "## Example\n\n### Request Example\n\n```\nhttps://api.dezai.com/?Action=DoThing\n&Mystery=1\n```\n",
    ));
    assert_eq!(kinds(&action), [WarningKind::UnknownExampleParameter]);
    assert_eq!(action.warnings[0].about, Some(Subject::request("Mystery")));
}

#[test]
fn drift_across_documents_types_and_hosts() {
    use dezai_docs::Source;
    let a = doc(
        "| **BackupId** | int | id |No|",
        "",
        "## Example\n\n### Request Example\n\n```\nhttps://api.dezai.com/?Action=DoThing\n```\n",
    );
    let b = doc(
        "| **BackupId** | string | id |No|",
        "",
        "## Example\n\n### Request Example\n\n```\nhttps://api.dezai.com/?Action=DoThing\n```\n",
    )
    .replace("DoThing", "DoOther");
    let c = doc("", "", "## Example\n\n### Request Example\n\n```\nhttps://api.elsewhere.com/?Action=DoThird\n```\n")
        .replace("DoThing", "DoThird");
    let sources: Vec<Source> = [("p/a.md", a), ("p/b.md", b), ("q/c.md", c)]
        .into_iter()
        .map(|(path, text)| Source {
            product: path[..1].into(),
            path: path.into(),
            bytes: text.into_bytes(),
        })
        .collect();
    let specs = dezai_docs::build_specs(&sources).unwrap();
    let p = &specs[0];
    assert_eq!(
        kinds(&p.actions[0]),
        [WarningKind::TypeDiffersAcrossActions]
    );
    assert!(
        p.actions[0].warnings[0]
            .message
            .contains("`int` in DoThing"),
        "{}",
        p.actions[0].warnings[0].message
    );
    assert_eq!(
        p.actions[0].warnings[0].about,
        Some(Subject::request("BackupId"))
    );
    let q = &specs[1].actions[0];
    assert_eq!(kinds(q), [WarningKind::EndpointDiffers]);
    assert_eq!(q.endpoint.as_deref(), Some("https://api.elsewhere.com"));
}
