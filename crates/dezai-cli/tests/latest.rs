//! `dezai backup list <kind>` and `dezai backup download <kind> --latest` against the emulator:
//! a scripted listing of several pages, newest first, as JSON when piped; the newest backup
//! failed, so the newest success is downloaded; an empty listing refused clearly; every kind of
//! the table; and the emulator binary answering with the documents' own examples.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
mod common;

use common::{dezai, flag, folder, md5_of, stderr};
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

/// A child process killed when the test ends, passed or failed (a live child would keep the
/// test's output pipe open).
struct Stopped(std::process::Child);

impl Drop for Stopped {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
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
async fn the_emulator_binary_without_flags_serves_the_examples_world_and_its_files_itself() {
    // Started as a new user would: no flags, in the repository (its `specs/`), default keys.
    let mut child = Stopped(
        Command::new(emulator_binary())
            .current_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."))
            .stdout(Stdio::piped())
            .spawn()
            .unwrap(),
    );
    let mut lines = BufReader::new(child.0.stdout.take().unwrap()).lines();
    let first = lines.next().unwrap().unwrap();
    let url = first
        .split_whitespace()
        .find(|w| w.starts_with("http://"))
        .unwrap()
        .trim_end_matches(|c: char| !c.is_ascii_alphanumeric())
        .to_owned();
    // The banner names the world's instances and how many backups each holds.
    let world = lines
        .by_ref()
        .map(Result::unwrap)
        .find(|l| l.starts_with("World: udb instances "))
        .unwrap();
    // The rest of what it prints is read, so that it never writes to a closed pipe.
    std::thread::spawn(move || lines.for_each(drop));
    let instance = world
        .trim_start_matches("World: udb instances ")
        .split(", ")
        .find(|i| !i.ends_with("(0 backups)"))
        .and_then(|i| i.split(' ').next())
        .unwrap()
        .to_owned();
    let keys = ("emulator-public-key", "emulator-private-key");
    let dir = folder("binary");
    let output = dezai(
        &url,
        &dir,
        &[
            "backup",
            "download",
            "udb",
            "--db-id",
            &instance,
            "--latest",
            "-o",
            "example.xb",
        ],
        keys,
    )
    .await;
    assert!(output.status.success(), "{}", stderr(&output));
    // The URL the service would hand out points at the emulator itself, and its MD5 is the
    // file's: nothing left 127.0.0.1.
    let id = stderr(&output)
        .split("latest completed backup: ")
        .nth(1)
        .and_then(|rest| rest.split([' ', '\n']).next())
        .unwrap()
        .to_owned();
    let backup_id = flag("udb", "DescribeUDBInstanceBackupURL", "BackupId");
    let db_id = flag("udb", "DescribeUDBInstanceBackupURL", "DBId");
    let answer = dezai(
        &url,
        &dir,
        &[
            "udb",
            "describe-udb-instance-backup-url",
            &backup_id,
            &id,
            &db_id,
            &instance,
        ],
        keys,
    )
    .await;
    drop(child);
    let answer: Value = serde_json::from_slice(&answer.stdout).unwrap();
    let link = dezai_spec::download::links_in_answer(
        answer.as_object().unwrap(),
        dezai_spec::download::Network::Internet,
    )
    .into_iter()
    .next()
    .unwrap();
    assert!(link.url.starts_with(&format!("{url}/")), "{}", link.url);
    let addresses = answer
        .as_object()
        .unwrap()
        .values()
        .filter_map(Value::as_str);
    for address in addresses.filter(|a| a.contains("://")) {
        assert!(address.starts_with(&format!("{url}/")), "{address}");
    }
    assert_eq!(
        link.md5.as_deref(),
        Some(md5_of(&dir.join("example.xb")).as_str())
    );
}
