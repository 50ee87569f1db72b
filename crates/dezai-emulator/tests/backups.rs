//! The emulator serving a backup file as object storage does: whole, by range, with ETag and
//! expiry, and broken on purpose (dropped, stalled, wrong length, ranges ignored).

use std::collections::HashMap;
use std::time::Duration;

use dezai_emulator::{BackupFault, BackupFile, Emulator};
use md5::Digest;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const SIZE: u64 = 1_000_003;

async fn emulator(file: BackupFile) -> Emulator {
    Emulator::builder().backups(file).start().await.unwrap()
}

struct Answer {
    status: u16,
    headers: HashMap<String, String>,
    body: Vec<u8>,
}

/// One GET over a fresh connection, read to its end (or to where the server broke it off).
async fn get(url: &str, extra: &[(&str, &str)]) -> Answer {
    let rest = url.trim_start_matches("http://");
    let (host, path) = rest.split_at(rest.find('/').unwrap());
    let mut head = format!("GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n");
    for (name, value) in extra {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n");
    let mut stream = TcpStream::connect(host).await.unwrap();
    stream.write_all(head.as_bytes()).await.unwrap();
    let mut raw = Vec::new();
    let _ = stream.read_to_end(&mut raw).await;
    let end = raw.windows(4).position(|w| w == b"\r\n\r\n").unwrap();
    let head = String::from_utf8_lossy(&raw[..end]).into_owned();
    let mut lines = head.lines();
    let status = lines
        .next()
        .unwrap()
        .split(' ')
        .nth(1)
        .unwrap()
        .parse()
        .unwrap();
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    Answer {
        status,
        headers,
        body: raw[end + 4..].to_vec(),
    }
}

fn md5_hex(bytes: &[u8]) -> String {
    md5::Md5::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[tokio::test]
async fn the_whole_file_with_its_length_etag_and_md5() {
    let emulator = emulator(BackupFile::generated(SIZE).name("full.xb")).await;
    let url = emulator.backup_url().unwrap();
    assert!(
        url.starts_with(emulator.url()) && url.ends_with("/full.xb"),
        "{url}"
    );
    let answer = get(&url, &[]).await;
    assert_eq!(answer.status, 200);
    assert_eq!(answer.body.len() as u64, SIZE);
    assert_eq!(answer.headers["content-length"], SIZE.to_string());
    assert_eq!(answer.headers["accept-ranges"], "bytes");
    assert!(answer.headers.contains_key("etag") && answer.headers.contains_key("last-modified"));
    assert_eq!(md5_hex(&answer.body), emulator.backup_md5().unwrap());
}

#[tokio::test]
async fn a_range_is_the_same_bytes_as_that_part_of_the_whole() {
    let emulator = emulator(BackupFile::generated(SIZE)).await;
    let url = emulator.backup_url().unwrap();
    let whole = get(&url, &[]).await.body;
    let tail = get(&url, &[("Range", "bytes=123457-")]).await;
    assert_eq!(tail.status, 206);
    assert_eq!(
        tail.headers["content-range"],
        format!("bytes 123457-{}/{SIZE}", SIZE - 1)
    );
    assert_eq!(tail.body, whole[123_457..]);
    let middle = get(&url, &[("Range", "bytes=10-19")]).await;
    assert_eq!(middle.body, whole[10..20]);
    let past = get(&url, &[("Range", &format!("bytes={SIZE}-"))]).await;
    assert_eq!(past.status, 416);
    assert_eq!(past.headers["content-range"], format!("bytes */{SIZE}"));
}

#[tokio::test]
async fn if_range_with_another_etag_gets_the_whole_new_file() {
    let emulator = emulator(BackupFile::generated(SIZE)).await;
    let url = emulator.backup_url().unwrap();
    let etag = get(&url, &[]).await.headers["etag"].clone();
    let same = get(&url, &[("Range", "bytes=5-"), ("If-Range", &etag)]).await;
    assert_eq!(same.status, 206);
    let stale = get(&url, &[("Range", "bytes=5-"), ("If-Range", "\"v9-1\"")]).await;
    assert_eq!(stale.status, 200);
    assert_eq!(stale.body.len() as u64, SIZE);

    let old_md5 = emulator.backup_md5().unwrap();
    emulator.change_backup();
    assert_eq!(get(&url, &[]).await.status, 404, "the old version is gone");
    let new = get(&emulator.backup_url().unwrap(), &[]).await;
    assert_ne!(new.headers["etag"], etag);
    assert_ne!(md5_hex(&new.body), old_md5);
    assert_eq!(md5_hex(&new.body), emulator.backup_md5().unwrap());
}

#[tokio::test]
async fn urls_expire() {
    let emulator = emulator(BackupFile::generated(10).valid_for(Duration::ZERO)).await;
    let url = emulator.backup_url().unwrap();
    // Valid for no time at all: expired once the second it was made in is over.
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let answer = get(&url, &[]).await;
    assert_eq!(answer.status, 403);
    assert!(String::from_utf8_lossy(&answer.body).contains("expired"));
}

#[tokio::test]
async fn faults_break_one_download_each() {
    let emulator = emulator(BackupFile::generated(SIZE)).await;
    let url = emulator.backup_url().unwrap();
    emulator.backup_fault(BackupFault::DropAfter(200_000));
    emulator.backup_fault(BackupFault::WrongLength);
    emulator.backup_fault(BackupFault::IgnoreRange);
    emulator.backup_fault(BackupFault::Stall {
        after: 10,
        pause: Duration::from_millis(50),
    });

    let dropped = get(&url, &[]).await;
    assert_eq!(dropped.status, 200);
    assert_eq!(
        dropped.body.len(),
        200_000,
        "cut off after the bytes it was told"
    );
    let short = get(&url, &[]).await;
    assert_eq!(short.headers["content-length"], (SIZE + 1000).to_string());
    assert_eq!(short.body.len() as u64, SIZE, "fewer bytes than announced");
    let ignored = get(&url, &[("Range", "bytes=100-")]).await;
    assert_eq!(ignored.status, 200);
    assert_eq!(ignored.body.len() as u64, SIZE);
    let stalled = get(&url, &[]).await;
    assert_eq!(
        stalled.body.len() as u64,
        SIZE,
        "a stall delays, it does not cut"
    );

    let healthy = get(&url, &[]).await;
    assert_eq!(md5_hex(&healthy.body), emulator.backup_md5().unwrap());
    let downloads = emulator.backup_downloads();
    assert_eq!(downloads.len(), 5);
    assert_eq!(downloads[2].range.as_deref(), Some("bytes=100-"));
}

#[tokio::test]
async fn a_file_on_disk_is_served_as_it_is() {
    let path = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("dezai-backup-file.bin");
    let content: Vec<u8> = (0..300_000u32).map(|i| (i % 251) as u8).collect();
    std::fs::write(&path, &content).unwrap();
    let emulator = emulator(BackupFile::from_path(&path).unwrap()).await;
    let url = emulator.backup_url().unwrap();
    assert!(
        url.ends_with(&*path.file_name().unwrap().to_string_lossy()),
        "{url}"
    );
    assert_eq!(get(&url, &[]).await.body, content);
    assert_eq!(
        get(&url, &[("Range", "bytes=1000-")]).await.body,
        content[1000..]
    );
    assert_eq!(emulator.backup_md5().unwrap(), md5_hex(&content));
    std::fs::remove_file(&path).unwrap();
}
