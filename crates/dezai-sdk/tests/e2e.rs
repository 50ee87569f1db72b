//! `dezai-sdk` against the emulator (fed the SDK's own embedded specs): every seed action through the typed API, a wrong key,
//! the runtime's retry rules against real faults, generic calls, parameter checks, load.

use std::time::Duration;

use dezai_emulator::{Emulator, Fault, Script, SignatureVerdict};
use dezai_sdk::prelude::*;
use dezai_sdk::{Params, RetryBudget, RetryPolicy};

const PUBLIC: &str = "e2e-public";
const PRIVATE: &str = "e2e-private";

async fn emulator() -> Emulator {
    // The specs the SDK was generated from, as a user of the published crate has them.
    dezai_sdk::specs()
        .into_iter()
        .fold(Emulator::builder(), |b, (_, json)| b.spec_json(json))
        .key_pair(PUBLIC, PRIVATE)
        .start()
        .await
        .unwrap()
}

fn client_with(emulator: &Emulator, private: &str, retry: RetryPolicy) -> Client {
    Client::new(
        Config::builder()
            .credentials(Credentials::new(PUBLIC, private))
            .base_url(emulator.url())
            .region("cn-bj2")
            .zone("cn-bj2-04")
            .retry(retry)
            .build()
            .unwrap(),
    )
    .unwrap()
}

fn fast() -> RetryPolicy {
    RetryPolicy::default().with_backoff(Duration::from_millis(1), Duration::from_millis(10))
}

fn client(emulator: &Emulator) -> Client {
    client_with(emulator, PRIVATE, fast())
}

#[tokio::test]
async fn every_seed_action_returns_its_example() {
    let emulator = emulator().await;
    let names: Vec<String> = dezai_sdk::specs()
        .iter()
        .flat_map(|(_, json)| {
            let spec: dezai_sdk::serde_json::Value = dezai_sdk::serde_json::from_str(json).unwrap();
            let actions = spec["actions"].as_array().unwrap().clone();
            actions
                .into_iter()
                .map(|a| a["name"].as_str().unwrap().to_owned())
        })
        .collect();
    assert_eq!(
        emulator.action_count(),
        names.len(),
        "every action of every spec"
    );
    let distinct: std::collections::BTreeSet<&String> = names.iter().collect();
    assert_eq!(
        emulator.name_count(),
        distinct.len(),
        "one wire name for an action documented in two products"
    );
    let client = client(&emulator);

    let udb = client
        .udb()
        .describe_udb_instance_backup_url("udb-1", 1234)
        .valid_time(3600)
        .send()
        .await
        .unwrap();
    assert_eq!(
        udb.md5.as_deref(),
        Some("SltVqrDH"),
        "read through the alias Md5"
    );
    assert!(udb.backup_path.unwrap().starts_with("http://udbbackup"));

    let umem = client
        .umem()
        .describe_umem_backup_url("space-1", "backup-1")
        .send()
        .await
        .unwrap();
    assert_eq!(umem.backup_url, Some(vec!["GElzOkvy".to_owned()]));

    let redis = client
        .umem()
        .describe_uredis_backup_url("backup-2")
        .send()
        .await
        .unwrap();
    assert_eq!(redis.backup_path.as_deref(), Some("KgVuXeBu"));
    assert_eq!(
        redis.inner_backup_path.as_deref(),
        Some("zeAzhTZt"),
        "the undocumented field"
    );

    let mongo = client
        .umongodb()
        .describe_umongodb_backup_url("cluster-1")
        .send()
        .await
        .unwrap();
    assert_eq!(mongo.internet_address.as_deref(), Some("DYnKJjGA"));

    let pg = client
        .upgsql()
        .get_upgsql_backup_url("instance-1", "backup-4")
        .send()
        .await
        .unwrap();
    assert_eq!(
        (pg.backup_path.as_deref(), pg.inner_backup_path.as_deref()),
        (Some("wdvxVEkT"), Some("cpDbdGMy"))
    );

    let requests = emulator.requests();
    assert_eq!(requests.len(), 5);
    assert!(
        requests
            .iter()
            .all(|r| r.signature == SignatureVerdict::Valid)
    );
    assert_eq!(requests[0].param("ValidTime"), Some("3600"));
    assert_eq!(
        requests[4].param("Zone"),
        Some("cn-bj2-04"),
        "Zone filled from the configuration"
    );
}

#[tokio::test]
async fn a_wrong_key_is_refused_with_171_and_a_request_id() {
    let emulator = emulator().await;
    let client = client_with(&emulator, "not-the-key", fast());
    let err = client
        .udb()
        .describe_udb_instance_backup_url("udb-1", 1)
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Api);
    assert_eq!(err.ret_code(), Some(171));
    assert_eq!(err.request_id(), Some("emu-1"));
    assert_eq!(emulator.requests()[0].signature, SignatureVerdict::Wrong);
}

