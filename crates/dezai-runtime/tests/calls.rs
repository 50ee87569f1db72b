//! Whole calls against a local server that checks signatures independently: what is sent,
//! what comes back, and every kind of error.

mod common;

use dezai_http::ClientExt as _;
use std::time::Duration;

use common::{PRIVATE_KEY, Reply, Server, client, client_with};
use dezai_runtime::{
    Action, BodyEncoding, ConfigParams, Credentials, ErrorKind, ParamValue, ParamWriter, Params,
    Takes,
};
use serde::Deserialize;

/// A request type written the way generated code writes one.
struct DescribeBackup {
    db_id: String,
    backup_id: i64,
    valid_time: Option<i64>,
    disks: Vec<Disk>,
    ratio: Option<f64>,
    force: Option<bool>,
}

struct Disk {
    size: i64,
    kind: Option<String>,
}

impl ParamValue for Disk {
    fn write_param(&self, w: &mut ParamWriter<'_>) {
        w.field("Size", &self.size);
        w.field("Type", &self.kind);
    }
}

#[derive(Debug, Deserialize)]
struct DescribeBackupResponse {
    #[serde(
        rename = "BackupPath",
        default,
        deserialize_with = "dezai_runtime::de::lenient"
    )]
    backup_path: Option<String>,
    #[serde(
        rename = "Size",
        default,
        deserialize_with = "dezai_runtime::de::lenient"
    )]
    size: Option<i64>,
    #[serde(
        rename = "Message",
        default,
        deserialize_with = "dezai_runtime::de::lenient"
    )]
    message: Option<String>,
    #[serde(flatten)]
    extra: serde_json::Map<String, serde_json::Value>,
}

impl dezai_runtime::Response for DescribeBackupResponse {}

impl Action for DescribeBackup {
    const NAME: &'static str = "DescribeBackup";
    const CONFIG_PARAMS: ConfigParams = ConfigParams {
        region: Takes::Required,
        zone: Takes::Optional,
        project_id: Takes::Optional,
    };
    type Response = DescribeBackupResponse;
    fn write_params(&self, w: &mut ParamWriter<'_>) {
        w.field("DBId", &self.db_id);
        w.field("BackupId", &self.backup_id);
        w.field("ValidTime", &self.valid_time);
        w.field("Disks", &self.disks);
        w.field("Ratio", &self.ratio);
        w.field("Force", &self.force);
    }
}

fn request() -> DescribeBackup {
    DescribeBackup {
        db_id: "udb-1".into(),
        backup_id: 1234,
        valid_time: None,
        disks: vec![
            Disk {
                size: 20,
                kind: Some("SSD".into()),
            },
            Disk {
                size: 40,
                kind: None,
            },
        ],
        ratio: Some(42.0),
        force: Some(true),
    }
}

#[tokio::test]
async fn a_typed_call_is_signed_flattened_and_decoded() {
    let server = Server::start().await;
    server.script([Reply::ok(
        "DescribeBackup",
        serde_json::json!({"BackupPath": "http://b", "Size": "1024", "Extra": [1]}),
    )]);
    let client = client_with(&server, |b| b.project_id("org-1"));
    let response = client.send(request()).await.unwrap();
    assert_eq!(response.backup_path.as_deref(), Some("http://b"));
    assert_eq!(response.size, Some(1024), "a number sent as a string");
    assert_eq!(
        response.extra["Extra"],
        serde_json::json!([1]),
        "unknown fields are kept"
    );

    let received = &server.received()[0];
    assert!(
        received.signature_ok,
        "the server's own check accepts the signature"
    );
    assert_eq!(received.method, "POST");
    assert_eq!(
        received.headers["content-type"],
        "application/x-www-form-urlencoded"
    );
    assert!(received.headers["user-agent"].starts_with("dezai-sdk-rust/"));
    let mut names: Vec<&str> = received.params.iter().map(|(n, _)| n.as_str()).collect();
    names.sort();
    assert_eq!(
        names,
        [
            "Action",
            "BackupId",
            "DBId",
            "Disks.0.Size",
            "Disks.0.Type",
            "Disks.1.Size",
            "Force",
            "ProjectId",
            "PublicKey",
            "Ratio",
            "Region",
            "Signature"
        ],
        "unset values are absent; Zone is not configured so not sent"
    );
    assert_eq!(received.param("Ratio"), Some("42"));
    assert_eq!(received.param("Force"), Some("true"));
    assert_eq!(received.param("Region"), Some("cn-bj2"));
    assert_eq!(received.param("Action"), Some("DescribeBackup"));
}

