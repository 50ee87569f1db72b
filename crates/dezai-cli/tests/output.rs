//! What `dezai` prints, against the emulator: `--output json|table|text` on a listing and on a
//! single object, `--query` (a field of every item, a filter with the literal people copy from
//! aws-cli, a bad expression refused before any request), and the profile's `output` key as the
//! default.

use std::path::Path;

mod common;

use common::{dezai, folder, stderr};
use dezai_emulator::{Emulator, Script};
use serde_json::{Value, json};

const KEYS: (&str, &str) = ("output-public", "output-private");
const LISTING: &str = "DescribeFixtureServers";
const SINGLE: &str = "DescribeFixtureServer";

async fn emulator() -> Emulator {
    let emulator = Emulator::builder()
        .specs(Path::new(env!("CARGO_MANIFEST_DIR")).join("specs"))
        .key_pair(KEYS.0, KEYS.1)
        .start()
        .await
        .unwrap();
    emulator.script(
        LISTING,
        Script::Json(json!({"DataSet": [
            {"Name": "web", "State": "Running", "Port": 80},
            {"Name": "db", "State": "Stopped", "Port": 5432},
            {"Name": "cache", "State": "Running", "Port": 6379}
        ], "TotalCount": 3})),
    );
    emulator.script(
        SINGLE,
        Script::Json(json!({"Name": "web", "State": "Running"})),
    );
    emulator
}

async fn print(
    emulator: &Emulator,
    dir: &Path,
    action: &str,
    flags: &[&str],
) -> std::process::Output {
    let mut args = vec!["invoke", action];
    args.extend(flags);
    dezai(emulator.url(), dir, &args, KEYS).await
}

fn stdout(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

#[tokio::test(flavor = "multi_thread")]
async fn each_format_prints_a_listing_and_a_single_object() {
    let emulator = emulator().await;
    let dir = folder("output-formats");

    let json_out = print(&emulator, &dir, LISTING, &["--output", "json"]).await;
    let parsed: Value = serde_json::from_slice(&json_out.stdout).unwrap();
    assert_eq!(parsed["DataSet"][1]["Name"], "db");

    let table = stdout(&print(&emulator, &dir, LISTING, &["--output", "table"]).await);
    let lines: Vec<&str> = table.lines().collect();
    assert_eq!(lines.len(), 4, "{table}");
    assert_eq!(
        lines[0].split_whitespace().collect::<Vec<_>>(),
        ["Name", "Port", "State"]
    );
    assert_eq!(
        lines[2].split_whitespace().collect::<Vec<_>>(),
        ["db", "5432", "Stopped"]
    );
    // Aligned: each column starts at the same place on every line.
    let at = |line: &str| line.find(char::is_numeric).or_else(|| line.find("Port"));
    assert!(lines.iter().all(|l| at(l) == at(lines[0])), "{table}");

    let text = stdout(
        &print(
            &emulator,
            &dir,
            LISTING,
            &["--output", "text", "--query", "DataSet"],
        )
        .await,
    );
    assert_eq!(text.lines().nth(1), Some("db\t5432\tStopped"), "{text}");

    let single = stdout(&print(&emulator, &dir, SINGLE, &["--output", "table"]).await);
    assert!(
        single
            .lines()
            .any(|l| l.split_whitespace().eq(["State", "Running"])),
        "{single}"
    );
    let single = stdout(
        &print(
            &emulator,
            &dir,
            SINGLE,
            &["--output", "text", "--query", "State"],
        )
        .await,
    );
    assert_eq!(single.trim(), "Running");
}

#[tokio::test(flavor = "multi_thread")]
async fn queries_select_and_filter_and_a_bad_one_sends_nothing() {
    let emulator = emulator().await;
    let dir = folder("output-query");
    let names = print(&emulator, &dir, LISTING, &["--query", "DataSet[].Name"]).await;
    assert_eq!(
        serde_json::from_slice::<Value>(&names.stdout).unwrap(),
        json!(["web", "db", "cache"])
    );
    let running = print(
        &emulator,
        &dir,
        LISTING,
        &[
            "--query",
            "DataSet[?State==`Running`].Name",
            "--output",
            "text",
        ],
    )
    .await;
    assert_eq!(stdout(&running).trim(), "web\tcache");

    let before = emulator.requests().len();
    let bad = print(&emulator, &dir, LISTING, &["--query", "DataSet[?"]).await;
    assert_eq!(bad.status.code(), Some(2), "{}", stderr(&bad));
    assert!(stderr(&bad).contains("JMESPath"), "{}", stderr(&bad));
    assert_eq!(emulator.requests().len(), before, "no request sent");
}

#[tokio::test(flavor = "multi_thread")]
async fn the_profile_output_key_is_the_default_and_the_flag_wins() {
    let emulator = emulator().await;
    let dir = folder("output-profile");
    let config = dir.join(".dezai");
    std::fs::create_dir_all(&config).unwrap();
    std::fs::write(
        config.join("config.json"),
        r#"[{"profile": "default", "active": true, "output": "text"}]"#,
    )
    .unwrap();
    let text = print(&emulator, &dir, SINGLE, &["--query", "Name"]).await;
    assert_eq!(stdout(&text).trim(), "web", "{}", stderr(&text));
    let json_out = print(
        &emulator,
        &dir,
        SINGLE,
        &["--query", "Name", "--output", "json"],
    )
    .await;
    assert_eq!(stdout(&json_out).trim(), "\"web\"");
}
