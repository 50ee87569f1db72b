//! Backups by kind (`dezai_backups`) against the emulator: a listing of several pages
//! read whole and sorted newest first, backups in every state, a newest backup that failed (the
//! newest success is picked), an empty listing, and for each kind of the table the newest
//! completed backup downloaded and checked against its MD5.

use dezai_backups::{self as backups, KINDS};
use dezai_emulator::{BackupFile, Emulator, backup_items};
use dezai_http::ClientExt as _;
use dezai_runtime::{Client, Config, Credentials, ErrorKind};

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

fn udb() -> &'static backups::BackupKind {
    backups::kind("udb").unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn several_pages_are_read_whole_and_sorted_newest_first() {
    let emulator = emulator().await;
    let client = client(&emulator);
    let states = ["Success", "Failed", "Backuping", "Expired"];
    emulator.script_listing(udb(), backup_items(udb(), 23, |i| states[i % 4]), 7);
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
    emulator.script_listing(
        udb(),
        backup_items(udb(), 5, |i| if i == 4 { "Failed" } else { "Success" }),
        7,
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
    emulator.script_listing(udb(), Vec::new(), 7);
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

    emulator.script_listing(udb(), backup_items(udb(), 3, |_| "Failed"), 7);
    let failed = backups::latest(&client, udb(), "udb-failed")
        .await
        .unwrap_err();
    assert!(failed.to_string().contains("3 listed"), "{failed}");
}

#[tokio::test(flavor = "multi_thread")]
async fn every_kind_downloads_its_newest_completed_backup() {
    let emulator = emulator().await;
    let client = client(&emulator);
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("dezai-backups-kinds");
    // A fixed place under the target folder that reruns reuse.
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    for kind in KINDS {
        let success = kind.success[0];
        emulator.script_listing(
            kind,
            backup_items(kind, 4, move |i| if i == 3 { "Failed" } else { success }),
            7,
        );
        let latest = backups::latest(&client, kind, "instance-1").await.unwrap();
        assert_eq!(latest.id, "1002", "{}", kind.name);
        let file = dir.join(kind.name);
        let done = backups::download(&client, kind, "instance-1", &latest, &file)
            .await
            .unwrap();
        assert_eq!(done.bytes(), 1 << 18, "{}", kind.name);
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
