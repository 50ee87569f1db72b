//! Errors to match on: named RetCodes, and `is_throttling` / `is_auth` / `is_retryable` on
//! what a server actually answers.

mod common;

use common::{Reply, Server, client};
use dezai_runtime::{ErrorKind, Params, ret_code};

async fn fail_with(reply: Reply) -> dezai_runtime::Error {
    let server = Server::start().await;
    server.fallback(reply);
    client(&server)
        .invoke("DescribeX", Params::new())
        .await
        .unwrap_err()
}

#[tokio::test]
async fn throttling_by_status_or_ret_code() {
    let by_status = fail_with(Reply::status(429)).await;
    assert!(
        by_status.is_throttling() && !by_status.is_auth(),
        "{by_status}"
    );
    let by_code = fail_with(Reply::ret_code(ret_code::THROTTLED, "slow down")).await;
    assert_eq!(by_code.kind(), ErrorKind::Api);
    assert_eq!(by_code.ret_code(), Some(153));
    assert!(
        by_code.is_throttling() && by_code.is_retryable(),
        "{by_code}"
    );
}

#[tokio::test]
async fn auth_failures_are_named_and_not_retryable() {
    for code in [
        ret_code::WRONG_SIGNATURE,
        ret_code::UNKNOWN_PUBLIC_KEY,
        ret_code::IAM_DENIED,
    ] {
        let err = fail_with(Reply::ret_code(code, "no")).await;
        assert!(err.is_auth(), "{code}: {err}");
        assert!(!err.is_retryable() && !err.is_throttling(), "{code}: {err}");
    }
    let forbidden = fail_with(Reply::status(403)).await;
    assert!(forbidden.is_auth(), "{forbidden}");
    let other = fail_with(Reply::ret_code(ret_code::INVALID_PARAMETER, "bad")).await;
    assert!(!other.is_auth() && !other.is_throttling(), "{other}");
}

#[test]
fn the_retry_policy_retries_the_named_retryable_codes() {
    let policy = dezai_runtime::RetryPolicy::default();
    assert_eq!(policy.retry_ret_codes, ret_code::RETRYABLE);
}

#[tokio::test]
async fn a_base_url_with_a_path_is_posted_to_exactly() {
    let server = Server::start().await;
    for (base, expected) in [
        (format!("{}/api", server.url), format!("{}/api", server.url)),
        (
            format!("{}/api/", server.url),
            format!("{}/api/", server.url),
        ),
        (server.url.clone(), format!("{}/", server.url)),
    ] {
        let client = common::client_with(&server, |b| b.base_url(base.as_str()));
        let encoded = client.encode(&Describe).unwrap();
        assert_eq!(encoded.url(), expected, "{base}");
    }
}

/// The smallest typed action.
struct Describe;

impl dezai_runtime::Action for Describe {
    const NAME: &'static str = "DescribeX";
    type Response = serde_json::Value;
    fn write_params(&self, w: &mut dezai_runtime::ParamWriter<'_>) {
        w.field("Name", "n");
    }
}

#[tokio::test]
async fn invoke_takes_a_json_object_flattened_like_a_typed_request() {
    let server = Server::start().await;
    server.script([Reply::ok("CreateX", serde_json::json!({"Id": "x-1"}))]);
    let client = client(&server);
    let answer = client
        .invoke(
            "CreateX",
            serde_json::json!({"Name": "n", "Disks": [{"Size": 20, "Type": "SSD"}], "Force": true, "Skip": null}),
        )
        .await
        .unwrap();
    assert_eq!(answer["Id"], "x-1");
    let received = &server.received()[0];
    assert_eq!(received.param("Disks.0.Size"), Some("20"));
    assert_eq!(received.param("Disks.0.Type"), Some("SSD"));
    assert_eq!(received.param("Force"), Some("true"));
    assert_eq!(received.param("Skip"), None);
    assert!(received.signature_ok);

    let err = client
        .invoke("CreateX", serde_json::json!(["not", "an", "object"]))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidRequest);
    assert!(err.to_string().contains("not an array"), "{err}");
}
