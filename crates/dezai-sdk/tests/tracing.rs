//! Every span and event of a typed call, a call by name with a password, a failing call, a
//! backup made and waited for, a download from a pre-signed URL and a mirror run, captured at
//! TRACE level against the emulator: each span the SDK promises is there with its fields, and
//! no private key, signature, password or URL query appears anywhere.

use std::io::Write;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use dezai_emulator::{Emulator, Fault, World, WorldBackup, WorldInstance};
use dezai_sdk::backups;
use dezai_sdk::prelude::*;
use dezai_sdk::runtime::download::DownloadLink;
use tracing_subscriber::fmt::format::FmtSpan;

const PRIVATE_KEY: &str = "sk-tracing-SECRET";
const PASSWORD: &str = "pw-tracing-SECRET";
const QUERY: &str = "X-Signature=query-tracing-SECRET";

#[derive(Clone, Default)]
struct Capture(Arc<Mutex<Vec<u8>>>);

impl Write for Capture {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn documented(actions: &[&str]) -> bool {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("specs");
    let all: String = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| std::fs::read_to_string(e.unwrap().path()).unwrap_or_default())
        .collect();
    actions.iter().all(|a| all.contains(&format!("\"{a}\"")))
}

#[test]
fn every_span_and_event_is_there_and_none_holds_a_secret() {
    let udb = backups::kind("udb").unwrap();
    if !documented(&[
        "CreateUDBInstance",
        udb.listing.action,
        udb.download.action,
        udb.instances.action,
    ]) {
        return;
    }
    let capture = Capture::default();
    let writer = capture.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(move || writer.clone())
        .with_max_level(tracing::Level::TRACE)
        .with_span_events(FmtSpan::NEW | FmtSpan::CLOSE)
        .with_ansi(false)
        .finish();
    // One thread: every task, the mirror's included, runs under this subscriber.
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let guard = tracing::subscriber::set_default(subscriber);
    let scratch = tempfile::tempdir().unwrap();
    let emulator = runtime.block_on(async {
        let world = World::new()
            .create_delay(Duration::from_millis(30))
            .instance(
                WorldInstance::new("udb", "udb-traced")
                    .region("cn-bj2")
                    .zone("cn-bj2-04")
                    .backup(WorldBackup::new(71, 1_700_000_000, 2048)),
            );
        let emulator = Emulator::builder()
            .specs(Path::new(env!("CARGO_MANIFEST_DIR")).join("specs"))
            .key_pair("pk-tracing", PRIVATE_KEY)
            .world(world)
            .start()
            .await
            .unwrap();
        let client = Client::new(
            Config::builder()
                .credentials(Credentials::new("pk-tracing", PRIVATE_KEY))
                .base_url(emulator.url())
                .region("cn-bj2")
                .zone("cn-bj2-04")
                .build()
                .unwrap(),
        )
        .unwrap();

        // A typed call, and a call by name carrying a password.
        client
            .udb()
            .describe_udb_instance_backup_url("udb-traced", 71)
            .send()
            .await
            .unwrap();
        let created = client
            .invoke(
                "CreateUDBInstance",
                serde_json::json!({"Zone": "cn-bj2-04", "Name": "traced", "AdminPassword": PASSWORD,
                    "DBTypeId": "mysql-8.0", "Port": 3306, "DiskSpace": 20, "ParamGroupId": 1}),
            )
            .await
            .unwrap();
        let id = created["DBId"].as_str().unwrap().to_owned();
        // A call by name that says its product.
        client
            .invoke_with(
                "DescribeUDBInstance",
                serde_json::json!({"DBId": id}),
                CallOptions::new().service("udb"),
            )
            .await
            .unwrap();

        // A failing call.
        emulator.fault(udb.listing.action, Fault::RetCode(8_123), 1);
        let failed = backups::list(&client, udb, "udb-traced").await;
        assert!(failed.is_err());

        // A backup made and waited for: a span per poll.
        let backup = backups::create(&client, udb, &id, "traced").await.unwrap();
        backups::wait(&client, udb, &id, &backup)
            .timeout(Duration::from_secs(10))
            .delays(Duration::from_millis(10), Duration::from_millis(40))
            .await
            .unwrap();

        // A download from a pre-signed URL: its query is a credential.
        let signed = format!("{}?{QUERY}", emulator.backup_url().unwrap());
        let link = DownloadLink {
            url: signed,
            md5: None,
        };
        let file = scratch.path().join("signed.xb");
        client.download(link, &file).await.unwrap();

        // A mirror run: a span per instance.
        let report = backups::mirror(&client, scratch.path().join("mirror"))
            .kinds([udb])
            .instances(["udb-traced"])
            .run()
            .await
            .unwrap();
        assert_eq!(report.failed(), 0, "{report:?}");
        emulator
    });
    drop(guard);

    let logs = String::from_utf8(capture.0.lock().unwrap().clone()).unwrap();
    if std::env::var_os("SHOW_LOGS").is_some() {
        eprintln!("{logs}");
    }
    let mut secrets = vec![
        PRIVATE_KEY.to_owned(),
        PASSWORD.to_owned(),
        "query-tracing-SECRET".to_owned(),
    ];
    let requests = emulator.requests();
    secrets.extend(
        requests
            .iter()
            .filter_map(|r| r.param("Signature").map(str::to_owned)),
    );
    assert!(secrets.len() > 8, "every call's signature is checked");
    for secret in &secrets {
        assert!(!logs.contains(secret.as_str()), "`{secret}` in:\n{logs}");
    }
    let spans = [
        // The typed call: its span named `<product>.<Action>`, with how it ended.
        "otel.name=udb.DescribeUDBInstanceBackupURL",
        "rpc.service=\"udb\"",
        "rpc.method=\"DescribeUDBInstanceBackupURL\"",
        "outcome=\"ok\"",
        "request_id=\"emu-",
        // The call by name: the action alone, its password masked.
        "otel.name=CreateUDBInstance",
        "AdminPassword=***",
        // A call by name that says its product, as the backups' calls do.
        "otel.name=udb.DescribeUDBInstance ",
        // The failing call: RetCode and outcome.
        "rpc.dezai.ret_code=8123",
        "outcome=\"error\"",
        // The wait's polls, the download (host and path only) and its attempt, the mirror's
        // instance.
        "dezai.wait.poll{",
        "verdict=Done",
        "dezai.download{",
        "streams=1",
        "dezai.download.attempt{",
        "resumed_from=0",
        "dezai.mirror.instance{",
        "instance=udb-traced",
        "outcome=\"copied\"",
    ];
    for wanted in spans {
        assert!(logs.contains(wanted), "no `{wanted}` in:\n{logs}");
    }
    let listing = format!("otel.name=udb.{} ", udb.listing.action);
    assert!(
        logs.contains(&listing),
        "no `{listing}` in:
{logs}"
    );
    let from = format!("from={}/backups/", emulator.url());
    assert!(logs.contains(&from), "no `{from}` in:\n{logs}");
    assert!(logs.contains("bytes=2048"), "the mirror's bytes:\n{logs}");
}
