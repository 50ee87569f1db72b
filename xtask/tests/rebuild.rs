//! Editing a spec file rebuilds the crate that expands it: a scratch crate using
//! `dezai_macros::product!` is built, then only its spec changes, and the next build must
//! compile the crate again and see the new types.

use std::path::Path;
use std::process::Command;

fn cargo_build(dir: &Path, target: &Path) -> std::process::Output {
    Command::new(env!("CARGO"))
        .args(["build", "--offline", "--quiet"])
        .current_dir(dir)
        .env("CARGO_TARGET_DIR", target)
        .output()
        .unwrap()
}

#[test]
fn editing_the_spec_rebuilds_the_crate() {
    let root = xtask::project_root();
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("dezai-rebuild");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("src")).unwrap();
    std::fs::write(
        dir.join("Cargo.toml"),
        format!(
            "[package]\nname = \"rebuild-proof\"\nversion = \"0.0.0\"\nedition = \"2024\"\n\n[workspace]\n\n\
             [dependencies]\ndezai-macros = {{ path = {:?} }}\ndezai-runtime = {{ path = {:?} }}\n",
            root.join("crates/dezai-macros"),
            root.join("crates/dezai-runtime")
        ),
    )
    .unwrap();
    // The workspace's lock file pins the same versions, so no registry look-up is needed.
    std::fs::copy(root.join("Cargo.lock"), dir.join("Cargo.lock")).unwrap();
    // The seed action alone, picked by name: other udb actions come and go with the documents.
    let mut udb = dezai_spec::ProductSpec::from_json(
        &std::fs::read_to_string(root.join("specs/udb.json")).unwrap(),
    )
    .unwrap();
    udb.actions
        .retain(|a| a.name == "DescribeUDBInstanceBackupURL");
    let spec = udb.to_json();
    std::fs::write(dir.join("spec.json"), &spec).unwrap();
    std::fs::write(
        dir.join("src/main.rs"),
        "mod udb { dezai_macros::product!(\"spec.json\"); }\n\
         fn main() { let _ = udb::DescribeUdbInstanceBackupUrlRequest::new(\"udb-1\", 1234); }\n",
    )
    .unwrap();
    // A target dir of its own: the outer cargo holds the workspace's.
    let target = root.join("target/rebuild-proof");

    let first = cargo_build(&dir, &target);
    assert!(
        first.status.success(),
        "first build:\n{}",
        String::from_utf8_lossy(&first.stderr)
    );

    // Only the spec changes: BackupId becomes a string.
    let backup_id = udb.actions[0]
        .request
        .iter_mut()
        .find(|f| f.name == "BackupId")
        .unwrap();
    assert_eq!(backup_id.ty, dezai_spec::Type::Int);
    backup_id.ty = dezai_spec::Type::String;
    let edited = udb.to_json();
    std::fs::write(dir.join("spec.json"), edited).unwrap();

    let second = cargo_build(&dir, &target);
    let stderr = String::from_utf8_lossy(&second.stderr);
    assert!(
        !second.status.success(),
        "the crate was not rebuilt after the spec changed"
    );
    assert!(
        stderr.contains("expected `&str`, found integer"),
        "{stderr}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
