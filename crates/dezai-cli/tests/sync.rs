//! `dezai backup sync|status|verify DIR` against the emulator's world: several kinds, two
//! regions and more instances than a page. A first sync copies each newest completed backup, a
//! second downloads nothing, a third copies a backup made since; `--keep 2` removes the oldest
//! copy once the newer is verified; a corrupted copy is found by `verify` and copied again by
//! the next sync; one instance's failure leaves the others done (exit 8); names from the
//! service that are not safe as paths stay inside DIR.

use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
mod common;

use common::{dezai, files_under, folder, md5_of, stderr};
use dezai_emulator::{Emulator, Fault, World, WorldBackup, WorldInstance};
use dezai_spec::backups::{BackupKind, KINDS};
use serde_json::Value;

const KEYS: (&str, &str) = ("sync-public", "sync-private");
const REGIONS: [(&str, &str); 2] = [("cn-bj2", "cn-bj2-04"), ("cn-sh2", "cn-sh2-02")];
/// Backups are made from here on, a minute apart.
const T0: i64 = 1_700_000_000;

/// Backup ids: numbers, as some URL actions type them, never the same twice.
fn next_id() -> u64 {
    static NEXT: AtomicU64 = AtomicU64::new(10_000);
    NEXT.fetch_add(10, Ordering::Relaxed)
}

/// An instance whose newest backup failed, so its newest completed one is the second: ids
/// ending in 0 (old), 1 (completed, newest so) and 2 (failed).
fn instance(kind: &BackupKind, id: &str, region: (&str, &str)) -> WorldInstance {
    let base = next_id();
    WorldInstance::new(kind.name, id)
        .region(region.0)
        .zone(region.1)
        .backup(WorldBackup::new(base, T0, 300).name("old"))
        .backup(WorldBackup::new(base + 1, T0 + 60, 400).name("nightly"))
        .backup(
            WorldBackup::new(base + 2, T0 + 120, 500)
                .name("broken")
                .state(kind.failed[0]),
        )
}

/// Every offered kind with instances in both regions; the first kind with more instances than
/// a page of its listing holds.
fn fleet() -> (World, usize) {
    let mut world = World::new();
    let mut count = 0;
    for (k, kind) in common::offered_kinds().into_iter().enumerate() {
        let many = if k == 0 { 105 } else { 2 };
        for (r, region) in REGIONS.into_iter().enumerate() {
            for i in 0..if r == 0 { many } else { 2 } {
                world =
                    world.instance(instance(kind, &format!("{}-{r}-{i:03}", kind.name), region));
                count += 1;
            }
        }
    }
    (world, count)
}

async fn emulator(world: World) -> Emulator {
    common::world_emulator(world, KEYS).await
}

async fn sync(
    emulator: &Emulator,
    dir: &Path,
    more: &[&str],
) -> (std::process::Output, Vec<Value>) {
    let mut args = vec![
        "backup",
        "sync",
        "mirror",
        "--regions",
        "cn-bj2,cn-sh2",
        "--json",
    ];
    args.extend(more);
    let output = dezai(emulator.url(), dir, &args, KEYS).await;
    let summary: Value = serde_json::from_slice(&output.stdout).unwrap_or(Value::Null);
    let rows = summary["instances"].as_array().cloned().unwrap_or_default();
    (output, rows)
}

fn results(rows: &[Value], result: &str) -> usize {
    rows.iter().filter(|r| r["result"] == result).count()
}

fn manifest(dir: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(dir.join("mirror/dezai-backups.json")).unwrap())
        .unwrap()
}

fn url_calls(emulator: &Emulator) -> usize {
    let urls: Vec<&str> = KINDS.iter().map(|k| k.download.action).collect();
    let requests = emulator.requests();
    requests
        .iter()
        .filter(|r| r.param("Action").is_some_and(|a| urls.contains(&a)))
        .count()
}