#[tokio::test]
async fn json_bodies_are_signed_too() {
    let server = Server::start().await;
    let client = client_with(&server, |b| b.encoding(BodyEncoding::Json));
    client.send(request()).await.unwrap();
    let received = &server.received()[0];
    assert_eq!(received.headers["content-type"], "application/json");
    assert!(received.signature_ok);
}

#[tokio::test]
async fn the_security_token_is_sent_and_signed() {
    let server = Server::start().await;
    let client = client_with(&server, |b| {
        b.credentials(
            Credentials::new(common::PUBLIC_KEY, PRIVATE_KEY).with_security_token("tok-1"),
        )
    });
    client.send(request()).await.unwrap();
    let received = &server.received()[0];
    assert_eq!(received.param("SecurityToken"), Some("tok-1"));
    assert!(received.signature_ok);
}

#[tokio::test]
async fn user_agent_suffix() {
    let server = Server::start().await;
    let client = client_with(&server, |b| b.user_agent_suffix("my-app/2"));
    client.send(request()).await.unwrap();
    let ua = &server.received()[0].headers["user-agent"];
    assert!(
        ua.starts_with("dezai-sdk-rust/") && ua.ends_with(" my-app/2"),
        "{ua}"
    );
}

#[tokio::test]
async fn request_values_win_over_configured_defaults() {
    let server = Server::start().await;
    let client = client_with(&server, |b| b.zone("cn-bj2-04"));
    let mut params = Params::new();
    params.push("Region", "cn-sh2");
    client.invoke("DescribeThing", params).await.unwrap();
    let received = &server.received()[0];
    assert_eq!(received.param("Region"), Some("cn-sh2"));
    assert_eq!(
        received.param("Zone"),
        None,
        "generic calls do not get a Zone"
    );
}

#[tokio::test]
async fn a_missing_required_region_fails_locally() {
    let server = Server::start().await;
    let client = dezai_runtime::Client::new(
        dezai_runtime::Config::builder()
            .credentials(Credentials::new(common::PUBLIC_KEY, PRIVATE_KEY))
            .base_url(&server.url)
            .build()
            .unwrap(),
    )
    .unwrap();
    let err = client.send(request()).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidRequest);
    assert_eq!(err.action(), "DescribeBackup");
    assert!(
        err.message().unwrap().contains("Region is required"),
        "{err}"
    );
    assert_eq!(err.attempts(), 0);
    assert_eq!(server.count(), 0, "no network call");
}

#[tokio::test]
async fn no_credentials_fails_locally() {
    let server = Server::start().await;
    let client = dezai_runtime::Client::new(
        dezai_runtime::Config::builder()
            .base_url(&server.url)
            .build()
            .unwrap(),
    )
    .unwrap();
    let err = client
        .invoke("DescribeThing", Params::new())
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidRequest);
    assert!(
        err.to_string().contains("no credentials configured"),
        "{err}"
    );
    assert_eq!(server.count(), 0);
}

#[tokio::test]
async fn a_nan_float_fails_locally_naming_the_parameter() {
    let server = Server::start().await;
    let mut req = request();
    req.ratio = Some(f64::NAN);
    let err = client(&server).send(req).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidRequest);
    assert!(err.to_string().contains("`Ratio`"), "{err}");
    assert_eq!(server.count(), 0);
}

#[tokio::test]
async fn api_error_carries_ret_code_message_and_request_id() {
    let server = Server::start().await;
    let client = client_with(&server, |b| {
        b.credentials(Credentials::new(common::PUBLIC_KEY, "wrong-private-key"))
    });
    let err = client.send(request()).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Api);
    assert_eq!(err.ret_code(), Some(171));
    assert_eq!(err.message(), Some("Signature VerifyAC Error"));
    assert_eq!(err.request_id(), Some("req-1"));
    assert_eq!(err.http_status(), Some(200));
    assert!(!err.is_retryable());
    let shown = err.to_string();
    assert!(
        shown.contains("DescribeBackup") && shown.contains("171") && shown.contains("req-1"),
        "{shown}"
    );
    assert!(
        !shown.contains("wrong-private-key") && !format!("{err:?}").contains("wrong-private-key")
    );
}

#[tokio::test]
async fn message_comes_from_the_envelope() {
    let server = Server::start().await;
    server.script([Reply::Json(
        200,
        vec![],
        serde_json::json!({"RetCode": 0, "Message": "ok then", "Action": "X"}),
    )]);
    let response = client(&server).send(request()).await.unwrap();
    assert_eq!(response.message.as_deref(), Some("ok then"));
}

#[tokio::test]
async fn http_status_error() {
    let server = Server::start().await;
    server.script([Reply::Json(
        500,
        vec![],
        serde_json::json!({"Message": "boom"}),
    )]);
    let err = client(&server).send(request()).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::HttpStatus);
    assert_eq!(err.http_status(), Some(500));
    assert_eq!(err.message(), Some("boom"));
    assert_eq!(err.request_id(), Some("req-1"));
    assert_eq!(err.attempts(), 1, "500 is not retried");
}

