//! The mirror into a bucket of a real S3 server (`rclone serve s3`, `support/s3.rs`): a backup
//! larger than a part travels as a multipart upload and arrives with the service's MD5, through
//! an expired URL and a broken connection after which only the rest is asked for; a server
//! that answers the rest with the whole file makes the copy start again; a copy whose bytes do
//! not match the service's MD5 is abandoned, leaving no object, no record and no marker.

use std::path::Path;

use dezai_backups::mirror::{Bucket, BucketSettings, Copy, Status};
use dezai_emulator::{BackupFault, Emulator, World, WorldBackup, WorldInstance};
use dezai_http::ClientExt as _;
use dezai_runtime::{Client, Config, Credentials};
use md5::Digest;

#[path = "support/s3.rs"]
mod s3;

async fn emulator(size: u64) -> Emulator {
    let backup = WorldBackup::new(4242, 1_700_000_000, size);
    let world = World::new().instance(WorldInstance::new("udb", "udb-big").backup(backup));
    Emulator::builder()
        .specs(Path::new(env!("CARGO_MANIFEST_DIR")).join("../../specs"))
        .key_pair("pk", "sk")
        .world(world)
        .start()
        .await
        .unwrap()
}

fn client(emulator: &Emulator) -> Client {
    let config = Config::builder()
        .credentials(Credentials::new("pk", "sk"))
        .base_url(emulator.url())
        .region("cn-bj2")
        .build()
        .unwrap();
    Client::new(config).unwrap()
}

fn bucket(server: &s3::S3Server, url: &str) -> Bucket {
    let mut settings = BucketSettings::default();
    settings.endpoint = Some(server.endpoint().to_owned());
    settings.region = Some("us-east-1".into());
    settings.access_key_id = Some(s3::ACCESS_KEY.into());
    settings.secret_access_key = Some(s3::SECRET_KEY.into());
    Bucket::open(url, &settings).unwrap()
}