#[tokio::test(flavor = "multi_thread")]
async fn sync_copies_the_newest_once_then_only_what_is_new_and_keeps_two() {
    let (world, count) = fleet();
    let emulator = emulator(world).await;
    let dir = folder("sync-fleet");

    let (output, rows) = sync(&emulator, &dir, &["--concurrency", "4"]).await;
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!((rows.len(), results(&rows, "copied")), (count, count));
    assert!(
        rows.iter()
            .all(|r| r["backup"].as_str().unwrap().ends_with('1')),
        "{rows:?}"
    );
    let recorded = manifest(&dir);
    let copies = recorded["copies"].as_array().unwrap().clone();
    assert_eq!(copies.len(), count);
    for copy in &copies {
        let file = dir.join("mirror").join(copy["path"].as_str().unwrap());
        assert_eq!(md5_of(&file), copy["md5"].as_str().unwrap());
        assert_eq!(copy["size"], 400);
    }
    let downloads = emulator.backup_downloads().len();
    let asked = url_calls(&emulator);

    // Nothing new: listing calls only.
    let (output, rows) = sync(&emulator, &dir, &[]).await;
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(results(&rows, "up to date"), count);
    assert_eq!(emulator.backup_downloads().len(), downloads, "no download");
    assert_eq!(url_calls(&emulator), asked, "no URL asked for");

    // A backup made since is copied, and only it.
    let kind = common::offered_kinds()
        .into_iter()
        .find(|k| k.create.is_some())
        .expect("a kind with a create action");
    let instance = format!("{}-1-001", kind.name);
    let create = kind.create.unwrap();
    for name in ["since-one", "since-two"] {
        let made = dezai(
            emulator.url(),
            &dir,
            &[
                "--region",
                "cn-sh2",
                "--zone",
                "cn-sh2-02",
                "invoke",
                create.action,
                &format!("{}={instance}", create.instance),
                &format!("{}={name}", create.name),
                "Zone=cn-sh2-02",
            ],
            KEYS,
        )
        .await;
        assert!(made.status.success(), "{}", stderr(&made));
        let keep: &[&str] = if name == "since-two" {
            &["--keep", "2"]
        } else {
            &[]
        };
        let (output, rows) = sync(&emulator, &dir, keep).await;
        assert!(output.status.success(), "{}", stderr(&output));
        assert_eq!(results(&rows, "copied"), 1, "{rows:?}");
        let copied = rows.iter().find(|r| r["result"] == "copied").unwrap();
        assert_eq!(copied["instance"], instance.as_str());
    }
    // Three copies of that instance were made; --keep 2 removed the oldest, file and record.
    let recorded = manifest(&dir);
    let of_instance: Vec<&Value> = recorded["copies"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["instance"] == instance.as_str())
        .collect();
    assert_eq!(of_instance.len(), 2, "{of_instance:?}");
    let first = copies
        .iter()
        .find(|c| c["instance"] == instance.as_str())
        .unwrap();
    assert!(
        of_instance
            .iter()
            .all(|c| c["backup_id"] != first["backup_id"])
    );
    assert!(
        !dir.join("mirror")
            .join(first["path"].as_str().unwrap())
            .exists(),
        "the oldest copy's file is gone"
    );

    // status: every instance, fresh enough for a long max age, stale for a short one.
    let status = dezai(
        emulator.url(),
        &dir,
        &["backup", "status", "mirror", "--json"],
        KEYS,
    )
    .await;
    assert!(status.status.success(), "{}", stderr(&status));
    let rows: Vec<Value> = serde_json::from_slice(&status.stdout).unwrap();
    assert_eq!(rows.len(), count);
    assert!(
        rows.iter().all(|r| r["newer_on_service"].is_null()),
        "{rows:?}"
    );
    // Through the renderer like every command: an instance per line.
    let args = [
        "backup",
        "status",
        "mirror",
        "--query",
        "[].instance",
        "--output",
        "text",
    ];
    let ids = dezai(emulator.url(), &dir, &args, KEYS).await;
    assert!(ids.status.success(), "{}", stderr(&ids));
    let mut printed: Vec<String> = String::from_utf8_lossy(&ids.stdout)
        .lines()
        .map(str::to_owned)
        .collect();
    let mut listed: Vec<String> = rows
        .iter()
        .map(|r| r["instance"].as_str().unwrap().to_owned())
        .collect();
    printed.sort();
    listed.sort();
    assert_eq!(printed, listed);
    let yaml = ["backup", "status", "mirror", "--output", "yaml"];
    let yaml = dezai(emulator.url(), &dir, &yaml, KEYS).await;
    let text = String::from_utf8_lossy(&yaml.stdout);
    assert!(
        text.starts_with("- ") && text.contains("\n  kind: "),
        "{text}"
    );
    let stale = dezai(
        emulator.url(),
        &dir,
        &["backup", "status", "mirror", "--max-age", "1h", "--json"],
        KEYS,
    )
    .await;
    assert_eq!(stale.status.code(), Some(9), "{}", stderr(&stale));
}

