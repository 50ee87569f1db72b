//! What `dezai` prints, against the emulator: `--output json|yaml|table|text` on a listing and on a
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
    // One value per line, as `while read` and `xargs` take them.
    assert_eq!(stdout(&running).trim(), "web\ncache");

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

/// `DescribeUDBInstance` answering `count` instances, at most 100 a page whatever `Limit` asks.
async fn paged(count: usize) -> Emulator {
    let emulator = emulator().await;
    emulator.script(
        "DescribeUDBInstance",
        Script::With(std::sync::Arc::new(move |params: &[(String, String)]| {
            let get = |name: &str| {
                params
                    .iter()
                    .find(|(n, _)| n == name)
                    .and_then(|(_, v)| v.parse::<usize>().ok())
            };
            let (offset, limit) = (get("Offset").unwrap_or(0), get("Limit").unwrap_or(20).min(100));
            let page: Vec<Value> = (offset..count.min(offset + limit))
                .map(|i| json!({"DBId": format!("udb-{i:03}"), "State": if i % 2 == 0 { "Running" } else { "Stopped" }}))
                .collect();
            json!({"DataSet": page, "TotalCount": count})
        })),
    );
    emulator
}

#[tokio::test(flavor = "multi_thread")]
async fn a_paged_listing_is_fetched_whole_unless_told_otherwise() {
    let emulator = paged(250).await;
    let dir = folder("output-pages");
    let list = |flags: &'static [&'static str]| {
        let mut args = vec!["udb", "describe-udb-instance", "--class-type", "SQL"];
        args.extend(flags);
        let (url, dir) = (emulator.url().to_owned(), dir.clone());
        async move { dezai(&url, &dir, &args, KEYS).await }
    };
    let pages = |emulator: &Emulator| {
        let requests = emulator.requests();
        requests
            .iter()
            .filter(|r| r.param("Action") == Some("DescribeUDBInstance"))
            .count()
    };

    let whole = list(&[]).await;
    assert!(whole.status.success(), "{}", stderr(&whole));
    let answer: Value = serde_json::from_slice(&whole.stdout).unwrap();
    assert_eq!(answer["DataSet"].as_array().unwrap().len(), 250);
    assert_eq!(answer["DataSet"][249]["DBId"], "udb-249");
    assert_eq!(answer["TotalCount"], 250);
    assert_eq!(pages(&emulator), 3, "100 + 100 + 50");

    // The query applies to the merged answer.
    let running = list(&["--query", "length(DataSet[?State=='Running'])"]).await;
    assert_eq!(stdout(&running).trim(), "125");

    let some = list(&["--max-items", "120"]).await;
    let answer: Value = serde_json::from_slice(&some.stdout).unwrap();
    assert_eq!(answer["DataSet"].as_array().unwrap().len(), 120);
    assert_eq!(pages(&emulator), 3 + 3 + 2, "two pages for 120 items");

    let one = list(&["--no-paginate", "--limit", "30"]).await;
    let answer: Value = serde_json::from_slice(&one.stdout).unwrap();
    assert_eq!(answer["DataSet"].as_array().unwrap().len(), 30);
    assert_eq!(pages(&emulator), 3 + 3 + 2 + 1, "one request");
}

#[tokio::test(flavor = "multi_thread")]
async fn an_api_error_is_one_line_or_one_json_object() {
    let emulator = emulator().await;
    let dir = folder("output-errors");
    emulator.fault(LISTING, dezai_emulator::Fault::RetCode(8_765), 2);
    let line = print(&emulator, &dir, LISTING, &[]).await;
    assert_eq!(line.status.code(), Some(3));
    let message = stderr(&line);
    assert_eq!(message.trim().lines().count(), 1, "{message}");
    for part in [
        LISTING,
        "RetCode 8765",
        "rehearsed failure",
        "request id emu-",
        "region cn-bj2",
    ] {
        assert!(message.contains(part), "{part}: {message}");
    }
    let json_line = print(&emulator, &dir, LISTING, &["--output", "json"]).await;
    assert_eq!(json_line.status.code(), Some(3));
    let error: Value = serde_json::from_str(stderr(&json_line).trim()).unwrap();
    let error = &error["error"];
    assert_eq!(error["action"], LISTING);
    assert_eq!(error["ret_code"], 8765);
    assert_eq!(error["message"], "rehearsed failure");
    assert_eq!(error["region"], "cn-bj2");
    assert!(error["request_id"].as_str().unwrap().starts_with("emu-"));
    assert_eq!(error["exit_code"], 3);
}

