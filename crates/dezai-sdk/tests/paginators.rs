//! Paginators of list actions, against the emulator serving a scripted listing: the made-up
//! `ListUDBBackupFiles` (in the published format, with `Offset`/`Limit` in and `TotalCount`
//! and one list out) gets `.into_paginator()`.

use dezai_sdk::ClientExt as _;
use std::sync::Arc;

use dezai_emulator::{Emulator, Script};
use dezai_sdk::serde_json::{Value, json};
use dezai_sdk::{Client, Config, Credentials, RetryPolicy, ret_code};
use futures_util::{StreamExt, TryStreamExt};

mod madeup {
    dezai_macros::product!("tests/fixtures/madeup.json");
}

use madeup::MadeupExt;

const ACTION: &str = "ListUDBBackupFiles";

/// The emulator serving `files` through `Offset` and `Limit` (default page size 2), with
/// `TotalCount` when `total` is set. A request at `fail_at` gets a RetCode error instead.
async fn listing(files: usize, total: bool, fail_at: Option<i64>) -> (Emulator, Client) {
    let emulator = Emulator::builder()
        .spec_json(include_str!("fixtures/madeup.json"))
        .key_pair("pk", "sk")
        .start()
        .await
        .unwrap();
    emulator.script(
        ACTION,
        Script::With(Arc::new(move |params: &[(String, String)]| -> Value {
            let get = |name: &str| {
                params
                    .iter()
                    .find(|(n, _)| n == name)
                    .and_then(|(_, v)| v.parse::<i64>().ok())
            };
            let offset = get("Offset").unwrap_or(0);
            if Some(offset) == fail_at {
                return json!({"RetCode": ret_code::INVALID_PARAMETER, "Message": "the listing changed"});
            }
            let limit = get("Limit").unwrap_or(2);
            let page: Vec<Value> = (offset..(offset + limit).min(files as i64))
                .map(|i| json!({"Name": format!("file-{i}"), "Size": i}))
                .collect();
            let mut answer = json!({"Files": page});
            if total {
                answer["TotalCount"] = json!(files);
            }
            answer
        })),
    );
    let client = Client::new(
        Config::builder()
            .credentials(Credentials::new("pk", "sk"))
            .base_url(emulator.url())
            .region("cn-bj2")
            .retry(RetryPolicy::none())
            .build()
            .unwrap(),
    )
    .unwrap();
    (emulator, client)
}

fn offsets_and_limits(emulator: &Emulator) -> Vec<(Option<String>, Option<String>)> {
    emulator
        .requests()
        .iter()
        .filter(|r| r.param("Action") == Some(ACTION))
        .map(|r| {
            (
                r.param("Offset").map(str::to_owned),
                r.param("Limit").map(str::to_owned),
            )
        })
        .collect()
}

#[tokio::test]
async fn three_pages_then_the_total_count_stops_it() {
    let (emulator, client) = listing(7, true, None).await;
    let pages: Vec<_> = client
        .madeup()
        .list_udb_backup_files("udb-1")
        .into_paginator()
        .page_size(3)
        .try_collect()
        .await
        .unwrap();
    let sizes: Vec<usize> = pages
        .iter()
        .map(|p| p.files.as_ref().map_or(0, Vec::len))
        .collect();
    assert_eq!(sizes, [3, 3, 1]);
    assert_eq!(pages[0].total_count, Some(7));
    let sent = offsets_and_limits(&emulator);
    let want: Vec<(Option<String>, Option<String>)> = [0, 3, 6]
        .iter()
        .map(|o| (Some(o.to_string()), Some("3".to_owned())))
        .collect();
    assert_eq!(sent, want, "no fourth request after TotalCount is reached");
    assert!(
        emulator
            .requests()
            .iter()
            .all(|r| r.param("DBId") == Some("udb-1")),
        "every page keeps the request's own fields"
    );
}

#[tokio::test]
async fn items_come_one_by_one_in_order() {
    let (_emulator, client) = listing(7, true, None).await;
    let names: Vec<String> = client
        .madeup()
        .list_udb_backup_files("udb-1")
        .into_paginator()
        .page_size(3)
        .items()
        .map(|item| item.unwrap().name.unwrap())
        .collect()
        .await;
    let want: Vec<String> = (0..7).map(|i| format!("file-{i}")).collect();
    assert_eq!(names, want);
}

#[tokio::test]
async fn an_exact_multiple_stops_at_the_total_without_an_empty_page() {
    let (emulator, client) = listing(6, true, None).await;
    let items: Vec<_> = client
        .madeup()
        .list_udb_backup_files("udb-1")
        .into_paginator()
        .page_size(3)
        .items()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(items.len(), 6);
    assert_eq!(offsets_and_limits(&emulator).len(), 2);
}

#[tokio::test]
async fn without_a_total_a_short_page_stops_it() {
    let (emulator, client) = listing(5, false, None).await;
    let pages: Vec<_> = client
        .madeup()
        .list_udb_backup_files("udb-1")
        .into_paginator()
        .page_size(2)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(pages.len(), 3, "2 + 2 + 1: the short page is the last");
    assert_eq!(offsets_and_limits(&emulator).len(), 3);
}

#[tokio::test]
async fn the_request_limit_is_the_page_size_and_its_offset_the_start() {
    let (emulator, client) = listing(7, true, None).await;
    let names: Vec<String> = client
        .madeup()
        .list_udb_backup_files("udb-1")
        .offset(4)
        .limit(2)
        .into_paginator()
        .items()
        .map(|item| item.unwrap().name.unwrap())
        .collect()
        .await;
    assert_eq!(names, ["file-4", "file-5", "file-6"]);
    assert_eq!(
        offsets_and_limits(&emulator),
        [
            (Some("4".to_owned()), Some("2".to_owned())),
            (Some("6".to_owned()), Some("2".to_owned()))
        ]
    );
}

#[tokio::test]
async fn an_error_is_yielded_and_ends_the_stream() {
    let (emulator, client) = listing(9, true, Some(3)).await;
    let results: Vec<_> = client
        .madeup()
        .list_udb_backup_files("udb-1")
        .into_paginator()
        .page_size(3)
        .collect()
        .await;
    assert_eq!(results.len(), 2, "one page, then the error, then nothing");
    assert!(results[0].is_ok());
    let error = results[1].as_ref().unwrap_err();
    assert_eq!(error.ret_code(), Some(ret_code::INVALID_PARAMETER));
    assert_eq!(error.action(), ACTION);
    assert!(error.request_id().is_some(), "{error}");
    assert_eq!(offsets_and_limits(&emulator).len(), 2);
}

#[tokio::test]
async fn per_call_settings_apply_to_every_page() {
    let (emulator, client) = listing(4, true, None).await;
    let pages: Vec<_> = client
        .madeup()
        .list_udb_backup_files("udb-1")
        .customize(dezai_sdk::CallOptions::new().region("cn-sh2"))
        .into_paginator()
        .page_size(2)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(pages.len(), 2);
    let regions: Vec<Option<String>> = emulator
        .requests()
        .iter()
        .map(|r| r.param("Region").map(str::to_owned))
        .collect();
    assert_eq!(
        regions,
        [Some("cn-sh2".to_owned()), Some("cn-sh2".to_owned())]
    );
}
