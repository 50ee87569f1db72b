//! `dezai backup list <kind>` and `dezai backup download <kind> --latest` against the emulator:
//! a scripted listing of several pages, newest first, as JSON when piped; the newest backup
//! failed, so the newest success is downloaded; an empty listing refused clearly; every kind of
//! the table; and the emulator binary answering with the documents' own examples.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
mod common;

use common::{flags_of, folder, md5_of, spec, stderr};
use dezai_emulator::{BackupFile, Emulator, backup_items};
use dezai_spec::backups::{BackupKind, KINDS};
use serde_json::Value;

const PUBLIC: &str = "latest-public";
const PRIVATE: &str = "latest-private";

async fn emulator() -> Emulator {
    Emulator::builder()
        .specs(Path::new(env!("CARGO_MANIFEST_DIR")).join("specs"))
        .key_pair(PUBLIC, PRIVATE)
        .backups(BackupFile::generated(1 << 18).name("backup.bin"))
        .start()
        .await
        .unwrap()
}

async fn dezai(url: &str, dir: &Path, args: &[&str], keys: (&str, &str)) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_dezai"));
    command
        .current_dir(dir)
        .args(args)
        .env("HOME", dir)
        .env("DEZAI_PUBLIC_KEY", keys.0)
        .env("DEZAI_PRIVATE_KEY", keys.1)
        .env("DEZAI_BASE_URL", url)
        .env("DEZAI_REGION", "cn-bj2")
        .env("DEZAI_ZONE", "cn-bj2-04")
        .env_remove("DEZAI_PROFILE")
        .stdin(Stdio::null());
    tokio::task::spawn_blocking(move || command.output().unwrap())
        .await
        .unwrap()
}

/// The flag of `field` of `action` in `product`, as the command line names it.
fn flag(product: &str, action: &str, field: &str) -> String {
    let spec = spec(product);
    let action = spec.actions.iter().find(|a| a.name == action).unwrap();
    flags_of(product, action)
        .into_iter()
        .find(|(f, _)| f.name == field)
        .map(|(_, flag)| flag)
        .unwrap()
}

/// `count` backups of `kind`, answered at most 7 a page.
fn script(
    emulator: &Emulator,
    kind: &'static BackupKind,
    count: usize,
    state_of: fn(&BackupKind, usize) -> String,
) {
    emulator.script_listing(kind, backup_items(kind, count, |i| state_of(kind, i)), 7);
}

fn success(kind: &BackupKind, _: usize) -> String {
    kind.success[0].to_owned()
}

fn newest_failed(kind: &BackupKind, i: usize) -> String {
    if i == 5 {
        "Failed".into()
    } else {
        kind.success[0].to_owned()
    }
}