#[tokio::test]
async fn retryable_faults_are_retried_and_then_succeed() {
    for fault in [
        Fault::Status(503),
        Fault::Status(429),
        Fault::RetCode(150),
        Fault::RetCode(153),
        Fault::Drop,
        Fault::Truncated,
        Fault::RetryAfter {
            status: 429,
            seconds: 0,
        },
    ] {
        let emulator = emulator().await;
        emulator.fault("DescribeUMemBackupURL", fault.clone(), 2);
        let ok = client(&emulator)
            .umem()
            .describe_umem_backup_url("s", "b")
            .send()
            .await;
        assert!(ok.is_ok(), "{fault:?}: {ok:?}");
        assert_eq!(
            emulator.requests().len(),
            3,
            "{fault:?}: two failures, then service resumes"
        );
    }
}

#[tokio::test]
async fn a_slow_action_times_out_and_is_retried() {
    let emulator = emulator().await;
    emulator.fault(
        "DescribeUMemBackupURL",
        Fault::Delay(Duration::from_secs(5)),
        1,
    );
    let client = Client::new(
        Config::builder()
            .credentials(Credentials::new(PUBLIC, PRIVATE))
            .base_url(emulator.url())
            .region("r")
            .zone("z")
            .timeout(Duration::from_millis(300))
            .retry(fast())
            .build()
            .unwrap(),
    )
    .unwrap();
    client
        .umem()
        .describe_umem_backup_url("s", "b")
        .send()
        .await
        .unwrap();
    assert_eq!(emulator.requests().len(), 2);
}

#[tokio::test]
async fn not_json_is_a_decode_error_and_not_retried() {
    let emulator = emulator().await;
    emulator.fault("DescribeUMemBackupURL", Fault::NotJson, 1);
    let err = client(&emulator)
        .umem()
        .describe_umem_backup_url("s", "b")
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Decode);
    assert!(err.body_excerpt().unwrap().contains("502 Bad Gateway"));
    assert_eq!(emulator.requests().len(), 1);
}

#[tokio::test]
async fn actions_that_create_things_are_not_retried_after_the_request_arrived() {
    let emulator = emulator().await;
    emulator.script(
        "CreateBackup",
        Script::Json(serde_json::json!({"BackupId": "b-1"})),
    );
    emulator.fault("CreateBackup", Fault::Status(503), 1);
    let err = client(&emulator)
        .invoke("CreateBackup", Params::new())
        .await
        .unwrap_err();
    assert_eq!(err.http_status(), Some(503));
    assert_eq!(
        emulator.requests().len(),
        1,
        "a second backup must not be created"
    );
    let json = client(&emulator)
        .invoke("CreateBackup", Params::new())
        .await
        .unwrap();
    assert_eq!(json["BackupId"], "b-1", "service resumed");
}

#[tokio::test]
async fn an_exhausted_retry_budget_is_a_clear_error() {
    let emulator = emulator().await;
    emulator.fault("DescribeUMemBackupURL", Fault::Status(503), 100);
    let budget = RetryBudget {
        capacity: 10,
        retry_cost: 5,
        timeout_retry_cost: 10,
        success_refund: 1,
    };
    let client = client_with(&emulator, PRIVATE, fast().with_budget(Some(budget)));
    let first = client
        .umem()
        .describe_umem_backup_url("s", "b")
        .send()
        .await
        .unwrap_err();
    assert_eq!(first.attempts(), 3);
    let second = client
        .umem()
        .describe_umem_backup_url("s", "b")
        .send()
        .await
        .unwrap_err();
    assert!(second.retry_budget_exhausted(), "{second}");
    assert!(second.to_string().contains("retry budget exhausted"));
    assert_eq!(emulator.requests().len(), 4);
}

#[tokio::test]
async fn a_generic_call_of_an_unknown_action_gets_161() {
    let emulator = emulator().await;
    let err = client(&emulator)
        .invoke("DescribeNothing", Params::new())
        .await
        .unwrap_err();
    assert_eq!(err.ret_code(), Some(161));
    assert!(err.message().unwrap().contains("DescribeNothing"));
}

#[tokio::test]
async fn missing_and_mistyped_parameters_are_named() {
    let emulator = emulator().await;
    let client = client(&emulator);
    let err = client
        .invoke("DescribeUDBInstanceBackupURL", Params::new())
        .await
        .unwrap_err();
    assert_eq!(err.ret_code(), Some(230));
    assert!(err.message().unwrap().contains("`DBId`"), "{err}");

    let params: Params = [("DBId", "udb-1"), ("BackupId", "abc")]
        .into_iter()
        .collect();
    let err = client
        .invoke("DescribeUDBInstanceBackupURL", params)
        .await
        .unwrap_err();
    assert!(
        err.message()
            .unwrap()
            .contains("`BackupId` must be an integer, got `abc`"),
        "{err}"
    );

    let params: Params = [("BackupId", "b"), ("IsCrossRegion", "maybe")]
        .into_iter()
        .collect();
    let err = client
        .invoke("DescribeURedisBackupURL", params)
        .await
        .unwrap_err();
    assert!(
        err.message()
            .unwrap()
            .contains("`IsCrossRegion` must be true or false"),
        "{err}"
    );
}

