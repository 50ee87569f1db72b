//! `dezai backup sync|status|verify s3://bucket/prefix` against a real S3 server
//! (`rclone serve s3`, `dezai-backups/tests/support/s3.rs`) and the emulator's world: every
//! kind copied with the layout and records a folder mirror has; a rerun that writes nothing; a
//! damaged object found by `verify` and repaired by the next sync; `--keep` removing only what a
//! record lists; a run killed mid-upload, then a rerun equal to an uninterrupted one; and four
//! shards at once equal to one unsharded run.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

mod common;

#[path = "../../dezai-backups/tests/support/s3.rs"]
mod s3;

use common::{command, stderr, world_emulator};
use dezai_emulator::{World, WorldBackup, WorldInstance};
use serde_json::Value;

const KEYS: (&str, &str) = ("bucket-public", "bucket-private");
const T0: i64 = 1_700_000_000;

/// `dezai` with the S3 server's environment, run in `dir`.
fn dezai(url: &str, dir: &Path, server: &s3::S3Server, args: &[&str]) -> Command {
    let mut command = command(url, dir, args, KEYS);
    for (name, value) in server.env() {
        command.env(name, value);
    }
    command.env_remove("AWS_PROFILE");
    command
}

fn run(command: &mut Command) -> Output {
    command.output().unwrap()
}

/// An unfinished multipart upload, as rclone keeps it on its disk (no object).
const RCLONE_PARTS: &str = ".rclone_temp_multipart_";

/// Every object under `root` with its bytes, records, markers and unfinished uploads aside.
fn copies(root: &Path) -> BTreeMap<String, Vec<u8>> {
    s3::objects(root)
        .into_iter()
        .filter(|p| {
            !p.ends_with("dezai-backups.json")
                && !p.ends_with(".lock")
                && !p.contains("/.dezai-uploads/")
                && !p.contains(RCLONE_PARTS)
        })
        .map(|p| {
            let bytes = std::fs::read(root.join(&p)).unwrap();
            (p, bytes)
        })
        .collect()
}

/// Every copy the records (or a manifest) under `root` list, without when it was copied.
fn recorded(root: &Path) -> Vec<Value> {
    let mut all: Vec<Value> = s3::objects(root)
        .into_iter()
        .filter(|p| p.ends_with("dezai-backups.json"))
        .flat_map(|p| {
            let record: Value =
                serde_json::from_slice(&std::fs::read(root.join(p)).unwrap()).unwrap();
            record["copies"].as_array().unwrap().clone()
        })
        .map(|mut copy| {
            copy.as_object_mut().unwrap().remove("copied_at");
            copy
        })
        .collect();
    all.sort_by_key(|c| c["path"].as_str().unwrap().to_owned());
    all
}

