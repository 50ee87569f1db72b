//! A fresh backup from Rust, one expression per step, against the emulator's world: made,
//! waited for, listed as the newest, downloaded with the MD5 the URL action answers; a backup
//! that fails ends the wait with its state; an instance or backup the world does not hold is
//! an API error; the world's instance listing pages as the service does; and the world holds
//! what the documents' own examples show.

use std::path::PathBuf;
use std::time::Duration;

use dezai_emulator::{Emulator, World, WorldBackup, WorldInstance};
use dezai_sdk::backups::{self, BackupKind, KINDS};
use dezai_sdk::prelude::*;
use dezai_sdk::waiter::WaitError;
use serde_json::{Value, json};

const PUBLIC: &str = "fresh-public";
const PRIVATE: &str = "fresh-private";

async fn emulator(world: World) -> Emulator {
    dezai_sdk::specs()
        .into_iter()
        .fold(Emulator::builder(), |b, (_, json)| b.spec_json(json))
        .key_pair(PUBLIC, PRIVATE)
        .world(world)
        .start()
        .await
        .unwrap()
}

fn client(emulator: &Emulator) -> Client {
    let config = Config::builder()
        .credentials(Credentials::new(PUBLIC, PRIVATE))
        .base_url(emulator.url())
        .region("cn-bj2")
        .zone("cn-bj2-04")
        .build()
        .unwrap();
    Client::new(config).unwrap()
}

/// The kinds whose create, listing and URL actions this build has.
fn creatable() -> Vec<&'static BackupKind> {
    let actions: Vec<String> = dezai_sdk::specs()
        .into_iter()
        .flat_map(|(_, json)| dezai_spec::ProductSpec::from_json(json).unwrap().actions)
        .map(|a| a.name)
        .collect();
    let has = |name: &str| actions.iter().any(|a| a == name);
    KINDS
        .iter()
        .filter(|k| k.create.is_some_and(|c| has(c.action)))
        .filter(|k| has(k.listing.action) && has(k.download.action))
        .collect()
}

/// A path in a scratch folder, no file there yet.
fn file(name: &str) -> PathBuf {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("dezai-sdk-fresh");
    // A fixed place under the target folder that reruns reuse.
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let _ = std::fs::remove_file(dir.join(name));
    dir.join(name)
}

