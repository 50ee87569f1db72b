//! `dezai --debug`: a line per request, attempt and answer on stderr (action, status, RetCode,
//! request id), the download's host and path, a failure and why it is not retried; stdout
//! as without it; and no private key, signature or download URL query anywhere.

use std::path::Path;
use std::process::Output;

mod common;

use common::{dezai, stderr};
use dezai_emulator::{BackupFile, Emulator, Fault, Script};
use serde_json::{Value, json};

const KEYS: (&str, &str) = ("debug-public", "debug-private-key-do-not-show");
const QUERY_SECRET: &str = "query-secret-do-not-show";

async fn emulator() -> Emulator {
    Emulator::builder()
        .specs(Path::new(env!("CARGO_MANIFEST_DIR")).join("specs"))
        .key_pair(KEYS.0, KEYS.1)
        .backups(BackupFile::generated(1 << 16).name("full.xb"))
        .start()
        .await
        .unwrap()
}

fn out(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// The answer with the emulator's URLs' expiry (`/backups/<version>/<expires>/<name>`, Unix
/// seconds from the moment of the call) left out: the two calls may fall in different seconds.
fn without_expiry(answer: &str) -> String {
    answer
        .split("/backups/")
        .enumerate()
        .map(|(n, part)| match (n, part.split_once('/')) {
            (0, _) | (_, None) => part.to_owned(),
            (_, Some((version, rest))) => {
                let name = rest.split_once('/').map_or(rest, |(_, name)| name);
                format!("{version}/<expires>/{name}")
            }
        })
        .collect::<Vec<_>>()
        .join("/backups/")
}

/// Nothing secret in either stream: the private key, a signature's value, the URL's query.
fn nothing_secret(output: &Output) {
    for stream in [out(output), stderr(output)] {
        assert!(!stream.contains(KEYS.1), "the private key: {stream}");
        assert!(!stream.contains(QUERY_SECRET), "the URL's query: {stream}");
        for (at, _) in stream.match_indices("Signature=") {
            let value = &stream[at + "Signature=".len()..];
            assert!(value.starts_with("***"), "a signature: {stream}");
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn debug_logs_each_request_and_answer_and_keeps_stdout_and_secrets() {
    let emulator = emulator().await;
    let scratch = tempfile::tempdir().unwrap();
    let url_call = [
        "udb",
        "describe-udb-instance-backup-url",
        "--db-id",
        "udb-1",
        "--backup-id",
        "7",
    ];
    let plain = dezai(emulator.url(), scratch.path(), &url_call, KEYS).await;
    let debug_call = [&["--debug"][..], &url_call].concat();
    let debug = dezai(emulator.url(), scratch.path(), &debug_call, KEYS).await;
    assert!(debug.status.success(), "{}", stderr(&debug));
    assert_eq!(
        without_expiry(&out(&debug)),
        without_expiry(&out(&plain)),
        "stdout is unchanged"
    );
    assert!(without_expiry(&out(&plain)).contains("/<expires>/full.xb"));
    let log = stderr(&debug);
    for expected in [
        "udb.DescribeUDBInstanceBackupURL",
        "attempt{n=1",
        "sending request",
        "status=200",
        "ret_code=0",
        "request_id=\"emu-",
    ] {
        assert!(log.contains(expected), "no `{expected}` in: {log}");
    }
    assert!(stderr(&plain).is_empty(), "no log without --debug");
    // A documented action called by name is named after its product too.
    let by_name = [
        "--debug",
        "invoke",
        "DescribeUDBInstanceBackupURL",
        "DBId=udb-1",
        "BackupId=7",
    ];
    let by_name = dezai(emulator.url(), scratch.path(), &by_name, KEYS).await;
    assert!(by_name.status.success(), "{}", stderr(&by_name));
    let named = "otel.name=udb.DescribeUDBInstanceBackupURL";
    assert!(stderr(&by_name).contains(named), "{}", stderr(&by_name));
    nothing_secret(&debug);

    // A download URL whose query is a credential: the log names host and path only.
    let answer: Value = serde_json::from_str(&out(&plain)).unwrap();
    let path = answer["BackupPath"].as_str().unwrap();
    let with_query = format!("{path}?Expires=1&Signature={QUERY_SECRET}");
    emulator.script(
        "DescribeUDBInstanceBackupURL",
        Script::Json(json!({"RetCode": 0, "BackupPath": with_query})),
    );
    let file = scratch.path().join("full.xb");
    let save_to = ["-o", file.to_str().unwrap()];
    let download = [&["--debug"][..], &common::DOWNLOAD_UDB_BACKUP, &save_to].concat();
    let fetched = dezai(emulator.url(), scratch.path(), &download, KEYS).await;
    assert!(fetched.status.success(), "{}", stderr(&fetched));
    let log = stderr(&fetched);
    assert!(log.contains("requesting the file"), "{log}");
    assert!(
        log.contains(path.split("://").nth(1).unwrap()),
        "host and path: {log}"
    );
    nothing_secret(&fetched);

    // A failing call: the answer's RetCode, and why it is not tried again.
    emulator.fault("DescribeUDBInstanceBackupURL", Fault::RetCode(8039), 1);
    let failed = dezai(emulator.url(), scratch.path(), &debug_call, KEYS).await;
    assert!(!failed.status.success());
    let log = stderr(&failed);
    assert!(
        log.contains("ret_code=8039") && log.contains("not retried"),
        "{log}"
    );
    nothing_secret(&failed);
}
