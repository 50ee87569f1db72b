//! From a backup-URL request to a verified file in one statement, against the emulator serving
//! a generated backup: the seeds' typed calls, and a made-up backup-URL document
//! (`fixtures/docs/madeup/describe_udb_fixture_log_url.md`) whose call has `.download_to`
//! with no edit anywhere. An expired URL is asked for again by sending the request again.

use std::path::PathBuf;

use dezai_emulator::{BackupFile, Emulator};
use dezai_sdk::prelude::*;
use dezai_sdk::runtime::download::DownloadErrorKind;

mod madeup {
    dezai_macros::product!("tests/fixtures/madeup.json");
}

use madeup::MadeupExt;

const PUBLIC: &str = "download-public";
const PRIVATE: &str = "download-private";

async fn emulator() -> Emulator {
    dezai_sdk::specs()
        .into_iter()
        .fold(Emulator::builder(), |b, (_, json)| b.spec_json(json))
        .spec_json(include_str!("fixtures/madeup.json"))
        .key_pair(PUBLIC, PRIVATE)
        .backups(BackupFile::generated(3 << 20).name("backup.xb"))
        .start()
        .await
        .unwrap()
}

fn client(emulator: &Emulator) -> Client {
    let config = Config::builder()
        .credentials(Credentials::new(PUBLIC, PRIVATE))
        .base_url(emulator.url())
        .region("cn-bj2")
        .zone("cn-bj2-04")
        .build()
        .unwrap();
    Client::new(config).unwrap()
}

fn folder(name: &str) -> PathBuf {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("dezai-sdk-download-{name}"));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn md5_of(path: &std::path::Path) -> String {
    use md5::Digest;
    md5::Md5::digest(std::fs::read(path).unwrap())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn asked(emulator: &Emulator, action: &str) -> usize {
    emulator
        .requests()
        .iter()
        .filter(|r| r.param("Action") == Some(action))
        .count()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_backup_url_call_downloads_a_verified_file() {
    let emulator = emulator().await;
    let client = client(&emulator);
    let dir = folder("udb");
    let file = dir.join("udb.xb");
    let done = client
        .udb()
        .describe_udb_instance_backup_url("udb-1", 7)
        .download_to(&file)
        .await
        .unwrap();
    assert!(done.verified, "checked against the answer's MD5");
    assert_eq!(done.bytes, 3 << 20);
    assert_eq!(md5_of(&file), emulator.backup_md5().unwrap());
    assert_eq!(asked(&emulator, "DescribeUDBInstanceBackupURL"), 1);

    // The file exists now: replaced only when asked.
    let again = client
        .udb()
        .describe_udb_instance_backup_url("udb-1", 7)
        .download_to(&file)
        .await
        .unwrap_err();
    assert_eq!(again.kind(), DownloadErrorKind::Exists);
}

#[tokio::test(flavor = "multi_thread")]
async fn an_expired_url_sends_the_request_again() {
    let emulator = emulator().await;
    let client = client(&emulator);
    let dir = folder("expired");
    emulator.expire_next_backup_urls(1);
    let file = dir.join("redis.rdb");
    let done = client
        .umem()
        .describe_uredis_backup_url("backup-1")
        .download_to(&file)
        .await
        .unwrap();
    assert!(!done.verified, "DescribeURedisBackupURL gives no MD5");
    assert_eq!(md5_of(&file), emulator.backup_md5().unwrap());
    assert_eq!(
        asked(&emulator, "DescribeURedisBackupURL"),
        2,
        "one expired URL, one fresh"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_made_up_backup_url_document_downloads_with_no_edit() {
    let emulator = emulator().await;
    let client = client(&emulator);
    let dir = folder("madeup");
    let file = dir.join("binlog.42");
    let done = client
        .madeup()
        .describe_udb_fixture_log_url("udb-1", 42)
        .download_to(&file)
        .await
        .unwrap();
    assert!(done.verified);
    assert_eq!(md5_of(&file), emulator.backup_md5().unwrap());
    let sent = emulator.requests();
    let request = sent
        .iter()
        .find(|r| r.param("Action") == Some("DescribeUDBFixtureLogURL"))
        .unwrap();
    assert_eq!(request.param("BinlogId"), Some("42"));
}
