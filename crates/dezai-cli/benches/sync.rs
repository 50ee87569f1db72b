//! `dezai backup sync` at scale, against the emulator's world on loopback:
//!
//! 1. a fleet of 1,000 instances (`SYNC_INSTANCES`) with 4 KiB backups, and one of a tenth as
//!    many: the first run and a second with nothing new, each with wall time, API calls and
//!    peak RSS (from `/usr/bin/time`), so RSS growth with the number of instances shows;
//! 2. 20 instances with 200 MiB backups (`SYNC_BIG_MIB`) at `--concurrency 4`, against curl
//!    fetching the same URLs four at a time (`xargs -P 4`) followed by `sync` (dezai flushes
//!    each file before recording it), and against curl piped through `md5sum` as it arrives
//!    (dezai checks each file's MD5: the same job), alternating, three rounds
//!    (`SYNC_ROUNDS`).
//!
//! Run with `cargo bench -p dezai-cli --bench sync`; prints medians and ratios, no assertions.
//! Skipped, with a message, where `curl` or `/usr/bin/time` is missing.

use std::path::Path;
use std::process::Command;

mod support;

use support::{median, start, timed, urls, world};

fn fleet(runtime: &tokio::runtime::Runtime, count: usize, scratch: &Path) {
    let emulator = start(runtime, world(count, 4096));
    let dir = scratch.join(format!("fleet-{count}"));
    let dir_s = dir.display().to_string();
    let dezai = env!("CARGO_BIN_EXE_dezai");
    for run in ["first run", "nothing new"] {
        let before = emulator.requests().len();
        let (seconds, rss) = timed(emulator.url(), dezai, &["backup", "sync", &dir_s, "--json"]);
        let calls = emulator.requests().len() - before;
        println!(
            "{count:>5} instances, {run:<11}: {seconds:.2} s, {calls} API calls, peak RSS {:.1} MiB",
            rss as f64 / 1024.0
        );
    }
    let manifest = std::fs::metadata(dir.join("dezai-backups.json")).map_or(0, |m| m.len());
    println!(
        "{count:>5} instances, manifest {:.1} KiB",
        manifest as f64 / 1024.0
    );
    let _ = std::fs::remove_dir_all(&dir);
}

fn big(runtime: &tokio::runtime::Runtime, scratch: &Path) {
    let mib: u64 = std::env::var("SYNC_BIG_MIB")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(200);
    let count = 20;
    let emulator = start(runtime, world(count, mib << 20));
    // The URLs the URL action gives, for curl.
    let urls = urls(runtime, &emulator, count);
    let list = scratch.join("urls.txt");
    std::fs::write(&list, urls.join("\n")).expect("the URL list");
    let dezai = env!("CARGO_BIN_EXE_dezai");
    let rounds: usize = std::env::var("SYNC_ROUNDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(3);
    let (mut ours, mut theirs, mut our_rss, mut hashed) = (vec![], vec![], vec![], vec![]);
    for round in 0..rounds {
        for dezai_first in [round % 2 == 0, round % 2 != 0] {
            let dir = scratch.join("big");
            let _ = std::fs::remove_dir_all(&dir);
            std::fs::create_dir_all(&dir).expect("a folder");
            let dir_s = dir.display().to_string();
            if dezai_first {
                let args = ["backup", "sync", &dir_s, "--concurrency", "4", "--json"];
                let (s, rss) = timed(emulator.url(), dezai, &args);
                ours.push(s);
                our_rss.push(rss as f64 / 1024.0);
            } else {
                let script = format!(
                    "cd '{dir_s}' && xargs -P 4 -n 1 curl -s -O < '{}' && sync",
                    list.display()
                );
                let (s, _) = timed(emulator.url(), "sh", &["-c", &script]);
                theirs.push(s);
                // The same job as dezai's: each file hashed as it arrives, then flushed.
                let _ = std::fs::remove_dir_all(&dir);
                std::fs::create_dir_all(&dir).expect("a folder");
                let script = format!(
                    "cd '{dir_s}' && xargs -P 4 -I URL sh -c 'curl -s \"URL\" | tee \"$(mktemp -p .)\" | md5sum >/dev/null' < '{}' && sync",
                    list.display()
                );
                let (s, _) = timed(emulator.url(), "sh", &["-c", &script]);
                hashed.push(s);
            }
        }
    }
    let total = (mib * count as u64) as f64;
    let (d, c) = (median(ours.clone()), median(theirs.clone()));
    println!("{count} × {mib} MiB at concurrency 4, {rounds} rounds, medians");
    println!(
        "dezai backup sync:        {d:.2} s ({:.0} MiB/s), peak RSS {:.1} MiB  {ours:?}",
        total / d,
        median(our_rss)
    );
    println!(
        "curl (xargs -P 4) + sync: {c:.2} s ({:.0} MiB/s)  {theirs:?}",
        total / c
    );
    let h = median(hashed.clone());
    println!(
        "curl | md5sum (xargs -P 4) + sync: {h:.2} s ({:.0} MiB/s)  {hashed:?}",
        total / h
    );
    println!("throughput ratio dezai/(curl + sync): {:.2}x", c / d);
    println!(
        "throughput ratio dezai/(curl | md5sum + sync): {:.2}x",
        h / d
    );
    let _ = std::fs::remove_dir_all(scratch.join("big"));
}

fn main() {
    let have = |p: &str| Command::new(p).arg("--version").output().is_ok();
    if !have("curl") || !Path::new("/usr/bin/time").exists() {
        println!("sync benchmark skipped: needs curl and /usr/bin/time");
        return;
    }
    let count: usize = std::env::var("SYNC_INSTANCES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1000);
    let runtime = tokio::runtime::Runtime::new().expect("a runtime");
    let scratch = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("dezai-sync-bench");
    // A fixed place under the target folder that reruns reuse.
    let _ = std::fs::remove_dir_all(&scratch);
    std::fs::create_dir_all(&scratch).expect("a scratch folder");
    fleet(&runtime, count / 10, &scratch);
    fleet(&runtime, count, &scratch);
    big(&runtime, &scratch);
    let _ = std::fs::remove_dir_all(&scratch);
}
