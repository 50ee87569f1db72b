//! Data models live at the product's level: structurally identical models of several actions
//! are one type, and a model that shares a name but differs gets the documented other name.
//! The made-up product has `BackupFile` (and `FileOwner`) identical in `ListUDBBackupFiles`
//! and `DescribeUDBBackupFile`, and a different `BackupFile` in `ListUDBLogFiles`.

use dezai_sdk::ClientExt as _;
use dezai_sdk::serde_json;

mod madeup {
    dezai_macros::product!("tests/fixtures/madeup.json");
}

/// Accepts only the product-level type: the assertions below compile only if both actions
/// use it.
fn name_of(file: &madeup::BackupFile) -> &str {
    file.name.as_deref().unwrap_or_default()
}

#[test]
fn identical_models_of_two_actions_are_one_type() {
    let page: madeup::ListUdbBackupFilesResponse = serde_json::from_str(
        r#"{"RetCode": 0, "Files": [{"Name": "a.xb", "Owner": {"Id": "u-1"}}]}"#,
    )
    .unwrap();
    let one: madeup::DescribeUdbBackupFileResponse =
        serde_json::from_str(r#"{"RetCode": 0, "File": {"Name": "b.xb", "Owner": {"Id": "u-2"}}}"#)
            .unwrap();
    let files = page.files.unwrap();
    let file = one.file.unwrap();
    assert_eq!(name_of(&files[0]), "a.xb");
    assert_eq!(name_of(&file), "b.xb");
    // Both owners are the one `FileOwner` type too.
    let owners: Vec<madeup::FileOwner> =
        vec![files[0].owner.clone().unwrap(), file.owner.clone().unwrap()];
    assert_eq!(owners.len(), 2);
}

#[test]
fn each_action_module_names_its_models_as_its_document_does() {
    // The same type under the action's path, for code written against the document.
    let shared: madeup::list_udb_backup_files::BackupFile = madeup::BackupFile::default();
    let again: madeup::describe_udb_backup_file::BackupFile = shared.clone();
    assert_eq!(name_of(&again), "");
}

#[test]
fn a_model_that_differs_is_named_after_its_action() {
    let logs: madeup::ListUdbLogFilesResponse =
        serde_json::from_str(r#"{"RetCode": 0, "Files": [{"Name": "slow.log", "Lines": 12}]}"#)
            .unwrap();
    let files: Vec<madeup::ListUdbLogFilesBackupFile> = logs.files.unwrap();
    assert_eq!(files[0].lines, Some(12));
    // Under the document's own name in the action's module.
    let local: &madeup::list_udb_log_files::BackupFile = &files[0];
    assert_eq!(local.name.as_deref(), Some("slow.log"));
}

/// `CreateUDBUser` carries a password, a nested token and a certificate: `Debug` of the typed
/// request, of the call and of the response masks them (the names logs mask), shows the rest,
/// and the request still sends them.
#[test]
fn debug_never_shows_passwords_tokens_or_certificates() {
    use dezai_sdk::{Client, Config, Credentials};
    use madeup::create_udb_user::Grants;

    let request = madeup::CreateUdbUserRequest::new("udb-abc123", "backup", "hunter2")
        .grants(vec![Grants::new().database("orders").access_token("tok-1")]);
    let shown = format!("{request:?}");
    for secret in ["hunter2", "tok-1"] {
        assert!(!shown.contains(secret), "{secret} in {shown}");
    }
    assert!(shown.contains("admin_password: ***"), "{shown}");
    assert!(shown.contains("access_token: Some(***)"), "{shown}");
    assert!(
        shown.contains("old_pwd: None"),
        "unset stays visible: {shown}"
    );
    assert!(
        shown.contains("\"udb-abc123\"") && shown.contains("\"orders\""),
        "{shown}"
    );

    let client = Client::new(
        Config::builder()
            .credentials(Credentials::new("pub", "priv"))
            .region("cn-bj2")
            .build()
            .unwrap(),
    )
    .unwrap();
    let call = request.clone().on(&client);
    let shown = format!("{call:#?}");
    assert!(
        !shown.contains("hunter2") && !shown.contains("priv"),
        "{shown}"
    );
    let sent = client.encode(&request).unwrap();
    assert!(sent.body().contains("AdminPassword=hunter2"), "still sent");
    assert!(
        sent.body().contains("Grants.0.AccessToken=tok-1"),
        "still sent"
    );

    let response: madeup::CreateUdbUserResponse = serde_json::from_str(
        r#"{"RetCode": 0, "UserId": "user-1",
            "Login": {"Host": "10.0.0.2", "SSLCert": "BEGIN-CERT"},
            "Extra": {"RootPassword": "r00t", "Note": "kept"}}"#,
    )
    .unwrap();
    let shown = format!("{response:?}");
    for secret in ["BEGIN-CERT", "r00t"] {
        assert!(!shown.contains(secret), "{secret} in {shown}");
    }
    for kept in ["user-1", "10.0.0.2", "kept"] {
        assert!(shown.contains(kept), "{kept} missing from {shown}");
    }
    assert_eq!(
        response.login.unwrap().ssl_cert.as_deref(),
        Some("BEGIN-CERT"),
        "masked only when shown"
    );
}

/// A pre-signed download URL's query is a credential for the file: `Debug` of a response
/// leaves it out, typed and unknown fields alike, as logs do; the field keeps the whole link.
#[test]
fn debug_never_shows_a_download_urls_query() {
    let response: madeup::DescribeUdbFixtureLogUrlResponse = serde_json::from_str(
        r#"{"RetCode": 0,
            "BinlogPath": "https://files.example/b.log?Expires=1&Signature=s3cret",
            "InnerBinlogPath": "/data/binlog.1",
            "Mirror": {"BackupURL": "http://user:pw@m.example/b?Signature=other"}}"#,
    )
    .unwrap();
    let shown = format!("{response:?}");
    for secret in ["s3cret", "other", "user:pw"] {
        assert!(!shown.contains(secret), "{secret} in {shown}");
    }
    assert!(
        shown.contains("binlog_path: Some(\"https://files.example/b.log?***\")"),
        "{shown}"
    );
    assert!(
        shown.contains("/data/binlog.1"),
        "not a URL, shown: {shown}"
    );
    assert_eq!(
        response.binlog_path.as_deref(),
        Some("https://files.example/b.log?Expires=1&Signature=s3cret")
    );
}
