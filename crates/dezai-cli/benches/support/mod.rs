//! What the `dezai backup sync` benchmarks share: a world of instances of the table's first
//! kind, the emulator serving it, the URLs its URL action gives (for the peers), and a command
//! timed under `/usr/bin/time`.
#![allow(dead_code, unreachable_pub)]

use std::path::Path;
use std::process::Command;

use dezai_emulator::{Emulator, World, WorldBackup, WorldInstance};
use dezai_http::ClientExt as _;
use serde_json::json;

pub const KEYS: (&str, &str) = ("bench-public", "bench-private");

/// Runs a command under `/usr/bin/time` with the emulator's settings and `env`: (seconds, peak
/// RSS KiB).
pub fn timed_with(url: &str, program: &str, args: &[&str], env: &[(&str, String)]) -> (f64, u64) {
    let mut command = under_time(program, args);
    command
        .env("DEZAI_BASE_URL", url)
        .env("DEZAI_PUBLIC_KEY", KEYS.0)
        .env("DEZAI_PRIVATE_KEY", KEYS.1)
        .env("DEZAI_REGION", "cn-bj2")
        .env("DEZAI_ZONE", "cn-bj2-04")
        .envs(env.iter().map(|(k, v)| (k, v)));
    measure(program, command)
}

/// Runs a command under `/usr/bin/time` as it is: (seconds, peak RSS KiB).
pub fn timed_bare(program: &str, args: &[&str]) -> (f64, u64) {
    measure(program, under_time(program, args))
}

fn under_time(program: &str, args: &[&str]) -> Command {
    let mut command = Command::new("/usr/bin/time");
    command.args(["-f", "%e %M", program]).args(args);
    command
}

/// Runs it, which must succeed, and reads `/usr/bin/time`'s last line.
fn measure(program: &str, mut command: Command) -> (f64, u64) {
    let output = command.output().expect("/usr/bin/time runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{program}: {stderr}");
    let last = stderr.lines().last().unwrap_or_default();
    let mut parts = last.split_whitespace();
    let seconds = parts
        .next()
        .and_then(|s| s.parse().ok())
        .unwrap_or(f64::NAN);
    (
        seconds,
        parts.next().and_then(|s| s.parse().ok()).unwrap_or(0),
    )
}

/// [`timed_with`] without more environment.
pub fn timed(url: &str, program: &str, args: &[&str]) -> (f64, u64) {
    timed_with(url, program, args, &[])
}

pub fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

/// `count` instances of the table's first kind, `db-00000` on, one backup of `size` each.
pub fn world(count: usize, size: u64) -> World {
    let kind = &dezai_spec::backups::KINDS[0];
    (0..count).fold(World::new(), |world, i| {
        world.instance(
            WorldInstance::new(kind.name, &format!("db-{i:05}")).backup(WorldBackup::new(
                100_000 + i as u64,
                1_700_000_000,
                size,
            )),
        )
    })
}

pub fn start(runtime: &tokio::runtime::Runtime, world: World) -> Emulator {
    runtime.block_on(async {
        Emulator::builder()
            .specs(Path::new(env!("CARGO_MANIFEST_DIR")).join("specs"))
            .key_pair(KEYS.0, KEYS.1)
            .world(world)
            .start()
            .await
            .expect("the emulator starts")
    })
}

/// The URL the URL action gives for each of the first `count` instances of [`world`].
pub fn urls(runtime: &tokio::runtime::Runtime, emulator: &Emulator, count: usize) -> Vec<String> {
    let client = dezai_runtime::Client::new(
        dezai_runtime::Config::builder()
            .credentials(dezai_runtime::Credentials::new(KEYS.0, KEYS.1))
            .base_url(emulator.url())
            .region("cn-bj2")
            .build()
            .expect("config"),
    )
    .expect("client");
    let kind = &dezai_spec::backups::KINDS[0];
    runtime.block_on(async {
        let mut urls = Vec::new();
        for i in 0..count {
            let mut params = serde_json::Map::new();
            params.insert(kind.download.id.into(), json!(100_000 + i));
            if let Some(instance) = kind.download.instance {
                params.insert(instance.into(), json!(format!("db-{i:05}")));
            }
            let answer = client
                .invoke(kind.download.action, serde_json::Value::Object(params))
                .await
                .expect("the URL action answers");
            let link = dezai_spec::download::links_in_answer(
                answer.as_object().expect("object"),
                dezai_spec::download::Network::Internet,
            )
            .into_iter()
            .next()
            .expect("a URL");
            urls.push(link.url);
        }
        urls
    })
}