#[tokio::test]
async fn non_json_body_is_a_decode_error_with_an_excerpt() {
    let server = Server::start().await;
    server.script([Reply::Raw(200, b"<html>gateway says no</html>".to_vec())]);
    let err = client(&server).send(request()).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Decode);
    assert_eq!(err.body_excerpt(), Some("<html>gateway says no</html>"));
    assert_eq!(err.request_id(), Some("req-1"));
}

/// A gateway that echoes the signed request, or JSON that names a password: the error quotes
/// the body with those values masked, in `body_excerpt`, `Display` and `Debug`.
#[tokio::test]
async fn quoted_bodies_in_errors_lose_their_secrets() {
    let server = Server::start().await;
    server.script([
        Reply::Raw(
            400,
            b"<p>rejected: Action=X&Password=hunter2&Signature=0123abcd&Region=cn</p>".to_vec(),
        ),
        Reply::Json(
            500,
            vec![],
            serde_json::json!({"Message": "boom", "Echo": {"AdminPassword": "hunter2"}}),
        ),
    ]);
    for _ in 0..2 {
        let err = client(&server).send(request()).await.unwrap_err();
        let excerpt = err.body_excerpt().unwrap().to_owned();
        for shown in [excerpt.clone(), err.to_string(), format!("{err:?}")] {
            assert!(
                !shown.contains("hunter2") && !shown.contains("0123abcd"),
                "{shown}"
            );
        }
        assert!(
            excerpt.contains("rejected") || excerpt.contains("boom"),
            "the rest is kept: {excerpt}"
        );
    }
}

/// A hand-written response that reads strictly: it relies on `Response`'s default reading.
#[derive(Debug, Deserialize)]
struct StrictResponse {
    #[serde(rename = "Size")]
    #[allow(dead_code)]
    size: i64,
}

impl dezai_runtime::Response for StrictResponse {}

struct Strict;

impl Action for Strict {
    const NAME: &'static str = "DescribeStrict";
    const CONFIG_PARAMS: ConfigParams = ConfigParams {
        region: Takes::No,
        zone: Takes::No,
        project_id: Takes::No,
    };
    type Response = StrictResponse;
    fn write_params(&self, _: &mut ParamWriter<'_>) {}
}

#[tokio::test]
async fn an_answer_a_hand_written_response_cannot_read_is_a_decode_error_with_its_request_id() {
    let server = Server::start().await;
    server.script([Reply::Json(
        200,
        vec![],
        serde_json::json!({"RetCode": 0, "Size": "twenty"}),
    )]);
    let err = client(&server).send(Strict).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Decode);
    assert_eq!(err.action(), "DescribeStrict");
    assert_eq!(err.request_id(), Some("req-1"));
    assert!(
        err.to_string()
            .contains("does not match the typed response"),
        "{err}"
    );
}

#[tokio::test]
async fn a_json_body_without_ret_code_is_a_decode_error() {
    let server = Server::start().await;
    server.script([Reply::Raw(200, b"{\"Hello\": 1}".to_vec())]);
    let err = client(&server).send(request()).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Decode);
    assert!(err.to_string().contains("no RetCode"), "{err}");
}

#[tokio::test]
async fn json_that_is_not_an_object_is_a_decode_error() {
    let server = Server::start().await;
    server.script([Reply::Raw(200, b"[{\"RetCode\": 0}]".to_vec())]);
    let err = client(&server).send(request()).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Decode);
    assert!(err.to_string().contains("not a JSON object"), "{err}");
}

/// The envelope is read apart from the rest of the answer (its keys are never allocated for a
/// typed response); `invoke` still returns it exactly as the server sent it.
#[tokio::test]
async fn invoke_returns_the_envelope_as_sent() {
    let server = Server::start().await;
    server.script([Reply::Raw(
        200,
        br#"{"RetCode": "0", "Action": "DescribeAnythingResponse", "Message": "", "Data": {"RetCode": 7}}"#
            .to_vec(),
    )]);
    let json = client(&server)
        .invoke("DescribeAnything", Params::new())
        .await
        .unwrap();
    assert_eq!(
        json,
        serde_json::json!({"RetCode": "0", "Action": "DescribeAnythingResponse", "Message": "", "Data": {"RetCode": 7}})
    );
}

#[tokio::test]
async fn truncated_json_is_a_decode_error() {
    let server = Server::start().await;
    server.script([Reply::Raw(200, b"{\"RetCode\": 0, \"Back".to_vec())]);
    let err = client(&server).send(request()).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Decode);
    assert!(err.to_string().contains("not JSON"), "{err}");
}

