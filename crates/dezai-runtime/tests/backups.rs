//! Backups by kind (`dezai_runtime::backups`) against the emulator: a listing of several pages
//! read whole and sorted newest first, backups in every state, a newest backup that failed (the
//! newest success is picked), an empty listing, and for each kind of the table the newest
//! completed backup downloaded and checked against its MD5.

use std::sync::Arc;

use dezai_emulator::{BackupFile, Emulator, Script};
use dezai_runtime::backups::{self, KINDS};
use dezai_runtime::{Client, Config, Credentials, ErrorKind};
use serde_json::{Value, json};

const PUBLIC: &str = "backups-public";
const PRIVATE: &str = "backups-private";

async fn emulator() -> Emulator {
    Emulator::builder()
        .specs(concat!(env!("CARGO_MANIFEST_DIR"), "/../../specs"))
        .key_pair(PUBLIC, PRIVATE)
        .backups(BackupFile::generated(1 << 18).name("backup.bin"))
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

/// `count` backups of `kind`: ids `1000`… (numbers: some URL actions type the id `int`), times rising by 60 s, each in `state_of(i)`.
fn items(
    kind: &backups::BackupKind,
    count: usize,
    state_of: impl Fn(usize) -> &'static str,
) -> Vec<Value> {
    let f = &kind.fields;
    (0..count)
        .map(|i| {
            let mut item = serde_json::Map::new();
            item.insert(f.id.into(), json!(format!("{}", 1000 + i)));
            item.insert(f.time.into(), json!(1_700_000_000 + 60 * i as i64));
            item.insert(f.state.into(), json!(state_of(i)));
            if let Some(name) = f.name {
                item.insert(name.into(), json!(format!("backup {i}")));
            }
            if let Some(size) = f.size {
                item.insert(size.into(), json!(1024 * (i + 1)));
            }
            Value::Object(item)
        })
        .collect()
}

/// Scripts `kind`'s listing to answer `all` page by page (by `Offset` and `Limit` when the kind
/// pages), shuffled so that order comes from the times, not the service.
fn script_listing(emulator: &Emulator, kind: &'static backups::BackupKind, mut all: Vec<Value>) {
    all.reverse();
    let third = all.len() / 3;
    all.rotate_left(third);
    let all = Arc::new(all);
    emulator.script(
        kind.listing.action,
        Script::With(Arc::new(move |params: &[(String, String)]| {
            let get = |name: &str| {
                params
                    .iter()
                    .find(|(n, _)| n == name)
                    .and_then(|(_, v)| v.parse::<usize>().ok())
            };
            let (offset, limit) = if kind.listing.paged {
                (
                    get("Offset").unwrap_or(0),
                    get("Limit").unwrap_or(10).min(7),
                )
            } else {
                (0, all.len())
            };
            let page: Vec<Value> = all.iter().skip(offset).take(limit).cloned().collect();
            let mut answer = serde_json::Map::new();
            answer.insert(kind.listing.items[0].into(), Value::Array(page));
            answer.insert("TotalCount".into(), json!(all.len()));
            Value::Object(answer)
        })),
    );
}

fn udb() -> &'static backups::BackupKind {
    backups::kind("udb").unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn several_pages_are_read_whole_and_sorted_newest_first() {
    let emulator = emulator().await;
    let client = client(&emulator);
    let states = ["Success", "Failed", "Backuping", "Expired"];
    script_listing(&emulator, udb(), items(udb(), 23, |i| states[i % 4]));
    let listed = backups::list(&client, udb(), "udb-1").await.unwrap();
    assert_eq!(listed.len(), 23, "every page");
    let ids: Vec<&str> = listed.iter().take(3).map(|b| b.id.as_str()).collect();
    assert_eq!(ids, ["1022", "1021", "1020"]);
    assert!(listed.windows(2).all(|w| w[0].time >= w[1].time));
    let requests = emulator.requests();
    let pages: Vec<&str> = requests
        .iter()
        .filter(|r| r.param("Action") == Some("DescribeUDBBackup"))
        .map(|r| r.param("Offset").unwrap_or_default())
        .collect();
    assert_eq!(
        pages,
        ["0", "7", "14", "21"],
        "pages follow the items received"
    );
    assert!(requests.iter().all(
        |r| r.param("Action") != Some("DescribeUDBBackup") || r.param("DBId") == Some("udb-1")
    ));
    // States as the service writes them; `completed` by the kind's success values.
    let completed: Vec<bool> = listed.iter().take(4).map(|b| b.completed).collect();
    assert_eq!(
        completed,
        [false, false, true, false],
        "Backuping, Failed, Success, Expired: newest first"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_failed_newest_backup_gives_way_to_the_newest_success() {
    let emulator = emulator().await;
    let client = client(&emulator);
    script_listing(
        &emulator,
        udb(),
        items(udb(), 5, |i| if i == 4 { "Failed" } else { "Success" }),
    );
    let latest = backups::latest(&client, udb(), "udb-1").await.unwrap();
    assert_eq!(latest.id, "1003");
    assert_eq!(latest.state.as_deref(), Some("Success"));
    assert_eq!(latest.time, Some(1_700_000_180));
}

#[tokio::test(flavor = "multi_thread")]
async fn an_instance_without_a_completed_backup_is_a_clear_error() {
    let emulator = emulator().await;
    let client = client(&emulator);
    script_listing(&emulator, udb(), Vec::new());
    let none = backups::latest(&client, udb(), "udb-empty")
        .await
        .unwrap_err();
    assert_eq!(none.kind(), ErrorKind::InvalidRequest);
    let message = none.to_string();
    assert!(
        message.contains("udb-empty") && message.contains("no completed backup"),
        "{message}"
    );
    assert!(
        message.contains("0 listed") && message.contains("Success"),
        "{message}"
    );

    script_listing(&emulator, udb(), items(udb(), 3, |_| "Failed"));
    let failed = backups::latest(&client, udb(), "udb-failed")
        .await
        .unwrap_err();
    assert!(failed.to_string().contains("3 listed"), "{failed}");
}

#[tokio::test(flavor = "multi_thread")]
async fn every_kind_downloads_its_newest_completed_backup() {
    let emulator = emulator().await;
    let client = client(&emulator);
    let dir = std::env::temp_dir().join(format!("dezai-backups-kinds-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    for kind in KINDS {
        let success = kind.success[0];
        script_listing(
            &emulator,
            kind,
            items(kind, 4, move |i| if i == 3 { "Failed" } else { success }),
        );
        let latest = backups::latest(&client, kind, "instance-1").await.unwrap();
        assert_eq!(latest.id, "1002", "{}", kind.name);
        let file = dir.join(kind.name);
        let done = backups::download(&client, kind, "instance-1", &latest, &file)
            .await
            .unwrap();
        assert_eq!(done.bytes, 1 << 18, "{}", kind.name);
        let asked = emulator
            .requests()
            .into_iter()
            .rfind(|r| r.param("Action") == Some(kind.download.action))
            .unwrap();
        assert_eq!(asked.param(kind.download.id), Some("1002"), "{}", kind.name);
        if let Some(instance) = kind.download.instance {
            assert_eq!(asked.param(instance), Some("instance-1"), "{}", kind.name);
        }
        use md5::Digest;
        let md5: String = md5::Md5::digest(std::fs::read(&file).unwrap())
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        assert_eq!(md5, emulator.backup_md5().unwrap(), "{}", kind.name);
    }
    let _ = std::fs::remove_dir_all(&dir);
}
