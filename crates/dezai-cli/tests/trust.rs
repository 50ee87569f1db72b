//! What makes a mirror trustworthy, against the emulator's world: a backup of several files
//! (one per shard) is copied whole, checked per file and restored when a shard goes missing;
//! two runs on one folder never both write it, and a killed run leaves nothing stale; every
//! page of a capped listing is read; an intranet address is fetched only when asked for.

use std::path::Path;
use std::process::Stdio;

mod common;

use common::{command, dezai, files_under, folder, stderr, world_emulator};
use dezai_emulator::{Emulator, World, WorldBackup, WorldInstance};
use dezai_spec::backups::{BackupKind, kind};
use serde_json::Value;

const KEYS: (&str, &str) = ("trust-public", "trust-private");
const T0: i64 = 1_700_000_000;

/// The first kind whose backups can be several files, if the embedded specs offer one.
fn sharded_kind() -> Option<&'static BackupKind> {
    let names = common::spec_names();
    let has = |a: &str| names.iter().any(|(_, n)| n == a);
    dezai_spec::backups::KINDS.iter().find(|k| {
        k.fields.blocks.is_some()
            && has(k.listing.action)
            && has(k.download.action)
            && has(k.instances.action)
    })
}

fn manifest(dir: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(dir.join("dezai-backups.json")).unwrap()).unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn every_shard_is_copied_checked_and_restored() {
    let Some(kind) = sharded_kind() else {
        return;
    };
    let world = World::new().instance(
        WorldInstance::new(kind.name, "space-1")
            .backup(WorldBackup::new("b-3", T0, 3 * 40_000).blocks(3)),
    );
    let emulator = world_emulator(world, KEYS).await;
    let dir = folder("shards");
    let sync = || {
        dezai(
            emulator.url(),
            &dir,
            &["backup", "sync", "m", "--json"],
            KEYS,
        )
    };
    let first = sync().await;
    assert!(first.status.success(), "{}", stderr(&first));
    let copies = manifest(&dir.join("m"))["copies"].clone();
    assert_eq!(copies.as_array().map(Vec::len), Some(1), "{copies}");
    let shards = copies[0]["shards"].as_array().cloned().unwrap_or_default();
    assert_eq!(shards.len(), 3, "the manifest lists every file: {copies}");
    let files: Vec<_> = files_under(&dir.join("m"))
        .into_iter()
        .filter(|f| f.to_string_lossy().contains("shard-"))
        .collect();
    assert_eq!(files.len(), 3, "{files:?}");
    // Each shard its own bytes, each of its own MD5.
    let md5s: Vec<&str> = shards.iter().filter_map(|s| s["md5"].as_str()).collect();
    assert!(md5s[0] != md5s[1] && md5s[1] != md5s[2], "{md5s:?}");

    // A shard deleted: verify says so (exit 5), the next sync restores it, verify passes.
    std::fs::remove_file(dir.join("m").join(&files[1])).unwrap();
    let status = dezai(
        emulator.url(),
        &dir,
        &["backup", "status", "m", "--json"],
        KEYS,
    )
    .await;
    let rows: Value = serde_json::from_slice(&status.stdout).unwrap();
    assert_eq!(
        rows[0]["backup"],
        Value::Null,
        "a copy with a missing shard is no copy"
    );
    let verify = || dezai(emulator.url(), &dir, &["backup", "verify", "m"], KEYS);
    let damaged = verify().await;
    assert_eq!(damaged.status.code(), Some(5), "{}", stderr(&damaged));
    assert!(String::from_utf8_lossy(&damaged.stdout).contains("missing"));
    let again = sync().await;
    assert!(again.status.success(), "{}", stderr(&again));
    assert!(dir.join("m").join(&files[1]).exists());
    let intact = verify().await;
    assert_eq!(intact.status.code(), Some(0), "{}", stderr(&intact));

    // One file cannot hold three: the error says how many and what to pass instead.
    let to_file = dezai(
        emulator.url(),
        &dir,
        &[
            "backup",
            "download",
            kind.name,
            &common::flag(kind.product, kind.download.action, kind.listing.instance),
            "space-1",
            "--latest",
            "-o",
            "one.bin",
        ],
        KEYS,
    )
    .await;
    assert_eq!(to_file.status.code(), Some(2), "{}", stderr(&to_file));
    let said = stderr(&to_file);
    assert!(
        said.contains("3 files") && said.contains("folder"),
        "{said}"
    );
    assert!(!dir.join("one.bin").exists());
}

/// A fleet big enough that a sync takes a while: instances of the first kind.
fn fleet(count: usize) -> World {
    let udb = kind("udb").unwrap();
    (0..count).fold(World::new(), |world, i| {
        world.instance(
            WorldInstance::new(udb.name, &format!("udb-{i}")).backup(WorldBackup::new(
                1000 + i as u64,
                T0,
                2 << 20,
            )),
        )
    })
}

