//! One test per feature of the published format (docs/format.md), each on a small raw-string fixture.

mod common;

use common::{doc, field, kinds, list, parse};
use dezai_spec::{Type, WarningKind};

#[test]
fn title_gives_action_name_and_summary() {
    let action = parse(&doc("", "", ""));
    assert_eq!(action.name, "DoThing");
    assert_eq!(action.summary, "Do a thing");
}

#[test]
fn title_summary_may_contain_dashes_and_any_language() {
    let text = doc("", "", "").replace("# Do a thing - DoThing", "# 获取 - 备份下载地址 - DoThing");
    let action = parse(&text);
    assert_eq!(action.summary, "获取 - 备份下载地址");
    assert_eq!(action.name, "DoThing");
}

#[test]
fn overview_is_the_description_and_may_be_empty() {
    assert_eq!(parse(&doc("", "", "")).description, "Does a thing.");
    let empty = doc("", "", "").replace("Does a thing.", "");
    assert_eq!(parse(&empty).description, "");
    let multi = doc("", "", "").replace(
        "Does a thing.",
        "First `code` paragraph.\n\nSecond [link](/x).",
    );
    assert_eq!(
        parse(&multi).description,
        "First `code` paragraph.\n\nSecond [link](/x)."
    );
}

#[test]
fn unknown_sections_are_ignored() {
    let text = doc("", "", "").replace(
        "## Definition",
        "## How to Call\n\nAny text here is ignored.\n\n```\nnot an example\n```\n\n## Definition",
    );
    let action = parse(&text);
    assert!(action.warnings.is_empty(), "{:?}", action.warnings);
    assert!(action.request_example.is_empty());
}

#[test]
fn public_parameters_are_not_request_fields() {
    let action = parse(&doc("| **PublicKey** | string | key |**Yes**|", "", ""));
    let names: Vec<&str> = action.request.iter().map(|f| f.name.as_str()).collect();
    assert_eq!(names, ["Region"]);
}

#[test]
fn request_and_response_fields_in_document_order_with_required_flags() {
    let action = parse(&doc(
        "| **DBId** | string | DB id |**Yes**|\n| **Limit** | int | Page size |No|\n| Plain | string | not bold | Yes |",
        "| **Message** | string | Error message |No|\n| **Total** | int | Count |**Yes**|",
        "",
    ));
    let request: Vec<(&str, bool)> = action
        .request
        .iter()
        .map(|f| (f.name.as_str(), f.required))
        .collect();
    assert_eq!(
        request,
        [
            ("Region", true),
            ("DBId", true),
            ("Limit", false),
            ("Plain", true)
        ]
    );
    let response: Vec<(&str, bool)> = action
        .response
        .iter()
        .map(|f| (f.name.as_str(), f.required))
        .collect();
    assert_eq!(
        response,
        [
            ("RetCode", true),
            ("Action", true),
            ("Message", false),
            ("Total", true)
        ]
    );
    assert_eq!(field(&action.request, "DBId").description, "DB id");
}

#[test]
fn every_scalar_type() {
    let action = parse(&doc(
        "| **S** | string | s |No|\n| **I** | int | i |No|\n| **F** | float | f |No|\n\
         | **B1** | boolean | b |No|\n| **B2** | bool | b |No|\n| **O** | object | o |No|",
        "",
        "",
    ));
    let types: Vec<Type> = action.request[1..].iter().map(|f| f.ty.clone()).collect();
    assert_eq!(
        types,
        [
            Type::String,
            Type::Int,
            Type::Float,
            Type::Bool,
            Type::Bool,
            Type::Object
        ]
    );
}

#[test]
fn every_list_of_scalars() {
    let action = parse(&doc(
        "",
        "| **S** | array[string] | s |No|\n| **I** | array[int] | i |No|\n\
         | **F** | array[float] | f |No|\n| **B** | array[boolean] | b |No|",
        "",
    ));
    let types: Vec<Type> = action.response[2..].iter().map(|f| f.ty.clone()).collect();
    assert_eq!(
        types,
        [
            list(Type::String),
            list(Type::Int),
            list(Type::Float),
            list(Type::Bool)
        ]
    );
}

