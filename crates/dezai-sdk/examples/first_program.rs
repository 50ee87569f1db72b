//! The README's first program, built by `cargo test` (a test keeps the two the same).
use dezai_sdk::prelude::*;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    // Credentials and defaults from ~/.dezai and DEZAI_* variables.
    let client = Client::from_env()?;
    let backup = client
        .udb()
        .describe_udb_instance_backup_url("udb-1", 1234)
        .valid_time(3600)
        .send()
        .await?;
    println!("{:?}", backup.backup_path);
    Ok(())
}
