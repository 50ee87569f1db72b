//! Regression tests for runtime defects found under hostile peers, each against a raw TCP peer on 127.0.0.1
//! that misbehaves in one exact way: redirects, silence, bodies cut short, and calls that
//! carry a security token as a parameter.

mod common;

use dezai_http::ClientExt as _;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use common::{PRIVATE_KEY, PUBLIC_KEY, Reply, Server, client_with, expected_signature};
use dezai_runtime::{Client, Config, Credentials, Environment, ErrorKind, Params, RetryPolicy};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// A peer that answers every connection with `answer` (raw HTTP), after reading the request
/// head; it counts connections.
async fn peer(answer: String) -> (String, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let count = Arc::new(AtomicUsize::new(0));
    let seen = count.clone();
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            seen.fetch_add(1, Ordering::SeqCst);
            let answer = answer.clone();
            tokio::spawn(async move {
                let mut buf = vec![0u8; 64 * 1024];
                let _ = stream.read(&mut buf).await;
                if !answer.is_empty() {
                    let _ = stream.write_all(answer.as_bytes()).await;
                    let _ = stream.shutdown().await;
                } else {
                    // Say nothing, keep the connection open.
                    tokio::time::sleep(Duration::from_secs(60)).await;
                }
            });
        }
    });
    (url, count)
}

fn client_for(
    url: &str,
    adjust: impl FnOnce(dezai_runtime::ConfigBuilder) -> dezai_runtime::ConfigBuilder,
) -> Client {
    let builder = Config::builder()
        .credentials(Credentials::new(PUBLIC_KEY, PRIVATE_KEY).with_security_token("tok-SECRET"))
        .base_url(url)
        .region("cn-bj2")
        .retry(RetryPolicy::none());
    Client::new(adjust(builder).build().unwrap()).unwrap()
}

#[tokio::test]
async fn redirects_are_never_followed_and_name_their_target() {
    for status in [
        "307 Temporary Redirect",
        "302 Found",
        "301 Moved Permanently",
    ] {
        let (elsewhere, reached) = peer(
            "HTTP/1.1 200 OK\r\nContent-Length: 31\r\n\r\n{\"RetCode\":0,\"Action\":\"XResp\"}"
                .into(),
        )
        .await;
        let (url, _) = peer(format!(
            "HTTP/1.1 {status}\r\nLocation: {elsewhere}/steal\r\nContent-Length: 0\r\n\r\n"
        ))
        .await;
        let client = client_for(&url, |b| b);
        let err = client.invoke("DescribeX", Params::new()).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::HttpStatus, "{status}: {err}");
        assert!(
            err.to_string()
                .contains(&format!("redirected to {elsewhere}/steal")),
            "{status}: {err}"
        );
        assert_eq!(
            reached.load(Ordering::SeqCst),
            0,
            "{status}: the signed body never reaches the other host"
        );
    }
}

#[tokio::test]
async fn a_silent_server_is_given_up_on_by_the_operation_timeout() {
    let (url, _) = peer(String::new()).await;
    let client = client_for(&url, |b| {
        b.timeout(Duration::from_secs(5))
            .operation_timeout(Duration::from_millis(300))
    });
    let err = client.invoke("DescribeX", Params::new()).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Timeout);
    assert!(
        err.to_string()
            .contains("gave up after 300 ms (the operation timeout) during attempt 1 of 1"),
        "{err}"
    );
}

#[tokio::test]
async fn each_attempt_timeout_says_which_attempt() {
    let (url, count) = peer(String::new()).await;
    let client = client_for(&url, |b| {
        b.timeout(Duration::from_millis(150)).retry(
            RetryPolicy::default()
                .with_max_attempts(2)
                .with_backoff(Duration::from_millis(1), Duration::from_millis(2)),
        )
    });
    let err = client.invoke("DescribeX", Params::new()).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Timeout);
    assert!(
        err.to_string()
            .contains("timed out after 150 ms (attempt 2 of 2)"),
        "{err}"
    );
    assert_eq!(count.load(Ordering::SeqCst), 2);
}

