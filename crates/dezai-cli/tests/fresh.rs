//! Sequences from the command line against the emulator's world: `dezai backup create` then
//! wait, list and download (the file's MD5 the one the URL action answers), for every kind
//! that has a create action; a backup that fails and
//! a wait that cannot complete, with their exit codes; and `--wait-until` on an action that is
//! not about backups, over a scripted sequence of answers.

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;
mod common;

use common::{dezai, flag, folder, md5_of, stderr};
use dezai_emulator::{Emulator, Script, World, WorldBackup, WorldInstance};
use dezai_spec::backups::{BackupKind, KINDS};
use serde_json::{Value, json};

const KEYS: (&str, &str) = ("fresh-public", "fresh-private");

async fn emulator(world: World) -> Emulator {
    common::world_emulator(world, KEYS).await
}

/// The kinds whose create, listing and URL actions the embedded specs have.
fn creatable() -> Vec<&'static BackupKind> {
    let specs = common::spec_names();
    KINDS
        .iter()
        .filter(|k| {
            let has = |a: &str| specs.iter().any(|(_, action)| action == a);
            k.create.is_some_and(|c| has(c.action))
                && has(k.listing.action)
                && has(k.download.action)
        })
        .collect()
}

/// A world with one instance of `kind` holding one old completed backup.
fn one_instance(kind: &BackupKind, failing: bool) -> WorldInstance {
    let instance = WorldInstance::new(kind.name, &format!("{}-1", kind.name))
        .backup(WorldBackup::new("old-1", 1_600_000_000, 2048).name("old"));
    if failing {
        instance.failing_backups()
    } else {
        instance
    }
}

/// `backup create <kind>` with the instance and name flags, and `more`.
fn create_args(kind: &BackupKind, name: &str, more: &[&str]) -> Vec<String> {
    let create = kind.create.unwrap();
    let mut args: Vec<String> = ["backup", "create", kind.name].map(String::from).to_vec();
    args.push(flag(kind.product, create.action, create.instance));
    args.push(format!("{}-1", kind.name));
    args.push(flag(kind.product, create.action, create.name));
    args.push(name.to_owned());
    args.extend(more.iter().map(|s| (*s).to_owned()));
    args
}

async fn run(emulator: &Emulator, dir: &Path, args: &[String]) -> std::process::Output {
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    dezai(emulator.url(), dir, &args, KEYS).await
}

