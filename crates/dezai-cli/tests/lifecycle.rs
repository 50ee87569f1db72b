//! A resource's life through `dezai invoke`, against the emulator as the binary starts without
//! flags (the documents' examples' world): a UDB instance created with the configured zone
//! (as its typed command sends it) is described by its new id
//! with the name given, stops to `Shutoff` after a wait, and once deleted a listing filtered by
//! its id answers RetCode 0 and nothing.

use std::time::{Duration, Instant};

mod common;

use common::{dezai, stderr};
use serde_json::Value;

const KEYS: (&str, &str) = ("life-public", "life-private");

#[tokio::test(flavor = "multi_thread")]
async fn an_instance_is_created_described_stopped_and_deleted_through_invoke() {
    let names = common::spec_names();
    let has = |a: &str| names.iter().any(|(_, n)| n == a);
    if !["CreateUDBInstance", "StopUDBInstance", "DeleteUDBInstance"]
        .iter()
        .all(|a| has(a))
    {
        return;
    }
    let emulator = dezai_emulator::Emulator::builder()
        .specs(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("specs"))
        .key_pair(KEYS.0, KEYS.1)
        .example_world(Duration::from_millis(300))
        .start()
        .await
        .unwrap();
    let scratch = tempfile::tempdir().unwrap();
    let invoke = |args: Vec<String>| {
        let url = emulator.url().to_owned();
        let dir = scratch.path().to_owned();
        async move {
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            let output = dezai(&url, &dir, &args, KEYS).await;
            assert!(output.status.success(), "{}", stderr(&output));
            serde_json::from_slice::<Value>(&output.stdout).unwrap()
        }
    };
    let args = |list: &[&str]| {
        let mut all = vec!["invoke".to_owned()];
        all.extend(list.iter().map(|s| (*s).to_owned()));
        all
    };
    let created = invoke(args(&[
        "CreateUDBInstance",
        "Name=orders",
        "AdminPassword=pw",
        "DBTypeId=mysql-8.0",
        "Port=3306",
        "DiskSpace=20",
        "ParamGroupId=1",
    ]))
    .await;
    let id = created["DBId"].as_str().unwrap().to_owned();
    let by_id = format!("DBId={id}");
    let described = invoke(args(&["DescribeUDBInstance", &by_id])).await;
    assert_eq!(described["DataSet"][0]["Name"], "orders", "{described}");
    assert_eq!(described["DataSet"][0]["DBId"], id.as_str());

    invoke(args(&["StopUDBInstance", &by_id])).await;
    let started = Instant::now();
    loop {
        let state = invoke(args(&["DescribeUDBInstanceState", &by_id])).await;
        if state["State"] == "Shutoff" {
            break;
        }
        assert!(started.elapsed() < Duration::from_secs(10), "{state}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    invoke(args(&["DeleteUDBInstance", &by_id])).await;
    let after = invoke(args(&["DescribeUDBInstance", &by_id])).await;
    assert_eq!(after["RetCode"], 0);
    assert_eq!(after["DataSet"], serde_json::json!([]), "{after}");
}