#[tokio::test]
async fn json_bodies_and_get_queries_are_accepted() {
    let emulator = emulator().await;
    let json_client = Client::new(
        Config::builder()
            .credentials(Credentials::new(PUBLIC, PRIVATE))
            .base_url(emulator.url())
            .region("cn-bj2")
            .encoding(dezai_sdk::BodyEncoding::Json)
            .build()
            .unwrap(),
    )
    .unwrap();
    json_client
        .umongodb()
        .describe_umongodb_backup_url("c-1")
        .send()
        .await
        .unwrap();

    // A GET with the same signed parameters in the query string.
    let request = dezai_sdk::umongodb::DescribeUmongodbBackupUrlRequest::new("c-1");
    let encoded = client(&emulator).encode(&request).unwrap();
    let address = emulator.url().trim_start_matches("http://").to_owned();
    let mut stream = tokio::net::TcpStream::connect(&address).await.unwrap();
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let get = format!(
        "GET /?{} HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n\r\n",
        encoded.body()
    );
    stream.write_all(get.as_bytes()).await.unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).await.unwrap();
    assert!(
        answer.contains("\"RetCode\":0") && answer.contains("DYnKJjGA"),
        "{answer}"
    );
    let requests = emulator.requests();
    assert_eq!(requests[0].headers["content-type"], "application/json");
    assert_eq!(requests[1].method, "GET");
    assert!(
        requests
            .iter()
            .all(|r| r.signature == SignatureVerdict::Valid)
    );
}

#[tokio::test]
async fn sixty_four_concurrent_clients_are_served_without_errors() {
    let emulator = emulator().await;
    let client = client(&emulator);
    let tasks: Vec<_> = (0..64)
        .map(|i| {
            let client = client.clone();
            tokio::spawn(async move {
                for _ in 0..10 {
                    client
                        .umem()
                        .describe_uredis_backup_url(&format!("b-{i}"))
                        .send()
                        .await
                        .unwrap();
                }
            })
        })
        .collect();
    for task in tasks {
        task.await.unwrap();
    }
    assert_eq!(emulator.requests().len(), 640);
}

/// A signed request carries the public key and a valid signature, so it must go only to the
/// configured host. GetUPgSQLBackupURL's document shows `https://api.genesissai.com`; no seed
/// action may send anywhere but the configured base URL (here the emulator), and without a
/// configured one, anywhere but the default host.
#[tokio::test]
async fn every_seed_action_goes_to_the_configured_host_only() {
    let emulator = emulator().await;
    let client = client(&emulator);
    let udb = dezai_sdk::udb::DescribeUdbInstanceBackupUrlRequest::new("udb-1", 1);
    let umem = dezai_sdk::umem::DescribeUmemBackupUrlRequest::new("space-1", "b-1");
    let redis = dezai_sdk::umem::DescribeUredisBackupUrlRequest::new("b-2");
    let mongo = dezai_sdk::umongodb::DescribeUmongodbBackupUrlRequest::new("c-1");
    let pg = dezai_sdk::upgsql::GetUpgsqlBackupUrlRequest::new("i-1", "b-4");

    let configured = format!("{}/", emulator.url().trim_end_matches('/'));
    let default_client = Client::new(
        Config::builder()
            .credentials(Credentials::new(PUBLIC, PRIVATE))
            .region("cn-bj2")
            .zone("cn-bj2-04")
            .build()
            .unwrap(),
    )
    .unwrap();
    let urls = |c: &Client| {
        vec![
            c.encode(&udb).unwrap().url().to_owned(),
            c.encode(&umem).unwrap().url().to_owned(),
            c.encode(&redis).unwrap().url().to_owned(),
            c.encode(&mongo).unwrap().url().to_owned(),
            c.encode(&pg).unwrap().url().to_owned(),
        ]
    };
    assert_eq!(urls(&client), vec![configured; 5]);
    assert_eq!(
        urls(&default_client),
        vec!["https://api.dezai.com/".to_owned(); 5],
        "the documents' example hosts are never used"
    );

    // And sent for real: every call reaches the emulator (any other host would fail here:
    // nothing else is reachable from the test).
    client.send(udb).await.unwrap();
    client.send(umem).await.unwrap();
    client.send(redis).await.unwrap();
    client.send(mongo).await.unwrap();
    client.send(pg).await.unwrap();
    let actions: Vec<String> = emulator
        .requests()
        .iter()
        .map(|r| r.param("Action").unwrap_or_default().to_owned())
        .collect();
    assert_eq!(
        actions,
        [
            "DescribeUDBInstanceBackupURL",
            "DescribeUMemBackupURL",
            "DescribeURedisBackupURL",
            "DescribeUMongoDBBackupURL",
            "GetUPgSQLBackupURL"
        ]
    );
}
