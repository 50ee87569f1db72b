//! Every exit code of `docs/cli.md`'s table, each produced by its cause, in one place: scripts
//! rely on them.

use std::sync::Arc;
mod common;

use common::{dezai, folder, stderr, world_emulator};
use dezai_emulator::{BackupFault, Fault, Script, World, WorldBackup, WorldInstance};
use dezai_spec::backups::KINDS;
use serde_json::json;

const KEYS: (&str, &str) = ("exit-public", "exit-private");

#[tokio::test(flavor = "multi_thread")]
async fn each_exit_code_comes_from_its_cause() {
    let kind = &KINDS[0];
    let world = World::new()
        .create_delay(std::time::Duration::from_secs(3600))
        .instance(
            WorldInstance::new(kind.name, "db-1").backup(WorldBackup::new(
                4_000,
                1_600_000_000,
                2048,
            )),
        );
    let emulator = world_emulator(world, KEYS).await;
    emulator.script(
        "DescribeFixtureThing",
        Script::With(Arc::new(|_| json!({"State": "Broken"}))),
    );
    let dir = folder("exit-codes");
    std::fs::write(dir.join("a-file"), "not a folder").unwrap();
    let url = emulator.url().to_owned();
    let run = |args: Vec<&'static str>| {
        let (url, dir) = (url.clone(), dir.clone());
        async move { dezai(&url, &dir, &args, KEYS).await }
    };
    let code = |output: &std::process::Output| output.status.code();

    // 0: success.
    let ok = run(vec!["invoke", "DescribeFixtureThing"]).await;
    assert_eq!(code(&ok), Some(0), "{}", stderr(&ok));
    // 1: anything else: the mirror's folder is a file.
    let other = run(vec!["backup", "sync", "a-file/mirror"]).await;
    assert_eq!(code(&other), Some(1), "{}", stderr(&other));
    // 2: usage: an unknown flag, a bad query.
    let usage = run(vec!["invoke", "DescribeFixtureThing", "--no-such-flag"]).await;
    assert_eq!(code(&usage), Some(2), "{}", stderr(&usage));
    let query = run(vec!["--query", "[?", "invoke", "DescribeFixtureThing"]).await;
    assert_eq!(code(&query), Some(2), "{}", stderr(&query));
    // 3: the service answered with an error.
    emulator.fault("DescribeFixtureThing", Fault::RetCode(8_000), 1);
    let api = run(vec!["invoke", "DescribeFixtureThing"]).await;
    assert_eq!(code(&api), Some(3), "{}", stderr(&api));
    // 4: network: nothing listens there.
    let network = dezai(
        "http://127.0.0.1:9",
        &dir,
        &["invoke", "DescribeFixtureThing"],
        KEYS,
    )
    .await;
    assert_eq!(code(&network), Some(4), "{}", stderr(&network));
    // 5: verification: a downloaded file that does not match its MD5.
    emulator.backup_fault(BackupFault::Corrupt(100));
    let id_flag = common::flag(kind.product, kind.download.action, kind.download.id);
    let instance_flag = common::flag(
        kind.product,
        kind.download.action,
        kind.download.instance.unwrap_or(kind.listing.instance),
    );
    let corrupt = dezai(
        &url,
        &dir,
        &[
            "backup",
            "download",
            kind.name,
            &id_flag,
            "4000",
            &instance_flag,
            "db-1",
            "-o",
            "x.bin",
        ],
        KEYS,
    )
    .await;
    assert_eq!(code(&corrupt), Some(5), "{}", stderr(&corrupt));
    // 6: a wait reached a failure state; 7: a wait timed out.
    let failed = run(vec![
        "invoke",
        "DescribeFixtureThing",
        "--wait-until",
        "State=Ready",
        "--wait-fail",
        "State=Broken",
    ])
    .await;
    assert_eq!(code(&failed), Some(6), "{}", stderr(&failed));
    let timeout = run(vec![
        "invoke",
        "DescribeFixtureThing",
        "--wait-until",
        "State=Ready",
        "--wait-timeout",
        "300ms",
        "--wait-interval",
        "50ms",
    ])
    .await;
    assert_eq!(code(&timeout), Some(7), "{}", stderr(&timeout));
    // 8: some instances of a sync failed (one's URL action fails), the others finished.
    let sync = run(vec!["backup", "sync", "mirror"]).await;
    assert_eq!(code(&sync), Some(0), "{}", stderr(&sync));
    emulator.fault(kind.download.action, Fault::RetCode(8_001), 1);
    let partial_dir = vec!["backup", "sync", "second-mirror"];
    let partial = run(partial_dir).await;
    assert_eq!(code(&partial), Some(8), "{}", stderr(&partial));
    // 9: a mirror older than --max-age.
    let stale = run(vec!["backup", "status", "mirror", "--max-age", "1h"]).await;
    assert_eq!(code(&stale), Some(9), "{}", stderr(&stale));
}