#[test]
fn the_default_timeouts_report_a_dead_server_within_about_30_seconds() {
    let config = Config::builder().build().unwrap();
    assert_eq!(config.operation_timeout(), Duration::from_secs(30));
    assert!(config.timeout() <= Duration::from_secs(10));
}

#[tokio::test]
async fn a_body_cut_short_says_how_much_arrived() {
    let (url, _) = peer(
        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"RetCode\": 0,".into(),
    )
    .await;
    let client = client_for(&url, |b| b);
    let err = client.invoke("DescribeX", Params::new()).await.unwrap_err();
    assert!(
        err.to_string()
            .contains("response body truncated: got 14 of 100 bytes"),
        "{err}"
    );
}

#[tokio::test]
async fn a_refused_connection_says_so() {
    let client = common::client_without_server(RetryPolicy::none()).await;
    let err = client.invoke("DescribeX", Params::new()).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Connect);
    assert!(err.to_string().contains("connection refused"), "{err}");
}

#[test]
fn out_of_range_timeouts_are_config_errors_not_panics() {
    for value in ["1e20", "-1", "0", "NaN", "inf", "abc", "86401"] {
        let result = Config::builder()
            .environment(&Environment::new([("DEZAI_TIMEOUT_SECONDS", value)], None))
            .and_then(|b| b.build());
        let err = result.expect_err(value);
        assert!(
            err.to_string().contains("DEZAI_TIMEOUT_SECONDS"),
            "{value}: {err}"
        );
    }
    let ok = Config::builder()
        .environment(&Environment::new(
            [("DEZAI_OPERATION_TIMEOUT_SECONDS", "2.5")],
            None,
        ))
        .unwrap()
        .build()
        .unwrap();
    assert_eq!(ok.operation_timeout(), Duration::from_millis(2500));
}

#[tokio::test]
async fn a_security_token_parameter_is_sent_and_signed() {
    let server = Server::start().await;
    server.script([Reply::ok("DescribeX", serde_json::json!({}))]);
    let client = client_with(&server, |b| b);
    let mut params = Params::new();
    params.push("SecurityToken", "sts-from-caller");
    params.push("Name", "n");
    client.invoke("DescribeX", params).await.unwrap();
    let received = &server.received()[0];
    assert_eq!(received.param("SecurityToken"), Some("sts-from-caller"));
    assert!(
        received.signature_ok,
        "the token is part of the signed string"
    );
    let mut signed: Vec<(String, String)> = received
        .params
        .iter()
        .filter(|(n, _)| n != "Signature")
        .cloned()
        .collect();
    signed.sort();
    assert_eq!(
        received.param("Signature"),
        Some(expected_signature(&signed, PRIVATE_KEY).as_str())
    );
}

#[tokio::test]
async fn a_security_token_parameter_that_contradicts_the_configured_one_is_refused() {
    let server = Server::start().await;
    let client = client_with(&server, |b| {
        b.credentials(Credentials::new(PUBLIC_KEY, PRIVATE_KEY).with_security_token("configured"))
    });
    let mut params = Params::new();
    params.push("SecurityToken", "different");
    let err = client.invoke("DescribeX", params).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidRequest);
    assert!(!err.to_string().contains("configured\""), "{err}");
    assert!(
        !err.to_string().contains("different"),
        "no token in the message: {err}"
    );
    assert_eq!(server.count(), 0);
}

#[tokio::test]
async fn integers_from_json_reach_the_wire_exactly() {
    let server = Server::start().await;
    server.script([Reply::ok("DescribeX", serde_json::json!({}))]);
    let client = client_with(&server, |b| b);
    let params = Params::from_json(r#"{"Id": 18446744073709551617, "Tags": ["a", "b"]}"#).unwrap();
    client.invoke("DescribeX", params).await.unwrap();
    let received = &server.received()[0];
    assert_eq!(received.param("Id"), Some("18446744073709551617"));
    assert_eq!(received.param("Tags.1"), Some("b"));
    assert!(received.signature_ok);
}
