//! `cargo xtask codegen` as a user runs it: the real binary, on a scratch copy of the docs.

mod common;

use std::path::{Path, PathBuf};
use std::process::Output;

use common::{copy_dir, scratch, text};

fn codegen(docs: &Path, out: &Path, extra: &[&str]) -> Output {
    common::xtask(&["codegen".as_ref()], docs, out, extra)
}

fn read_all(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<(String, Vec<u8>)> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file())
        .map(|p| {
            (
                p.file_name().unwrap().to_string_lossy().into_owned(),
                std::fs::read(&p).unwrap(),
            )
        })
        .collect();
    files.sort();
    files
}

fn seeded(name: &str) -> (PathBuf, PathBuf) {
    let dir = scratch(name);
    let docs = dir.join("docs");
    copy_dir(&xtask::project_root().join("specs/docs"), &docs);
    (docs, dir.join("out"))
}

/// The products and action counts of a docs folder, read from the folder itself so that
/// tests keep passing as documents are added.
fn products_of(docs: &Path) -> Vec<(String, usize)> {
    let mut products: Vec<(String, usize)> = std::fs::read_dir(docs)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .map(|p| {
            let count = std::fs::read_dir(&p)
                .unwrap()
                .filter(|e| {
                    e.as_ref()
                        .unwrap()
                        .path()
                        .extension()
                        .is_some_and(|x| x == "md")
                })
                .count();
            (p.file_name().unwrap().to_string_lossy().into_owned(), count)
        })
        .collect();
    products.sort();
    products
}

#[test]
fn writes_one_spec_per_product_and_a_summary() {
    let (docs, out) = seeded("summary");
    let run = codegen(&docs, &out, &[]);
    assert!(run.status.success(), "{}", text(&run.stderr));
    let stdout = text(&run.stdout);
    let products = products_of(&docs);
    let actions: usize = products.iter().map(|(_, n)| n).sum();
    assert!(
        stdout.contains(&format!(
            "{} product(s), {actions} action(s)",
            products.len()
        )),
        "{stdout}"
    );
    // A first run accounts for every warning: each is listed or counted in the cap's "… and N
    // more" line (the listing is capped, so no particular warning has to be listed), and the
    // total is what the specs record.
    let listed = stdout
        .lines()
        .filter(|l| l.starts_with("warning: "))
        .count();
    let more: usize = stdout
        .lines()
        .find_map(|l| l.strip_prefix("… and ")?.split(' ').next()?.parse().ok())
        .unwrap_or(0);
    let recorded: usize = read_all(&out)
        .iter()
        .filter(|(n, _)| n != "spec.schema.json")
        .map(|(_, bytes)| {
            let spec: serde_json::Value = serde_json::from_slice(bytes).unwrap();
            spec["actions"]
                .as_array()
                .unwrap()
                .iter()
                .map(|a| a["warnings"].as_array().unwrap().len())
                .sum::<usize>()
        })
        .sum();
    assert_eq!(listed + more, recorded, "{stdout}");
    assert!(
        stdout.contains(&format!(" {recorded} warning(s)")),
        "{stdout}"
    );
    assert!(stdout.contains("warnings by kind: "), "{stdout}");
    let names: Vec<String> = read_all(&out).into_iter().map(|(n, _)| n).collect();
    let mut expected: Vec<String> = products.iter().map(|(p, _)| format!("{p}.json")).collect();
    expected.push("spec.schema.json".into());
    expected.sort();
    assert_eq!(names, expected);
}

#[test]
fn warnings_are_listed_only_for_documents_that_changed() {
    let (docs, out) = seeded("changed");
    assert!(codegen(&docs, &out, &[]).status.success());
    let again = text(&codegen(&docs, &out, &[]).stdout);
    assert!(!again.contains("warning: "), "nothing changed: {again}");
    assert!(again.contains("warnings by kind: "), "{again}");
    assert!(
        again.contains("of unchanged documents not listed"),
        "{again}"
    );

    let doc = docs.join("umem/describe_u_redis_backup_url.md");
    let edited = std::fs::read_to_string(&doc)
        .unwrap()
        .replace("| **BackupId** | string |", "| **BackupId** | int |");
    std::fs::write(&doc, edited).unwrap();
    let after = text(&codegen(&docs, &out, &[]).stdout);
    let listed: Vec<&str> = after
        .lines()
        .filter(|l| l.starts_with("warning: "))
        .collect();
    assert!(!listed.is_empty(), "{after}");
    assert!(
        listed
            .iter()
            .all(|l| l.starts_with("warning: umem/describe_u_redis_backup_url.md:")),
        "only the edited document's warnings: {after}"
    );
}

