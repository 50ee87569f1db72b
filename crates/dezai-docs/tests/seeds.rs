//! The five published seed documents: golden snapshots of their specs, and explicit checks
//! that each lists exactly the documented fields, types and required flags, plus the expected
//! warnings.

use dezai_docs::Source;
use dezai_spec::{Action, Field, Type, WarningKind};

const SEEDS: [(&str, &str, &str); 5] = [
    (
        "udb",
        "describe_udb_instance_backup_url.md",
        include_str!("../../../specs/docs/udb/describe_udb_instance_backup_url.md"),
    ),
    (
        "umem",
        "describe_u_mem_backup_url.md",
        include_str!("../../../specs/docs/umem/describe_u_mem_backup_url.md"),
    ),
    (
        "umem",
        "describe_u_redis_backup_url.md",
        include_str!("../../../specs/docs/umem/describe_u_redis_backup_url.md"),
    ),
    (
        "umongodb",
        "describe_u_mongo_db_backup_url.md",
        include_str!("../../../specs/docs/umongodb/describe_u_mongo_db_backup_url.md"),
    ),
    (
        "upgsql",
        "get_u_pg_sql_backup_url.md",
        include_str!("../../../specs/docs/upgsql/get_u_pg_sql_backup_url.md"),
    ),
];

/// All five seeds built together, as `cargo xtask codegen` builds them (cross-document
/// warnings included).
fn seed_action(name: &str) -> Action {
    let sources: Vec<Source> = SEEDS
        .iter()
        .map(|(product, file, text)| Source {
            product: (*product).into(),
            path: format!("{product}/{file}"),
            bytes: text.as_bytes().to_vec(),
        })
        .collect();
    let specs = dezai_docs::build_specs(&sources).unwrap_or_else(|e| panic!("{e}"));
    specs
        .into_iter()
        .flat_map(|s| s.actions)
        .find(|a| a.name == name)
        .unwrap()
}

/// `(name, type, required)` of each field, plus `documented` where false.
fn shape(fields: &[Field]) -> Vec<String> {
    fields
        .iter()
        .map(|f| {
            let mut s = format!(
                "{} {} {}",
                f.name,
                f.ty.describe(),
                if f.required { "required" } else { "optional" }
            );
            if !f.documented {
                s.push_str(" undocumented");
            }
            s
        })
        .collect()
}

fn warning_kinds(action: &Action) -> Vec<WarningKind> {
    action.warnings.iter().map(|w| w.kind).collect()
}

const ENVELOPE: [&str; 3] = [
    "RetCode int required",
    "Action string required",
    "Message string optional",
];

fn with_envelope(rest: &[&str]) -> Vec<String> {
    ENVELOPE
        .iter()
        .chain(rest)
        .map(|s| (*s).to_owned())
        .collect()
}

#[test]
fn describe_udb_instance_backup_url() {
    let action = seed_action("DescribeUDBInstanceBackupURL");
    assert_eq!(
        shape(&action.request),
        [
            "Region string required",
            "Zone string optional",
            "ProjectId string optional",
            "DBId string required",
            "BackupId int required",
            "ValidTime int optional"
        ]
    );
    assert_eq!(
        shape(&action.response),
        with_envelope(&[
            "BackupPath string optional",
            "InnerBackupPath string optional",
            "MD5 string optional"
        ])
    );
    let md5 = action.response.iter().find(|f| f.name == "MD5").unwrap();
    assert_eq!(md5.aliases, ["Md5"]);
    assert_eq!(action.endpoint.as_deref(), Some("https://api.dezai.com"));
    assert_eq!(
        warning_kinds(&action),
        [WarningKind::RepeatedParameter, WarningKind::CaseAlias]
    );
    let valid_times: Vec<&str> = action
        .request_example
        .iter()
        .filter(|p| p.name == "ValidTime")
        .map(|p| p.value.as_str())
        .collect();
    assert_eq!(valid_times, ["5", "8"]);
    insta::assert_snapshot!(spec_json(&action));
}