#[tokio::test(flavor = "multi_thread")]
async fn every_kind_creates_waits_lists_the_new_backup_first_and_downloads_it_verified() {
    let kinds = creatable();
    assert!(!kinds.is_empty(), "the table has kinds with create actions");
    for kind in kinds {
        let world = World::new()
            .create_delay(Duration::from_millis(300))
            .instance(one_instance(kind, false));
        let emulator = emulator(world).await;
        let dir = folder(&format!("fresh-{}", kind.name));
        let args = create_args(
            kind,
            "fresh-backup",
            &["--download", "fresh.bin", "--wait-interval", "50ms"],
        );
        let output = run(&emulator, &dir, &args).await;
        assert!(
            output.status.success(),
            "{}: {}",
            kind.name,
            stderr(&output)
        );
        let id = String::from_utf8_lossy(&output.stdout).trim().to_owned();
        let log = stderr(&output);
        assert!(
            log.contains(&format!("backup {id} {}", kind.in_progress[0])),
            "{log}"
        );
        assert!(log.contains(&format!("backup {id} completed")), "{log}");

        // The listing shows it first (the newest), completed.
        let instance_flag = flag(kind.product, kind.listing.action, kind.listing.instance);
        let list: Vec<String> = ["backup", "list", kind.name, &instance_flag]
            .into_iter()
            .map(String::from)
            .chain([format!("{}-1", kind.name)])
            .collect();
        let listed = run(&emulator, &dir, &list).await;
        let rows: Vec<Value> = serde_json::from_slice(&listed.stdout).unwrap();
        assert_eq!(rows.len(), 2, "{}: {rows:?}", kind.name);
        assert_eq!(rows[0]["id"], id.as_str());
        assert_eq!(rows[0]["completed"], true);

        // The file is the one the URL action describes.
        let url = &kind.download;
        let mut ask: Vec<String> = vec![
            "invoke".into(),
            url.action.into(),
            format!("{}={id}", url.id),
            // A call by name sends no zone; several URL actions require one.
            "Zone=cn-bj2-04".into(),
        ];
        if let Some(instance) = url.instance {
            ask.push(format!("{instance}={}-1", kind.name));
        }
        let answer = run(&emulator, &dir, &ask).await;
        assert!(answer.status.success(), "{}", stderr(&answer));
        let answer: Value = serde_json::from_slice(&answer.stdout).unwrap();
        let link = dezai_spec::download::links_in_answer(
            answer.as_object().unwrap(),
            dezai_spec::download::Network::Internet,
        )
        .into_iter()
        .next()
        .unwrap_or_else(|| panic!("{}: {answer}", kind.name));
        assert!(link.url.starts_with(emulator.url()), "{}", link.url);
        let file = dir.join("fresh.bin");
        match link.md5 {
            Some(md5) => assert_eq!(md5, md5_of(&file), "{}", kind.name),
            // A URL action without an MD5 (UMem's): the size the listing gives.
            None => assert_eq!(
                Some(std::fs::metadata(&file).unwrap().len()),
                rows[0]["size"].as_u64(),
                "{}",
                kind.name
            ),
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_backup_that_fails_ends_the_wait_with_its_state_and_exit_6() {
    for kind in creatable() {
        let world = World::new()
            .create_delay(Duration::from_millis(200))
            .instance(one_instance(kind, true));
        let emulator = emulator(world).await;
        let dir = folder(&format!("failing-{}", kind.name));
        let args = create_args(
            kind,
            "doomed-backup",
            &["--wait", "--wait-interval", "50ms"],
        );
        let output = run(&emulator, &dir, &args).await;
        assert_eq!(output.status.code(), Some(6), "{}", stderr(&output));
        assert!(
            stderr(&output).contains(&format!("did not complete: {}", kind.failed[0])),
            "{}",
            stderr(&output)
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_wait_that_cannot_complete_times_out_with_exit_7() {
    let kind = creatable()[0];
    let world = World::new()
        .create_delay(Duration::from_secs(3600))
        .instance(one_instance(kind, false));
    let emulator = emulator(world).await;
    let dir = folder("timeout");
    let args = create_args(
        kind,
        "slow-backup",
        &["--wait", "--wait-timeout", "1s", "--wait-interval", "100ms"],
    );
    let output = run(&emulator, &dir, &args).await;
    assert_eq!(output.status.code(), Some(7), "{}", stderr(&output));
    assert!(stderr(&output).contains("timed out"), "{}", stderr(&output));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_kind_without_a_create_action_says_so_with_exit_2() {
    let Some(kind) = KINDS.iter().find(|k| k.create.is_none()) else {
        return;
    };
    let emulator = emulator(World::new()).await;
    let dir = folder("no-create");
    let output = run(
        &emulator,
        &dir,
        &["backup", "create", kind.name].map(String::from),
    )
    .await;
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert!(stderr(&output).contains("no action that makes a backup on demand"));
    assert!(emulator.requests().is_empty(), "refused before any call");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_dry_run_prints_the_create_request_and_makes_nothing() {
    let kind = creatable()[0];
    let emulator = emulator(World::new().instance(one_instance(kind, false))).await;
    let dir = folder("dry-create");
    let mut args = vec!["--dry-run".to_owned()];
    args.extend(create_args(kind, "not-made", &["--wait"]));
    let output = run(&emulator, &dir, &args).await;
    assert!(output.status.success(), "{}", stderr(&output));
    let printed = String::from_utf8_lossy(&output.stdout);
    let create = kind.create.unwrap();
    assert!(
        printed.contains(&format!("Action={}", create.action)),
        "{printed}"
    );
    assert!(
        printed.contains(&format!("{}=not-made", create.name)),
        "{printed}"
    );
    assert!(emulator.requests().is_empty(), "nothing sent");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_dry_run_download_prints_the_url_request_and_fetches_nothing() {
    let kind = creatable()[0];
    let emulator = emulator(World::new().instance(one_instance(kind, false))).await;
    let dir = folder("dry-download");
    let url = &kind.download;
    let mut args: Vec<String> = ["--dry-run", "backup", "download", kind.name]
        .map(String::from)
        .to_vec();
    args.push(flag(kind.product, url.action, url.id));
    args.push("7".into());
    if let Some(instance) = url.instance {
        args.push(flag(kind.product, url.action, instance));
        args.push(format!("{}-1", kind.name));
    }
    let output = run(&emulator, &dir, &args).await;
    assert!(output.status.success(), "{}", stderr(&output));
    let printed = String::from_utf8_lossy(&output.stdout);
    assert!(
        printed.contains(&format!("Action={}", url.action)),
        "{printed}"
    );
    assert!(emulator.requests().is_empty() && emulator.backup_downloads().is_empty());
    assert!(
        std::fs::read_dir(&dir).unwrap().next().is_none(),
        "no file written"
    );

    let by_url = [
        "--dry-run",
        "backup",
        "download",
        "--url",
        "http://127.0.0.1:9/b/x.bin?Signature=secret",
    ]
    .map(String::from);
    let output = run(&emulator, &dir, &by_url).await;
    let printed = String::from_utf8_lossy(&output.stdout);
    assert_eq!(
        printed.trim(),
        "GET http://127.0.0.1:9/b/x.bin",
        "the query is a credential"
    );
}

/// An emulator answering `action` with `State` values in turn, the last one for ever.
async fn sequence(action: &str, states: &'static [&'static str]) -> Emulator {
    let emulator = emulator(World::new()).await;
    let calls = Arc::new(AtomicUsize::new(0));
    emulator.script(
        action,
        Script::With(Arc::new(move |_| {
            let n = calls.fetch_add(1, Ordering::SeqCst).min(states.len() - 1);
            json!({"DataSet": [{"Name": "web", "State": states[n]}], "TotalCount": 1})
        })),
    );
    emulator
}

#[tokio::test(flavor = "multi_thread")]
async fn wait_until_repeats_any_action_until_a_path_holds_a_value() {
    const ACTION: &str = "DescribeFixtureServer";
    let emulator = sequence(ACTION, &["Starting", "Starting", "Running"]).await;
    let dir = folder("wait-until");
    let args = [
        "invoke",
        ACTION,
        "Limit=1",
        "--wait-until",
        "DataSet.0.State=Running",
        "--wait-until",
        "DataSet.0.State=Idle",
        "--wait-interval",
        "20ms",
    ]
    .map(String::from);
    let output = run(&emulator, &dir, &args).await;
    assert!(output.status.success(), "{}", stderr(&output));
    let answer: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(answer["DataSet"][0]["State"], "Running");
    let polls: Vec<String> = stderr(&output)
        .lines()
        .filter(|l| l.starts_with("wait: poll"))
        .map(str::to_owned)
        .collect();
    assert_eq!(polls.len(), 3, "{polls:?}");
    assert!(
        polls[0].contains("DataSet.0.State=Starting (waiting)"),
        "{polls:?}"
    );
    assert!(
        polls[2].contains("DataSet.0.State=Running (reached)"),
        "{polls:?}"
    );
    assert_eq!(emulator.requests().len(), 3);

    // A failure value ends the wait at once with exit 6; the answer still goes to stdout.
    let emulator = sequence(ACTION, &["Starting", "Broken"]).await;
    let args = [
        "invoke",
        ACTION,
        "--wait-until",
        "DataSet.0.State=Running",
        "--wait-fail",
        "DataSet.0.State=Broken",
        "--wait-interval",
        "20ms",
    ]
    .map(String::from);
    let output = run(&emulator, &dir, &args).await;
    assert_eq!(output.status.code(), Some(6), "{}", stderr(&output));
    let answer: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(answer["DataSet"][0]["State"], "Broken");

    // A state never reached: exit 7 after the timeout.
    let emulator = sequence(ACTION, &["Starting"]).await;
    let args = [
        "invoke",
        ACTION,
        "--wait-until",
        "DataSet.0.State=Running",
        "--wait-timeout",
        "300ms",
        "--wait-interval",
        "20ms",
    ]
    .map(String::from);
    let output = run(&emulator, &dir, &args).await;
    assert_eq!(output.status.code(), Some(7), "{}", stderr(&output));
}