#[test]
fn output_is_deterministic_and_matches_the_checked_in_specs() {
    let (docs, out) = seeded("determinism");
    assert!(codegen(&docs, &out, &[]).status.success());
    let first = read_all(&out);
    assert!(codegen(&docs, &out, &[]).status.success());
    assert_eq!(read_all(&out), first, "a second run changes nothing");
    for (name, bytes) in &first {
        assert!(bytes.ends_with(b"}\n"), "{name} ends with a newline");
        let checked_in = std::fs::read(xtask::project_root().join("specs").join(name)).unwrap();
        assert_eq!(
            &checked_in, bytes,
            "{name}: a run from another folder gives the same bytes"
        );
    }
}

#[test]
fn check_passes_when_clean_and_fails_naming_the_file_after_an_edit() {
    let (docs, out) = seeded("check");
    assert!(codegen(&docs, &out, &[]).status.success());
    let clean = codegen(&docs, &out, &["--check"]);
    assert!(clean.status.success(), "{}", text(&clean.stderr));

    let doc = docs.join("umongodb/describe_u_mongo_db_backup_url.md");
    let edited = std::fs::read_to_string(&doc)
        .unwrap()
        .replace("| **Category** | string |", "| **Category** | int |");
    std::fs::write(&doc, edited).unwrap();
    let before = read_all(&out);
    let stale = codegen(&docs, &out, &["--check"]);
    assert_eq!(stale.status.code(), Some(1));
    let stderr = text(&stale.stderr);
    assert!(
        stderr.contains("stale: ") && stderr.contains("umongodb.json"),
        "{stderr}"
    );
    assert!(
        stderr.contains("-            \"kind\": \"string\"")
            && stderr.contains("+            \"kind\": \"int\""),
        "{stderr}"
    );
    assert!(
        !stderr.contains("udb.json\n"),
        "only the changed spec is named: {stderr}"
    );
    assert_eq!(read_all(&out), before, "--check writes nothing");
}

#[test]
fn check_names_missing_and_obsolete_specs() {
    let (docs, out) = seeded("missing");
    assert!(codegen(&docs, &out, &[]).status.success());
    std::fs::remove_file(out.join("udb.json")).unwrap();
    std::fs::remove_dir_all(docs.join("upgsql")).unwrap();
    let run = codegen(&docs, &out, &["--check"]);
    assert_eq!(run.status.code(), Some(1));
    let stderr = text(&run.stderr);
    assert!(
        stderr.contains("missing: ") && stderr.contains("udb.json"),
        "{stderr}"
    );
    assert!(
        stderr.contains("obsolete: ") && stderr.contains("upgsql.json"),
        "{stderr}"
    );
    assert!(codegen(&docs, &out, &[]).status.success());
    assert!(
        !out.join("upgsql.json").exists(),
        "a product whose documents are gone loses its spec"
    );
}

#[test]
fn a_malformed_document_writes_nothing_and_reports_every_error() {
    let (docs, out) = seeded("malformed");
    assert!(codegen(&docs, &out, &[]).status.success());
    let before = read_all(&out);

    let udb = docs.join("udb/describe_udb_instance_backup_url.md");
    let broken = std::fs::read_to_string(&udb)
        .unwrap()
        .replace("| **BackupId** | int |", "| **BackupId** | array[strin] |");
    std::fs::write(&udb, broken).unwrap();
    let umem = docs.join("umem/describe_u_mem_backup_url.md");
    let broken = std::fs::read_to_string(&umem)
        .unwrap()
        .replace("| **SpaceId** | string |", "| **SpaceId** | strng |");
    std::fs::write(&umem, broken).unwrap();
    // A new product that would be written if errors did not stop the run.
    copy_dir(&docs.join("umongodb"), &docs.join("unew"));

    let run = codegen(&docs, &out, &[]);
    assert_eq!(run.status.code(), Some(1));
    let stderr = text(&run.stderr);
    assert!(stderr.contains("udb/describe_udb_instance_backup_url.md:30: unknown type `array[strin]` for field `BackupId`"), "{stderr}");
    assert!(
        stderr.contains(
            "umem/describe_u_mem_backup_url.md:29: unknown type `strng` for field `SpaceId`"
        ),
        "{stderr}"
    );
    assert!(
        stderr.contains("2 error(s); no spec was written"),
        "{stderr}"
    );
    assert_eq!(
        read_all(&out),
        before,
        "previous specs untouched, nothing added"
    );
}