fn md5_of(path: &std::path::Path) -> String {
    use md5::Digest;
    md5::Md5::digest(std::fs::read(path).unwrap())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn instance(kind: &BackupKind) -> WorldInstance {
    WorldInstance::new(kind.name, "db-1").backup(WorldBackup::new("7", 1_600_000_000, 4096))
}

#[tokio::test(flavor = "multi_thread")]
async fn create_wait_list_download_one_expression_each_for_every_kind() {
    for kind in creatable() {
        let world = World::new()
            .create_delay(Duration::from_millis(200))
            .instance(instance(kind));
        let emulator = emulator(world).await;
        let client = client(&emulator);

        let id = backups::create(&client, kind, "db-1", "fresh-one")
            .await
            .unwrap();
        let mut seen = Vec::new();
        let backup = backups::wait(&client, kind, "db-1", &id)
            .delays(Duration::from_millis(20), Duration::from_millis(100))
            .on_poll(|poll| seen.push(poll.outcome.ok().and_then(|b| b.state.clone())))
            .await
            .unwrap();
        let newest = backups::latest(&client, kind, "db-1").await.unwrap();
        let output = file(&format!("{}.bin", kind.name));
        let done = backups::download(&client, kind, "db-1", &newest, &output)
            .await
            .unwrap();

        assert_eq!(
            (backup.id.as_str(), newest.id.as_str()),
            (id.as_str(), id.as_str())
        );
        assert_eq!(
            seen.first(),
            Some(&Some(kind.in_progress[0].to_owned())),
            "{}",
            kind.name
        );
        assert_eq!(
            seen.last(),
            Some(&Some(kind.success[0].to_owned())),
            "{}",
            kind.name
        );
        assert_eq!(newest.name.as_deref(), Some("fresh-one"));
        let held = emulator.world_instances();
        assert_eq!(
            held,
            [(kind.name.to_owned(), "db-1".to_owned(), 2)],
            "the world remembers"
        );
        assert_eq!(Some(done.bytes() as i64), newest.size);
        // The MD5 the URL action answers is the file's (where the kind's action gives one).
        let mut params = backups::url_request(kind, "db-1", &newest);
        // A call by name sends no zone; several URL actions require one.
        params.insert("Zone".into(), json!("cn-bj2-04"));
        let answer = client
            .invoke(kind.download.action, Value::Object(params))
            .await
            .unwrap();
        let link = dezai_spec::download::links_in_answer(
            answer.as_object().unwrap(),
            dezai_spec::download::Network::Internet,
        )
        .into_iter()
        .next()
        .unwrap();
        if let Some(md5) = link.md5 {
            assert_eq!(md5, md5_of(&output), "{}", kind.name);
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_backup_that_fails_ends_the_wait_with_its_failure_state() {
    let kind = creatable()[0];
    let world = World::new()
        .create_delay(Duration::from_millis(100))
        .instance(instance(kind).failing_backups());
    let emulator = emulator(world).await;
    let client = client(&emulator);
    let id = backups::create(&client, kind, "db-1", "doomed")
        .await
        .unwrap();
    let outcome = backups::wait(&client, kind, "db-1", &id)
        .delays(Duration::from_millis(20), Duration::from_millis(50))
        .timeout(Duration::from_secs(30))
        .await;
    match outcome {
        Err(WaitError::Failed { response, .. }) => {
            assert_eq!(response.state.as_deref(), Some(kind.failed[0]));
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn what_the_world_does_not_hold_is_an_api_error_and_a_kind_without_create_says_so() {
    let kind = creatable()[0];
    let emulator = emulator(World::new().instance(instance(kind))).await;
    let client = client(&emulator);
    let error = backups::create(&client, kind, "db-404", "x")
        .await
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Api);
    assert!(
        error.message().unwrap_or_default().contains("db-404"),
        "{error}"
    );
    let error = backups::list(&client, kind, "db-404").await.unwrap_err();
    assert_eq!(
        error.ret_code(),
        Some(dezai_sdk::ret_code::INVALID_PARAMETER)
    );

    let listed = backups::list(&client, kind, "db-1").await.unwrap();
    let mut params = backups::url_request(kind, "db-1", &listed[0]);
    params.insert(kind.download.id.into(), json!("no-such-backup"));
    params.insert("Zone".into(), json!("cn-bj2-04"));
    let error = client
        .invoke(kind.download.action, Value::Object(params))
        .await
        .unwrap_err();
    assert!(
        error
            .message()
            .unwrap_or_default()
            .contains("no-such-backup"),
        "{error}"
    );

    if let Some(without) = KINDS.iter().find(|k| k.create.is_none()) {
        let error = backups::create(&client, without, "db-1", "x")
            .await
            .unwrap_err();
        assert_eq!(error.kind(), ErrorKind::InvalidRequest);
        assert!(
            error
                .to_string()
                .contains("no action that makes a backup on demand")
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn the_world_pages_instances_and_backups_and_keeps_regions_apart() {
    let Some(kind) = KINDS.iter().find(|k| k.instances.paged && k.listing.paged) else {
        return;
    };
    let mut world = World::new();
    for i in 0..45 {
        let region = if i % 3 == 0 { "cn-sh2" } else { "cn-bj2" };
        let mut instance = WorldInstance::new(kind.name, &format!("db-{i:02}")).region(region);
        if i == 1 {
            for b in 0..130 {
                instance =
                    instance.backup(WorldBackup::new(format!("b{b}"), 1_700_000_000 + b, 10));
            }
        }
        world = world.instance(instance);
    }
    let emulator = emulator(world).await;
    let client = client(&emulator);
    // Every page of the backups: the listing pages 100 at a time.
    let listed = backups::list(&client, kind, "db-01").await.unwrap();
    assert_eq!(listed.len(), 130);
    assert_eq!(listed[0].id, "b129");
    // The instances of cn-bj2, 20 a page by default, with the total.
    let listing = &kind.instances;
    let mut params = serde_json::Map::new();
    for (k, v) in listing.variants.first().copied().unwrap_or_default() {
        params.insert((*k).into(), json!(v));
    }
    params.insert("Offset".into(), json!(20));
    let page = client
        .invoke(listing.action, Value::Object(params))
        .await
        .unwrap();
    assert_eq!(page["TotalCount"], 30);
    let items = page[listing.items[0]].as_array().unwrap();
    assert_eq!(items.len(), 10);
    assert_eq!(items[0][listing.id], "db-31");
}

#[tokio::test(flavor = "multi_thread")]
async fn the_examples_world_holds_the_backups_the_documents_list() {
    let specs: Vec<dezai_spec::ProductSpec> = dezai_sdk::specs()
        .into_iter()
        .map(|(_, json)| dezai_spec::ProductSpec::from_json(json).unwrap())
        .collect();
    let world = World::from_examples(&specs);
    // Every backup a listing's example lists is held by an instance of the world.
    for kind in KINDS {
        let listed = specs
            .iter()
            .flat_map(|s| &s.actions)
            .find(|a| a.name == kind.listing.action)
            .and_then(|a| a.response_example.as_ref())
            .map(|e| e.to_value())
            .and_then(|v| {
                let mut items = kind.listing.items.iter();
                items.find_map(|f| v.get(*f)?.as_array().map(Vec::len))
            })
            .unwrap_or(0);
        let held: usize = world
            .instances()
            .iter()
            .filter(|i| i.kind() == kind.name)
            .map(|i| i.backup_count())
            .sum();
        assert_eq!(held, listed, "{}", kind.name);
    }
}
