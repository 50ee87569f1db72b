//! Testing code that uses the SDK without a network: builders for responses and models (which
//! are `#[non_exhaustive]`), and the mock transport answering chosen actions and recording
//! what was sent.

use dezai_sdk::mock::Mock;
use dezai_sdk::prelude::*;
use dezai_sdk::udb::{DescribeUdbInstanceBackupUrlRequest, DescribeUdbInstanceBackupUrlResponse};
use dezai_sdk::{ResponseMeta, ret_code, serde_json::json};

mod madeup {
    dezai_macros::product!("tests/fixtures/madeup.json");
}

use madeup::MadeupExt;

/// The code under test: what a user writes on top of the SDK.
async fn backup_link(client: &Client, db: &str) -> Result<String, Error> {
    let answer = client
        .udb()
        .describe_udb_instance_backup_url(db, 1234)
        .valid_time(3600)
        .send()
        .await?;
    Ok(answer.backup_path.unwrap_or_default())
}

#[tokio::test]
async fn a_built_response_answers_a_typed_call_and_the_request_is_recorded() {
    let mock = Mock::new();
    mock.on::<DescribeUdbInstanceBackupUrlRequest>().respond(
        DescribeUdbInstanceBackupUrlResponse::builder()
            .backup_path("https://backups.example/full.xb")
            .md5("abc")
            .build(),
    );
    let client = mock.client();
    assert_eq!(
        backup_link(&client, "udb-1").await.unwrap(),
        "https://backups.example/full.xb"
    );
    let sent = mock.requests();
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].action(), "DescribeUDBInstanceBackupURL");
    assert_eq!(sent[0].param("DBId"), Some("udb-1"));
    assert_eq!(sent[0].param("BackupId"), Some("1234"));
    assert_eq!(sent[0].param("ValidTime"), Some("3600"));
    assert_eq!(
        sent[0].param("Region"),
        Some("mock-region"),
        "configuration defaults are applied as for a real call"
    );
    assert_eq!(
        sent[0].param("Signature"),
        None,
        "the signature is never kept"
    );
}

#[tokio::test]
async fn an_api_error_is_typed_with_its_ret_code_and_request_id() {
    let mock = Mock::new();
    mock.on::<DescribeUdbInstanceBackupUrlRequest>()
        .ret_code(ret_code::WRONG_SIGNATURE, "Signature VerifyAC Error");
    let error = backup_link(&mock.client(), "udb-1").await.unwrap_err();
    assert_eq!(error.ret_code(), Some(ret_code::WRONG_SIGNATURE));
    assert!(error.is_auth());
    assert!(!error.is_retryable());
    assert_eq!(error.message(), Some("Signature VerifyAC Error"));
    assert!(error.request_id().is_some_and(|id| id.starts_with("mock-")));
    assert_eq!(mock.requests().len(), 1, "an auth error is not retried");
}

#[tokio::test]
async fn rules_answer_in_order_so_retries_can_be_tested() {
    let mock = Mock::new();
    mock.on::<DescribeUdbInstanceBackupUrlRequest>()
        .times(2)
        .ret_code(ret_code::THROTTLED, "slow down");
    mock.on::<DescribeUdbInstanceBackupUrlRequest>()
        .json(json!({"RetCode": 0, "BackupPath": "https://b/x", "Md5": "m"}));
    let client = mock.client();
    let answer = client
        .udb()
        .describe_udb_instance_backup_url("udb-1", 1)
        .send()
        .await
        .unwrap();
    assert_eq!(answer.backup_path.as_deref(), Some("https://b/x"));
    assert_eq!(
        answer.md5.as_deref(),
        Some("m"),
        "JSON goes through the decoder"
    );
    assert_eq!(answer.meta().ret_code(), Some(0));
    assert!(answer.meta().request_id().is_some());
    assert_eq!(
        mock.requests().len(),
        3,
        "two throttled attempts, then the answer"
    );
}

#[tokio::test]
async fn a_rule_can_match_on_parameters_and_an_unanswered_call_fails_clearly() {
    let mock = Mock::new();
    mock.on::<DescribeUdbInstanceBackupUrlRequest>()
        .when(|request| request.param("DBId") == Some("udb-known"))
        .respond(
            DescribeUdbInstanceBackupUrlResponse::builder()
                .backup_path("known")
                .build(),
        );
    let client = mock.client();
    assert_eq!(backup_link(&client, "udb-known").await.unwrap(), "known");
    let error = backup_link(&client, "udb-other").await.unwrap_err();
    assert!(
        error.to_string().contains("the mock has no answer"),
        "{error}"
    );
    assert!(!error.is_retryable());
}

#[tokio::test]
async fn invoke_is_answered_by_rules_for_the_action_name() {
    let mock = Mock::new();
    mock.on_action("DescribeAnything")
        .json(json!({"RetCode": 0, "Things": [1, 2]}));
    let answer = mock
        .client()
        .invoke("DescribeAnything", json!({"Limit": 2}))
        .await
        .unwrap();
    assert_eq!(answer["Things"], json!([1, 2]));
    assert_eq!(mock.requests()[0].param("Limit"), Some("2"));
}

#[test]
fn models_and_responses_are_built_field_by_field() {
    let owner = madeup::FileOwner::builder().id("u-1").build();
    let file = madeup::BackupFile::builder()
        .name("full.xb")
        .size(1024)
        .compressed(true)
        .owner(owner.clone())
        .build();
    assert_eq!(file.name.as_deref(), Some("full.xb"));
    assert_eq!(file.size, Some(1024));
    assert_eq!(
        file.owner.as_ref().and_then(|o| o.id.as_deref()),
        Some("u-1")
    );
    assert_eq!(file.ratio, None, "fields not set stay unset");

    let page = madeup::ListUdbBackupFilesResponse::builder()
        .files(vec![file.clone(), file])
        .total_count(2)
        .meta(ResponseMeta::default().with_request_id("req-1"))
        .build();
    assert_eq!(page.files.as_ref().map(Vec::len), Some(2));
    assert_eq!(page.meta().request_id(), Some("req-1"));
}

#[tokio::test]
async fn a_mocked_paginator_walks_built_pages() {
    use futures_util::TryStreamExt;

    let mock = Mock::new();
    let file = |name: &str| madeup::BackupFile::builder().name(name).build();
    mock.on::<madeup::ListUdbBackupFilesRequest>()
        .when(|r| r.param("Offset") == Some("0"))
        .respond(
            madeup::ListUdbBackupFilesResponse::builder()
                .files(vec![file("a"), file("b")])
                .total_count(3)
                .build(),
        );
    mock.on::<madeup::ListUdbBackupFilesRequest>()
        .when(|r| r.param("Offset") == Some("2"))
        .respond(
            madeup::ListUdbBackupFilesResponse::builder()
                .files(vec![file("c")])
                .total_count(3)
                .build(),
        );
    let client = mock.client();
    let names: Vec<String> = client
        .madeup()
        .list_udb_backup_files("udb-1")
        .into_paginator()
        .page_size(2)
        .items()
        .map_ok(|f| f.name.unwrap_or_default())
        .try_collect()
        .await
        .unwrap();
    assert_eq!(names, ["a", "b", "c"]);
}
