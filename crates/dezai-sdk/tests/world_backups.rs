//! Backups against the emulator's world: a service that answers fewer items a page than
//! `Limit` asks for (a page cap) while its `TotalCount` says more is read to the end by the
//! paginator; a typed `.download_to(file)` of a backup of several files (one per shard) is an
//! error that says how many and to use a folder, `dezai_sdk::backups` downloads every shard
//! into one, and the shard parameter asks for one shard's file alone.

use std::path::Path;

use dezai_emulator::{Emulator, World, WorldBackup, WorldInstance};
use dezai_sdk::backups;
use dezai_sdk::prelude::*;
use futures_util::TryStreamExt;

/// An emulator of the SDK's specs holding `world` (at most `page_cap` items a page), and a
/// client of it in cn-bj2.
async fn world_client(world: World, page_cap: Option<usize>) -> (Emulator, Client) {
    let mut builder = Emulator::builder()
        .specs(Path::new(env!("CARGO_MANIFEST_DIR")).join("specs"))
        .key_pair("pk", "sk")
        .world(world);
    if let Some(cap) = page_cap {
        builder = builder.page_cap(cap);
    }
    let emulator = builder.start().await.unwrap();
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
    (emulator, client)
}

#[tokio::test(flavor = "multi_thread")]
async fn a_capped_listing_is_read_to_the_end() {
    let mut instance = WorldInstance::new("udb", "udb-many");
    for i in 0..250u64 {
        instance = instance.backup(WorldBackup::new(5000 + i, 1_700_000_000 + i as i64, 10));
    }
    let (_emulator, client) = world_client(World::new().instance(instance), Some(40)).await;
    let items: Vec<_> = client
        .udb()
        .describe_udb_backup(0, 100)
        .db_id("udb-many")
        .into_paginator()
        .items()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(items.len(), 250);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_sharded_backup_needs_a_folder() {
    let Some(kind) = backups::KINDS.iter().find(|k| k.fields.blocks.is_some()) else {
        return;
    };
    let world = World::new().instance(
        WorldInstance::new(kind.name, "space-1")
            .backup(WorldBackup::new("b-3", 1_700_000_000, 90_000).blocks(3)),
    );
    let (_emulator, client) = world_client(world, None).await;
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