#[tokio::test(flavor = "multi_thread")]
async fn verify_finds_a_corrupted_copy_and_the_next_sync_copies_it_again() {
    let kind = common::offered_kinds()[0];
    let world = World::new()
        .instance(instance(kind, "db-a", REGIONS[0]))
        .instance(instance(kind, "db-b", REGIONS[0]));
    let emulator = emulator(world).await;
    let dir = folder("sync-verify");
    let (output, _) = sync(&emulator, &dir, &[]).await;
    assert!(output.status.success(), "{}", stderr(&output));
    let recorded = manifest(&dir);
    let path = dir
        .join("mirror")
        .join(recorded["copies"][0]["path"].as_str().unwrap());
    let mut bytes = std::fs::read(&path).unwrap();
    bytes[10] ^= 0xff;
    std::fs::write(&path, bytes).unwrap();

    let verify = dezai(
        emulator.url(),
        &dir,
        &["backup", "verify", "mirror", "--json"],
        KEYS,
    )
    .await;
    assert_eq!(verify.status.code(), Some(5), "{}", stderr(&verify));
    let found: Value = serde_json::from_slice(&verify.stdout).unwrap();
    assert_eq!(found["damaged"], 1);
    let (output, rows) = sync(&emulator, &dir, &[]).await;
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(
        (results(&rows, "copied"), results(&rows, "up to date")),
        (1, 1)
    );
    let again = dezai(emulator.url(), &dir, &["backup", "verify", "mirror"], KEYS).await;
    assert!(again.status.success(), "{}", stderr(&again));
}

#[tokio::test(flavor = "multi_thread")]
async fn one_failing_instance_leaves_the_others_done_with_exit_8() {
    let kind = common::offered_kinds()[0];
    let mut world = World::new();
    for i in 0..4 {
        world = world.instance(instance(kind, &format!("db-{i}"), REGIONS[0]));
    }
    let emulator = emulator(world).await;
    emulator.fault(kind.download.action, Fault::RetCode(8_888), 1);
    let dir = folder("sync-partial");
    let (output, rows) = sync(&emulator, &dir, &["--concurrency", "1", "--api-calls", "1"]).await;
    assert_eq!(output.status.code(), Some(8), "{}", stderr(&output));
    assert_eq!((results(&rows, "failed"), results(&rows, "copied")), (1, 3));
    assert!(
        stderr(&output).contains("RetCode 8888"),
        "{}",
        stderr(&output)
    );
    // The next run copies the one that failed.
    let (output, rows) = sync(&emulator, &dir, &[]).await;
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(results(&rows, "copied"), 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn names_from_the_service_stay_inside_the_folder() {
    let kind = common::offered_kinds()[0];
    let long = "x".repeat(300);
    let hostile = [
        "../../escape",
        "a/b/c",
        "nul\0byte",
        long.as_str(),
        "..",
        ".",
    ];
    let mut world = World::new();
    for id in hostile {
        world = world.instance(
            WorldInstance::new(kind.name, id)
                .backup(WorldBackup::new(next_id(), T0, 100).name("../../etc/passwd")),
        );
    }
    let emulator = emulator(world).await;
    let dir = folder("sync-names");
    std::fs::create_dir_all(dir.join("inside")).unwrap();
    let run = |more: &'static [&'static str]| {
        let dir = dir.clone();
        let url = emulator.url().to_owned();
        async move {
            let mut args = vec!["backup", "sync", "inside/mirror", "--json"];
            args.extend(more);
            dezai(&url, &dir, &args, KEYS).await
        }
    };
    let first = run(&[]).await;
    assert!(first.status.success(), "{}", stderr(&first));
    // Every file is inside the mirror, and nothing was written beside it.
    assert_eq!(
        files_under(&dir)
            .iter()
            .filter(|f| !f.starts_with("inside/mirror"))
            .count(),
        0
    );
    let copied = files_under(&dir.join("inside/mirror"));
    // A copy per instance, the manifest and the lock file.
    assert_eq!(copied.len(), hostile.len() + 2, "{copied:?}");
    for file in &copied {
        for part in file.components() {
            let part = part.as_os_str().to_string_lossy();
            assert!(part.len() <= 200 && part != ".." && part != ".", "{file:?}");
        }
    }
    let second = run(&[]).await;
    let summary: Value = serde_json::from_slice(&second.stdout).unwrap();
    let rows = summary["instances"].as_array().unwrap();
    assert_eq!(results(rows, "up to date"), hostile.len(), "{rows:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_dry_run_plans_and_writes_nothing() {
    let kind = common::offered_kinds()[0];
    let emulator = emulator(World::new().instance(instance(kind, "db-a", REGIONS[0]))).await;
    let dir = folder("sync-dry");
    let output = dezai(
        emulator.url(),
        &dir,
        &["--dry-run", "backup", "sync", "mirror", "--json"],
        KEYS,
    )
    .await;
    assert!(output.status.success(), "{}", stderr(&output));
    let summary: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(summary["instances"][0]["result"], "planned");
    assert!(!dir.join("mirror").exists());
    assert!(emulator.backup_downloads().is_empty());
}
