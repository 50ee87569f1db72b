use dezai_sdk::prelude::*;

// The fluent call takes the same required arguments.
async fn call(client: &Client) {
    let _ = client.udb().describe_udb_instance_backup_url("udb-1").send().await;
}

fn main() {}