fn md5_hex(bytes: &[u8]) -> String {
    md5::Md5::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_backup_larger_than_a_part_arrives_whole_through_a_broken_connection_and_an_expired_url()
{
    let server = s3::S3Server::start(&["b"]);
    let emulator = emulator(12 << 20).await;
    let client = client(&emulator);
    let udb = dezai_backups::kind("udb").unwrap();
    let backup = dezai_backups::latest(&client, udb, "udb-big")
        .await
        .unwrap();
    let params = dezai_backups::url_request(udb, "udb-big", &backup);
    let links = dezai_backups::links(&client, udb, params, Default::default(), Default::default())
        .await
        .unwrap();
    let service_md5 = links[0].md5.clone().expect("the URL action gives an MD5");
    emulator.backup_fault(BackupFault::DropAfter(7 << 20));
    emulator.expire_next_backup_urls(1);

    let bucket = bucket(&server, "s3://b/nightly")
        .part_size(5 << 20)
        .part_uploads(2);
    let report = mirror_udb(&client, bucket, 1).await;
    // The expired URL, the whole file broken off after 7 MiB, then only the rest of it: the
    // part already sent and the bytes held are kept.
    let downloads = emulator.backup_downloads();
    let statuses: Vec<u16> = downloads.iter().map(|d| d.status).collect();
    assert_eq!(statuses, [403, 200, 206], "{downloads:?}");
    let rest = downloads[2].range.as_deref().unwrap_or_default();
    let from: u64 = rest
        .strip_prefix("bytes=")
        .and_then(|r| r.split_once('-'))
        .and_then(|(from, _)| from.parse().ok())
        .unwrap_or_else(|| panic!("not a range of the rest: {rest}"));
    assert!(
        (5 << 20..=7 << 20).contains(&from) && rest.ends_with(&format!("-{}", (12 << 20) - 1)),
        "the rest from where the connection broke: {rest}"
    );
    let root = server.bucket_dir("b").join("nightly");
    let copy = the_one_copy(&report, &root, 12 << 20);
    assert_eq!(copy.md5, service_md5, "the object is the service's backup");
    let record: serde_json::Value = serde_json::from_slice(
        &std::fs::read(root.join("udb/cn-bj2/udb-big/dezai-backups.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(record["copies"][0]["path"], copy.path.as_str());
    assert_eq!(record["copies"][0]["md5"], service_md5.as_str());
}

/// A mirror run of the udb instances into `bucket` over so many connections per file, which
/// copies every one.
async fn mirror_udb(
    client: &Client,
    bucket: Bucket,
    streams: usize,
) -> dezai_backups::mirror::Report {
    let report = dezai_backups::mirror_bucket(client, bucket)
        .kinds([dezai_backups::kind("udb").unwrap()])
        .streams(streams)
        .run()
        .await
        .unwrap();
    assert_eq!(report.failed(), 0, "{:?}", report.outcomes);
    report
}

/// The instance's copy, once the run is over: an object of `size` bytes whose MD5 is the
/// copy's, checked against the service's, and beside it only the instance's record (no marker
/// of an unfinished upload).
fn the_one_copy(report: &dezai_backups::mirror::Report, root: &Path, size: usize) -> Copy {
    let Status::Copied { copy, .. } = &report.outcomes[0].status else {
        panic!("{:?}", report.outcomes[0]);
    };
    let object = std::fs::read(root.join(&copy.path)).unwrap();
    assert_eq!(object.len(), size);
    assert_eq!(
        md5_hex(&object),
        copy.md5,
        "the object is the copy recorded"
    );
    assert!(copy.md5_from_service, "checked against the service's MD5");
    assert_eq!(
        s3::objects(root),
        [
            copy.path.clone(),
            "udb/cn-bj2/udb-big/dezai-backups.json".into()
        ],
        "no marker of an unfinished upload is left"
    );
    copy.clone()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_server_that_answers_the_rest_with_the_whole_file_gets_the_copy_started_again() {
    let server = s3::S3Server::start(&["b"]);
    let emulator = emulator(12 << 20).await;
    let client = client(&emulator);
    emulator.backup_fault(BackupFault::DropAfter(7 << 20));
    emulator.backup_fault(BackupFault::IgnoreRange);
    let bucket = bucket(&server, "s3://b/m").part_size(5 << 20);
    let report = mirror_udb(&client, bucket, 1).await;
    let downloads = emulator.backup_downloads();
    let asked: Vec<(u16, bool)> = downloads
        .iter()
        .map(|d| (d.status, d.range.is_some()))
        .collect();
    assert_eq!(
        asked,
        [(200, false), (200, true), (200, false)],
        "broken, the rest answered whole, then the file from its first byte: {downloads:?}"
    );
    the_one_copy(&report, &server.bucket_dir("b").join("m"), 12 << 20);
}

#[tokio::test(flavor = "multi_thread")]
async fn over_several_connections_a_url_that_expires_on_the_way_costs_only_the_parts_in_flight() {
    let server = s3::S3Server::start(&["b"]);
    let (parts, streams, part_size) = (8u64, 4u64, 5u64 << 20);
    let emulator = emulator(parts * part_size).await;
    let client = client(&emulator);
    // The first four parts' requests answered, the fifth's (asked once one of them is whole)
    // refused as expired.
    for _ in 0..streams {
        emulator.backup_fault(BackupFault::Pass);
    }
    emulator.backup_fault(BackupFault::Expired);
    let bucket = bucket(&server, "s3://b/m").part_size(part_size as usize);
    let report = mirror_udb(&client, bucket, streams as usize).await;
    let downloads = emulator.backup_downloads();
    let expired = downloads.iter().filter(|d| d.status == 403).count();
    assert_eq!(expired, 1, "{downloads:#?}");
    let answered: Vec<&str> = downloads
        .iter()
        .filter(|d| d.status == 206)
        .filter_map(|d| d.range.as_deref())
        .collect();
    for part in 0..parts {
        let range = format!("bytes={}-{}", part * part_size, (part + 1) * part_size - 1);
        assert!(
            answered.contains(&range.as_str()),
            "{range} in {answered:?}"
        );
    }
    // Parts whole before the refusal are not asked for again: at most the others in flight.
    assert!(
        (answered.len() as u64) < parts + streams,
        "{} parts asked for: {answered:?}",
        answered.len()
    );
    the_one_copy(
        &report,
        &server.bucket_dir("b").join("m"),
        (parts << 20) as usize * 5,
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_copy_that_does_not_match_the_services_md5_leaves_nothing() {
    let server = s3::S3Server::start(&["b"]);
    let emulator = emulator(6 << 20).await;
    let client = client(&emulator);
    for _ in 0..8 {
        emulator.backup_fault(BackupFault::Corrupt(1000));
    }
    let bucket = bucket(&server, "s3://b/m").part_size(5 << 20);
    let report = dezai_backups::mirror_bucket(&client, bucket)
        .kinds([dezai_backups::kind("udb").unwrap()])
        .run()
        .await
        .unwrap();
    assert_eq!(report.failed(), 1);
    let Status::Failed { error } = &report.outcomes[0].status else {
        panic!("{:?}", report.outcomes[0]);
    };
    assert!(error.contains("MD5"), "{error}");
    assert_eq!(
        s3::objects(&server.bucket_dir("b")),
        Vec::<String>::new(),
        "no object, no record, no marker"
    );
}
