//! `cargo xtask import` as a maintainer runs it: the real binary, on a made-up checkout of the
//! publisher's repository (site pages, shared pages, index pages, a `vpc2.0-api` folder,
//! documents in both heading languages, an action documented twice) and a scratch docs folder.

mod common;

use std::path::{Path, PathBuf};
use std::process::Output;

use common::{scratch, text};

/// A made-up action document with English headings.
fn english(action: &str, field: &str) -> String {
    format!(
        "# Do a made-up thing - {action}\n\n## Overview\n\nMade up for the import test.\n\n## Definition\n\n### Request Parameters\n\n| Parameter Name | Type | Description Information | Required |\n|:---|:---|:---|:---|\n| **Region** | string | Region. | **Yes** |\n\n### Response Field\n\n| Field Name | Type | Description Information | Required |\n|:---|:---|:---|:---|\n| **RetCode** | int | Return status code. | **Yes** |\n| **Action** | string | Operation command name. | **Yes** |\n| **{field}** | string | A field. | No |\n"
    )
}

/// A made-up action document with the originals' Chinese headings.
fn chinese(action: &str) -> String {
    format!(
        "# 创建资源-{action}\n\n## 简介\n\n创建一个资源。\n\n## 定义\n\n### 公共参数\n\n| 参数名 | 类型 | 描述信息 | 必填 |\n|:---|:---|:---|:---|\n| **Action** | string | 对应的 API 指令名称，当前 API 为 `{action}` | **Yes** |\n\n### 请求参数\n\n| 参数名 | 类型 | 描述信息 | 必填 |\n|:---|:---|:---|:---|\n| **Region** | string | 地域。 | **Yes** |\n| **Name** | string | 名称 | **Yes** |\n\n### 响应字段\n\n| 字段名 | 类型 | 描述信息 | 必填 |\n|:---|:---|:---|:---|\n| **RetCode** | int | 返回状态码 | **Yes** |\n| **Action** | string | 操作指令名称 | **Yes** |\n| **ResourceId** | string | 资源ID | No |\n\n## 示例\n\n### 请求示例\n\n```\nhttps://api.dezai.com/?Action={action}\n&Region=cn-bj2\n&Name=n\n```\n\n### 响应示例\n\n```json\n{{\"Action\": \"{action}Response\", \"RetCode\": 0, \"ResourceId\": \"r-1\"}}\n```\n"
    )
}

fn write(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

/// The made-up publisher's checkout.
fn publisher(dir: &Path) {
    write(&dir.join("README.md"), "# Dezai API\n\nSee the products.\n");
    write(
        &dir.join("index.md"),
        "# API index\n\n* [UDB](udb-api/README.md)\n",
    );
    write(&dir.join("_sidebar.md"), "* [Home](README.md)\n");
    write(&dir.join("site.json"), "{\"title\": \"Dezai\"}\n");
    write(
        &dir.join("summary/signature.md"),
        "# Signature - How to sign\n\n## Definition\n\nSort the parameters.\n",
    );
    write(
        &dir.join("udb-api/README.md"),
        "# UDB - 云数据库\n\n* [DescribeUDBThing](describe_udb_thing.md)\n",
    );
    write(&dir.join("udb-api/_sidebar.md"), "* [UDB](README.md)\n");
    write(&dir.join("udb-api/logo.png"), "\u{89}PNG");
    // Renamed upstream and edited: matched with the local document by action.
    write(
        &dir.join("udb-api/DescribeUDBThing.md"),
        &english("DescribeUDBThing", "Size"),
    );
    write(
        &dir.join("udb-api/list_udb_things.md"),
        &english("ListUDBThings", "Total"),
    );
    write(
        &dir.join("udb-api/create_udb_thing.md"),
        &chinese("CreateUDBThing"),
    );
    write(&dir.join("vpc2.0-api/create_vpc.md"), &chinese("CreateVPC"));
    write(&dir.join("vpc2.0-api/README.md"), "# VPC\n");
    // One action in its form and its JSON-body variant.
    write(
        &dir.join("ulb-api/add_targets.md"),
        &english("AddTargets", "Ok"),
    );
    write(
        &dir.join("ulb-api/add_targets_json.md"),
        &english("AddTargets", "Ok"),
    );
}

/// A scratch project: `docs/` with two local documents, `out/` for the specs.
fn project(dir: &Path) -> (PathBuf, PathBuf) {
    let docs = dir.join("docs");
    let out = dir.join("out");
    std::fs::create_dir_all(&out).unwrap();
    write(
        &docs.join("udb/describe_udb_thing.md"),
        &english("DescribeUDBThing", "Name"),
    );
    write(
        &docs.join("udb/list_udb_things.md"),
        &english("ListUDBThings", "Total"),
    );
    write(
        &docs.join("udb/retired_thing.md"),
        &english("RetireUDBThing", "Name"),
    );
    (docs, out)
}

fn run(upstream: &Path, docs: &Path, out: &Path, extra: &[&str]) -> Output {
    common::xtask(&["import".as_ref(), upstream.as_os_str()], docs, out, extra)
}

/// Every file under a folder with its bytes, for "nothing changed" checks.
fn snapshot(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut files = Vec::new();
    let mut stack = vec![dir.to_owned()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                let bytes = std::fs::read(&p).unwrap();
                files.push((p, bytes));
            }
        }
    }
    files.sort();
    files
}

