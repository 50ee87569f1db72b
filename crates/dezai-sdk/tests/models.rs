//! Data models live at the product's level: structurally identical models of several actions
//! are one type, and a model that shares a name but differs gets the documented other name.
//! The made-up product has `BackupFile` (and `FileOwner`) identical in `ListUDBBackupFiles`
//! and `DescribeUDBBackupFile`, and a different `BackupFile` in `ListUDBLogFiles`.

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
