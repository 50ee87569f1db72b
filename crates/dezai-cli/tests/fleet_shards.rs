//! A fleet split among runs (`--shard K/N`, or `--shards N` with Kubernetes'
//! `JOB_COMPLETION_INDEX`): each instance is copied by exactly one part, and the parts together
//! copy exactly what one run would.

use std::collections::BTreeSet;
use std::path::Path;

mod common;

use common::{command, folder, stderr, world_emulator};
use dezai_emulator::{World, WorldBackup, WorldInstance};
use serde_json::Value;

const KEYS: (&str, &str) = ("shards-public", "shards-private");

/// The instances a mirror's manifest records.
fn copied(dir: &Path) -> BTreeSet<String> {
    let manifest: Value =
        serde_json::from_slice(&std::fs::read(dir.join("dezai-backups.json")).unwrap()).unwrap();
    manifest["copies"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["instance"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn the_parts_copy_each_instance_once_and_all_of_them() {
    let world = (0..30).fold(World::new(), |world, i| {
        world.instance(
            WorldInstance::new("udb", &format!("udb-{i}")).backup(WorldBackup::new(
                7000 + i as u64,
                1_700_000_000,
                256,
            )),
        )
    });
    let emulator = world_emulator(world, KEYS).await;
    let dir = folder("shards");
    let run = |out: &str, shard: &[&str], index: Option<&str>| {
        let mut args = vec!["backup", "sync", out, "--kind", "udb"];
        args.extend(shard);
        let mut sync = command(emulator.url(), &dir, &args, KEYS);
        match index {
            Some(k) => sync.env("JOB_COMPLETION_INDEX", k),
            None => sync.env_remove("JOB_COMPLETION_INDEX"),
        };
        sync.output().unwrap()
    };
    let whole = run("whole", &[], None);
    assert!(whole.status.success(), "{}", stderr(&whole));
    let parts = [
        run("part-0", &["--shard", "0/3"], None),
        run("part-1", &["--shard", "1/3"], None),
        run("part-2", &["--shards", "3"], Some("2")),
    ];
    let mut union = BTreeSet::new();
    let mut total = 0;
    for (k, part) in parts.iter().enumerate() {
        assert!(part.status.success(), "{}", stderr(part));
        let mine = copied(&dir.join(format!("part-{k}")));
        assert!(!mine.is_empty(), "part {k} of 30 instances holds some");
        total += mine.len();
        union.extend(mine);
    }
    assert_eq!(total, union.len(), "no instance in two parts");
    assert_eq!(union, copied(&dir.join("whole")), "the parts are the whole");

    let unset = run("part-x", &["--shards", "3"], None);
    assert_eq!(unset.status.code(), Some(2));
    assert!(
        stderr(&unset).contains("JOB_COMPLETION_INDEX"),
        "{}",
        stderr(&unset)
    );
    let outside = run("part-x", &["--shards", "3"], Some("3"));
    assert_eq!(outside.status.code(), Some(2), "{}", stderr(&outside));
}
