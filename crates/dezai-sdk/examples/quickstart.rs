//! Fetches the backup download URL of each of the five seed actions and prints them.
//!
//! ```text
//! cargo run -p dezai-sdk --example quickstart
//! ```
//!
//! With `DEZAI_PUBLIC_KEY` and `DEZAI_PRIVATE_KEY` set (or a profile in `~/.dezai`), it talks
//! to the configured endpoint. Without credentials it starts the local emulator in-process,
//! says so, and talks to that: no account and no network needed.

use dezai_sdk::prelude::*;

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

    let udb = client
        .udb()
        .describe_udb_instance_backup_url("udb-1", 1234)
        .valid_time(3600)
        .send()
        .await?;
    println!(
        "UDB (DescribeUDBInstanceBackupURL):      {}",
        udb.backup_path.unwrap_or_default()
    );

    let umem = client
        .umem()
        .describe_umem_backup_url("space-1", "backup-1")
        .send()
        .await?;
    println!(
        "UMem (DescribeUMemBackupURL):            {}",
        umem.backup_url.unwrap_or_default().join(", ")
    );

    let redis = client
        .umem()
        .describe_uredis_backup_url("backup-2")
        .send()
        .await?;
    println!(
        "URedis (DescribeURedisBackupURL):        {}",
        redis.backup_path.unwrap_or_default()
    );

    let mongo = client
        .umongodb()
        .describe_umongodb_backup_url("cluster-1")
        .send()
        .await?;
    println!(
        "UMongoDB (DescribeUMongoDBBackupURL):    {}",
        mongo.internet_address.unwrap_or_default()
    );

    let pg = client
        .upgsql()
        .get_upgsql_backup_url("instance-1", "backup-4")
        .send()
        .await?;
    println!(
        "UPgSQL (GetUPgSQLBackupURL):             {}",
        pg.backup_path.unwrap_or_default()
    );
    Ok(())
}