#[test]
fn describe_umem_backup_url() {
    let action = seed_action("DescribeUMemBackupURL");
    assert_eq!(
        shape(&action.request),
        [
            "Region string required",
            "Zone string required",
            "ProjectId string optional",
            "SpaceId string required",
            "BackupId string required",
            "BlockId string optional"
        ]
    );
    assert_eq!(
        shape(&action.response),
        with_envelope(&["BackupURL array[string] required"])
    );
    assert_eq!(
        action.response[3].ty,
        Type::List {
            item: Box::new(Type::String)
        }
    );
    assert_eq!(warning_kinds(&action), []);
    insta::assert_snapshot!(spec_json(&action));
}

#[test]
fn describe_uredis_backup_url() {
    let action = seed_action("DescribeURedisBackupURL");
    assert_eq!(
        shape(&action.request),
        [
            "Region string required",
            "Zone string optional",
            "ProjectId string optional",
            "BackupId string required",
            "RegionFlag boolean optional",
            "GroupId string optional",
            "SlaveZone string optional",
            "IsCrossRegion boolean optional"
        ]
    );
    assert_eq!(
        shape(&action.response),
        with_envelope(&[
            "BackupURL string optional",
            "BackupPath string optional",
            "InnerBackupPath string optional undocumented"
        ])
    );
    let url = action
        .response
        .iter()
        .find(|f| f.name == "BackupURL")
        .unwrap();
    assert_eq!(
        url.deprecated.as_deref(),
        Some("Going offline, please use BackupPath")
    );
    assert_eq!(
        warning_kinds(&action),
        [WarningKind::Deprecated, WarningKind::UndocumentedField]
    );
    insta::assert_snapshot!(spec_json(&action));
}

#[test]
fn describe_umongodb_backup_url() {
    let action = seed_action("DescribeUMongoDBBackupURL");
    assert_eq!(
        shape(&action.request),
        [
            "Region string required",
            "Zone string optional",
            "ProjectId string optional",
            "ClusterId string required",
            "BackupId string optional",
            "PackageId int optional",
            "ValidTime int optional",
            "Category string optional"
        ]
    );
    assert_eq!(
        shape(&action.response),
        with_envelope(&[
            "InternetAddress string required",
            "IntranetAddress string required"
        ])
    );
    assert_eq!(warning_kinds(&action), []);
    insta::assert_snapshot!(spec_json(&action));
}

#[test]
fn get_upgsql_backup_url() {
    let action = seed_action("GetUPgSQLBackupURL");
    assert_eq!(
        shape(&action.request),
        [
            "Region string required",
            "Zone string required",
            "ProjectId string optional",
            "InstanceID string required",
            "BackupID string required"
        ]
    );
    assert_eq!(
        shape(&action.response),
        with_envelope(&[
            "BackupPath string required",
            "InnerBackupPath string required"
        ])
    );
    assert_eq!(
        action.endpoint.as_deref(),
        Some("https://api.genesissai.com")
    );
    assert_eq!(warning_kinds(&action), [WarningKind::EndpointDiffers]);
    insta::assert_snapshot!(spec_json(&action));
}

#[test]
fn each_seed_parses_on_its_own_without_cross_document_warnings() {
    for (product, file, text) in SEEDS {
        let action = dezai_docs::parse_document(&format!("{product}/{file}"), text).unwrap();
        assert!(
            !action.warnings.iter().any(|w| matches!(
                w.kind,
                WarningKind::TypeDiffersAcrossActions | WarningKind::EndpointDiffers
            )),
            "{file}: {:?}",
            action.warnings
        );
    }
}

/// The action as a spec file writes it: through serde_json, which writes an example's numbers
/// as the document does (other serializers see serde_json's raw-value form).
fn spec_json(action: &dezai_spec::Action) -> String {
    serde_json::to_string_pretty(action).unwrap()
}
