//! `dezai backup download` against the emulator serving a generated backup: drops resumed and
//! verified, a corrupt download refused, a killed run resumed, an expired URL refreshed, a
//! server ignoring ranges followed from the start, and `--force`.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::Duration;

mod common;

use common::{flags_of, folder, md5_of, stderr};
use dezai_emulator::{BackupFault, BackupFile, Emulator};

const PUBLIC: &str = "backup-public";
const PRIVATE: &str = "backup-private";
const SIZE: u64 = 64 << 20;

async fn emulator(size: u64) -> Emulator {
    Emulator::builder()
        .specs(Path::new(env!("CARGO_MANIFEST_DIR")).join("specs"))
        .key_pair(PUBLIC, PRIVATE)
        .backups(BackupFile::generated(size).name("full.xb"))
        .start()
        .await
        .unwrap()
}

fn command(emulator: &Emulator, dir: &Path, extra: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_dezai"));
    command
        .current_dir(dir)
        .args(common::DOWNLOAD_UDB_BACKUP)
        .args(extra)
        .env("HOME", dir)
        .env("DEZAI_PUBLIC_KEY", PUBLIC)
        .env("DEZAI_PRIVATE_KEY", PRIVATE)
        .env("DEZAI_BASE_URL", emulator.url())
        .env("DEZAI_REGION", "cn-bj2")
        .env_remove("DEZAI_PROFILE")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    command
}

async fn run(emulator: &Emulator, dir: &Path, extra: &[&str]) -> Output {
    let mut command = command(emulator, dir, extra);
    tokio::task::spawn_blocking(move || command.output().unwrap())
        .await
        .unwrap()
}

