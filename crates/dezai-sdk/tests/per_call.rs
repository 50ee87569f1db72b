//! `.customize(CallOptions)`: each setting applies to that call only, and the next call runs
//! as the client is configured. Proved through the mock transport, which records every
//! attempt's parameters.

use std::time::Duration;

use dezai_sdk::mock::Mock;
use dezai_sdk::prelude::*;
use dezai_sdk::ret_code;
use dezai_sdk::serde_json::json;
use dezai_sdk::umongodb::DescribeUmongodbBackupUrlRequest;

fn ok(mock: &Mock) {
    mock.on::<DescribeUmongodbBackupUrlRequest>()
        .json(json!({"RetCode": 0, "BackupPath": "p"}));
}

fn params(mock: &Mock, name: &str) -> Vec<Option<String>> {
    mock.requests()
        .iter()
        .map(|r| r.param(name).map(str::to_owned))
        .collect()
}

#[tokio::test]
async fn region_zone_and_project_apply_to_one_call() {
    let mock = Mock::new();
    ok(&mock);
    let client = mock.client();
    client
        .umongodb()
        .describe_umongodb_backup_url("c-1")
        .customize(
            CallOptions::new()
                .region("cn-sh2")
                .zone("cn-sh2-02")
                .project_id("org-7"),
        )
        .send()
        .await
        .unwrap();
    client
        .umongodb()
        .describe_umongodb_backup_url("c-1")
        .send()
        .await
        .unwrap();
    assert_eq!(
        params(&mock, "Region"),
        [Some("cn-sh2".to_owned()), Some("mock-region".to_owned())]
    );
    assert_eq!(params(&mock, "Zone"), [Some("cn-sh2-02".to_owned()), None]);
    assert_eq!(params(&mock, "ProjectId"), [Some("org-7".to_owned()), None]);
}

#[tokio::test]
async fn a_value_set_on_the_request_wins_over_the_call_settings() {
    let mock = Mock::new();
    ok(&mock);
    mock.client()
        .umongodb()
        .describe_umongodb_backup_url("c-1")
        .region("cn-gd")
        .customize(CallOptions::new().region("cn-sh2"))
        .send()
        .await
        .unwrap();
    assert_eq!(params(&mock, "Region"), [Some("cn-gd".to_owned())]);
}

#[tokio::test]
async fn max_attempts_applies_to_one_call() {
    let mock = Mock::new();
    mock.on::<DescribeUmongodbBackupUrlRequest>()
        .ret_code(ret_code::THROTTLED, "slow down");
    let client = mock.client();
    let limited = client
        .umongodb()
        .describe_umongodb_backup_url("c-1")
        .customize(CallOptions::new().max_attempts(1))
        .send()
        .await
        .unwrap_err();
    assert!(limited.is_throttling());
    assert_eq!(limited.attempts(), 1);
    assert_eq!(mock.requests().len(), 1);

    mock.clear_requests();
    let default = client
        .umongodb()
        .describe_umongodb_backup_url("c-1")
        .send()
        .await
        .unwrap_err();
    let configured = client.config().retry().max_attempts;
    assert!(configured > 1);
    assert_eq!(default.attempts(), configured);
    assert_eq!(mock.requests().len() as u32, configured);
}

#[tokio::test]
async fn the_attempt_timeout_applies_to_one_call() {
    let mock = Mock::new();
    mock.on::<DescribeUmongodbBackupUrlRequest>()
        .delay(Duration::from_millis(300))
        .json(json!({"RetCode": 0, "InternetAddress": "slow"}));
    let client = mock.client();
    let error = client
        .umongodb()
        .describe_umongodb_backup_url("c-1")
        .customize(
            CallOptions::new()
                .timeout(Duration::from_millis(20))
                .max_attempts(1),
        )
        .send()
        .await
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Timeout);
    assert!(error.to_string().contains("20 ms"), "{error}");

    // The client's own timeout (10 s) lets the same slow answer through.
    let answer = client
        .umongodb()
        .describe_umongodb_backup_url("c-1")
        .send()
        .await
        .unwrap();
    assert_eq!(answer.internet_address.as_deref(), Some("slow"));
}

#[tokio::test]
async fn the_operation_timeout_applies_to_one_call() {
    let mock = Mock::new();
    mock.on::<DescribeUmongodbBackupUrlRequest>()
        .delay(Duration::from_millis(300))
        .json(json!({"RetCode": 0}));
    let client = mock.client();
    let error = client
        .umongodb()
        .describe_umongodb_backup_url("c-1")
        .customize(CallOptions::new().operation_timeout(Duration::from_millis(20)))
        .send()
        .await
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Timeout);
    assert!(error.to_string().contains("operation timeout"), "{error}");
    client
        .umongodb()
        .describe_umongodb_backup_url("c-1")
        .send()
        .await
        .unwrap();
}

#[tokio::test]
async fn invoke_takes_call_settings_too() {
    let mock = Mock::new();
    mock.on_action("DescribeAnything")
        .json(json!({"RetCode": 0}));
    let client = mock.client();
    client
        .invoke_with(
            "DescribeAnything",
            json!({}),
            CallOptions::new().region("cn-sh2").zone("cn-sh2-01"),
        )
        .await
        .unwrap();
    client.invoke("DescribeAnything", json!({})).await.unwrap();
    assert_eq!(
        params(&mock, "Region"),
        [Some("cn-sh2".to_owned()), Some("mock-region".to_owned())]
    );
    assert_eq!(params(&mock, "Zone"), [Some("cn-sh2-01".to_owned()), None]);
}
