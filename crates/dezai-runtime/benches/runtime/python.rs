//! The Python SDK contender (ucloud-sdk-python3 in a scratch virtualenv under `target/`),
//! against the emulator, sequentially, beside the Rust SDK.

use std::time::Duration;

use dezai_runtime::Client;

use crate::{PRIVATE_KEY, PUBLIC_KEY, median, rate, typed_call};

/// The Python script: one client, warm-up, then sequential calls for the given seconds; prints
/// calls per second.
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
calls, start = 0, time.perf_counter()
while time.perf_counter() - start < seconds:
    client.describe_udb_instance_backup_url(req)
    calls += 1
print(calls / (time.perf_counter() - start))
"#;

/// Runs the Python SDK contender when Python and the package can be had; says why not
/// otherwise.
pub(crate) async fn python_contender(url: &str, client: &Client, rust_rate: f64) {
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
    let (mut python_rates, mut rust_rates) = (Vec::new(), Vec::new());
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
                match text.trim().parse::<f64>() {
                    Ok(rate) => python_rates.push(rate),
                    Err(_) => {
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
        rust_rates.push(rate(1, window, typed_call(client)).await);
    }
    let (python_rate, rust) = (median(python_rates), median(rust_rates));
    println!(
        "Python SDK (ucloud-sdk-python3) vs Rust SDK, sequential against the emulator, median of {rounds} interleaved {}-s rounds:\n   Python {python_rate:.0} calls/s, Rust client.send {rust:.0} calls/s: Rust {:.1}x faster (the earlier section's 1-caller figure: {rust_rate:.0} calls/s)",
        window.as_secs(),
        rust / python_rate,
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
