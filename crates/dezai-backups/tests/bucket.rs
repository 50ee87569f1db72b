//! The mirror into a bucket of a real S3 server (`rclone serve s3`, `support/s3.rs`): a backup
//! larger than a part travels as a multipart upload and arrives with the service's MD5, through
//! a broken connection and an expired URL; a copy whose bytes do not match the service's MD5
//! is abandoned, leaving no object, no record and no marker.

use std::path::Path;

use dezai_backups::mirror::{Bucket, BucketSettings, Status};
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
    let report = dezai_backups::mirror_bucket(&client, bucket)
        .kinds([udb])
        .run()
        .await
        .unwrap();
    assert_eq!(report.failed(), 0, "{:?}", report.outcomes);
    let statuses: Vec<u16> = emulator
        .backup_downloads()
        .iter()
        .map(|d| d.status)
        .collect();
    assert!(
        statuses.contains(&403) && statuses.iter().filter(|s| **s == 200).count() >= 2,
        "an expired URL and a broken connection on the way: {statuses:?}"
    );
    let Status::Copied { copy, .. } = &report.outcomes[0].status else {
        panic!("{:?}", report.outcomes[0]);
    };
    let root = server.bucket_dir("b").join("nightly");
    let object = std::fs::read(root.join(&copy.path)).unwrap();
    assert_eq!(object.len(), 12 << 20);
    assert_eq!(
        md5_hex(&object),
        service_md5,
        "the object is the service's backup"
    );
    assert!(copy.md5_from_service);
    let record: serde_json::Value = serde_json::from_slice(
        &std::fs::read(root.join("udb/cn-bj2/udb-big/dezai-backups.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(record["copies"][0]["path"], copy.path.as_str());
    assert_eq!(record["copies"][0]["md5"], service_md5.as_str());
    assert_eq!(
        s3::objects(&root),
        [
            copy.path.clone(),
            "udb/cn-bj2/udb-big/dezai-backups.json".into()
        ],
        "no marker of an unfinished upload is left"
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
