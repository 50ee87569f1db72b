//! The API change report: one fixture per kind of change, each marked breaking or compatible
//! as a user of the SDK would experience it.

use dezai_spec::{Action, Field, Model, ProductSpec, Type};
use xtask::codegen::api_diff::diff_product;
use xtask::codegen::{ApiChange, Impact};

fn field(name: &str, ty: Type, required: bool) -> Field {
    Field {
        name: name.into(),
        ty,
        required,
        description: String::new(),
        deprecated: None,
        aliases: Vec::new(),
        documented: true,
        line: 1,
    }
}

fn action(name: &str, request: Vec<Field>, response: Vec<Field>, models: Vec<Model>) -> Action {
    Action {
        name: name.into(),
        summary: String::new(),
        description: String::new(),
        source: String::new(),
        endpoint: None,
        request,
        response,
        models,
        request_example: Vec::new(),
        response_example: None,
        warnings: Vec::new(),
    }
}

fn spec(actions: Vec<Action>) -> ProductSpec {
    ProductSpec {
        format_version: dezai_spec::FORMAT_VERSION,
        product: "p".into(),
        generated: String::new(),
        actions,
    }
}

fn model(name: &str, fields: Vec<Field>) -> Model {
    Model {
        name: name.into(),
        fields,
        line: 1,
        type_name: None,
    }
}

/// The changes between two versions of one action, as `(what, impact)`.
fn changes(old: Action, new: Action) -> Vec<(String, Impact)> {
    diff_product(Some(&spec(vec![old])), Some(&spec(vec![new])))
        .into_iter()
        .map(|c: ApiChange| (c.what, c.impact))
        .collect()
}

fn one(what: &str, impact: Impact) -> Vec<(String, Impact)> {
    vec![(what.to_owned(), impact)]
}

fn base() -> Action {
    action(
        "DoThing",
        vec![
            field("Region", Type::String, true),
            field("Id", Type::String, true),
            field("Limit", Type::Int, false),
        ],
        vec![field("Total", Type::Int, false)],
        vec![model("Item", vec![field("Name", Type::String, false)])],
    )
}

#[test]
fn actions_added_and_removed() {
    let added = diff_product(Some(&spec(vec![])), Some(&spec(vec![base()])));
    assert_eq!(added.len(), 1);
    assert_eq!(added[0].to_string(), "p DoThing: action added [compatible]");
    let removed = diff_product(Some(&spec(vec![base()])), None);
    assert_eq!(
        removed[0].to_string(),
        "p DoThing: action removed [breaking]"
    );
}

#[test]
fn nothing_changed_reports_nothing() {
    assert_eq!(changes(base(), base()), []);
}

#[test]
fn request_fields_added() {
    let mut new = base();
    new.request.push(field("Offset", Type::Int, false));
    assert_eq!(
        changes(base(), new.clone()),
        one(
            "request field `Offset` added (optional)",
            Impact::Compatible
        )
    );
    new.request.push(field("Name", Type::String, true));
    assert_eq!(
        changes(base(), new)[1],
        (
            "request field `Name` added (required: a new constructor argument)".into(),
            Impact::Breaking
        )
    );
}

#[test]
fn a_required_config_parameter_is_not_a_constructor_argument() {
    let mut new = base();
    new.request.push(field("Zone", Type::String, true));
    assert_eq!(
        changes(base(), new),
        one("request field `Zone` added (optional)", Impact::Compatible)
    );
}

#[test]
fn request_field_removed_or_retyped() {
    let mut new = base();
    new.request.retain(|f| f.name != "Limit");
    assert_eq!(
        changes(base(), new),
        one("request field `Limit` removed", Impact::Breaking)
    );
    let mut new = base();
    new.request[2].ty = Type::String;
    assert_eq!(
        changes(base(), new),
        one(
            "request field `Limit` changed type from `int` to `string`",
            Impact::Breaking
        )
    );
}

#[test]
fn optional_made_required_and_back() {
    let mut new = base();
    new.request[2].required = true;
    assert_eq!(
        changes(base(), new.clone()),
        one(
            "request field `Limit` made required (a new constructor argument)",
            Impact::Breaking
        )
    );
    assert_eq!(
        changes(new, base()),
        one(
            "request field `Limit` made optional (no longer a constructor argument)",
            Impact::Breaking
        )
    );
}

#[test]
fn fields_of_rebuilt_structures() {
    let disks = |fields| Field {
        ty: Type::List {
            item: Box::new(Type::Struct { fields }),
        },
        ..field("Disks", Type::Object, false)
    };
    let mut old = base();
    old.request
        .push(disks(vec![field("Size", Type::Int, true)]));
    let mut new = base();
    new.request.push(disks(vec![
        field("Size", Type::Int, true),
        field("Type", Type::String, false),
    ]));
    assert_eq!(
        changes(old, new),
        one(
            "request field `Disks.Type` added (optional)",
            Impact::Compatible
        )
    );
}

#[test]
fn response_fields() {
    let mut new = base();
    new.response.push(field("Cursor", Type::String, false));
    assert_eq!(
        changes(base(), new),
        one("response field `Cursor` added", Impact::Compatible)
    );
    let mut new = base();
    new.response.clear();
    assert_eq!(
        changes(base(), new),
        one("response field `Total` removed", Impact::Breaking)
    );
    let mut new = base();
    new.response[0].ty = Type::Float;
    assert_eq!(
        changes(base(), new),
        one(
            "response field `Total` changed type from `int` to `float`",
            Impact::Breaking
        )
    );
}

#[test]
fn data_models() {
    let mut new = base();
    new.models[0].fields.push(field("Size", Type::Int, false));
    new.models.push(model("Other", vec![]));
    assert_eq!(
        changes(base(), new),
        [
            (
                "field of data model `Item` `Size` added".to_owned(),
                Impact::Compatible
            ),
            ("data model `Other` added".to_owned(), Impact::Compatible)
        ]
    );
    let mut new = base();
    new.models.clear();
    assert_eq!(
        changes(base(), new),
        one("data model `Item` removed", Impact::Breaking)
    );
    let mut new = base();
    new.models[0].type_name = Some("ItemModel".into());
    assert_eq!(
        changes(base(), new),
        one(
            "data model `Item` renamed in Rust from `Item` to `ItemModel`",
            Impact::Breaking
        )
    );
}

#[test]
fn deprecation_is_compatible() {
    let mut new = base();
    new.response[0].deprecated = Some("use Count".into());
    assert_eq!(
        changes(base(), new),
        one(
            "response field `Total` deprecated (\"use Count\")",
            Impact::Compatible
        )
    );
}
