//! Helpers shared by the xtask tests: scratch folders and copies of the project's documents.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// An empty folder of its own for one test (named after it and the process).
pub(crate) fn scratch(name: &str) -> PathBuf {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("dezai-xtask-{name}"));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Copies a folder and everything in it.
#[allow(dead_code)] // Each test binary compiles this module; not every one copies folders.
pub(crate) fn copy_dir(from: &Path, to: &Path) {
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

/// Runs the real `xtask` binary: `subcommand`, then `--docs DOCS --out OUT`, then `extra`.
#[allow(dead_code)] // Each test binary compiles this module; not every one runs the binary.
pub(crate) fn xtask(subcommand: &[&OsStr], docs: &Path, out: &Path, extra: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args(subcommand)
        .arg("--docs")
        .arg(docs)
        .arg("--out")
        .arg(out)
        .args(extra)
        .output()
        .unwrap()
}

/// A process's output as text.
#[allow(dead_code)] // As above.
pub(crate) fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}
