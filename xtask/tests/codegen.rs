//! `cargo xtask codegen` as a user runs it: the real binary, on a scratch copy of the docs.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("dezai-xtask-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

fn codegen(docs: &Path, out: &Path, extra: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args(["codegen", "--docs"])
        .arg(docs)
        .arg("--out")
        .arg(out)
        .args(extra)
        .output()
        .unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
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

#[test]
fn writes_one_spec_per_product_and_a_summary() {
    let (docs, out) = seeded("summary");
    let run = codegen(&docs, &out, &[]);
    assert!(run.status.success(), "{}", text(&run.stderr));
    let stdout = text(&run.stdout);
    assert!(stdout.contains("4 product(s), 5 action(s)"), "{stdout}");
    assert!(
        stdout.contains("warning: udb/describe_udb_instance_backup_url.md:67:"),
        "{stdout}"
    );
    let names: Vec<String> = read_all(&out).into_iter().map(|(n, _)| n).collect();
    assert_eq!(
        names,
        [
            "spec.schema.json",
            "udb.json",
            "umem.json",
            "umongodb.json",
            "upgsql.json"
        ]
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
    assert_eq!(run.status.code(), Some(2));
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
    let made_up =
        include_str!("../../crates/dezai-sdk/tests/fixtures/docs/madeup/list_udb_backup_files.md");
    std::fs::write(docs.join("udb/list_udb_backup_files.md"), made_up).unwrap();
    let run = codegen(&docs, &out, &[]);
    assert!(run.status.success(), "{}", text(&run.stderr));
    let spec =
        dezai_spec::ProductSpec::from_json(&std::fs::read_to_string(out.join("udb.json")).unwrap())
            .unwrap();
    let names: Vec<&str> = spec.actions.iter().map(|a| a.name.as_str()).collect();
    assert_eq!(
        names,
        ["DescribeUDBInstanceBackupURL", "ListUDBBackupFiles"]
    );
}
