//! The user's guide shows code that is compiled: the README's first program is the example
//! `first_program` (which `cargo test` builds), and the "Testing code that uses the SDK" and
//! "Downloading a backup" examples of `docs/` are the crate docs' doctests (which `cargo test`
//! runs or compiles), without their hidden lines: if one changes, the other must too.

use std::path::Path;

/// The first ```` ```rust ```` block after `heading` in a Markdown page.
fn page_block(readme: &str, heading: &str) -> Vec<String> {
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
fn the_testing_example_of_the_guide_is_the_doctested_one() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let readme = std::fs::read_to_string(root.join("docs/testing.md")).unwrap();
    let lib = std::fs::read_to_string(root.join("crates/dezai-sdk/src/lib.rs")).unwrap();
    let in_readme = page_block(&readme, "## The mock transport");
    let in_docs = doc_block(&lib, "# Testing code that uses the SDK");
    assert!(in_docs.len() > 10, "{in_docs:?}");
    assert_eq!(
        in_readme, in_docs,
        "update the guide's example from src/lib.rs (or the other way)"
    );
}

#[test]
fn the_download_example_of_the_guide_is_the_doctested_one() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let readme = std::fs::read_to_string(root.join("docs/backups.md")).unwrap();
    let lib = std::fs::read_to_string(root.join("crates/dezai-sdk/src/lib.rs")).unwrap();
    let in_readme = page_block(&readme, "## Downloading a backup");
    let in_docs = doc_block(&lib, "# Downloading a backup");
    assert!(
        in_docs.iter().any(|l| l.contains(".download_to(")),
        "{in_docs:?}"
    );
    assert_eq!(
        in_readme, in_docs,
        "update the guide's example from src/lib.rs (or the other way)"
    );
}

#[test]
fn the_readmes_first_program_is_the_built_example() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    let example =
        std::fs::read_to_string(root.join("crates/dezai-sdk/examples/first_program.rs")).unwrap();
    let in_readme = page_block(&readme, "## A first program");
    let in_example: Vec<String> = example
        .lines()
        .skip_while(|l| l.starts_with("//"))
        .map(str::to_owned)
        .collect();
    assert!(
        in_readme.iter().any(|l| l.contains("Client::from_env()")),
        "{in_readme:?}"
    );
    assert_eq!(
        in_readme, in_example,
        "update the README's first program from examples/first_program.rs (or the other way)"
    );
}