fn udb() -> &'static BackupKind {
    dezai_spec::backups::kind("udb").unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn the_listing_is_every_page_newest_first_as_json_when_piped() {
    let emulator = emulator().await;
    script(&emulator, udb(), 16, newest_failed);
    let dir = folder("list");
    let output = dezai(
        emulator.url(),
        &dir,
        &["backup", "list", "udb", "--db-id", "udb-1"],
        (PUBLIC, PRIVATE),
    )
    .await;
    assert!(output.status.success(), "{}", stderr(&output));
    let rows: Vec<Value> = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(rows.len(), 16, "every page");
    assert_eq!(rows[0]["id"], "1015");
    assert_eq!(rows[0]["time"], "2023-11-14T22:28:20Z", "ISO 8601");
    assert_eq!(rows[0]["time_unix"], 1_700_000_900);
    assert_eq!(rows[10]["state"], "Failed");
    assert_eq!(rows[10]["completed"], false);
    assert!(
        rows.windows(2)
            .all(|w| w[0]["time_unix"].as_i64() >= w[1]["time_unix"].as_i64())
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn latest_skips_a_failed_newest_backup_and_says_which_one_it_takes() {
    let emulator = emulator().await;
    script(&emulator, udb(), 6, newest_failed);
    let dir = folder("latest");
    let output = dezai(
        emulator.url(),
        &dir,
        &[
            "backup",
            "download",
            "udb",
            "--db-id",
            "udb-1",
            "--latest",
            "-o",
            "latest.xb",
        ],
        (PUBLIC, PRIVATE),
    )
    .await;
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("latest completed backup: 1004 (backup 4)"),
        "{}",
        stderr(&output)
    );
    assert_eq!(
        md5_of(&dir.join("latest.xb")),
        emulator.backup_md5().unwrap()
    );
    let asked = emulator
        .requests()
        .into_iter()
        .find(|r| r.param("Action") == Some("DescribeUDBInstanceBackupURL"))
        .unwrap();
    assert_eq!(asked.param("BackupId"), Some("1004"));
    assert_eq!(asked.param("DBId"), Some("udb-1"));
}

#[tokio::test(flavor = "multi_thread")]
async fn an_instance_without_a_completed_backup_is_refused_clearly() {
    let emulator = emulator().await;
    script(&emulator, udb(), 0, success);
    let dir = folder("empty");
    let output = dezai(
        emulator.url(),
        &dir,
        &["backup", "download", "udb", "--db-id", "udb-9", "--latest"],
        (PUBLIC, PRIVATE),
    )
    .await;
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("udb `udb-9` has no completed backup"),
        "{}",
        stderr(&output)
    );
    let without_instance = dezai(
        emulator.url(),
        &dir,
        &["backup", "download", "udb", "--latest"],
        (PUBLIC, PRIVATE),
    )
    .await;
    assert!(!without_instance.status.success());
    assert!(
        stderr(&without_instance).contains("--db-id"),
        "{}",
        stderr(&without_instance)
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn every_kind_downloads_its_newest_completed_backup() {
    let emulator = emulator().await;
    for kind in KINDS {
        script(&emulator, kind, 9, newest_failed);
        let dir = folder(&format!("kind-{}", kind.name));
        let instance = kind.download.instance.unwrap_or(kind.listing.instance);
        let instance_flag = flag(kind.product, kind.download.action, instance);
        let output = dezai(
            emulator.url(),
            &dir,
            &[
                "backup",
                "download",
                kind.name,
                &instance_flag,
                "instance-1",
                "--latest",
                "-o",
                "file.bin",
            ],
            (PUBLIC, PRIVATE),
        )
        .await;
        assert!(
            output.status.success(),
            "{}: {}",
            kind.name,
            stderr(&output)
        );
        assert!(
            stderr(&output).contains("latest completed backup: 1008"),
            "{}: {}",
            kind.name,
            stderr(&output)
        );
        assert_eq!(
            md5_of(&dir.join("file.bin")),
            emulator.backup_md5().unwrap(),
            "{}",
            kind.name
        );
    }
}

/// The `dezai-emulator` binary of this build (beside `dezai`; `cargo test --workspace` builds
/// both).
fn emulator_binary() -> PathBuf {
    let path = Path::new(env!("CARGO_BIN_EXE_dezai"))
        .with_file_name(format!("dezai-emulator{}", std::env::consts::EXE_SUFFIX));
    assert!(
        path.exists(),
        "{} is not built: run the suite as `cargo test --workspace`",
        path.display()
    );
    path
}

#[tokio::test(flavor = "multi_thread")]
async fn the_emulator_binary_with_the_documents_examples_gives_the_newest_successful_backup() {
    let mut child = Command::new(emulator_binary())
        .args([
            "--specs",
            concat!(env!("CARGO_MANIFEST_DIR"), "/specs"),
            "--backup-size",
            "65536",
        ])
        .args(["--public-key", "pk", "--private-key", "sk"])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let first = lines.next().unwrap().unwrap();
    // The rest of what it prints is read, so that it never writes to a closed pipe.
    std::thread::spawn(move || lines.for_each(drop));
    let url = first
        .split_whitespace()
        .find(|w| w.starts_with("http://"))
        .unwrap()
        .trim_end_matches(|c: char| !c.is_ascii_alphanumeric())
        .to_owned();
    let dir = folder("binary");
    // The document's example lists 296133 (made 1429867144) and 29534 (1429859724), both
    // successful: the newest is 296133.
    let output = dezai(
        &url,
        &dir,
        &[
            "backup",
            "download",
            "udb",
            "--db-id",
            "udb-xxxxxx",
            "--latest",
            "-o",
            "example.xb",
        ],
        ("pk", "sk"),
    )
    .await;
    let _ = child.kill();
    let _ = child.wait();
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("latest completed backup: 296133"),
        "{}",
        stderr(&output)
    );
    assert_eq!(
        std::fs::metadata(dir.join("example.xb")).unwrap().len(),
        65536
    );
}
