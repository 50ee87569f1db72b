//! The retry matrix against real faults: which failures are retried, how many attempts, the
//! rule for actions that create things, Retry-After, and the retry budget.

mod common;

use std::time::Duration;

use common::{Reply, Server, client, client_with, fast_retries};
use dezai_runtime::{ErrorKind, Params, RetryBudget};

fn ok() -> Reply {
    Reply::ok("Any", serde_json::json!({"Done": true}))
}

async fn call(server: &Server, action: &str) -> Result<serde_json::Value, dezai_runtime::Error> {
    client(server).invoke(action, Params::new()).await
}

/// Each retryable fault, once, then success: the call succeeds on the second attempt.
#[tokio::test]
async fn retryable_faults_are_retried_until_success() {
    let faults = [
        ("429", Reply::status(429)),
        ("502", Reply::status(502)),
        ("503", Reply::status(503)),
        ("504", Reply::status(504)),
        ("RetCode 110", Reply::ret_code(110, "api timeout")),
        ("RetCode 130", Reply::ret_code(130, "gateway")),
        ("RetCode 150", Reply::ret_code(150, "unavailable")),
        ("RetCode 153", Reply::ret_code(153, "throttled")),
        ("dropped connection", Reply::Drop),
        (
            "truncated body",
            Reply::Truncated {
                announced: 100,
                sent: b"{".to_vec(),
            },
        ),
    ];
    for (name, fault) in faults {
        let server = Server::start().await;
        server.script([fault, ok()]);
        let json = call(&server, "DescribeThing")
            .await
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(json["Done"], true, "{name}");
        assert_eq!(server.count(), 2, "{name}: one retry");
    }
}

#[tokio::test]
async fn a_timeout_is_retried() {
    let server = Server::start().await;
    server.script([Reply::Delay(Duration::from_secs(5), Box::new(ok())), ok()]);
    let client = client_with(&server, |b| b.timeout(Duration::from_millis(300)));
    let json = client.invoke("DescribeThing", Params::new()).await.unwrap();
    assert_eq!(json["Done"], true);
    assert_eq!(server.count(), 2);
}

#[tokio::test]
async fn persistent_faults_stop_after_max_attempts() {
    let server = Server::start().await;
    server.fallback(Reply::status(503));
    let err = call(&server, "DescribeThing").await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::HttpStatus);
    assert_eq!(err.attempts(), 3);
    assert!(err.is_retryable());
    assert_eq!(server.count(), 3);
    assert!(err.to_string().contains("3 attempts"), "{err}");
}

#[tokio::test]
async fn max_attempts_is_configurable() {
    let server = Server::start().await;
    server.fallback(Reply::ret_code(153, "throttled"));
    let client = client_with(&server, |b| b.retry(fast_retries().with_max_attempts(5)));
    let err = client
        .invoke("DescribeThing", Params::new())
        .await
        .unwrap_err();
    assert_eq!(
        (err.kind(), err.ret_code(), err.attempts()),
        (ErrorKind::Api, Some(153), 5)
    );
}

#[tokio::test]
async fn other_failures_are_not_retried() {
    let faults = [
        ("500", Reply::status(500), ErrorKind::HttpStatus),
        ("400", Reply::status(400), ErrorKind::HttpStatus),
        (
            "RetCode 161",
            Reply::ret_code(161, "no such action"),
            ErrorKind::Api,
        ),
        (
            "RetCode 171",
            Reply::ret_code(171, "bad signature"),
            ErrorKind::Api,
        ),
        (
            "RetCode 2001",
            Reply::ret_code(2001, "product error"),
            ErrorKind::Api,
        ),
        (
            "not JSON",
            Reply::Raw(200, b"nope".to_vec()),
            ErrorKind::Decode,
        ),
    ];
    for (name, fault, kind) in faults {
        let server = Server::start().await;
        server.script([fault, ok()]);
        let err = call(&server, "DescribeThing").await.unwrap_err();
        assert_eq!(err.kind(), kind, "{name}");
        assert_eq!(server.count(), 1, "{name}: not retried");
        assert!(!err.is_retryable(), "{name}");
    }
}

#[tokio::test]
async fn actions_that_create_things_are_not_retried_once_the_request_arrived() {
    for fault in [
        Reply::status(503),
        Reply::ret_code(150, "unavailable"),
        Reply::Drop,
    ] {
        let server = Server::start().await;
        server.script([fault.clone(), ok()]);
        let err = call(&server, "CreateUHostInstance").await.unwrap_err();
        assert_eq!(
            server.count(),
            1,
            "{fault:?}: a second host must not be created"
        );
        assert!(!err.is_retryable(), "{fault:?}");
        assert_eq!(err.attempts(), 1);
    }
}

#[tokio::test]
async fn actions_that_create_things_are_retried_after_a_connect_failure() {
    let client = common::client_without_server(fast_retries()).await;
    let err = client
        .invoke("CreateUHostInstance", Params::new())
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Connect);
    assert_eq!(
        err.attempts(),
        3,
        "nothing reached the server, so retrying is safe"
    );
}

#[tokio::test]
async fn retry_after_is_honoured_and_a_longer_one_ends_retries() {
    let server = Server::start().await;
    server.script([Reply::status(429).with_header("Retry-After", "0"), ok()]);
    call(&server, "DescribeThing").await.unwrap();
    assert_eq!(server.count(), 2);

    let server = Server::start().await;
    // The test policy caps waits at 20 ms: a server asking for an hour is not waited for.
    server.script([Reply::status(429).with_header("Retry-After", "3600"), ok()]);
    let err = call(&server, "DescribeThing").await.unwrap_err();
    assert_eq!(err.http_status(), Some(429));
    assert_eq!(server.count(), 1);
}

#[tokio::test]
async fn an_exhausted_budget_stops_retries_with_a_clear_error() {
    let server = Server::start().await;
    server.fallback(Reply::status(503));
    let budget = RetryBudget {
        capacity: 10,
        retry_cost: 5,
        timeout_retry_cost: 10,
        success_refund: 1,
    };
    let client = client_with(&server, |b| {
        b.retry(fast_retries().with_budget(Some(budget)))
    });

    let first = client
        .invoke("DescribeThing", Params::new())
        .await
        .unwrap_err();
    assert_eq!(first.attempts(), 3, "two retries, 5 tokens each");
    assert!(!first.retry_budget_exhausted());
    assert_eq!(client.retry_tokens(), 0);

    let second = client
        .clone()
        .invoke("DescribeThing", Params::new())
        .await
        .unwrap_err();
    assert_eq!(
        second.attempts(),
        1,
        "clones share the budget, which is empty"
    );
    assert!(second.retry_budget_exhausted());
    assert!(
        second.to_string().contains("retry budget exhausted"),
        "{second}"
    );
    assert_eq!(server.count(), 4);

    server.script([ok()]);
    client.invoke("DescribeThing", Params::new()).await.unwrap();
    assert_eq!(client.retry_tokens(), 1, "a success refills the bucket");
}