#[tokio::test]
async fn a_body_cut_off_mid_transfer_is_a_transport_error() {
    let server = Server::start().await;
    server.fallback(Reply::Truncated {
        announced: 500,
        sent: b"{\"RetCode\": 0,".to_vec(),
    });
    let err = client(&server).send(request()).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Transport, "{err}");
    assert_eq!(
        err.attempts(),
        3,
        "a dropped transfer is retried for an idempotent action"
    );
    assert_eq!(
        err.request_id(),
        Some("req-3"),
        "the last attempt's request id: {err:?}"
    );
}

#[tokio::test]
async fn a_huge_announced_body_is_refused_without_reading_it() {
    let server = Server::start().await;
    server.script([Reply::Huge {
        size: 50 * 1024 * 1024,
        content_length: true,
    }]);
    let client = client_with(&server, |b| b.max_response_bytes(1024 * 1024));
    let err = client.send(request()).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::ResponseTooLarge);
    assert!(err.to_string().contains("52428800"), "{err}");
}

#[tokio::test]
async fn a_huge_streamed_body_stops_at_the_limit() {
    let server = Server::start().await;
    server.script([Reply::Huge {
        size: 50 * 1024 * 1024,
        content_length: false,
    }]);
    let err = client(&server).send(request()).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::ResponseTooLarge, "{err}");
    assert!(err.to_string().contains("exceeds the limit"), "{err}");
}

#[tokio::test]
async fn a_slow_server_times_out() {
    let server = Server::start().await;
    server.fallback(Reply::Delay(
        Duration::from_secs(5),
        Box::new(Reply::ok("DescribeBackup", serde_json::json!({}))),
    ));
    let client = client_with(&server, |b| {
        b.timeout(Duration::from_millis(200))
            .retry(dezai_runtime::RetryPolicy::none())
    });
    let err = client.send(request()).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Timeout, "{err}");
    assert!(err.kind().is_transport());
}

#[tokio::test]
async fn a_slow_server_within_the_timeout_is_fine() {
    let server = Server::start().await;
    server.script([Reply::Delay(
        Duration::from_millis(300),
        Box::new(Reply::ok("DescribeBackup", serde_json::json!({"Size": 1}))),
    )]);
    let client = client_with(&server, |b| b.timeout(Duration::from_secs(10)));
    assert_eq!(client.send(request()).await.unwrap().size, Some(1));
}

#[tokio::test]
async fn nothing_listening_is_a_connect_error() {
    let client = common::client_without_server(dezai_runtime::RetryPolicy::none()).await;
    let err = client
        .invoke("DescribeThing", Params::new())
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Connect, "{err}");
    assert!(err.is_retryable());
}

#[tokio::test]
async fn invoke_returns_json_with_exact_large_integers() {
    let server = Server::start().await;
    server.script([Reply::Raw(
        200,
        br#"{"RetCode": 0, "Big": 9007199254740993, "Huge": 18446744073709551615}"#.to_vec(),
    )]);
    let mut params = Params::new();
    params.push("Anything", "1");
    let json = client(&server)
        .invoke("DescribeAnything", params)
        .await
        .unwrap();
    assert_eq!(json["Big"].as_i64(), Some(9_007_199_254_740_993));
    assert_eq!(json["Huge"].as_u64(), Some(u64::MAX));
    let received = &server.received()[0];
    assert!(received.signature_ok);
    assert_eq!(received.param("Action"), Some("DescribeAnything"));
    assert_eq!(received.param("Region"), Some("cn-bj2"));
}

#[test]
fn without_a_base_url_every_call_goes_to_the_default_host() {
    let client = dezai_runtime::Client::new(
        dezai_runtime::Config::builder()
            .credentials(Credentials::new("p", "k"))
            .region("r")
            .build()
            .unwrap(),
    )
    .unwrap();
    let encoded = client.encode(&request()).unwrap();
    assert_eq!(
        encoded.url(),
        format!("{}/", dezai_runtime::DEFAULT_ENDPOINT)
    );
    assert_eq!(encoded.url(), "https://api.dezai.com/");
}

#[tokio::test]
async fn clones_share_one_client() {
    fn assert_send_sync<T: Send + Sync + Clone>() {}
    assert_send_sync::<dezai_runtime::Client>();
    let server = Server::start().await;
    let client = client(&server);
    let clones: Vec<_> = (0..8).map(|_| client.clone()).collect();
    let calls = clones
        .into_iter()
        .map(|c| tokio::spawn(async move { c.send(request()).await.map(|_| ()) }));
    for call in calls {
        call.await.unwrap().unwrap();
    }
    assert_eq!(server.count(), 8);
}
