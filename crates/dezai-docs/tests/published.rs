//! The published format as it is actually written (docs/format.md, "What the published documents
//! really contain"): each variation, on a fixture built from the quoted shape, parses, and
//! where the document disagrees with itself the warning says how it was resolved.

mod common;

use common::{doc, field, kinds, list, parse};
use dezai_spec::{Type, WarningKind};

#[test]
fn types_in_any_case_and_long_forms() {
    let action = parse(&doc(
        "| **A** | Integer | a |No|\n| **B** | integer | b |No|\n| **C** | Int | c |No|\n\
         | **D** | Boolean | d |No|\n| **E** | String | e |No|\n| **F** | Array[Integer] | f |No|\n\
         | **G** | INT | g |No|",
        "",
        "",
    ));
    let ty = |name: &str| field(&action.request, name).ty.clone();
    assert_eq!(ty("A"), Type::Int);
    assert_eq!(ty("B"), Type::Int);
    assert_eq!(ty("C"), Type::Int);
    assert_eq!(ty("D"), Type::Bool);
    assert_eq!(ty("E"), Type::String);
    assert_eq!(ty("F"), list(Type::Int));
    assert_eq!(ty("G"), Type::Int);
}

#[test]
fn titles_without_spaces_around_the_dash() {
    for (title, summary) in [
        ("# 获取监控数据-GetMetric", "获取监控数据"),
        ("# Get metric-GetMetric", "Get metric"),
        ("# 获取监控数据－GetMetric", "获取监控数据"),
        ("# 获取监控数据 — GetMetric", "获取监控数据"),
        (
            "# Get a well-known metric - GetMetric",
            "Get a well-known metric",
        ),
    ] {
        let text = doc("", "", "")
            .replace("# Do a thing - DoThing", title)
            .replace("`DoThing`", "`GetMetric`");
        let action = parse(&text);
        assert_eq!(action.name, "GetMetric", "{title}");
        assert_eq!(action.summary, summary, "{title}");
    }
}

#[test]
fn a_row_repeated_verbatim_is_merged_with_a_warning() {
    let row = "| **Master.N.Zone** | string | Zone of each master |No|";
    let text = doc(&format!("{row}\n{row}\n{row}"), "", "");
    let action = parse(&text);
    let master = field(&action.request, "Master");
    assert_eq!(
        master.ty,
        list(Type::Struct {
            fields: vec![field(common::struct_fields(&master.ty), "Zone").clone()]
        })
    );
    let repeats: Vec<_> = action
        .warnings
        .iter()
        .filter(|w| w.kind == WarningKind::RepeatedRow)
        .collect();
    assert_eq!(repeats.len(), 2, "{:?}", action.warnings);
    assert!(
        repeats[0].message.contains("repeats line"),
        "{:?}",
        repeats[0]
    );
}

#[test]
fn a_repeated_name_with_different_text_is_still_an_error() {
    let text = doc(
        "| **Path** | string | a |No|\n| **Path** | string | b |No|",
        "",
        "",
    );
    let errors = common::parse_err(&text);
    assert!(errors.contains("field `Path` is listed twice"), "{errors}");
}

#[test]
fn response_example_with_a_trailing_comma_is_read_with_a_warning() {
    let text = doc(
        "",
        "| **Name** | string | n |No|",
        "## Example\n\n### Response Example\n\n```json\n{\n  \"RetCode\": 0,\n  \"Action\": \"DoThingResponse\",\n  \"Name\": \"a, }\",\n}\n```\n",
    );
    let action = parse(&text);
    assert_eq!(
        action.response_example.as_ref().map(|e| e.to_value()),
        Some(serde_json::json!({"RetCode": 0, "Action": "DoThingResponse", "Name": "a, }"}))
    );
    assert_eq!(kinds(&action), [WarningKind::InvalidExample]);
    assert!(
        action.warnings[0]
            .message
            .contains("read with its trailing commas removed"),
        "{:?}",
        action.warnings
    );
}

#[test]
fn response_example_that_is_not_json_is_a_warning_not_an_error() {
    let text = doc(
        "",
        "",
        "## Example\n\n### Response Example\n\n```json\n{\n  \"RetCode\": 0,\n  \"Action\" \"x\"\n}\n```\n",
    );
    let action = parse(&text);
    assert_eq!(action.response_example, None);
    assert_eq!(kinds(&action), [WarningKind::InvalidExample]);
    let line = common::line_of(&text, "\"Action\" \"x\"");
    assert_eq!(action.warnings[0].line, line);
    assert!(action.warnings[0].message.contains("not valid JSON"));
}

#[test]
fn response_example_as_an_http_transcript_uses_its_body() {
    let text = doc(
        "",
        "| **Name** | string | n |No|",
        "## Example\n\n### Response Example\n\n```\nHTTP/1.1 200 OK\nContent-Type: application/json\nX-UCLOUD-Request-UUID: 1\n\n{\"RetCode\": 0, \"Action\": \"DoThingResponse\", \"Name\": \"n\"}\n```\n",
    );
    let action = parse(&text);
    assert_eq!(
        action.response_example.as_ref().and_then(|v| v.get("Name")),
        Some(&dezai_spec::ExampleJson::String("n".into()))
    );
    assert_eq!(kinds(&action), [WarningKind::InvalidExample]);
    assert!(action.warnings[0].message.contains("HTTP transcript"));
}

