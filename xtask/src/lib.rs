//! The project's automation, as a library so that tests run exactly what `cargo xtask` runs.
//!
//! [`codegen`] turns the API documents into the checked-in JSON specs and checks that the
//! checked-in specs are current.

pub mod codegen;
pub mod compile_bench;

use std::path::PathBuf;

/// The workspace root (the folder holding `specs/`).
pub fn project_root() -> PathBuf {
    let xtask = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    xtask.parent().map(PathBuf::from).unwrap_or(xtask)
}

/// Test fixtures that are specs generated from documents, as `(docs, out)` folders relative
/// to the project root. `cargo xtask codegen` keeps them current with the project's specs.
pub const FIXTURE_SPECS: [(&str, &str); 1] = [(
    "crates/dezai-sdk/tests/fixtures/docs",
    "crates/dezai-sdk/tests/fixtures",
)];
