//! `dezai backup sync s3://bucket/prefix` into a real S3 server on loopback (`rclone serve s3`,
//! installed by `.ci/test-tools`), the emulator's world serving the backups:
//!
//! 1. 20 instances with 200 MiB backups (`BUCKET_BIG_MIB`) at `--concurrency 4`, against
//!    `rclone copyurl` of the same URLs into the same server, four at a time (`xargs -P 4`):
//!    what these users reach for. Alternating, three rounds (`BUCKET_ROUNDS`); dezai's peak
//!    RSS. dezai also checks each copy's MD5 against the service's; rclone does not.
//! 2. 1,000 instances (`BUCKET_INSTANCES`) with 4 KiB backups: the first run, and a second
//!    with nothing new.
//! 3. One 1 GiB backup (`BUCKET_CAPPED_MIB`) with each download connection capped at 50 MiB/s
//!    as object storage caps it: `--streams 4` (each part a ranged download) against
//!    `--streams 1`, alternating, two rounds (`BUCKET_ROUNDS`); peak RSS.
//!
//! `BUCKET_ONLY=fleet|big|capped` runs one of them.
//! Run with `cargo bench -p dezai-cli --bench bucket`; prints medians and ratios, no assertions.
//! Skipped, with a message, where `/usr/bin/time` is missing.

use std::path::Path;

mod support;

#[path = "../../dezai-backups/tests/support/s3.rs"]
mod s3;

use support::{median, start, timed_with, urls, world};

