//! A service that answers fewer items a page than `Limit` asks for (the emulator's page cap)
//! while its `TotalCount` says more: the paginator reads every page to the end.

use std::path::Path;

use dezai_emulator::{Emulator, World, WorldBackup, WorldInstance};
use dezai_sdk::prelude::*;
use futures_util::TryStreamExt;

#[tokio::test(flavor = "multi_thread")]
async fn a_capped_listing_is_read_to_the_end() {
    let mut instance = WorldInstance::new("udb", "udb-many");
    for i in 0..250u64 {
        instance = instance.backup(WorldBackup::new(5000 + i, 1_700_000_000 + i as i64, 10));
    }
    let emulator = Emulator::builder()
        .specs(Path::new(env!("CARGO_MANIFEST_DIR")).join("specs"))
        .key_pair("pk", "sk")
        .world(World::new().instance(instance))
        .page_cap(40)
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
