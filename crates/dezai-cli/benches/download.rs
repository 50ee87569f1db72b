//! `dezai backup download` against `curl -o` on the same 1 GiB file from the emulator on
//! loopback, alternating, three rounds each: wall time, throughput and peak RSS (from
//! `/usr/bin/time`). `dezai` flushes the file to disk before renaming it into place (a crash
//! never leaves a complete-looking file with missing bytes); curl leaves it in the page
//! cache, so curl followed by `sync <file>` is measured too, the same durability. Run with `cargo bench -p dezai-cli --bench download`; prints the medians
//! and the ratio. Skipped, with a message, where `curl` or `/usr/bin/time` is missing.

use std::path::Path;
use std::process::Command;

use dezai_emulator::{BackupFile, Emulator};

mod support;

use support::{median, timed_bare as timed};

const SIZE: u64 = 1 << 30;
const ROUNDS: usize = 3;

fn main() {
    let have = |p: &str| Command::new(p).arg("--version").output().is_ok();
    if !have("curl") || !Path::new("/usr/bin/time").exists() {
        println!("download benchmark skipped: needs curl and /usr/bin/time");
        return;
    }
    let runtime = tokio::runtime::Runtime::new().expect("a runtime");
    let emulator: Emulator = runtime.block_on(async {
        Emulator::builder()
            .backups(BackupFile::generated(SIZE).name("bench.bin"))
            .start()
            .await
            .expect("the emulator starts")
    });
    let url = emulator.backup_url().expect("backups are served");
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("dezai-download-bench");
    // A fixed place under the target folder that reruns reuse.
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("a scratch folder");
    let ours = dir.join("dezai.bin");
    let theirs = dir.join("curl.bin");
    let (ours_s, theirs_s) = (ours.display().to_string(), theirs.display().to_string());
    let dezai = env!("CARGO_BIN_EXE_dezai");
    let (mut dezai_times, mut curl_times, mut dezai_rss, mut curl_rss) =
        (vec![], vec![], vec![], vec![]);
    let mut synced_times = vec![];
    for round in 0..ROUNDS {
        // Alternate who goes first, so neither always gets the warmer cache.
        for first in [round % 2 == 0, round % 2 != 0] {
            if first {
                let (s, rss) = timed(
                    dezai,
                    &[
                        "backup", "download", "udb", "--url", &url, "-o", &ours_s, "--force",
                    ],
                );
                assert_eq!(std::fs::metadata(&ours).map(|m| m.len()).ok(), Some(SIZE));
                std::fs::remove_file(&ours).ok();
                dezai_times.push(s);
                dezai_rss.push(rss as f64);
            } else {
                let (s, rss) = timed("curl", &["-s", "-o", &theirs_s, &url]);
                assert_eq!(std::fs::metadata(&theirs).map(|m| m.len()).ok(), Some(SIZE));
                std::fs::remove_file(&theirs).ok();
                curl_times.push(s);
                curl_rss.push(rss as f64);
                let script = format!("curl -s -o '{theirs_s}' '{url}' && sync '{theirs_s}'");
                let (s, _) = timed("sh", &["-c", &script]);
                std::fs::remove_file(&theirs).ok();
                synced_times.push(s);
            }
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
    let (d, c) = (median(dezai_times.clone()), median(curl_times.clone()));
    let mib = SIZE as f64 / (1 << 20) as f64;
    println!("1 GiB from the emulator on loopback, {ROUNDS} rounds, medians");
    println!(
        "dezai backup download: {d:.2} s ({:.0} MiB/s), peak RSS {:.1} MiB  {dezai_times:?}",
        mib / d,
        median(dezai_rss) / 1024.0
    );
    println!(
        "curl -o:               {c:.2} s ({:.0} MiB/s), peak RSS {:.1} MiB  {curl_times:?}",
        mib / c,
        median(curl_rss) / 1024.0
    );
    let synced = median(synced_times.clone());
    println!(
        "curl -o, then sync:    {synced:.2} s ({:.0} MiB/s)  {synced_times:?}",
        mib / synced
    );
    println!("throughput ratio dezai/curl: {:.2}x", c / d);
    println!("throughput ratio dezai/(curl + sync): {:.2}x", synced / d);
}