#[test]
fn a_new_document_becomes_part_of_its_product() {
    let (docs, out) = seeded("new-doc");
    assert!(codegen(&docs, &out, &[]).status.success());
    let read = |out: &Path| {
        dezai_spec::ProductSpec::from_json(&std::fs::read_to_string(out.join("udb.json")).unwrap())
            .unwrap()
    };
    let before: Vec<String> = read(&out).actions.into_iter().map(|a| a.name).collect();
    let made_up =
        include_str!("../../crates/dezai-sdk/tests/fixtures/docs/madeup/list_udb_backup_files.md");
    std::fs::write(docs.join("udb/list_udb_backup_files.md"), made_up).unwrap();
    let run = codegen(&docs, &out, &[]);
    assert!(run.status.success(), "{}", text(&run.stderr));
    let after: Vec<String> = read(&out).actions.into_iter().map(|a| a.name).collect();
    let mut expected = before.clone();
    expected.push("ListUDBBackupFiles".into());
    expected.sort();
    assert_eq!(after, expected);
    assert!(
        text(&run.stdout).contains("udb ListUDBBackupFiles: action added [compatible]"),
        "{}",
        text(&run.stdout)
    );
}

#[test]
fn keep_going_writes_the_good_products_and_keeps_the_bad_ones_untouched() {
    let (docs, out) = seeded("keep-going");
    assert!(codegen(&docs, &out, &[]).status.success());
    let udb_before = std::fs::read(out.join("udb.json")).unwrap();

    // udb gets a malformed document; umem gets an edit; a new product appears.
    let udb = docs.join("udb/describe_udb_instance_backup_url.md");
    let broken = std::fs::read_to_string(&udb)
        .unwrap()
        .replace("| **BackupId** | int |", "| **BackupId** | array[strin] |");
    std::fs::write(&udb, broken).unwrap();
    let umem = docs.join("umem/describe_u_redis_backup_url.md");
    let edited = std::fs::read_to_string(&umem)
        .unwrap()
        .replace("| **BackupId** | string |", "| **BackupId** | int |");
    std::fs::write(&umem, edited).unwrap();
    copy_dir(&docs.join("umongodb"), &docs.join("unew"));

    let run = codegen(&docs, &out, &["--keep-going"]);
    assert_eq!(run.status.code(), Some(1), "errors still fail the run");
    let stderr = text(&run.stderr);
    assert!(
        stderr.contains("udb/describe_udb_instance_backup_url.md:30: unknown type `array[strin]`"),
        "{stderr}"
    );
    assert_eq!(
        std::fs::read(out.join("udb.json")).unwrap(),
        udb_before,
        "the failed product's spec is byte-for-byte untouched"
    );
    assert!(out.join("unew.json").exists(), "the new product is written");
    let umem_spec = std::fs::read_to_string(out.join("umem.json")).unwrap();
    assert!(
        umem_spec.contains("\"kind\": \"int\""),
        "the edit is written"
    );

    // Without --keep-going the same documents write nothing.
    std::fs::remove_file(out.join("unew.json")).unwrap();
    let strict = codegen(&docs, &out, &[]);
    assert_eq!(strict.status.code(), Some(1));
    assert!(!out.join("unew.json").exists());
}

#[test]
fn exclude_list_skips_documents_and_says_so() {
    let (docs, out) = seeded("exclude");
    std::fs::create_dir_all(docs.join("ufile")).unwrap();
    std::fs::write(
        docs.join("ufile/put_file.md"),
        "# Upload a file - PutFile\n\nPUT /key HTTP/1.1\nAuthorization: …\n",
    )
    .unwrap();
    let failed = codegen(&docs, &out, &[]);
    assert_eq!(failed.status.code(), Some(1));
    assert!(text(&failed.stderr).contains("ufile/put_file.md"));

    std::fs::create_dir_all(&out).unwrap();
    std::fs::write(
        out.join("exclude.txt"),
        "# documents not in the published format\nufile/put_file.md   raw HTTP API, no Response Field table\nold/gone.md  removed long ago\n",
    )
    .unwrap();
    let run = codegen(&docs, &out, &[]);
    assert!(run.status.success(), "{}", text(&run.stderr));
    let stdout = text(&run.stdout);
    assert!(
        stdout.contains(
            "skipped: ufile/put_file.md (exclude.txt:2: raw HTTP API, no Response Field table)"
        ),
        "{stdout}"
    );
    assert!(
        stdout.contains("note: exclude.txt:3 lists old/gone.md, which is not a document"),
        "{stdout}"
    );
    assert!(!out.join("ufile.json").exists());

    std::fs::write(out.join("exclude.txt"), "ufile/put_file.md\n").unwrap();
    let no_reason = codegen(&docs, &out, &[]);
    assert_eq!(no_reason.status.code(), Some(2));
    assert!(text(&no_reason.stderr).contains("excluded without a reason"));
}

