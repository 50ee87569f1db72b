//! The README's "Testing code that uses the SDK" and "Downloading a backup" examples are the
//! crate docs' doctests (which `cargo test` runs or compiles), without their hidden lines: if
//! one changes, the other must too.

use std::path::Path;

/// The first ```` ```rust ```` block after `heading` in the README.
fn readme_block(readme: &str, heading: &str) -> Vec<String> {
    let after = &readme[readme.find(heading).expect("the README has the section")..];
    let start = after
        .find("```rust\n")
        .expect("the section has a Rust block")
        + 8;
    let end = start + after[start..].find("\n```").expect("the block ends");
    after[start..end].lines().map(str::to_owned).collect()
}

/// The first code block after `heading` in the crate docs, hidden lines (`# …`) left out.
fn doc_block(lib: &str, heading: &str) -> Vec<String> {
    let lines: Vec<&str> = lib
        .lines()
        .filter_map(|l| l.strip_prefix("//!"))
        .map(|l| l.strip_prefix(' ').unwrap_or(l))
        .collect();
    let at = lines
        .iter()
        .position(|l| *l == heading)
        .expect("the crate docs have the section");
    let open = at
        + lines[at..]
            .iter()
            .position(|l| l.starts_with("```"))
            .expect("a code block");
    let close = open
        + 1
        + lines[open + 1..]
            .iter()
            .position(|l| *l == "```")
            .expect("it ends");
    lines[open + 1..close]
        .iter()
        .filter(|l| !(l.starts_with("# ") || **l == "#"))
        .map(|l| (*l).to_owned())
        .collect()
}

#[test]
fn the_testing_example_in_the_readme_is_the_doctested_one() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    let lib = std::fs::read_to_string(root.join("crates/dezai-sdk/src/lib.rs")).unwrap();
    let in_readme = readme_block(&readme, "### Testing code that uses the SDK");
    let in_docs = doc_block(&lib, "# Testing code that uses the SDK");
    assert!(in_docs.len() > 10, "{in_docs:?}");
    assert_eq!(
        in_readme, in_docs,
        "update the README's example from src/lib.rs (or the other way)"
    );
}

#[test]
fn the_download_example_in_the_readme_is_the_doctested_one() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    let lib = std::fs::read_to_string(root.join("crates/dezai-sdk/src/lib.rs")).unwrap();
    let in_readme = readme_block(&readme, "### Downloading a backup");
    let in_docs = doc_block(&lib, "# Downloading a backup");
    assert!(
        in_docs.iter().any(|l| l.contains(".download_to(")),
        "{in_docs:?}"
    );
    assert_eq!(
        in_readme, in_docs,
        "update the README's example from src/lib.rs (or the other way)"
    );
}
