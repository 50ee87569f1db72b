//! A typed `.download_to(file)` of a backup that is several files (one per shard) is an error
//! that says how many and to use a folder; `dezai_sdk::backups` downloads every shard into one;
//! the shard parameter asks for one shard's file alone.

use std::path::Path;

use dezai_emulator::{Emulator, World, WorldBackup, WorldInstance};
use dezai_sdk::backups;
use dezai_sdk::prelude::*;

#[tokio::test(flavor = "multi_thread")]
async fn a_sharded_backup_needs_a_folder() {
    let Some(kind) = backups::KINDS.iter().find(|k| k.fields.blocks.is_some()) else {
        return;
    };
    let world = World::new().instance(
        WorldInstance::new(kind.name, "space-1")
            .backup(WorldBackup::new("b-3", 1_700_000_000, 90_000).blocks(3)),
    );
    let emulator = Emulator::builder()
        .specs(Path::new(env!("CARGO_MANIFEST_DIR")).join("specs"))
        .key_pair("pk", "sk")
        .world(world)
        .start()
        .await
        .unwrap();
    let client = Client::new(
        Config::builder()
            .credentials(Credentials::new("pk", "sk"))
            .base_url(emulator.url())
            .region("cn-bj2")
            .zone("cn-bj2-04")
            .build()
            .unwrap(),
    )
    .unwrap();
    let scratch = tempfile::tempdir().unwrap();
    let file = scratch.path().join("one.rdb");
    let error = client
        .umem()
        .describe_umem_backup_url("space-1", "b-3")
        .download_to(&file)
        .await
        .unwrap_err();
    let said = error.to_string();
    assert!(
        said.contains("3 files") && said.contains("folder"),
        "{said}"
    );
    assert!(!file.exists());

    let latest = backups::latest(&client, kind, "space-1").await.unwrap();
    assert_eq!(latest.blocks, Some(3));
    let folder = scratch.path().join("space-1/");
    let done = backups::download(&client, kind, "space-1", &latest, &folder)
        .await
        .unwrap();
    assert_eq!(done.files.len(), 3);
    assert_eq!(done.bytes(), 90_000);
    // With the shard parameter, the URL action answers that shard alone: one file, the same
    // bytes as that shard of the whole.
    let one = scratch.path().join("shard-1-alone.rdb");
    let alone = client
        .umem()
        .describe_umem_backup_url("space-1", "b-3")
        .block_id("1")
        .download_to(&one)
        .await
        .unwrap();
    assert_eq!(
        std::fs::read(&one).unwrap(),
        std::fs::read(&done.files[1].path).unwrap()
    );
    assert_ne!(
        std::fs::read(&one).unwrap(),
        std::fs::read(&done.files[0].path).unwrap()
    );
    assert_eq!(alone.bytes, done.files[1].bytes);
    let to_file = backups::download(&client, kind, "space-1", &latest, &file).await;
    let error = to_file.unwrap_err();
    assert_eq!(
        error.kind(),
        dezai_sdk::runtime::download::DownloadErrorKind::Sharded
    );
    assert!(error.to_string().contains("3 files"), "{error}");
}
