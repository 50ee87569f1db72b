//! Calls per second through the SDK against the emulator, with 1 and 64 concurrent callers.
//!
//! Run with `cargo bench -p dezai-emulator --bench load`. Prints medians; no assertions.

use std::time::{Duration, Instant};

use dezai_sdk::prelude::*;

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        let emulator = dezai_sdk::specs()
            .into_iter()
            .fold(dezai_emulator::Emulator::builder(), |b, (_, json)| {
                b.spec_json(json)
            })
            .key_pair("bench-public", "bench-private")
            .start()
            .await
            .expect("emulator");
        let client = Client::new(
            Config::builder()
                .credentials(Credentials::new("bench-public", "bench-private"))
                .base_url(emulator.url())
                .region("cn-bj2")
                .zone("cn-bj2-04")
                .build()
                .expect("config"),
        )
        .expect("client");
        let rounds = 5;
        let window = Duration::from_millis(1500);
        for callers in [1usize, 64] {
            let mut rates = Vec::new();
            let mut failures = 0u64;
            for _ in 0..rounds {
                let start = Instant::now();
                let deadline = start + window;
                let tasks: Vec<_> = (0..callers)
                    .map(|_| {
                        let client = client.clone();
                        tokio::spawn(async move {
                            let (mut ok, mut failed) = (0u64, 0u64);
                            while Instant::now() < deadline {
                                match client.udb().describe_udb_instance_backup_url("udb-1", 1234).send().await {
                                    Ok(_) => ok += 1,
                                    Err(_) => failed += 1,
                                }
                            }
                            (ok, failed)
                        })
                    })
                    .collect();
                let mut ok = 0;
                for task in tasks {
                    let (o, f) = task.await.expect("caller");
                    ok += o;
                    failures += f;
                }
                rates.push(ok as f64 / start.elapsed().as_secs_f64());
            }
            rates.sort_by(|a, b| a.total_cmp(b));
            println!(
                "{callers:>2} caller(s): median {:.0} calls/s over {rounds} rounds of {} ms, {failures} failed calls",
                rates[rates.len() / 2],
                window.as_millis()
            );
        }
    });
}