#[test]
fn model_and_list_of_model_references() {
    let action = parse(&doc(
        "",
        "| **One** | [*Disk*](#Disk) | one disk |No|\n| **Many** | array[[*Disk*](#Disk)] | disks |No|",
        "#### Data Model\n\n#### Disk\n\n| Field Name | Type | Description Information | Required |\n\
         |:---|:---|:---|:---|\n| **Size** | int | GB |No|\n",
    ));
    let model = Type::Model {
        name: "Disk".into(),
    };
    assert_eq!(field(&action.response, "One").ty, model);
    assert_eq!(field(&action.response, "Many").ty, list(model));
    assert_eq!(action.models.len(), 1);
    assert_eq!(action.models[0].fields[0].name, "Size");
}

#[test]
fn data_models_may_reference_each_other_in_any_order() {
    let action = parse(&doc(
        "",
        "| **Files** | array[[*BackupFile*](#BackupFile)] | files |No|",
        "#### Data Model\n\n#### BackupFile\n\n| Field Name | Type | Description Information | Required |\n\
         |:---|:---|:---|:---|\n| **Owner** | [*FileOwner*](#FileOwner) | owner |No|\n\n\
         #### FileOwner\n\n| Field Name | Type | Description Information | Required |\n\
         |:---|:---|:---|:---|\n| **Id** | string | id |No|\n",
    ));
    let names: Vec<&str> = action.models.iter().map(|m| m.name.as_str()).collect();
    assert_eq!(names, ["BackupFile", "FileOwner"]);
    assert_eq!(
        action.models[0].fields[0].ty,
        Type::Model {
            name: "FileOwner".into()
        }
    );
}

#[test]
fn flattened_list_of_strings() {
    let action = parse(&doc("| **Tags.N** | string | tags |No|", "", ""));
    let tags = field(&action.request, "Tags");
    assert_eq!(tags.ty, list(Type::String));
    assert_eq!(tags.description, "tags");
}

#[test]
fn flattened_list_of_structures() {
    let action = parse(&doc(
        "| **Disks.N.Size** | int | size |**Yes**|\n| **Disks.N.Type** | string | type |No|",
        "",
        "",
    ));
    let disks = field(&action.request, "Disks");
    let Type::List { item } = &disks.ty else {
        panic!("{disks:?}")
    };
    let Type::Struct { fields } = &**item else {
        panic!("{item:?}")
    };
    let inner: Vec<(&str, &Type, bool)> = fields
        .iter()
        .map(|f| (f.name.as_str(), &f.ty, f.required))
        .collect();
    assert_eq!(
        inner,
        [("Size", &Type::Int, true), ("Type", &Type::String, false)]
    );
    assert!(
        disks.required,
        "a required item field makes the list required"
    );
}

#[test]
fn flattened_structure() {
    let action = parse(&doc("| **Network.VPCId** | string | vpc |No|", "", ""));
    let network = field(&action.request, "Network");
    let Type::Struct { fields } = &network.ty else {
        panic!("{network:?}")
    };
    assert_eq!(fields[0].name, "VPCId");
    assert!(!network.required);
}

#[test]
fn flattened_list_inside_list_of_structures_and_lower_case_marker() {
    let action = parse(&doc("| **Rules.N.Ports.n** | int | ports |No|", "", ""));
    let rules = field(&action.request, "Rules");
    let Type::List { item } = &rules.ty else {
        panic!()
    };
    let Type::Struct { fields } = &**item else {
        panic!()
    };
    assert_eq!(fields[0].name, "Ports");
    assert_eq!(fields[0].ty, list(Type::Int));
}

#[test]
fn flattened_names_nest_six_levels() {
    let action = parse(&doc("| **A.N.B.C.N.D.E.N.F** | string | deep |No|", "", ""));
    let mut ty = &field(&action.request, "A").ty;
    let mut path = Vec::new();
    loop {
        match ty {
            Type::List { item } => {
                path.push("N".to_owned());
                ty = item;
            }
            Type::Struct { fields } => {
                path.push(fields[0].name.clone());
                ty = &fields[0].ty;
            }
            other => {
                assert_eq!(other, &Type::String);
                break;
            }
        }
    }
    assert_eq!(path.join("."), "N.B.C.N.D.E.N.F");
}