fn sync_command(emulator: &Emulator, dir: &Path) -> std::process::Command {
    let mut sync = command(
        emulator.url(),
        dir,
        &["backup", "sync", "m", "--kind", "udb", "--limit-rate", "8M"],
        KEYS,
    );
    sync.stdout(Stdio::piped()).stderr(Stdio::piped());
    sync
}

#[tokio::test(flavor = "multi_thread")]
async fn two_runs_on_one_mirror_one_copies_the_other_is_refused() {
    let emulator = world_emulator(fleet(6), KEYS).await;
    let dir = folder("lock");
    let (a, b) = (sync_command(&emulator, &dir), sync_command(&emulator, &dir));
    let run =
        |mut c: std::process::Command| tokio::task::spawn_blocking(move || c.output().unwrap());
    let (a, b) = (run(a), run(b));
    let (a, b) = (a.await.unwrap(), b.await.unwrap());
    let codes = [a.status.code(), b.status.code()];
    assert!(
        codes.contains(&Some(0)) && codes.contains(&Some(10)),
        "{codes:?}"
    );
    let refused = if a.status.code() == Some(10) { &a } else { &b };
    let said = stderr(refused);
    assert!(said.contains("pid ") && said.contains("since "), "{said}");
    let verify = dezai(
        emulator.url(),
        &dir,
        &["backup", "verify", "m", "--json"],
        KEYS,
    )
    .await;
    assert!(verify.status.success(), "{}", stderr(&verify));
    let checked: Value = serde_json::from_slice(&verify.stdout).unwrap();
    assert_eq!(
        checked["copies"].as_array().map(Vec::len),
        Some(6),
        "no record lost"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_killed_run_leaves_no_stale_lock() {
    let emulator = world_emulator(fleet(4), KEYS).await;
    let dir = folder("killed");
    let mut holder = sync_command(&emulator, &dir).spawn().unwrap();
    // Killed once it holds the lock (the lock file names it).
    let lock = dir.join("m/.dezai-backups.lock");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while !std::fs::read_to_string(&lock).is_ok_and(|t| t.contains("pid ")) {
        assert!(
            std::time::Instant::now() < deadline,
            "the run never took the lock"
        );
        std::thread::yield_now();
    }
    holder.kill().unwrap();
    holder.wait().unwrap();
    let next = sync_command(&emulator, &dir).output().unwrap();
    assert_eq!(next.status.code(), Some(0), "{}", stderr(&next));
}

#[tokio::test(flavor = "multi_thread")]
async fn wait_lock_waits_for_the_holder() {
    use fs4::fs_std::FileExt;
    let emulator = world_emulator(fleet(1), KEYS).await;
    let dir = folder("wait-lock");
    let synced = dezai(emulator.url(), &dir, &["backup", "sync", "m"], KEYS).await;
    assert!(synced.status.success(), "{}", stderr(&synced));
    // Another holder, as a run would be: the lock is released once `verify` has tried it.
    let lock = std::fs::File::options()
        .read(true)
        .write(true)
        .open(dir.join("m/.dezai-backups.lock"))
        .unwrap();
    assert!(lock.try_lock_exclusive().unwrap());
    let refused = dezai(emulator.url(), &dir, &["backup", "verify", "m"], KEYS).await;
    assert_eq!(refused.status.code(), Some(10), "{}", stderr(&refused));
    let mut waiting = command(
        emulator.url(),
        &dir,
        &["backup", "verify", "m", "--wait-lock", "1m"],
        KEYS,
    )
    .stdout(Stdio::piped())
    .stderr(Stdio::piped())
    .spawn()
    .unwrap();
    // Still running a while later: it found the lock held and waits, where a refusal would
    // have ended it at once.
    std::thread::sleep(std::time::Duration::from_millis(600));
    assert!(
        waiting.try_wait().unwrap().is_none(),
        "it waits for the holder"
    );
    drop(lock);
    let waited = waiting.wait_with_output().unwrap();
    assert_eq!(waited.status.code(), Some(0), "{}", stderr(&waited));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_name_with_a_tab_or_a_newline_stays_on_its_line() {
    let udb = kind("udb").unwrap();
    let world = ["tab\there", "new\nline", "plain"]
        .into_iter()
        .enumerate()
        .fold(World::new(), |world, (i, id)| {
            let backup = WorldBackup::new(3000 + i as u64, T0, 64);
            world.instance(WorldInstance::new(udb.name, id).backup(backup))
        });
    let emulator = world_emulator(world, KEYS).await;
    let dir = folder("tsv");
    let synced = dezai(emulator.url(), &dir, &["backup", "sync", "m"], KEYS).await;
    assert!(synced.status.success(), "{}", stderr(&synced));
    let table = String::from_utf8_lossy(&synced.stdout).into_owned();
    let rows: Vec<&str> = table.lines().collect();
    assert_eq!(rows.len(), 3, "one line per instance: {table:?}");
    assert!(rows.iter().all(|r| r.split('\t').count() == 6), "{table:?}");
    assert!(
        table.contains("tab\\there") && table.contains("new\\nline"),
        "{table:?}"
    );
    let progress = stderr(&synced);
    assert!(
        progress.lines().any(|l| l.contains("new\\nline")),
        "{progress}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_folder_that_is_a_file_and_ages_in_days() {
    let emulator = world_emulator(fleet(1), KEYS).await;
    let dir = folder("not-a-folder");
    std::fs::write(dir.join("m"), b"a file").unwrap();
    for command in ["sync", "status", "verify"] {
        let refused = dezai(emulator.url(), &dir, &["backup", command, "m"], KEYS).await;
        assert_eq!(refused.status.code(), Some(1), "{command}");
        let said = stderr(&refused);
        assert!(said.contains("not a folder"), "{command}: {said}");
    }
    std::fs::remove_file(dir.join("m")).unwrap();
    let synced = dezai(emulator.url(), &dir, &["backup", "sync", "m"], KEYS).await;
    assert!(synced.status.success(), "{}", stderr(&synced));
    // The backup was made in 2023: older than a week, and the status says so with exit 9.
    let status = ["backup", "status", "m", "--max-age", "7d"];
    let stale = dezai(emulator.url(), &dir, &status, KEYS).await;
    assert_eq!(stale.status.code(), Some(9), "{}", stderr(&stale));
    let status = ["backup", "status", "m", "--max-age", "520w"];
    let fresh = dezai(emulator.url(), &dir, &status, KEYS).await;
    assert_eq!(fresh.status.code(), Some(0), "{}", stderr(&fresh));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_capped_listing_is_read_to_the_end() {
    let udb = kind("udb").unwrap();
    let mut instance = WorldInstance::new(udb.name, "udb-many");
    for i in 0..250 {
        instance = instance.backup(WorldBackup::new(5000 + i, T0 + i as i64, 10));
    }
    let emulator = dezai_emulator::Emulator::builder()
        .specs(Path::new(env!("CARGO_MANIFEST_DIR")).join("specs"))
        .key_pair(KEYS.0, KEYS.1)
        .world(World::new().instance(instance))
        .page_cap(40)
        .start()
        .await
        .unwrap();
    let dir = folder("pages");
    let db = common::flag("udb", udb.listing.action, udb.listing.instance);
    let list = ["backup", "list", "udb", db.as_str(), "udb-many", "--json"];
    let listed = dezai(emulator.url(), &dir, &list, KEYS).await;
    let rows: Value = serde_json::from_slice(&listed.stdout).unwrap();
    assert_eq!(
        rows.as_array().map(Vec::len),
        Some(250),
        "{}",
        stderr(&listed)
    );
    // The listing action's own command fetches every page.
    let command_name = dezai_spec::names::Namer::for_product("udb").kebab_name(udb.listing.action);
    let every = [
        "udb",
        command_name.as_str(),
        db.as_str(),
        "udb-many",
        "--offset",
        "0",
        "--limit",
        "100",
        "--output",
        "json",
    ];
    let fetched = dezai(emulator.url(), &dir, &every, KEYS).await;
    let answer: Value = serde_json::from_slice(&fetched.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", stderr(&fetched)));
    let items = answer[udb.listing.items[0]].as_array().map(Vec::len);
    assert_eq!(items, Some(250), "{}", stderr(&fetched));
}

#[tokio::test(flavor = "multi_thread")]
async fn the_intranet_address_only_when_asked() {
    let udb = kind("udb").unwrap();
    let world = World::new()
        .instance(WorldInstance::new(udb.name, "udb-1").backup(WorldBackup::new(77u64, T0, 4096)));
    let emulator = world_emulator(world, KEYS).await;
    let dir = folder("network");
    let db = common::flag(udb.product, udb.download.action, udb.listing.instance);
    for (network, path) in [("internet", "/internet/"), ("intranet", "/intranet/")] {
        let out = format!("{network}.xb");
        let args = [
            "backup",
            "download",
            "udb",
            &db,
            "udb-1",
            "--latest",
            "--network",
            network,
            "-o",
            &out,
        ];
        let done = dezai(emulator.url(), &dir, &args, KEYS).await;
        assert!(done.status.success(), "{}", stderr(&done));
        let fetched = emulator.backup_downloads().last().map(|d| d.path.clone());
        assert!(fetched.is_some_and(|p| p.contains(path)), "{network}");
    }
}