#[test]
fn check_prints_the_api_changes() {
    let (docs, out) = seeded("api-check");
    assert!(codegen(&docs, &out, &[]).status.success());
    let doc = docs.join("umongodb/describe_u_mongo_db_backup_url.md");
    let edited = std::fs::read_to_string(&doc)
        .unwrap()
        .replace("| **Category** | string |", "| **Category** | int |");
    std::fs::write(&doc, edited).unwrap();
    let run = codegen(&docs, &out, &["--check"]);
    assert_eq!(run.status.code(), Some(1));
    let stdout = text(&run.stdout);
    assert!(
        stdout.contains("umongodb DescribeUMongoDBBackupURL: request field `Category` changed type from `string` to `int` [breaking]"),
        "{stdout}"
    );
}

#[test]
fn a_killed_run_leaves_nothing_the_next_run_does_not_clean() {
    let (docs, out) = seeded("stray");
    assert!(codegen(&docs, &out, &[]).status.success());
    // What `kill -9` during a write leaves, and a file someone dropped in the folder.
    std::fs::write(
        out.join(format!("udb.json{}", xtask::codegen::TEMP_SUFFIX)),
        "",
    )
    .unwrap();
    std::fs::write(out.join("notes.txt"), "mine").unwrap();
    let check = codegen(&docs, &out, &["--check"]);
    assert_eq!(check.status.code(), Some(1));
    let stderr = text(&check.stderr);
    assert!(
        stderr.contains("stray: ") && stderr.contains("udb.json.dezai-codegen-tmp"),
        "{stderr}"
    );
    assert!(
        stderr.contains("notes.txt (no codegen run writes it"),
        "{stderr}"
    );

    let run = codegen(&docs, &out, &[]);
    assert!(run.status.success(), "{}", text(&run.stderr));
    assert!(
        !out.join("udb.json.dezai-codegen-tmp").exists(),
        "the temp file is removed"
    );
    assert!(
        out.join("notes.txt").exists(),
        "other files are never deleted"
    );
    assert!(text(&run.stdout).contains("notes.txt is in the output folder"));
}

/// An action documented in two products (a product and its versioned successor) keeps its
/// typed API in both; codegen notes the overlap once, as information, not per field.
#[test]
fn an_action_in_two_products_is_noted_once() {
    let (docs, out) = seeded("overlap");
    // How many overlaps the documents hold already: the note counts them all.
    let before = codegen(&docs, &out, &[]);
    assert!(before.status.success(), "{}", text(&before.stderr));
    let count = |stdout: &str| -> (usize, Option<String>) {
        let notes: Vec<&str> = stdout
            .lines()
            .filter(|l| l.contains("documented in more than one product"))
            .collect();
        assert!(notes.len() <= 1, "noted once: {stdout}");
        let Some(note) = notes.first() else {
            return (0, None);
        };
        let n = note
            .trim_start_matches("note: ")
            .split(' ')
            .next()
            .and_then(|n| n.parse().ok())
            .unwrap_or_else(|| panic!("a count: {note}"));
        (n, Some((*note).to_owned()))
    };
    let (earlier, _) = count(&text(&before.stdout));
    std::fs::create_dir_all(docs.join("udb2")).unwrap();
    std::fs::copy(
        docs.join("udb/describe_udb_instance_backup_url.md"),
        docs.join("udb2/describe_udb_instance_backup_url.md"),
    )
    .unwrap();
    let run = codegen(&docs, &out, &[]);
    assert!(run.status.success(), "{}", text(&run.stderr));
    let stdout = text(&run.stdout);
    let (now, note) = count(&stdout);
    assert_eq!(now, earlier + 1, "{stdout}");
    // The note names the first ten overlaps: this one, unless it is past them.
    let note = note.unwrap_or_default();
    assert!(
        note.contains("DescribeUDBInstanceBackupURL (udb, udb2)") || now > 10,
        "{stdout}"
    );
    assert!(out.join("udb2.json").exists() && out.join("udb.json").exists());
}