#[test]
fn chinese_headings_and_table_headers() {
    let text = "# 获取备份下载地址 - GetThing\n\n## 简介\n\n获取备份。\n\n## 定义\n\n### 公共参数\n\n\
        | 参数名 | 类型 | 描述信息 | 必填 |\n|:---|:---|:---|:---|\n\
        | **Action** | string | 对应的 API 指令名称，当前 API 为 `GetThing` | **Yes** |\n\n\
        ### 请求参数\n\n| 参数名 | 类型 | 描述信息 | 必填 |\n|:---|:---|:---|:---|\n\
        | **Region** | string | 地域 |**Yes**|\n| **Zone** | string | 可用区 |No|\n\n\
        ### 响应字段\n\n| 字段名 | 类型 | 描述信息 | 必填 |\n|:---|:---|:---|:---|\n\
        | **RetCode** | int | 返回状态码 |**Yes**|\n| **Items** | array[[*Item*](#Item)] | 条目 |No|\n\n\
        #### 数据模型\n\n#### Item\n\n| 字段名 | 类型 | 描述信息 | 必填 |\n|:---|:---|:---|:---|\n\
        | **Id** | string | 编号 |No|\n\n## 示例\n\n### 请求示例\n\n```\nhttps://api.dezai.com/?Action=GetThing\n&Region=cn-bj2\n```\n\n\
        ### 响应示例\n\n```json\n{\"Action\": \"GetThingResponse\", \"RetCode\": 0, \"Items\": []}\n```\n";
    let action = parse(text);
    assert_eq!(action.summary, "获取备份下载地址");
    assert_eq!(action.description, "获取备份。");
    assert_eq!(action.request.len(), 2);
    assert_eq!(field(&action.request, "Zone").description, "可用区");
    assert_eq!(action.models[0].name, "Item");
    assert_eq!(action.request_example.len(), 2);
    assert!(action.response_example.is_some());
}

#[test]
fn heading_suffixes() {
    let text = doc("", "", "## Example\n\n### Request Example:\n\n```\nhttps://api.dezai.com/?Action=DoThing\n```\n\n\
                    ### 响应示例（Response Example）\n\n```json\n{\"RetCode\": 0, \"Action\": \"DoThingResponse\"}\n```\n")
    .replace("### Request Parameters", "### 请求参数（Request Parameters）")
    .replace("### Response Field", "### Response Field:");
    let action = parse(&text);
    assert_eq!(action.request.len(), 1);
    assert_eq!(action.response.len(), 2);
    assert_eq!(action.request_example.len(), 1);
    assert!(action.response_example.is_some());
}

#[test]
fn cells_with_links_inline_code_and_escaped_pipes() {
    let action = parse(&doc(
        "| **Mode** | string | One of `a\\|b` or see [the list](/docs/x) \\| more |No|",
        "",
        "",
    ));
    assert_eq!(
        field(&action.request, "Mode").description,
        "One of `a|b` or see [the list](/docs/x) | more"
    );
}

#[test]
fn rows_with_or_without_spaces_around_pipes() {
    let action = parse(&doc(
        "|**Tight**|int|no spaces|No|\n|   **Loose**   |   string   |   spaces   |   **Yes**   |",
        "",
        "",
    ));
    assert_eq!(field(&action.request, "Tight").ty, Type::Int);
    let loose = field(&action.request, "Loose");
    assert_eq!(
        (loose.ty.clone(), loose.required, loose.description.as_str()),
        (Type::String, true, "spaces")
    );
}

#[test]
fn non_field_table_is_skipped_with_a_warning() {
    let action = parse(&doc(
        "",
        "",
        "## Metrics\n\n| Metric | Unit | Meaning |\n|---|---|---|\n| cpu | % | CPU usage |\n",
    ));
    assert_eq!(kinds(&action), [WarningKind::SkippedTable]);
    assert!(
        action.warnings[0]
            .message
            .contains("Metric | Unit | Meaning"),
        "{}",
        action.warnings[0].message
    );
}

#[test]
fn request_example_as_ordered_pairs_with_endpoint() {
    let action = parse(&doc(
        "| **Kinds.N** | string | k |No|",
        "",
        "## Example\n\n### Request Example\n\n```\nhttps://api.dezai.com/?Action=DoThing\n&Region=cn-bj2\n&Kinds.0=data\n&Kinds.1=binlog\n```\n",
    ));
    assert_eq!(action.endpoint.as_deref(), Some("https://api.dezai.com"));
    let pairs: Vec<(&str, &str)> = action
        .request_example
        .iter()
        .map(|p| (p.name.as_str(), p.value.as_str()))
        .collect();
    assert_eq!(
        pairs,
        [
            ("Action", "DoThing"),
            ("Region", "cn-bj2"),
            ("Kinds.0", "data"),
            ("Kinds.1", "binlog")
        ]
    );
    assert!(action.warnings.is_empty(), "{:?}", action.warnings);
}