#[test]
fn a_dry_run_reports_everything_and_changes_nothing() {
    let dir = scratch("import-dry");
    publisher(&dir.join("upstream"));
    let (docs, out) = project(&dir);
    let before = snapshot(&dir);
    let run = run(&dir.join("upstream"), &docs, &out, &["--dry-run"]);
    let stdout = text(&run.stdout);
    assert!(run.status.success(), "{stdout}{}", text(&run.stderr));
    assert_eq!(snapshot(&dir), before, "a dry run writes nothing");
    assert!(
        stdout.contains("6 action document(s) in 3 product(s)"),
        "{stdout}"
    );
    // udb-api/README.md, udb-api/_sidebar.md, vpc2.0-api/README.md; the logo; the site pages
    // and `summary/`.
    assert!(stdout.contains("skipped: 3 page(s)"), "{stdout}");
    assert!(stdout.contains("6 other file(s)"), "{stdout}");
    for added in [
        "vpc20/create_vpc.md  CreateVPC  (from vpc2.0-api/create_vpc.md)",
        "udb/create_udb_thing.md  CreateUDBThing",
        "ulb/add_targets.md  AddTargets",
        "ulb/add_targets_json.md  AddTargets",
    ] {
        assert!(stdout.contains(added), "{added} in {stdout}");
    }
    assert!(stdout.contains("changed (1):\n  udb/describe_udb_thing.md  DescribeUDBThing  (from udb-api/DescribeUDBThing.md)"), "matched by action, not file name: {stdout}");
    assert!(stdout.contains("unchanged: 1"), "{stdout}");
    assert!(
        stdout
            .contains("kept (`--prune` removes them) (1):\n  udb/retired_thing.md  RetireUDBThing"),
        "{stdout}"
    );
    assert!(
        stdout.contains(
            "ulb/add_targets_json.md  documented twice: AddTargets is also in ulb/add_targets.md"
        ),
        "{stdout}"
    );
    assert!(stdout.contains("dry run: nothing was written"), "{stdout}");
}

#[test]
fn an_import_writes_the_documents_and_runs_codegen_once_the_exclude_list_settles_duplicates() {
    let dir = scratch("import-real");
    let upstream = dir.join("upstream");
    publisher(&upstream);
    let (docs, out) = project(&dir);

    // The duplicate pair stops the run before codegen, with the line to add.
    let first = run(&upstream, &docs, &out, &[]);
    let stdout = text(&first.stdout);
    assert_eq!(first.status.code(), Some(1), "{stdout}");
    assert!(stdout.contains("codegen not run"), "{stdout}");
    assert_eq!(
        std::fs::read_to_string(docs.join("udb/describe_udb_thing.md")).unwrap(),
        english("DescribeUDBThing", "Size"),
        "the local file keeps its name and takes upstream's text"
    );
    assert!(docs.join("vpc20/create_vpc.md").is_file());
    assert!(!docs.join("udb/DescribeUDBThing.md").exists());
    assert!(!docs.join("udb/README.md").exists());
    assert!(
        docs.join("udb/retired_thing.md").is_file(),
        "kept without --prune"
    );
    assert!(!out.join("udb.json").exists(), "no codegen yet");

    // The printed line, added to the exclude list as printed, settles it.
    let line = stdout
        .lines()
        .find(|l| l.contains("documented twice:"))
        .unwrap();
    std::fs::write(out.join("exclude.txt"), format!("{line}\n")).unwrap();
    let second = run(&upstream, &docs, &out, &["--prune"]);
    let stdout = text(&second.stdout);
    assert!(second.status.success(), "{stdout}{}", text(&second.stderr));
    assert!(
        stdout.contains("left alone, listed in specs/exclude.txt (1):\n  ulb/add_targets_json.md"),
        "{stdout}"
    );
    assert!(
        !docs.join("udb/retired_thing.md").exists(),
        "--prune removes it"
    );
    assert!(
        stdout.contains("removed (--prune) (1):\n  udb/retired_thing.md"),
        "{stdout}"
    );
    assert!(stdout.contains("unchanged: 5"), "{stdout}");
    // Codegen ran and its API change report says what the update changed.
    assert!(stdout.contains("codegen:"), "{stdout}");
    assert!(stdout.contains("vpc20 CreateVPC: action added"), "{stdout}");
    for product in ["udb", "ulb", "vpc20"] {
        assert!(
            out.join(format!("{product}.json")).is_file(),
            "{product}: {stdout}"
        );
    }
    let udb = std::fs::read_to_string(out.join("udb.json")).unwrap();
    assert!(udb.contains("CreateUDBThing") && !udb.contains("RetireUDBThing"));

    // Nothing new upstream: nothing to write.
    let third = run(&upstream, &docs, &out, &[]);
    let stdout = text(&third.stdout);
    assert!(third.status.success(), "{stdout}");
    assert!(stdout.contains("unchanged: 5"), "{stdout}");
    assert!(!stdout.contains("added ("), "{stdout}");
    assert!(stdout.contains("nothing to write"), "{stdout}");
}

#[test]
fn a_folder_that_is_not_the_publishers_repository_is_an_error() {
    let dir = scratch("import-wrong");
    write(&dir.join("upstream/notes/readme.md"), "# Notes\n");
    let (docs, out) = project(&dir);
    let before = snapshot(&dir);
    let run = run(&dir.join("upstream"), &docs, &out, &[]);
    assert_eq!(run.status.code(), Some(2));
    assert!(text(&run.stderr).contains("no action document in a `<product>-api` folder"));
    assert_eq!(snapshot(&dir), before);
}
