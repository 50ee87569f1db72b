//! Fetches the backup download URL of each of the five seed actions and prints them: for each
//! kind, the newest completed backup of its first instance that has one.
//!
//! ```text
//! cargo run -p dezai-sdk --example quickstart
//! ```
//!
//! With `DEZAI_PUBLIC_KEY` and `DEZAI_PRIVATE_KEY` set (or a profile in `~/.dezai`), it talks
//! to the configured endpoint. Without credentials it starts the local emulator in-process,
//! with the world of the documents' examples, says so, and talks to that: no account and no
//! network needed, and every URL printed is one the emulator serves.

use dezai_sdk::backups::{self, Backup};
use dezai_sdk::prelude::*;

/// The first instance of `kind` with a completed backup, and its newest such backup.
async fn newest(
    client: &Client,
    kind: &str,
) -> Result<(String, Backup), Box<dyn std::error::Error>> {
    let kind = backups::kind(kind).ok_or("not a kind of this build")?;
    for instance in backups::instances(client, kind, CallOptions::default()).await? {
        if let Ok(backup) = backups::latest(client, kind, &instance.id).await {
            return Ok((instance.id, backup));
        }
    }
    Err(format!("no {} instance has a completed backup", kind.name).into())
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let configured = Config::from_env()?;
    // Kept alive until the end of main: dropping it stops the emulator.
    let mut _emulator = None;
    let client = if configured.credentials().is_some() {
        println!("Using the configured endpoint and credentials.");
        Client::new(configured)?
    } else {
        let emulator = dezai_sdk::specs()
            .into_iter()
            .fold(dezai_emulator::Emulator::builder(), |b, (_, json)| {
                b.spec_json(json)
            })
            .key_pair("quickstart-public-key", "quickstart-private-key")
            .example_world(std::time::Duration::from_secs(2))
            .start()
            .await?;
        println!(
            "No credentials configured (DEZAI_PUBLIC_KEY / DEZAI_PRIVATE_KEY): using the local emulator at {}.",
            emulator.url()
        );
        let config = Config::builder()
            .credentials(Credentials::new(
                "quickstart-public-key",
                "quickstart-private-key",
            ))
            .base_url(emulator.url())
            .region("cn-bj2")
            .zone("cn-bj2-04")
            .build()?;
        _emulator = Some(emulator);
        Client::new(config)?
    };

    let (instance, backup) = newest(&client, "udb").await?;
    let udb = client
        .udb()
        .describe_udb_instance_backup_url(&instance, backup.id.parse::<i64>()?)
        .valid_time(3600)
        .send()
        .await?;
    println!(
        "UDB (DescribeUDBInstanceBackupURL):      {}",
        udb.backup_path.unwrap_or_default()
    );

    let (instance, backup) = newest(&client, "umem").await?;
    let umem = client
        .umem()
        .describe_umem_backup_url(&instance, &backup.id)
        .send()
        .await?;
    println!(
        "UMem (DescribeUMemBackupURL):            {}",
        umem.backup_url.unwrap_or_default().join(", ")
    );

    let (_, backup) = newest(&client, "uredis").await?;
    let redis = client
        .umem()
        .describe_uredis_backup_url(&backup.id)
        .send()
        .await?;
    println!(
        "URedis (DescribeURedisBackupURL):        {}",
        redis.backup_path.unwrap_or_default()
    );

    let (instance, backup) = newest(&client, "umongodb").await?;
    let mongo = client
        .umongodb()
        .describe_umongodb_backup_url(&instance)
        .backup_id(&backup.id)
        .send()
        .await?;
    println!(
        "UMongoDB (DescribeUMongoDBBackupURL):    {}",
        mongo.internet_address.unwrap_or_default()
    );

    let (instance, backup) = newest(&client, "upgsql").await?;
    let pg = client
        .upgsql()
        .get_upgsql_backup_url(&instance, &backup.id)
        .send()
        .await?;
    println!(
        "UPgSQL (GetUPgSQLBackupURL):             {}",
        pg.backup_path.unwrap_or_default()
    );
    Ok(())
}