#[test]
fn response_example_is_json() {
    let action = parse(&doc(
        "",
        "| **Count** | int | c |No|",
        "## Example\n\n### Response Example\n\n```json\n{\"Action\": \"DoThingResponse\", \"RetCode\": 0, \"Count\": 3}\n```\n",
    ));
    assert_eq!(
        action.response_example.as_ref().map(|e| e.to_value()),
        Some(serde_json::json!({"Action": "DoThingResponse", "RetCode": 0, "Count": 3}))
    );
    assert!(action.warnings.is_empty(), "{:?}", action.warnings);
}

/// Numbers in examples are written to the spec as the document writes them, in every build:
/// a 17-significant-digit float (the test build and `cargo xtask codegen` once differed in its
/// last digit) and a small one that `f64` would print as `1.3680915448685166e-5`; in the
/// response example and in a JSON request body alike. Reading the spec back keeps them.
#[test]
fn numbers_in_examples_are_kept_as_written() {
    let action = parse(&doc(
        "| **Weight** | float | w |No|",
        "| **Ratio** | float | r |No|\n| **Share** | float | s |No|",
        "## Example\n\n### Request Example\n\n```json\n{\"Action\": \"DoThing\", \"Weight\": 0.000013680915448685166}\n```\n\n### Response Example\n\n```json\n{\"Action\": \"DoThingResponse\", \"RetCode\": 0, \"Ratio\": 1.2239025941412993, \"Share\": 0.000013680915448685166}\n```\n",
    ));
    let weight = action.request_example.iter().find(|p| p.name == "Weight");
    assert_eq!(weight.unwrap().value, "0.000013680915448685166");
    let spec = dezai_spec::ProductSpec {
        format_version: dezai_spec::FORMAT_VERSION,
        product: "p".into(),
        generated: String::new(),
        actions: vec![action],
    };
    let json = spec.to_json();
    assert!(json.contains("\"Ratio\": 1.2239025941412993"), "{json}");
    assert!(
        json.contains("\"Share\": 0.000013680915448685166"),
        "{json}"
    );
    let again = dezai_spec::ProductSpec::from_json(&json).unwrap();
    assert_eq!(again.to_json(), json);
}

/// The made-up document at the end of docs/format.md, verbatim.
const MADE_UP: &str =
    include_str!("../../dezai-sdk/tests/fixtures/docs/madeup/list_udb_backup_files.md");

#[test]
fn the_made_up_document_of_the_format() {
    let action = parse(MADE_UP);
    assert_eq!(action.name, "ListUDBBackupFiles");
    assert_eq!(
        action.description,
        "Lists the files of one backup, page by page."
    );
    let names: Vec<&str> = action.request.iter().map(|f| f.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "Region", "Zone", "DBId", "Offset", "Limit", "Kinds", "Labels", "Range"
        ]
    );
    assert_eq!(field(&action.request, "Kinds").ty, list(Type::String));
    let Type::List { item } = &field(&action.request, "Labels").ty else {
        panic!()
    };
    assert!(matches!(&**item, Type::Struct { fields } if fields.len() == 2));
    assert!(
        matches!(&field(&action.request, "Range").ty, Type::Struct { fields } if fields[1].name == "End")
    );
    assert_eq!(
        field(&action.response, "Files").ty,
        list(Type::Model {
            name: "BackupFile".into()
        })
    );
    let file = action.model("BackupFile").unwrap();
    let types: Vec<Type> = file.fields.iter().map(|f| f.ty.clone()).collect();
    assert_eq!(
        types,
        [
            Type::String,
            Type::Int,
            Type::Bool,
            Type::Float,
            Type::Model {
                name: "FileOwner".into()
            }
        ]
    );
    assert_eq!(
        field(&action.model("FileOwner").unwrap().fields, "Extra").ty,
        Type::Object
    );
    assert_eq!(action.request_example.len(), 7);
    assert_eq!(
        action.response_example.unwrap().to_value()["Files"][0]["Owner"]["Id"],
        "u-1"
    );
    assert!(action.warnings.is_empty(), "{:#?}", action.warnings);
}
