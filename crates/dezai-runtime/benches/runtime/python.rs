//! The Python SDK contender (ucloud-sdk-python3 in a scratch virtualenv under `target/`),
//! against the emulator in its own process, sequentially, beside the Rust SDK: compared in
//! client CPU per call (the Python process's own `time.process_time()`, against this process's
//! getrusage for the typed call); the wall-time ratio is bounded by the emulator's latency and
//! given only as context.

use std::time::Duration;

use dezai_runtime::Client;

use crate::apart::{ServerProcess, measure};
use crate::{PRIVATE_KEY, PUBLIC_KEY, median, typed_call};

/// The Python script: one client, warm-up, then sequential calls for the given seconds; prints
/// calls per second and the process's CPU microseconds per call.
const PYTHON_SCRIPT: &str = r#"
import logging, sys, time
from ucloud.client import Client
url, seconds, public, private = sys.argv[1], float(sys.argv[2]), sys.argv[3], sys.argv[4]
logger = logging.getLogger("bench")
logger.setLevel(logging.ERROR)
client = Client({"region": "cn-bj2", "project_id": "org-bench", "base_url": url,
                 "public_key": public, "private_key": private}, logger=logger).udb()
req = {"DBId": "udb-abc123", "BackupId": 1234, "ValidTime": 3600, "Zone": "cn-bj2-04"}
for _ in range(50):
    client.describe_udb_instance_backup_url(req)
calls, start, cpu = 0, time.perf_counter(), time.process_time()
while time.perf_counter() - start < seconds:
    client.describe_udb_instance_backup_url(req)
    calls += 1
print(calls / (time.perf_counter() - start), (time.process_time() - cpu) * 1e6 / calls)
"#;

/// Runs the Python SDK contender when Python and the package can be had; says why not
/// otherwise.
pub(crate) async fn python_contender(server: &ServerProcess, client: &Client, rust_cpu_us: f64) {
    let url = server.url.as_str();
    let Some(python) = python_env() else {
        return;
    };
    let script = python
        .parent()
        .map(|p| p.join("bench_udb.py"))
        .expect("venv");
    std::fs::write(&script, PYTHON_SCRIPT).expect("script");
    let rounds = 3;
    let window = Duration::from_secs(2);
    let (mut python_rates, mut python_cpu, mut rust_rounds) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..rounds {
        let output = tokio::process::Command::new(&python)
            .arg(&script)
            .args([
                url,
                &window.as_secs_f64().to_string(),
                PUBLIC_KEY,
                PRIVATE_KEY,
            ])
            .output()
            .await;
        match output {
            Ok(out) if out.status.success() => {
                let text = String::from_utf8_lossy(&out.stdout);
                let numbers: Vec<f64> = text
                    .split_whitespace()
                    .filter_map(|n| n.parse().ok())
                    .collect();
                match numbers[..] {
                    [rate, cpu] => {
                        python_rates.push(rate);
                        python_cpu.push(cpu);
                    }
                    _ => {
                        println!("Python SDK: skipped (unexpected output: {text})");
                        return;
                    }
                }
            }
            Ok(out) => {
                println!(
                    "Python SDK: skipped (the script failed: {})",
                    String::from_utf8_lossy(&out.stderr)
                        .lines()
                        .last()
                        .unwrap_or("")
                );
                return;
            }
            Err(e) => {
                println!("Python SDK: skipped (cannot run {}: {e})", python.display());
                return;
            }
        }
        rust_rounds.push(measure(server, 1, window, typed_call(client)).await);
    }
    let python_rate = median(python_rates);
    let python_cpu = median(python_cpu);
    let rust_rate = median(rust_rounds.iter().map(|r| r.rate()).collect());
    let rust_cpu = median(rust_rounds.iter().map(|r| r.client_us()).collect());
    println!(
        "Python SDK (ucloud-sdk-python3) vs Rust SDK, sequential against the emulator in another process, median of {rounds} interleaved {}-s rounds:\n   client CPU per call: Python {python_cpu:.0} us, Rust client.send {rust_cpu:.1} us: Python spends {:.0}x the CPU (the section above measured {rust_cpu_us:.1} us for Rust)\n   wall, as context (bounded by the emulator's latency): Python {python_rate:.0} calls/s, Rust {rust_rate:.0} calls/s ({:.1}x)",
        window.as_secs(),
        python_cpu / rust_cpu,
        rust_rate / python_rate,
    );
}

/// A Python interpreter with ucloud-sdk-python3, in a virtualenv under `target/` made on first
/// use; `None` (after saying why) when Python or the package is not to be had.
fn python_env() -> Option<std::path::PathBuf> {
    let python = std::env::var("PYTHON").unwrap_or_else(|_| "python3".into());
    if python == "none" {
        println!("Python SDK: skipped (PYTHON=none)");
        return None;
    }
    let venv = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/bench-python");
    let bin = venv.join("bin/python");
    let has_sdk = |bin: &std::path::Path| {
        std::process::Command::new(bin)
            .args(["-c", "import ucloud.client"])
            .output()
            .is_ok_and(|o| o.status.success())
    };
    if !has_sdk(&bin) {
        let made = std::process::Command::new(&python)
            .args(["-m", "venv"])
            .arg(&venv)
            .output();
        if !made.as_ref().is_ok_and(|o| o.status.success()) {
            println!("Python SDK: skipped (no Python: `{python} -m venv` failed)");
            return None;
        }
        let installed = std::process::Command::new(&bin)
            .args(["-m", "pip", "install", "--quiet", "ucloud-sdk-python3"])
            .output();
        if !installed.as_ref().is_ok_and(|o| o.status.success()) || !has_sdk(&bin) {
            println!(
                "Python SDK: skipped (`pip install ucloud-sdk-python3` failed: no network or no PyPI?)"
            );
            return None;
        }
    }
    Some(bin)
}
