//! Crash safety of `dezai backup sync`: the process is killed (SIGKILL) at random moments while
//! it works, 20 times over, each rerun resuming (a run that finishes first starts the mirror
//! over). After every kill, every copy the manifest lists is whole
//! and verified (a partial file is never in it); at the end, the manifest and the files are
//! those of a run that was never interrupted.

use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, SystemTime, UNIX_EPOCH};
mod common;

use common::{command, dezai, files_under, folder, md5_of, stderr};
use dezai_emulator::{Emulator, World, WorldBackup, WorldInstance};
use dezai_spec::backups::KINDS;
use serde_json::Value;

const KEYS: (&str, &str) = ("crash-public", "crash-private");
const KILLS: usize = 20;

async fn emulator() -> Emulator {
    let kind = &KINDS[0];
    let mut world = World::new();
    for i in 0..6u64 {
        world = world.instance(
            WorldInstance::new(kind.name, &format!("db-{i}"))
                .backup(WorldBackup::new(
                    5_000 + i,
                    1_700_000_000,
                    1_000_000 + 250_000 * i,
                ))
                .backup(WorldBackup::new(6_000 + i, 1_600_000_000, 4_096)),
        );
    }
    common::world_emulator(world, KEYS).await
}

/// The manifest's copies without the time each was copied, sorted, for comparing two runs.
fn copies(dir: &Path) -> Vec<Value> {
    let Ok(text) = std::fs::read_to_string(dir.join("dezai-backups.json")) else {
        return Vec::new();
    };
    let manifest: Value = serde_json::from_str(&text).expect("the manifest is whole JSON");
    let mut copies: Vec<Value> = manifest["copies"].as_array().unwrap().clone();
    for copy in &mut copies {
        copy.as_object_mut().unwrap().remove("copied_at");
    }
    copies.sort_by_key(|c| c["path"].as_str().unwrap().to_owned());
    copies
}

/// Every copy listed is there, whole, with its MD5.
fn listed_are_whole(dir: &Path) -> usize {
    let listed = copies(dir);
    for copy in &listed {
        let file = dir.join(copy["path"].as_str().unwrap());
        let len = std::fs::metadata(&file).map(|m| m.len()).unwrap_or(0);
        assert_eq!(Some(len), copy["size"].as_u64(), "{copy}");
        assert_eq!(md5_of(&file), copy["md5"].as_str().unwrap(), "{copy}");
    }
    listed.len()
}

/// Pseudo-random delays (xorshift), from a seed printed so a failure can be replayed.
struct Delays(u64);

impl Delays {
    fn next(&mut self) -> Duration {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        Duration::from_millis(20 + self.0 % 700)
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_sync_killed_twenty_times_ends_as_one_never_interrupted() {
    let emulator = emulator().await;
    let args = [
        "backup",
        "sync",
        "mirror",
        "--limit-rate",
        "4M",
        "--concurrency",
        "2",
    ];

    let reference = folder("crash-reference");
    let whole = dezai(emulator.url(), &reference, &args, KEYS).await;
    assert!(whole.status.success(), "{}", stderr(&whole));
    let expected = copies(&reference.join("mirror"));
    assert_eq!(expected.len(), 6);

    let seed = std::env::var("CRASH_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| {
            SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .unwrap()
                .as_nanos() as u64
                | 1
        });
    eprintln!("crash seed {seed} (replay with CRASH_SEED={seed})");
    let mut delays = Delays(seed);
    let dir = folder("crash-killed");
    let mut interrupted = 0;
    let mut runs = 0;
    while interrupted < KILLS {
        runs += 1;
        assert!(
            runs < 10 * KILLS,
            "only {interrupted} of {runs} runs were cut short"
        );
        let mut child = command(emulator.url(), &dir, &args, KEYS)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        tokio::time::sleep(delays.next()).await;
        let finished = child.try_wait().unwrap().is_some();
        // SIGKILL: no destructor, no flush, no cleanup runs.
        child.kill().unwrap_or(());
        child.wait().unwrap();
        listed_are_whole(&dir.join("mirror"));
        if finished {
            // Nothing left to interrupt: start the mirror over, so every kill cuts into work.
            std::fs::remove_dir_all(dir.join("mirror")).unwrap();
        } else {
            interrupted += 1;
        }
    }
    let last = dezai(emulator.url(), &dir, &args, KEYS).await;
    assert!(last.status.success(), "{}", stderr(&last));
    assert_eq!(copies(&dir.join("mirror")), expected);
    assert_eq!(listed_are_whole(&dir.join("mirror")), 6);
    // No leftovers: the files are the copies and the manifest, as in the reference.
    assert_eq!(
        files_under(&dir.join("mirror")),
        files_under(&reference.join("mirror"))
    );
}
