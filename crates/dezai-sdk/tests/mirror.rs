//! The mirror from Rust (`dezai_sdk::backups::mirror`), against the emulator's world: every
//! instance's newest completed backup copied and recorded, each outcome reported as it
//! finishes, a rate limit shared by the whole run, and `verify` finding every copy intact.

use std::time::{Duration, Instant};

use dezai_emulator::{Emulator, World, WorldBackup, WorldInstance};
use dezai_sdk::backups::mirror::{Found, Status};
use dezai_sdk::backups::{self, KINDS};
use dezai_sdk::prelude::*;

const PUBLIC: &str = "mirror-public";
const PRIVATE: &str = "mirror-private";

#[tokio::test(flavor = "multi_thread")]
async fn a_mirror_copies_every_newest_backup_within_its_rate() {
    let kind = &KINDS[0];
    let mut world = World::new();
    for i in 0..4u64 {
        world = world.instance(
            WorldInstance::new(kind.name, &format!("db-{i}"))
                .backup(WorldBackup::new(700 + i, 1_700_000_000, 64 * 1024))
                .backup(WorldBackup::new(800 + i, 1_600_000_000, 1024)),
        );
    }
    let emulator: Emulator = dezai_sdk::specs()
        .into_iter()
        .fold(Emulator::builder(), |b, (_, json)| b.spec_json(json))
        .key_pair(PUBLIC, PRIVATE)
        .world(world)
        .start()
        .await
        .unwrap();
    let client = Client::new(
        Config::builder()
            .credentials(Credentials::new(PUBLIC, PRIVATE))
            .base_url(emulator.url())
            .region("cn-bj2")
            .build()
            .unwrap(),
    )
    .unwrap();
    let scratch = tempfile::tempdir().unwrap();
    let dir = scratch.path().join("mirror");

    let mut seen = 0;
    let started = Instant::now();
    // 256 KiB at 512 KiB/s: half a second at least, whatever the concurrency.
    let report = backups::mirror(&client, &dir)
        .kinds([kind])
        .concurrency(4)
        .limit_rate(512 * 1024)
        .on_outcome(|_| seen += 1)
        .run()
        .await
        .unwrap();
    assert!(
        started.elapsed() >= Duration::from_millis(450),
        "{:?}",
        started.elapsed()
    );
    assert_eq!((report.outcomes.len(), report.failed(), seen), (4, 0, 4));
    for outcome in &report.outcomes {
        match &outcome.status {
            Status::Copied { copy, removed } => {
                assert!(copy.backup_id.starts_with('7') && removed.is_empty());
                assert!(copy.md5_from_service, "the URL action gives the MD5");
            }
            other => panic!("{other:?}"),
        }
    }
    let checked = backups::mirror::verify(&dir, None).await.unwrap();
    assert_eq!(checked.len(), 4);
    assert!(checked.iter().all(|c| c.found == Found::Intact));
}