fn ranges(emulator: &Emulator) -> Vec<Option<String>> {
    emulator
        .backup_downloads()
        .into_iter()
        .map(|d| d.range)
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn two_drops_are_resumed_and_the_file_verified() {
    let emulator = emulator(SIZE).await;
    let dir = folder("drops");
    emulator.backup_fault(BackupFault::DropAfter(10 << 20));
    emulator.backup_fault(BackupFault::DropAfter(20 << 20));
    // One stream: its resumption is what this test reads (ranged ones: tests/streams.rs).
    let output = run(&emulator, &dir, &["--streams", "1"]).await;
    assert!(output.status.success(), "{}", stderr(&output));
    let file = dir.join("full.xb");
    assert_eq!(std::fs::metadata(&file).unwrap().len(), SIZE);
    assert_eq!(md5_of(&file), emulator.backup_md5().unwrap());
    assert!(!dir.join("full.xb.part").exists() && !dir.join("full.xb.part.json").exists());
    assert_eq!(
        ranges(&emulator),
        [
            None,
            Some(format!("bytes={}-", 10 << 20)),
            Some(format!("bytes={}-", 30 << 20))
        ],
        "each retry continues where the last one stopped"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_corrupt_download_leaves_no_file_and_exits_5() {
    let emulator = emulator(1 << 20).await;
    let dir = folder("corrupt");
    emulator.backup_fault(BackupFault::Corrupt(12_345));
    let output = run(&emulator, &dir, &[]).await;
    assert_eq!(output.status.code(), Some(5), "{}", stderr(&output));
    assert!(stderr(&output).contains("MD5"), "{}", stderr(&output));
    assert!(
        !dir.join("full.xb").exists(),
        "nothing under the final name"
    );
    assert!(!dir.join("full.xb.part").exists(), "nor the corrupt part");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_killed_download_resumes_from_its_part_file() {
    let emulator = emulator(16 << 20).await;
    let dir = folder("killed");
    emulator.backup_fault(BackupFault::Stall {
        after: 4 << 20,
        pause: Duration::from_secs(30),
    });
    let mut child = command(&emulator, &dir, &["--streams", "1"])
        .spawn()
        .unwrap();
    let part = dir.join("full.xb.part");
    // Wait (bounded) until the stalled download has written most of its first 4 MiB (it
    // writes a MiB at a time), then kill it.
    let mut waited = 0;
    while std::fs::metadata(&part).map_or(0, |m| m.len()) < 3 << 20 {
        assert!(waited < 600, "the download never reached 3 MiB");
        tokio::time::sleep(Duration::from_millis(50)).await;
        waited += 1;
    }
    child.kill().unwrap();
    let _ = child.wait();
    assert!(!dir.join("full.xb").exists());
    let kept = std::fs::metadata(&part).unwrap().len();

    // With no --streams, the rerun goes on with the single stream's `.part`.
    let output = run(&emulator, &dir, &[]).await;
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(md5_of(&dir.join("full.xb")), emulator.backup_md5().unwrap());
    assert_eq!(
        ranges(&emulator).last().cloned().flatten(),
        Some(format!("bytes={kept}-")),
        "the rerun asked only for the rest"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn an_expired_url_is_asked_for_anew() {
    let emulator = emulator(1 << 20).await;
    let dir = folder("expired");
    emulator.expire_next_backup_urls(1);
    let output = run(&emulator, &dir, &[]).await;
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(stderr(&output).contains("expired"), "{}", stderr(&output));
    let calls = emulator
        .requests()
        .iter()
        .filter(|r| r.param("Action") == Some("DescribeUDBInstanceBackupURL"))
        .count();
    assert_eq!(calls, 2, "one URL expired, one fresh");
    assert_eq!(md5_of(&dir.join("full.xb")), emulator.backup_md5().unwrap());
}

#[tokio::test(flavor = "multi_thread")]
async fn a_server_ignoring_ranges_is_followed_from_the_start() {
    let emulator = emulator(4 << 20).await;
    let dir = folder("no-range");
    emulator.backup_fault(BackupFault::DropAfter(1 << 20));
    emulator.backup_fault(BackupFault::IgnoreRange);
    let output = run(&emulator, &dir, &["--streams", "1"]).await;
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("starting over"),
        "{}",
        stderr(&output)
    );
    assert_eq!(md5_of(&dir.join("full.xb")), emulator.backup_md5().unwrap());
}

#[tokio::test(flavor = "multi_thread")]
async fn an_existing_file_is_replaced_only_with_force() {
    let emulator = emulator(1 << 20).await;
    let dir = folder("force");
    std::fs::write(dir.join("full.xb"), b"keep me").unwrap();
    let refused = run(&emulator, &dir, &[]).await;
    assert_eq!(refused.status.code(), Some(1));
    assert!(stderr(&refused).contains("--force"), "{}", stderr(&refused));
    assert_eq!(std::fs::read(dir.join("full.xb")).unwrap(), b"keep me");

    let forced = run(&emulator, &dir, &["--force", "-o", "full.xb"]).await;
    assert!(forced.status.success(), "{}", stderr(&forced));
    assert_eq!(md5_of(&dir.join("full.xb")), emulator.backup_md5().unwrap());
}

#[tokio::test(flavor = "multi_thread")]
async fn a_given_url_skips_the_api() {
    let emulator = emulator(1 << 20).await;
    let dir = folder("url");
    let url = emulator.backup_url().unwrap();
    let mut command = Command::new(env!("CARGO_BIN_EXE_dezai"));
    command
        .current_dir(&dir)
        .args(["backup", "download", "udb", "--url", &url, "-o", "copy.xb"])
        .env("HOME", &dir);
    let output = tokio::task::spawn_blocking(move || command.output().unwrap())
        .await
        .unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(md5_of(&dir.join("copy.xb")), emulator.backup_md5().unwrap());
    assert!(emulator.requests().is_empty(), "no API call");

    // The file's flag has its own long name; `--output` is the format's, and a file name
    // given to it is refused (clap names the formats), not ignored.
    let run = |args: Vec<String>| {
        let dir = dir.clone();
        tokio::task::spawn_blocking(move || {
            Command::new(env!("CARGO_BIN_EXE_dezai"))
                .current_dir(&dir)
                .args(args)
                .env("HOME", &dir)
                .output()
                .unwrap()
        })
    };
    let args = |file_flag: &str, name: &str| {
        ["backup", "download", "udb", "--url", &url, file_flag, name].map(str::to_owned)
    };
    let long = run(args("--save-to", "long.xb").to_vec()).await.unwrap();
    assert!(long.status.success(), "{}", stderr(&long));
    assert_eq!(md5_of(&dir.join("long.xb")), emulator.backup_md5().unwrap());
    let wrong = run(args("--output", "wrong.xb").to_vec()).await.unwrap();
    assert_eq!(wrong.status.code(), Some(2), "{}", stderr(&wrong));
    assert!(
        stderr(&wrong).contains("json, yaml, table, text"),
        "{}",
        stderr(&wrong)
    );
    assert!(!dir.join("wrong.xb").exists());
}

/// The backup-URL actions of the specs the command line embeds, by the SDK's rule: (product,
/// action).
fn backup_actions() -> Vec<(String, dezai_spec::Action)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("specs");
    let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    paths.sort();
    let mut found = Vec::new();
    for path in paths {
        let Ok(spec) = dezai_spec::ProductSpec::from_json(&std::fs::read_to_string(path).unwrap())
        else {
            continue;
        };
        for action in spec.actions {
            if dezai_spec::download::download_fields(&action).is_some() {
                found.push((spec.product.clone(), action));
            }
        }
    }
    found
}

/// The flags of an action's required fields (the configuration's aside), with the request
/// example's values (or a value of the field's type).
fn required_flags(product: &str, action: &dezai_spec::Action) -> Vec<String> {
    let mut flags = Vec::new();
    for (field, flag) in flags_of(product, action) {
        if !field.required {
            continue;
        }
        let example = action
            .request_example
            .iter()
            .find(|p| p.name == field.name)
            .map(|p| p.value.clone());
        let value = example.unwrap_or_else(|| match field.ty {
            dezai_spec::Type::Int => "1".into(),
            dezai_spec::Type::Bool => "true".into(),
            _ => "x".into(),
        });
        flags.push(flag);
        flags.push(value);
    }
    flags
}

/// Every backup-URL action of the specs is a `backup download` command, named like its API
/// command, that downloads a verified file: a document added to the specs (`.ci/grow` adds a
/// made-up backup-URL action to `udb`) is a command with no edit.
#[tokio::test(flavor = "multi_thread")]
async fn every_backup_url_action_of_the_specs_downloads() {
    let actions = backup_actions();
    assert!(!actions.is_empty(), "the seeds hold backup-URL actions");
    let emulator = emulator(1 << 18).await;
    for (product, action) in actions {
        let namer = dezai_spec::names::Namer::for_product(&product);
        let command_name = namer.kebab_name(&action.name);
        let dir = folder(&format!("every-{command_name}"));
        let mut command = Command::new(env!("CARGO_BIN_EXE_dezai"));
        command
            .current_dir(&dir)
            .args(["backup", "download", &command_name])
            .args(required_flags(&product, &action))
            .args(["-o", "file.bin"])
            .env("HOME", &dir)
            .env("DEZAI_PUBLIC_KEY", PUBLIC)
            .env("DEZAI_PRIVATE_KEY", PRIVATE)
            .env("DEZAI_BASE_URL", emulator.url())
            .env("DEZAI_REGION", "cn-bj2")
            .env("DEZAI_ZONE", "cn-bj2-04")
            .env_remove("DEZAI_PROFILE");
        let output = tokio::task::spawn_blocking(move || command.output().unwrap())
            .await
            .unwrap();
        assert!(
            output.status.success(),
            "{}: {}",
            action.name,
            stderr(&output)
        );
        assert_eq!(
            md5_of(&dir.join("file.bin")),
            emulator.backup_md5().unwrap(),
            "{}",
            action.name
        );
    }
}

/// A URL given alone needs no product, and a failing URL's signature is never printed.
#[tokio::test(flavor = "multi_thread")]
async fn a_url_needs_no_product_and_its_signature_is_never_printed() {
    let emulator = emulator(1 << 16).await;
    let dir = folder("url-only");
    let url = emulator.backup_url().unwrap();
    let output = run_in(
        &dir,
        &["backup", "download", "--url", &url, "-o", "copy.xb"],
    )
    .await;
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(md5_of(&dir.join("copy.xb")), emulator.backup_md5().unwrap());

    // A closed port: the retries and the error name scheme, host and path only.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = closed.local_addr().unwrap().port();
    drop(closed);
    let secret = format!("http://127.0.0.1:{port}/b/full.xb?Signature=CLI-SECRET&Expires=9");
    let failed = run_in(
        &dir,
        &["backup", "download", "--url", &secret, "-o", "x.xb"],
    )
    .await;
    assert_eq!(failed.status.code(), Some(4), "{}", stderr(&failed));
    let printed = format!(
        "{}{}",
        stderr(&failed),
        String::from_utf8_lossy(&failed.stdout)
    );
    assert!(!printed.contains("CLI-SECRET"), "{printed}");
    assert!(printed.contains("/b/full.xb"), "{printed}");
}

async fn run_in(dir: &Path, args: &[&str]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_dezai"));
    command
        .current_dir(dir)
        .args(args)
        .env("HOME", dir)
        .env_remove("DEZAI_PROFILE");
    tokio::task::spawn_blocking(move || command.output().unwrap())
        .await
        .unwrap()
}