fn number(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// The bucket (rclone's client wants names of 3 characters or more).
const BUCKET: &str = "dezai-bench";

/// The environment that makes `dst:` a remote of rclone for the server.
fn rclone_env(server: &s3::S3Server, scratch: &Path) -> Vec<(&'static str, String)> {
    let mut env = server.env();
    env.extend([
        (
            "RCLONE_CONFIG",
            scratch.join("rclone.conf").display().to_string(),
        ),
        ("RCLONE_CONFIG_DST_TYPE", "s3".into()),
        ("RCLONE_CONFIG_DST_PROVIDER", "Other".into()),
        ("RCLONE_CONFIG_DST_ENDPOINT", server.endpoint().into()),
        ("RCLONE_CONFIG_DST_ACCESS_KEY_ID", s3::ACCESS_KEY.into()),
        ("RCLONE_CONFIG_DST_SECRET_ACCESS_KEY", s3::SECRET_KEY.into()),
        ("RCLONE_CONFIG_DST_REGION", "us-east-1".into()),
        ("RCLONE_CONFIG_DST_FORCE_PATH_STYLE", "true".into()),
    ]);
    env
}

/// Removes everything under `prefix` through the S3 API (the server caches its folder's
/// listings, so its files are not removed behind its back).
fn empty(prefix: &str, env: &[(&'static str, String)]) {
    let status = std::process::Command::new(s3::rclone())
        .args(["purge", &format!("dst:{BUCKET}/{prefix}")])
        .envs(env.iter().map(|(k, v)| (k, v)))
        .stderr(std::process::Stdio::null())
        .status()
        .expect("rclone runs");
    // A prefix with nothing under it is already empty.
    let _ = status;
}

fn big(runtime: &tokio::runtime::Runtime, server: &s3::S3Server, scratch: &Path) {
    let mib = number("BUCKET_BIG_MIB", 200) as u64;
    let (count, rounds) = (20, number("BUCKET_ROUNDS", 3));
    let emulator = start(runtime, world(count, mib << 20));
    let lines: Vec<String> = urls(runtime, &emulator, count)
        .into_iter()
        .enumerate()
        .map(|(i, url)| format!("{url} copy-{i}"))
        .collect();
    let list = scratch.join("urls.txt");
    std::fs::write(&list, lines.join("\n")).expect("the URL list");
    let rclone = s3::rclone().display().to_string();
    let env = rclone_env(server, scratch);
    let dezai = env!("CARGO_BIN_EXE_dezai");
    let (mut ours, mut theirs, mut rss) = (vec![], vec![], vec![]);
    for round in 0..rounds {
        for dezai_first in [round % 2 == 0, round % 2 != 0] {
            empty("dezai", &env);
            empty("rclone", &env);
            if dezai_first {
                let args = [
                    "backup",
                    "sync",
                    "s3://dezai-bench/dezai",
                    "--concurrency",
                    "4",
                    "--json",
                ];
                let (s, kib) = timed_with(emulator.url(), dezai, &args, &env);
                ours.push(s);
                rss.push(kib as f64 / 1024.0);
            } else {
                let script = format!(
                    "xargs -P 4 -L 1 sh -c 'exec \"{rclone}\" copyurl \"$0\" \"dst:dezai-bench/rclone/$1\"' < '{}'",
                    list.display()
                );
                let (s, _) = timed_with(emulator.url(), "sh", &["-c", &script], &env);
                theirs.push(s);
            }
        }
    }
    empty("dezai", &env);
    empty("rclone", &env);
    let total = (mib * count as u64) as f64;
    let (d, r) = (median(ours.clone()), median(theirs.clone()));
    println!("{count} × {mib} MiB into the S3 server at concurrency 4, {rounds} rounds, medians");
    println!(
        "dezai backup sync s3://:     {d:.2} s ({:.0} MiB/s), peak RSS {:.1} MiB  {ours:?} {rss:?}",
        total / d,
        median(rss.clone())
    );
    println!(
        "rclone copyurl (xargs -P 4): {r:.2} s ({:.0} MiB/s)  {theirs:?}",
        total / r
    );
    println!("throughput ratio dezai/rclone: {:.2}x", r / d);
}

fn fleet(runtime: &tokio::runtime::Runtime, server: &s3::S3Server, scratch: &Path) {
    let count = number("BUCKET_INSTANCES", 1000);
    let emulator = start(runtime, world(count, 4096));
    let dezai = env!("CARGO_BIN_EXE_dezai");
    let env = rclone_env(server, scratch);
    for run in ["first run", "nothing new"] {
        let before = emulator.requests().len();
        let args = ["backup", "sync", "s3://dezai-bench/fleet", "--json"];
        let (seconds, kib) = timed_with(emulator.url(), dezai, &args, &env);
        let calls = emulator.requests().len() - before;
        println!(
            "{count:>5} instances into the bucket, {run:<11}: {seconds:.2} s, {calls} API calls, peak RSS {:.1} MiB",
            kib as f64 / 1024.0
        );
    }
    empty("fleet", &env);
}

fn capped(runtime: &tokio::runtime::Runtime, server: &s3::S3Server, scratch: &Path) {
    let mib = number("BUCKET_CAPPED_MIB", 1024) as u64;
    let rounds = number("BUCKET_ROUNDS", 2);
    let emulator = runtime.block_on(async {
        dezai_emulator::Emulator::builder()
            .specs(Path::new(env!("CARGO_MANIFEST_DIR")).join("specs"))
            .key_pair(support::KEYS.0, support::KEYS.1)
            .world(world(1, mib << 20))
            .per_connection_rate(50 << 20)
            .start()
            .await
            .expect("the emulator starts")
    });
    let env = rclone_env(server, scratch);
    let dezai = env!("CARGO_BIN_EXE_dezai");
    let mut figures: Vec<(&str, Vec<f64>, Vec<f64>)> = vec![
        ("--streams 4", vec![], vec![]),
        ("--streams 1", vec![], vec![]),
    ];
    for round in 0..rounds {
        for k in 0..figures.len() {
            let i = (k + round) % figures.len();
            empty("capped", &env);
            let streams = &figures[i].0["--streams ".len()..];
            let args = [
                "backup",
                "sync",
                "s3://dezai-bench/capped",
                "--streams",
                streams,
                "--json",
            ];
            let (s, kib) = timed_with(emulator.url(), dezai, &args, &env);
            figures[i].1.push(s);
            figures[i].2.push(kib as f64 / 1024.0);
        }
    }
    empty("capped", &env);
    println!(
        "1 × {mib} MiB into the S3 server, each download connection capped at 50 MiB/s, {rounds} rounds, medians"
    );
    let first = median(figures[0].1.clone());
    for (name, times, rss) in &figures {
        let t = median(times.clone());
        println!(
            "dezai backup sync s3:// {name}: {t:.2} s ({:.0} MiB/s), peak RSS {:.1} MiB ({:.2}x of --streams 4)",
            mib as f64 / t,
            median(rss.clone()),
            t / first
        );
    }
}

fn main() {
    if !Path::new("/usr/bin/time").exists() {
        println!("bucket benchmark skipped: needs /usr/bin/time");
        return;
    }
    let runtime = tokio::runtime::Runtime::new().expect("a runtime");
    let scratch = tempfile::tempdir().expect("a scratch folder");
    let server = s3::S3Server::start(&[BUCKET]);
    let only = std::env::var("BUCKET_ONLY").unwrap_or_default();
    let wanted = |name: &str| only.is_empty() || only == name;
    if wanted("fleet") {
        fleet(&runtime, &server, scratch.path());
    }
    if wanted("big") {
        big(&runtime, &server, scratch.path());
    }
    if wanted("capped") {
        capped(&runtime, &server, scratch.path());
    }
}