#[test]
fn request_example_as_json_or_transcript() {
    let json = doc(
        "| **Name** | string | n |No|\n| **Disks.N.Size** | int | s |No|",
        "",
        "## Example\n\n### Request Example\n\n```json\n{\"Action\": \"DoThing\", \"Name\": \"n\", \"Disks\": [{\"Size\": 20}],}\n```\n",
    );
    let action = parse(&json);
    let params: Vec<(&str, &str)> = action
        .request_example
        .iter()
        .map(|p| (p.name.as_str(), p.value.as_str()))
        .collect();
    assert_eq!(
        params,
        [("Action", "DoThing"), ("Name", "n"), ("Disks.0.Size", "20")],
        "in the order written"
    );
    assert_eq!(kinds(&action), [WarningKind::InvalidExample]);

    let transcript = doc(
        "| **Name** | string | n |No|",
        "",
        "## Example\n\n### Request Example\n\n```\nPOST / HTTP/1.1\nHost: api.dezai.com\n\nAction=DoThing&Name=n\n```\n",
    );
    let action = parse(&transcript);
    assert_eq!(action.request_example.len(), 2);
    assert_eq!(kinds(&action), [WarningKind::InvalidExample]);
}

#[test]
fn model_named_like_a_generated_type_gets_another_rust_name() {
    let table = "| Field Name | Type | Description Information | Required |\n|:---|:---|:---|:---|\n| **Value** | float | v |No|\n";
    let text = doc(
        "",
        "| **Data** | [*DoThingResponse*](#DoThingResponse) | d |No|",
        &format!(
            "#### Data Model\n\n#### DoThingResponse\n\n{table}\n#### DoThingRequest\n\n{table}\n#### DoThingResponseBuilder\n\n{table}"
        ),
    );
    let action = parse(&text);
    assert_eq!(action.models[0].name, "DoThingResponse");
    assert_eq!(
        action.models[0].type_name.as_deref(),
        Some("DoThingResponseModel")
    );
    assert_eq!(
        action.models[1].type_name.as_deref(),
        Some("DoThingRequestModel")
    );
    // The response's builder is a generated type too.
    assert_eq!(
        action.models[2].type_name.as_deref(),
        Some("DoThingResponseBuilderModel")
    );
    assert_eq!(
        kinds(&action),
        [
            WarningKind::RenamedModel,
            WarningKind::RenamedModel,
            WarningKind::RenamedModel
        ]
    );
    // The reference keeps the model's documented name.
    assert_eq!(
        field(&action.response, "Data").ty,
        Type::Model {
            name: "DoThingResponse".into()
        }
    );
}

#[test]
fn models_that_collide_by_case_get_distinct_rust_names() {
    let table = "| Field Name | Type | Description Information | Required |\n|:---|:---|:---|:---|\n| **Id** | string | id |No|\n";
    let text = doc(
        "",
        "",
        &format!("#### Data Model\n\n#### Disk_Info\n\n{table}\n#### DiskInfo\n\n{table}"),
    );
    let action = parse(&text);
    assert_eq!(action.models[0].type_name, None);
    assert_eq!(action.models[1].type_name.as_deref(), Some("DiskInfoModel"));
}

#[test]
fn names_that_collide_by_case_are_numbered_with_a_warning() {
    let text = doc(
        "| **BackupId** | int | a |No|\n| **BackupID** | int | b |No|",
        "",
        "",
    );
    let action = parse(&text);
    assert_eq!(action.request.len(), 3);
    assert_eq!(kinds(&action), [WarningKind::NameCollision]);
    assert!(
        action.warnings[0]
            .message
            .contains("`BackupID` is `backup_id_2`"),
        "{:?}",
        action.warnings
    );
}

#[test]
fn field_names_with_underscores_lower_case_or_a_leading_digit() {
    let action = parse(&doc(
        "| **snake_name** | string | a |No|\n| **lower** | string | b |No|\n| **95Bandwidth** | int | c |No|",
        "| **5xxCount** | int | d |No|",
        "",
    ));
    assert_eq!(field(&action.request, "95Bandwidth").ty, Type::Int);
    assert_eq!(field(&action.response, "5xxCount").ty, Type::Int);
}

#[test]
fn deprecation_when_the_field_is_going_away() {
    for description in [
        "[Going offline, please use BackupPath]Public address",
        "【即将下线】旧地址",
        "该字段已废弃，请使用 NewName",
        "即将下线，请使用 NewName",
        "Deprecated: use NewName",
        "This field is deprecated.",
    ] {
        let row = format!("| **Old** | string | {description} |No|");
        let action = parse(&doc("", &row, ""));
        assert!(
            field(&action.response, "Old").deprecated.is_some(),
            "{description}"
        );
        assert_eq!(kinds(&action), [WarningKind::Deprecated], "{description}");
    }
}

#[test]
fn enum_value_meanings_are_not_deprecation() {
    for description in [
        "Status: 0 停用 1 启用",
        "已下线 = offline, 运行中 = running",
        "状态：已下线、运行中",
        "State: Available, Deprecated",
        "1: normal, 2: deprecated",
        "Whether the image is `Deprecated`",
        "下线时间 (Unix time)",
    ] {
        let row = format!("| **Status** | string | {description} |No|");
        let action = parse(&doc("", &row, ""));
        assert_eq!(
            field(&action.response, "Status").deprecated,
            None,
            "{description}"
        );
        assert!(
            action.warnings.is_empty(),
            "{description}: {:?}",
            action.warnings
        );
    }
}