/// Each object's size and modification time, to tell a rewrite.
fn stamps(root: &Path) -> BTreeMap<String, (u64, std::time::SystemTime)> {
    s3::objects(root)
        .into_iter()
        .map(|p| {
            let meta = std::fs::metadata(root.join(&p)).unwrap();
            (p, (meta.len(), meta.modified().unwrap()))
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn every_kind_is_copied_rerun_for_nothing_and_a_damaged_object_repaired() {
    let mut world = World::new();
    for (i, kind) in common::offered_kinds().into_iter().enumerate() {
        let id = 100 + i as u64;
        let mut backup = WorldBackup::new(id, T0, 40_000);
        if kind.fields.blocks.is_some() {
            backup = WorldBackup::new(id, T0, 3 * 40_000).blocks(3);
        }
        world = world
            .instance(WorldInstance::new(kind.name, &format!("{}-1", kind.name)).backup(backup));
    }
    let emulator = world_emulator(world, KEYS).await;
    let server = s3::S3Server::start(&["b"]);
    let work = tempfile::tempdir().unwrap();
    let url = emulator.url();

    let synced = run(&mut dezai(
        url,
        work.path(),
        &server,
        &["backup", "sync", "s3://b/m"],
    ));
    assert!(synced.status.success(), "{}", stderr(&synced));
    let folder = run(&mut dezai(
        url,
        work.path(),
        &server,
        &["backup", "sync", "mirror"],
    ));
    assert!(folder.status.success(), "{}", stderr(&folder));
    let (bucket, local) = (server.bucket_dir("b").join("m"), work.path().join("mirror"));
    let objects = copies(&bucket);
    assert_eq!(objects, copies(&local), "the folder's layout and bytes");
    let instances = common::offered_kinds().len();
    let sharded = common::offered_kinds()
        .iter()
        .filter(|k| k.fields.blocks.is_some())
        .count();
    assert_eq!(
        objects.len(),
        instances + 2 * sharded,
        "every kind, every shard"
    );
    let records = recorded(&bucket);
    assert_eq!(
        records,
        recorded(&local),
        "records say what the manifest says"
    );
    assert!(
        records.iter().any(|c| c["md5_from_service"] == true),
        "checked against the service's MD5 where it gives one: {records:?}"
    );

    let before = (stamps(&bucket), emulator.backup_downloads().len());
    let rerun = run(&mut dezai(
        url,
        work.path(),
        &server,
        &["backup", "sync", "s3://b/m"],
    ));
    assert!(rerun.status.success(), "{}", stderr(&rerun));
    assert_eq!(
        (stamps(&bucket), emulator.backup_downloads().len()),
        before,
        "nothing written or fetched"
    );
    assert!(String::from_utf8_lossy(&rerun.stdout).contains("up to date"));

    let damaged = objects.keys().next().unwrap().clone();
    let length = objects[&damaged].len();
    std::fs::write(bucket.join(&damaged), vec![b'x'; length]).unwrap();
    let verify = run(&mut dezai(
        url,
        work.path(),
        &server,
        &["backup", "verify", "s3://b/m"],
    ));
    assert_eq!(verify.status.code(), Some(5), "{}", stderr(&verify));
    assert!(String::from_utf8_lossy(&verify.stdout).contains("corrupted"));
    let repair = run(&mut dezai(
        url,
        work.path(),
        &server,
        &["backup", "sync", "s3://b/m"],
    ));
    assert!(repair.status.success(), "{}", stderr(&repair));
    assert_eq!(copies(&bucket), objects, "repaired");
    let verify = run(&mut dezai(
        url,
        work.path(),
        &server,
        &["backup", "verify", "s3://b/m"],
    ));
    assert!(verify.status.success(), "{}", stderr(&verify));

    let status = run(&mut dezai(
        url,
        work.path(),
        &server,
        &["backup", "status", "s3://b/m", "--json"],
    ));
    assert!(status.status.success(), "{}", stderr(&status));
    let rows: Value = serde_json::from_slice(&status.stdout).unwrap();
    assert_eq!(rows.as_array().unwrap().len(), instances);
    assert!(
        rows.as_array()
            .unwrap()
            .iter()
            .all(|r| r["newer_on_service"].is_null() && r["backup"].is_string())
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn keep_removes_only_what_a_record_lists() {
    let older = WorldBackup::new(501, T0, 5_000);
    let newer = WorldBackup::new(502, T0 + 3600, 6_000);
    let first = world_emulator(
        World::new().instance(WorldInstance::new("udb", "udb-k").backup(older.clone())),
        KEYS,
    )
    .await;
    let later = world_emulator(
        World::new().instance(
            WorldInstance::new("udb", "udb-k")
                .backup(older)
                .backup(newer),
        ),
        KEYS,
    )
    .await;
    let server = s3::S3Server::start(&["b"]);
    let work = tempfile::tempdir().unwrap();
    let sync = ["backup", "sync", "s3://b/keep", "--kind", "udb"];
    let done = run(&mut dezai(first.url(), work.path(), &server, &sync));
    assert!(done.status.success(), "{}", stderr(&done));
    let root = server.bucket_dir("b").join("keep");
    let folder = root.join("udb/cn-bj2/udb-k");
    std::fs::write(folder.join("notes.txt"), "mine").unwrap();
    let old: Vec<String> = copies(&root)
        .into_keys()
        .filter(|p| p.contains("-501."))
        .collect();
    assert_eq!(old.len(), 1);

    let keep = [&sync[..], &["--keep", "1"]].concat();
    let done = run(&mut dezai(later.url(), work.path(), &server, &keep));
    assert!(done.status.success(), "{}", stderr(&done));
    let left: Vec<String> = copies(&root).into_keys().collect();
    assert!(left.iter().any(|p| p.contains("-502.")), "{left:?}");
    assert!(
        !left.contains(&old[0]),
        "the older copy is removed: {left:?}"
    );
    assert!(
        left.contains(&"udb/cn-bj2/udb-k/notes.txt".to_owned()),
        "an object no record lists stays"
    );
    let records = recorded(&root);
    assert_eq!(records.len(), 1);
    assert_eq!(records[0]["backup_id"], "502");
}

/// The markers of unfinished uploads under `root`: (path, upload id). One the server is still
/// writing (its file there, not yet its bytes) is not one yet.
fn markers(root: &Path) -> Vec<(PathBuf, String)> {
    s3::objects(root)
        .into_iter()
        .filter(|p| p.contains("/.dezai-uploads/"))
        .filter_map(|p| {
            let text = std::fs::read(root.join(&p)).ok()?;
            let marker: Value = serde_json::from_slice(&text).ok()?;
            let id = marker["upload_id"].as_str()?.to_owned();
            Some((root.join(p), id))
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_run_killed_mid_upload_leaves_no_copy_and_the_rerun_equals_an_uninterrupted_one() {
    let backup = WorldBackup::new(900, T0, 40 << 20);
    let world = World::new().instance(WorldInstance::new("udb", "udb-big").backup(backup));
    let emulator = world_emulator(world, KEYS).await;
    let server = s3::S3Server::start(&["b"]);
    let work = tempfile::tempdir().unwrap();
    let root = server.bucket_dir("b").join("killed");
    let args = [
        "backup",
        "sync",
        "s3://b/killed",
        "--kind",
        "udb",
        "--part-size",
        "5M",
    ];
    let slow = [&args[..], &["--limit-rate", "4M"]].concat();
    let mut child = dezai(emulator.url(), work.path(), &server, &slow)
        .spawn()
        .unwrap();
    let started = Instant::now();
    while markers(&root).is_empty() {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "no upload started"
        );
        assert!(
            child.try_wait().unwrap().is_none(),
            "the run ended before it was killed"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    std::thread::sleep(Duration::from_millis(1500));
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    assert!(
        copies(&root).is_empty(),
        "no object that looks complete: {:?}",
        s3::objects(&root)
    );
    assert!(recorded(&root).is_empty());
    let stale = markers(&root);
    assert_eq!(stale.len(), 1);

    let rerun = run(&mut dezai(emulator.url(), work.path(), &server, &args));
    assert!(rerun.status.success(), "{}", stderr(&rerun));
    let clean = [&["backup", "sync", "s3://b/clean"][..], &args[3..]].concat();
    let uninterrupted = run(&mut dezai(emulator.url(), work.path(), &server, &clean));
    assert!(uninterrupted.status.success(), "{}", stderr(&uninterrupted));
    let other = server.bucket_dir("b").join("clean");
    assert_eq!(copies(&root), copies(&other), "the same objects");
    assert_eq!(recorded(&root), recorded(&other), "the same records");
    assert!(
        !s3::objects(&root)
            .iter()
            .any(|p| p.contains("/.dezai-uploads/")),
        "the stale marker is gone"
    );
    assert!(
        !s3::objects(&root).iter().any(|p| p.contains(RCLONE_PARTS)),
        "the server holds no unfinished upload: {:?}",
        s3::objects(&root)
    );

    // The stale upload itself is gone: a part sent to it is refused.
    use object_store::multipart::MultipartStore;
    let _ = rustls::crypto::ring::default_provider().install_default();
    let store = object_store::aws::AmazonS3Builder::new()
        .with_endpoint(server.endpoint())
        .with_allow_http(true)
        .with_bucket_name("b")
        .with_region("us-east-1")
        .with_access_key_id(s3::ACCESS_KEY)
        .with_secret_access_key(s3::SECRET_KEY)
        .build()
        .unwrap();
    let key = object_store::path::Path::parse(format!(
        "killed/{}",
        copies(&root).into_keys().next().unwrap()
    ))
    .unwrap();
    let sent = store
        .put_part(
            &key,
            &stale[0].1,
            0,
            object_store::PutPayload::from_static(b"late"),
        )
        .await;
    assert!(sent.is_err(), "the stale upload was aborted");
}

#[tokio::test(flavor = "multi_thread")]
async fn four_shards_at_once_copy_each_instance_once_and_equal_one_run() {
    let world = (0..1000).fold(World::new(), |world, i| {
        let backup = WorldBackup::new(10_000 + i as u64, T0 + i as i64, 64);
        world.instance(WorldInstance::new("udb", &format!("udb-{i:04}")).backup(backup))
    });
    let emulator = world_emulator(world, KEYS).await;
    let server = s3::S3Server::start(&["b"]);
    let work = tempfile::tempdir().unwrap();
    let base = [
        "backup",
        "sync",
        "--kind",
        "udb",
        "--concurrency",
        "8",
        "--api-calls",
        "8",
    ];
    let whole = run(&mut dezai(
        emulator.url(),
        work.path(),
        &server,
        &[&base[..], &["s3://b/whole"]].concat(),
    ));
    assert!(whole.status.success(), "{}", stderr(&whole));
    let fetched = emulator.backup_downloads().len();
    let parts: Vec<_> = (0..4)
        .map(|k| {
            let args = [&base[..], &["s3://b/sharded", "--shards", "4"]].concat();
            let mut part = dezai(emulator.url(), work.path(), &server, &args);
            part.env("JOB_COMPLETION_INDEX", k.to_string());
            part.spawn().unwrap()
        })
        .collect();
    for part in parts {
        let output = part.wait_with_output().unwrap();
        assert!(output.status.success(), "{}", stderr(&output));
    }
    let downloads = emulator.backup_downloads();
    let mut paths: Vec<&str> = downloads[fetched..]
        .iter()
        .map(|d| d.path.as_str())
        .collect();
    assert_eq!(paths.len(), 1000, "each instance fetched once in all");
    paths.sort_unstable();
    paths.dedup();
    assert_eq!(paths.len(), 1000, "and by one shard only");
    let (sharded, one) = (
        server.bucket_dir("b").join("sharded"),
        server.bucket_dir("b").join("whole"),
    );
    assert_eq!(copies(&sharded), copies(&one));
    assert_eq!(recorded(&sharded), recorded(&one));
    assert_eq!(copies(&one).len(), 1000);
}

#[tokio::test(flavor = "multi_thread")]
async fn keys_and_endpoint_come_from_the_named_profile_when_the_environment_has_none() {
    let world = World::new()
        .instance(WorldInstance::new("udb", "udb-p").backup(WorldBackup::new(77, T0, 1_000)));
    let emulator = world_emulator(world, KEYS).await;
    let server = s3::S3Server::start(&["b"]);
    let work = tempfile::tempdir().unwrap();
    let credentials = work.path().join("credentials");
    let config = work.path().join("config");
    std::fs::write(
        &credentials,
        format!(
            "[default]\naws_access_key_id = wrong-id\naws_secret_access_key = wrong-secret\n\n\
             [backup]\naws_access_key_id = {}\naws_secret_access_key = {}\n",
            s3::ACCESS_KEY,
            s3::SECRET_KEY
        ),
    )
    .unwrap();
    std::fs::write(
        &config,
        format!(
            "[profile backup]\nregion = us-east-1\nendpoint_url = {}\n",
            server.endpoint()
        ),
    )
    .unwrap();
    let sync = |profile: &[&str]| {
        let args = [
            &["backup", "sync", "s3://b/p", "--kind", "udb"][..],
            profile,
        ]
        .concat();
        let mut command = command(emulator.url(), work.path(), &args, KEYS);
        for name in [
            "AWS_ENDPOINT_URL",
            "AWS_ACCESS_KEY_ID",
            "AWS_SECRET_ACCESS_KEY",
            "AWS_PROFILE",
        ] {
            command.env_remove(name);
        }
        command
            .env("AWS_SHARED_CREDENTIALS_FILE", &credentials)
            .env("AWS_CONFIG_FILE", &config)
            .output()
            .unwrap()
    };
    let named = sync(&["--s3-profile", "backup"]);
    assert!(named.status.success(), "{}", stderr(&named));
    assert_eq!(copies(&server.bucket_dir("b").join("p")).len(), 1);
    // The default profile's keys are refused by the server; the message never shows the secret.
    let default = sync(&["--s3-endpoint", server.endpoint()]);
    assert!(!default.status.success());
    assert!(
        !stderr(&default).contains("wrong-secret"),
        "{}",
        stderr(&default)
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn with_streams_each_part_is_a_ranged_download_and_the_object_is_the_file() {
    let Some(kind) = common::offered_kinds().into_iter().next() else {
        return;
    };
    // 23 MiB and a little: five 5 MiB parts, the last one short.
    let size = (23 << 20) + 4321;
    let world = World::new().instance(
        WorldInstance::new(kind.name, &format!("{}-big", kind.name))
            .backup(WorldBackup::new(900, T0, size)),
    );
    let emulator = world_emulator(world, KEYS).await;
    let server = s3::S3Server::start(&["b"]);
    let work = tempfile::tempdir().unwrap();
    let args = [
        "backup",
        "sync",
        "s3://b/r",
        "--streams",
        "4",
        "--part-size",
        "5M",
    ];
    let synced = run(&mut dezai(emulator.url(), work.path(), &server, &args));
    assert!(synced.status.success(), "{}", stderr(&synced));
    let folder = run(&mut dezai(
        emulator.url(),
        work.path(),
        &server,
        &["backup", "sync", "mirror", "--streams", "1"],
    ));
    assert!(folder.status.success(), "{}", stderr(&folder));
    let bucket = copies(&server.bucket_dir("b").join("r"));
    assert_eq!(
        bucket,
        copies(&work.path().join("mirror")),
        "the same bytes"
    );
    assert_eq!(bucket.values().map(Vec::len).max(), Some(size as usize));
    // The bucket's copy was fetched in five ranges of 5 MiB, the folder's in one request.
    let ranges: Vec<Option<String>> = emulator
        .backup_downloads()
        .into_iter()
        .map(|d| d.range)
        .collect();
    let part = 5u64 << 20;
    for k in 0..5u64 {
        let last = ((k + 1) * part).min(size) - 1;
        let wanted = format!("bytes={}-{last}", k * part);
        assert!(
            ranges.contains(&Some(wanted.clone())),
            "{wanted}: {ranges:?}"
        );
    }
    assert_eq!(ranges.len(), 6, "{ranges:?}");
    assert!(ranges.contains(&None), "{ranges:?}");
    let records = recorded(&server.bucket_dir("b").join("r"));
    assert_eq!(records[0]["md5_from_service"], true, "{records:?}");
}
