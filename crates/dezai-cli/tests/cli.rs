//! The `dezai` binary against the in-process emulator on 127.0.0.1: every seed action, usage
//! errors, API errors with their exit code, dry runs without secrets, `invoke`, `configure`
//! and completions.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use dezai_emulator::Emulator;

const PUBLIC: &str = "cli-public-key";
const PRIVATE: &str = "cli-private-key-secret";

fn specs_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("specs")
}

async fn emulator() -> Emulator {
    Emulator::builder()
        .specs(specs_dir())
        .key_pair(PUBLIC, PRIVATE)
        .start()
        .await
        .unwrap()
}

/// A scratch home folder, so no test reads the user's ~/.dezai.
fn home(name: &str) -> PathBuf {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("dezai-cli-{name}"));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Runs `dezai` with `args`, credentials for the emulator at `url` in the environment (unless
/// `url` is empty), off the async runtime's threads.
async fn dezai(home: &Path, url: &str, private: &str, args: &[&str]) -> Output {
    let mut command = command(home, url, private, args);
    tokio::task::spawn_blocking(move || command.output().unwrap())
        .await
        .unwrap()
}

/// The `dezai` command [`dezai`] runs, to run otherwise.
fn command(home: &Path, url: &str, private: &str, args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_dezai"));
    command.args(args).env("HOME", home);
    for (key, _) in std::env::vars().filter(|(k, _)| k.starts_with("DEZAI_")) {
        command.env_remove(key);
    }
    if !url.is_empty() {
        command
            .env("DEZAI_PUBLIC_KEY", PUBLIC)
            .env("DEZAI_PRIVATE_KEY", private)
            .env("DEZAI_BASE_URL", url)
            .env("DEZAI_REGION", "cn-bj2")
            .env("DEZAI_ZONE", "cn-bj2-04");
    }
    command
}

/// `dezai [global…] udb describe-udb-instance-backup-url [flags…]`.
fn udb_backup_url<'a>(global: &[&'a str], flags: &[&'a str]) -> Vec<&'a str> {
    let action = ["udb", "describe-udb-instance-backup-url"];
    [global, &action, flags].concat()
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[tokio::test(flavor = "multi_thread")]
async fn every_seed_action_through_the_command_line() {
    let emulator = emulator().await;
    let home = home("seeds");
    let url = emulator.url().to_owned();
    let calls: [(&[&str], &str); 5] = [
        (
            &udb_backup_url(
                &[],
                &[
                    "--db-id",
                    "udb-1",
                    "--backup-id",
                    "1234",
                    "--valid-time",
                    "3600",
                ],
            ),
            "BackupPath",
        ),
        (
            &[
                "umem",
                "describe-umem-backup-url",
                "--space-id",
                "space-1",
                "--backup-id",
                "backup-1",
            ],
            "BackupURL",
        ),
        (
            &[
                "umem",
                "describe-uredis-backup-url",
                "--backup-id",
                "backup-2",
            ],
            "BackupPath",
        ),
        (
            &[
                "umongodb",
                "describe-umongodb-backup-url",
                "--cluster-id",
                "cluster-1",
            ],
            "InternetAddress",
        ),
        (
            &[
                "upgsql",
                "get-upgsql-backup-url",
                "--instance-id",
                "instance-1",
                "--backup-id",
                "backup-4",
            ],
            "BackupPath",
        ),
    ];
    for (args, field) in calls {
        let output = dezai(&home, &url, PRIVATE, args).await;
        assert!(output.status.success(), "{args:?}: {}", stderr(&output));
        let answer: serde_json::Value = serde_json::from_str(&stdout(&output))
            .unwrap_or_else(|e| panic!("{args:?}: not JSON ({e}): {}", stdout(&output)));
        assert_eq!(answer["RetCode"], 0, "{args:?}");
        assert!(!answer[field].is_null(), "{args:?}: {answer}");
        assert!(
            !stdout(&output).contains('\n') || stdout(&output).lines().count() == 1,
            "compact when piped"
        );
    }
    let sent = emulator.requests();
    assert_eq!(sent.len(), 5);
    assert_eq!(sent[0].param("DBId"), Some("udb-1"));
    assert_eq!(sent[0].param("BackupId"), Some("1234"));
    assert_eq!(sent[0].param("ValidTime"), Some("3600"));
    assert_eq!(sent[0].param("Region"), Some("cn-bj2"));
}

#[tokio::test(flavor = "multi_thread")]
async fn every_action_in_the_specs_has_a_command_with_help() {
    let home = home("help");
    let mut count = 0;
    for entry in std::fs::read_dir(specs_dir()).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().and_then(|e| e.to_str()) != Some("json")
            || path.file_name().and_then(|n| n.to_str()) == Some("spec.schema.json")
        {
            continue;
        }
        let spec =
            dezai_spec::ProductSpec::from_json(&std::fs::read_to_string(&path).unwrap()).unwrap();
        let namer = dezai_spec::names::Namer::for_product(&spec.product);
        for action in &spec.actions {
            let name = namer.kebab_name(&action.name);
            let output = dezai(&home, "", "", &[&spec.product, &name, "--help"]).await;
            assert!(
                output.status.success(),
                "{}: {}",
                action.name,
                stderr(&output)
            );
            assert!(
                stdout(&output).contains(&action.name),
                "{}",
                stdout(&output)
            );
            count += 1;
        }
    }
    assert!(count > 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn usage_errors_name_the_flag() {
    let home = home("usage");
    let missing = dezai(&home, "", "", &udb_backup_url(&[], &["--db-id", "udb-1"])).await;
    assert_eq!(missing.status.code(), Some(2));
    assert!(
        stderr(&missing).contains("--backup-id"),
        "{}",
        stderr(&missing)
    );

    let bad = dezai(
        &home,
        "",
        "",
        &udb_backup_url(&[], &["--db-id", "udb-1", "--backup-id", "abc"]),
    )
    .await;
    assert_eq!(bad.status.code(), Some(2));
    let message = stderr(&bad);
    assert!(message.contains("--backup-id"), "{message}");
    assert!(message.contains("expected an integer"), "{message}");
}

#[tokio::test(flavor = "multi_thread")]
async fn an_api_error_shows_ret_code_and_request_id_and_exits_3() {
    let emulator = emulator().await;
    let home = home("api-error");
    let output = dezai(
        &home,
        emulator.url(),
        "wrong-private-key",
        &udb_backup_url(&[], &["--db-id", "udb-1", "--backup-id", "1"]),
    )
    .await;
    assert_eq!(output.status.code(), Some(3), "{}", stderr(&output));
    let message = stderr(&output);
    // One line: the action, RetCode, message, request id and region.
    assert_eq!(message.trim().lines().count(), 1, "{message}");
    for part in [
        "DescribeUDBInstanceBackupURL",
        "RetCode 171",
        "request id emu-",
        "region cn-bj2",
    ] {
        assert!(message.contains(part), "{part}: {message}");
    }
    assert!(stdout(&output).is_empty());
    assert!(!message.contains("wrong-private-key"));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_refused_connection_exits_4() {
    let home = home("network");
    // A port nothing listens on: bind, note the port, close.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let url = format!("http://127.0.0.1:{port}");
    let output = dezai(&home, &url, PRIVATE, &["invoke", "DescribeThing"]).await;
    assert_eq!(output.status.code(), Some(4), "{}", stderr(&output));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_dry_run_prints_the_body_without_secrets_and_sends_nothing() {
    let emulator = emulator().await;
    let home = home("dry-run");
    let output = dezai(
        &home,
        emulator.url(),
        PRIVATE,
        &udb_backup_url(&["--dry-run"], &["--db-id", "udb-1", "--backup-id", "7"]),
    )
    .await;
    assert!(output.status.success(), "{}", stderr(&output));
    let text = stdout(&output);
    assert!(text.contains("DBId=udb-1"), "{text}");
    assert!(
        text.contains("Action=DescribeUDBInstanceBackupURL"),
        "{text}"
    );
    assert!(
        text.contains("PublicKey=***") && text.contains("Signature=***"),
        "{text}"
    );
    assert!(!text.contains(PUBLIC) && !text.contains(PRIVATE), "{text}");
    assert!(emulator.requests().is_empty(), "a dry run sends nothing");
}

#[tokio::test(flavor = "multi_thread")]
async fn invoke_takes_key_value_pairs() {
    let emulator = emulator().await;
    let home = home("invoke");
    let output = dezai(
        &home,
        emulator.url(),
        PRIVATE,
        &[
            "invoke",
            "DescribeUDBInstanceBackupURL",
            "DBId=udb-9",
            "BackupId=5",
        ],
    )
    .await;
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(emulator.requests()[0].param("DBId"), Some("udb-9"));

    let bad = dezai(
        &home,
        emulator.url(),
        PRIVATE,
        &["invoke", "DescribeThing", "NoEquals"],
    )
    .await;
    assert_eq!(bad.status.code(), Some(2));
    assert!(stderr(&bad).contains("KEY=VALUE"), "{}", stderr(&bad));
}

#[tokio::test(flavor = "multi_thread")]
async fn configure_writes_a_profile_the_calls_then_use() {
    let emulator = emulator().await;
    let home = home("configure");
    let url = emulator.url().to_owned();
    let args = [
        "configure",
        "--profile",
        "test",
        "--region",
        "cn-bj2",
        "--base-url",
        &url,
        "--public-key",
        PUBLIC,
    ];
    let mut command = command(&home, "", "", &args);
    command
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    let output = tokio::task::spawn_blocking(move || {
        use std::io::Write;
        let mut child = command.spawn().unwrap();
        // The private key from standard input, as the help recommends.
        child
            .stdin
            .take()
            .unwrap()
            .write_all(format!("{PRIVATE}\n").as_bytes())
            .unwrap();
        child.wait_with_output().unwrap()
    })
    .await
    .unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    let credentials = home.join(".dezai/credential.json");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&credentials)
            .unwrap()
            .permissions()
            .mode()
            & 0o777;
        assert_eq!(mode, 0o600);
    }
    assert!(
        std::fs::read_to_string(&credentials)
            .unwrap()
            .contains(PRIVATE)
    );

    // No DEZAI_* variables: everything comes from the active profile just written.
    let call = dezai(
        &home,
        "",
        "",
        &udb_backup_url(&[], &["--db-id", "u", "--backup-id", "1"]),
    )
    .await;
    assert!(call.status.success(), "{}", stderr(&call));
    assert_eq!(emulator.requests().len(), 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn completions_and_help_know_every_product() {
    let home = home("completions");
    let bash = dezai(&home, "", "", &["completions", "bash"]).await;
    assert!(bash.status.success(), "{}", stderr(&bash));
    assert!(stdout(&bash).contains("describe-udb-instance-backup-url"));
    let help = dezai(&home, "", "", &["--help"]).await;
    assert!(help.status.success());
    for product in ["udb", "umem", "umongodb", "upgsql"] {
        assert!(stdout(&help).contains(product), "{}", stdout(&help));
    }
}