#[tokio::test(flavor = "multi_thread")]
async fn errors_follow_the_profile_output_too_and_every_command_reports_alike() {
    let emulator = emulator().await;
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    let config = dir.join(".dezai");
    std::fs::create_dir_all(&config).unwrap();
    std::fs::write(
        config.join("config.json"),
        r#"[{"profile": "default", "active": true, "output": "json"}]"#,
    )
    .unwrap();
    emulator.fault(LISTING, dezai_emulator::Fault::RetCode(8_765), 1);
    let failed = print(&emulator, dir, LISTING, &[]).await;
    assert_eq!(failed.status.code(), Some(3));
    let error: Value = serde_json::from_str(stderr(&failed).trim()).expect("a JSON error");
    assert_eq!(error["error"]["ret_code"], 8765);
    assert_eq!(error["error"]["action"], LISTING);
    // Not only calls: a backup command's failure, and a usage error, print as JSON too.
    std::fs::write(dir.join("a-file"), "not a folder").unwrap();
    let args = ["backup", "verify", "a-file", "--wait-lock", "1s"];
    let missing = dezai(emulator.url(), dir, &args, KEYS).await;
    assert_eq!(missing.status.code(), Some(1));
    let error: Value = serde_json::from_str(stderr(&missing).trim()).expect("a JSON error");
    assert!(
        error["error"]["message"]
            .as_str()
            .unwrap()
            .contains("a-file"),
        "{error}"
    );
    assert_eq!(error["error"]["exit_code"], 1);
    // The flag wins over the profile.
    emulator.fault(LISTING, dezai_emulator::Fault::RetCode(8_765), 1);
    let plain = print(&emulator, dir, LISTING, &["--output", "table"]).await;
    assert!(stderr(&plain).starts_with("error: "), "{}", stderr(&plain));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_filled_skeleton_sends_the_request_the_flags_send() {
    let emulator = emulator().await;
    let dir = folder("output-skeleton");
    let command = ["udb", "describe-udb-instance-backup-url"];
    let skeleton = dezai(
        emulator.url(),
        &dir,
        &[command[0], command[1], "--generate-skeleton"],
        KEYS,
    )
    .await;
    assert!(skeleton.status.success(), "{}", stderr(&skeleton));
    let mut skeleton: Value = serde_json::from_slice(&skeleton.stdout).unwrap();
    assert_eq!(skeleton["BackupId"], "<int, required>");
    assert_eq!(skeleton["ValidTime"], "<int>");
    skeleton["BackupId"] = json!(1234);
    skeleton["DBId"] = json!("udb-1");
    std::fs::write(dir.join("request.json"), skeleton.to_string()).unwrap();

    let recorded = |emulator: &Emulator| {
        let last = emulator.requests().pop().unwrap();
        let mut params: Vec<(String, String)> = last
            .params
            .into_iter()
            .filter(|(k, _)| !matches!(k.as_str(), "Signature" | "PublicKey"))
            .collect();
        params.sort();
        params
    };
    let by_flags = dezai(
        emulator.url(),
        &dir,
        &[
            command[0],
            command[1],
            "--db-id",
            "udb-1",
            "--backup-id",
            "1234",
        ],
        KEYS,
    )
    .await;
    assert!(by_flags.status.success(), "{}", stderr(&by_flags));
    let from_flags = recorded(&emulator);
    let by_file = dezai(
        emulator.url(),
        &dir,
        &[command[0], command[1], "--input-json", "request.json"],
        KEYS,
    )
    .await;
    assert!(by_file.status.success(), "{}", stderr(&by_file));
    assert_eq!(recorded(&emulator), from_flags);

    // A flag given wins over the file; a required parameter missing from both is a usage error.
    let _ = dezai(
        emulator.url(),
        &dir,
        &[
            command[0],
            command[1],
            "--input-json",
            "request.json",
            "--db-id",
            "udb-2",
        ],
        KEYS,
    )
    .await;
    assert!(recorded(&emulator).contains(&("DBId".into(), "udb-2".into())));
    std::fs::write(
        dir.join("partial.json"),
        r#"{"DBId": "udb-1", "BackupId": "<int, required>"}"#,
    )
    .unwrap();
    let before = emulator.requests().len();
    let partial = dezai(
        emulator.url(),
        &dir,
        &[command[0], command[1], "--input-json", "partial.json"],
        KEYS,
    )
    .await;
    assert_eq!(partial.status.code(), Some(2), "{}", stderr(&partial));
    assert!(
        stderr(&partial).contains("--backup-id"),
        "{}",
        stderr(&partial)
    );
    assert_eq!(emulator.requests().len(), before, "nothing sent");
}

#[tokio::test(flavor = "multi_thread")]
async fn backup_list_takes_the_output_and_the_query_too() {
    let emulator = emulator().await;
    let dir = folder("output-backup-list");
    let list = |flags: &'static [&'static str]| {
        let mut args = vec!["backup", "list", "udb", "--db-id", "udb-1"];
        args.extend(flags);
        let (url, dir) = (emulator.url().to_owned(), dir.clone());
        async move { dezai(&url, &dir, &args, KEYS).await }
    };
    // The document's example lists two completed backups; the newest is 296133.
    let ids = list(&[
        "--output",
        "text",
        "--query",
        "[?completed].[id, state] | [:1]",
    ])
    .await;
    assert!(ids.status.success(), "{}", stderr(&ids));
    assert_eq!(stdout(&ids).trim(), "296133\tSuccess");
    let before = emulator.requests().len();
    let bad = list(&["--query", "[?"]).await;
    assert_eq!(bad.status.code(), Some(2), "{}", stderr(&bad));
    assert_eq!(emulator.requests().len(), before, "no request sent");
}
