//! One 1 GiB backup over several connections, as object storage serves it: the emulator caps
//! each download connection at 50 MiB/s (`--per-connection-rate 50M`), and `dezai backup
//! download` (the URL action's MD5 checked, the file flushed to disk before its rename) with
//! `--streams 4` runs against itself with `--streams 1`, and against `aria2c -x4 -s4` (Debian's
//! `aria2`) alone and followed by `md5sum` and `sync` (the same work). Then, without a cap,
//! the default (4 streams from 16 MiB) against `curl` + `sync` and against one stream.
//! Alternating, `ROUNDS` rounds each (default 3): medians of wall time, throughput and peak RSS
//! (`/usr/bin/time`). Run with `cargo bench -p dezai-cli --bench streams`; skipped, with a
//! message, where `aria2c`, `curl`, `md5sum` or `/usr/bin/time` is missing.

use std::path::Path;
use std::process::Command;

use dezai_emulator::{BackupFile, Emulator};

mod support;

#[path = "../tests/common/mod.rs"]
mod common;

use support::{KEYS, median, timed, timed_bare};

const SIZE: u64 = 1 << 30;
const CAP: u64 = 50 << 20;

/// One contender's run: wall seconds and peak RSS in KiB.
type Run = Box<dyn Fn() -> (f64, u64)>;

fn main() {
    let have = |p: &str| Command::new(p).arg("--version").output().is_ok();
    let missing: Vec<&str> = ["aria2c", "curl", "md5sum"]
        .into_iter()
        .filter(|p| !have(p))
        .collect();
    if !missing.is_empty() || !Path::new("/usr/bin/time").exists() {
        println!(
            "streams benchmark skipped: needs /usr/bin/time and {missing:?} (apt-get install aria2 curl)"
        );
        return;
    }
    let rounds: usize = std::env::var("ROUNDS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(3);
    let runtime = tokio::runtime::Runtime::new().expect("a runtime");
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("dezai-streams-bench");
    // A fixed place under the target folder that reruns reuse.
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("a scratch folder");
    let file = dir.join("copy.bin");
    let file_s = file.display().to_string();
    let dir_s = dir.display().to_string();
    let dezai = env!("CARGO_BIN_EXE_dezai");
    let ours = |streams: &str| {
        let mut args = common::DOWNLOAD_UDB_BACKUP.to_vec();
        args.extend(["-o", &file_s, "--force", "--streams", streams]);
        args.into_iter().map(str::to_owned).collect::<Vec<String>>()
    };
    let check = |what: &str| {
        let len = std::fs::metadata(&file).map(|m| m.len()).ok();
        assert_eq!(len, Some(SIZE), "{what} left the whole file");
        std::fs::remove_file(&file).ok();
    };

    for capped in [true, false] {
        let emulator = start(&runtime, capped.then_some(CAP));
        let url = emulator.backup_url().expect("backups are served");
        let md5 = emulator.backup_md5().expect("an MD5");
        let aria = format!(
            "aria2c -q -x4 -s4 --allow-overwrite=true --auto-file-renaming=false -d {dir_s} -o copy.bin '{url}'"
        );
        let aria_checked = format!(
            "{aria} && test \"$(md5sum {file_s} | cut -d' ' -f1)\" = {md5} && sync {file_s}"
        );
        let curl_synced = format!("curl -s -o {file_s} '{url}' && sync {file_s}");
        let base = emulator.url().to_owned();
        let dezai_with = |streams: Option<&'static str>| -> Run {
            let mut args = ours("1");
            match streams {
                Some(n) => *args.last_mut().expect("--streams N") = n.to_owned(),
                None => args.truncate(args.len() - 2),
            }
            let base = base.clone();
            Box::new(move || {
                let args: Vec<&str> = args.iter().map(String::as_str).collect();
                timed(&base, dezai, &args)
            })
        };
        let shell = |line: String| -> Run { Box::new(move || timed_bare("sh", &["-c", &line])) };
        let contenders: Vec<(&str, Run)> = if capped {
            vec![
                ("dezai --streams 4", dezai_with(Some("4"))),
                ("dezai --streams 1", dezai_with(Some("1"))),
                ("aria2c -x4 -s4", shell(aria)),
                ("aria2c -x4 -s4 + md5sum + sync", shell(aria_checked)),
            ]
        } else {
            vec![
                ("dezai (default: 4 streams)", dezai_with(None)),
                ("dezai --streams 1", dezai_with(Some("1"))),
                ("curl + sync", shell(curl_synced)),
            ]
        };
        let mut times = vec![Vec::new(); contenders.len()];
        let mut rss = vec![Vec::new(); contenders.len()];
        for round in 0..rounds {
            // Each round starts with another contender, so none always gets the warmer cache.
            for k in 0..contenders.len() {
                let i = (k + round) % contenders.len();
                let (name, run) = &contenders[i];
                let (seconds, kib) = run();
                check(name);
                times[i].push(seconds);
                rss[i].push(kib as f64);
            }
        }
        let mib = SIZE as f64 / (1 << 20) as f64;
        println!(
            "1 GiB, {}, {rounds} rounds, medians:",
            match capped {
                true => "each connection capped at 50 MiB/s",
                false => "no cap (loopback)",
            }
        );
        let first = median(times[0].clone());
        for (i, (name, _)) in contenders.iter().enumerate() {
            let t = median(times[i].clone());
            println!(
                "  {name:<32} {t:7.2} s  {:7.1} MiB/s  peak RSS {:6.1} MiB  ({:.2}x of {})",
                mib / t,
                median(rss[i].clone()) / 1024.0,
                t / first,
                contenders[0].0
            );
        }
    }
}

/// The emulator with the specs, the benchmark's keys and a 1 GiB backup, each download
/// connection capped at `cap` bytes per second.
fn start(runtime: &tokio::runtime::Runtime, cap: Option<u64>) -> Emulator {
    runtime.block_on(async {
        let mut builder = Emulator::builder()
            .specs(Path::new(env!("CARGO_MANIFEST_DIR")).join("specs"))
            .key_pair(KEYS.0, KEYS.1)
            .backups(BackupFile::generated(SIZE).name("bench.bin"));
        if let Some(cap) = cap {
            builder = builder.per_connection_rate(cap);
        }
        builder.start().await.expect("the emulator starts")
    })
}
