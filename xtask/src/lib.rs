//! The project's automation, as a library so that tests run exactly what `cargo xtask` runs.
//!
//! [`codegen`] turns the API documents into the checked-in JSON specs and checks that the
//! checked-in specs are current; [`import`] brings the publisher's repository into the docs
//! folder; [`release`] plans the next release from what changed since the last one.

pub mod codegen;
pub mod compile_bench;
pub mod import;
pub mod release;
mod writers;

use std::path::PathBuf;

/// A `cargo` command: the cargo running this one when there is one (`CARGO`), so a pinned
/// toolchain stays pinned.
pub fn cargo() -> std::process::Command {
    std::process::Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
}

/// The workspace root (the folder holding `specs/`).
pub fn project_root() -> PathBuf {
    // Cargo sets the variable when it runs the binary or a test too: that value is the
    // workspace being worked on. The compiled-in one is only a fallback, since `.ci/grow` builds
    // this binary from a temporary copy into the same target folder, and cargo may then run that
    // build here (it would point at the deleted copy).
    let xtask = std::env::var_os("CARGO_MANIFEST_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")));
    xtask.parent().map(PathBuf::from).unwrap_or(xtask)
}

/// Test fixtures that are specs generated from documents, as `(docs, out)` folders relative
/// to the project root. `cargo xtask codegen` keeps them current with the project's specs.
pub const FIXTURE_SPECS: [(&str, &str); 1] = [(
    "crates/dezai-sdk/tests/fixtures/docs",
    "crates/dezai-sdk/tests/fixtures",
)];
