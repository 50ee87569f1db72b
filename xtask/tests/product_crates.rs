//! The SDK wiring's product crates: codegen writes one crate per product under `products/`,
//! links each to the workspace's specs, wires it into the facade, and removes the crate of a
//! product whose documents are gone. Run on a scratch copy of the project's layout.

mod common;

use std::path::{Path, PathBuf};

use common::{copy_dir, scratch};
use xtask::codegen::wiring::{MEMBERS_BEGIN, MEMBERS_END};
use xtask::codegen::{Drift, Options, plan_with};

/// A scratch project: the workspace manifest, the facade's manifest and the documents.
fn scratch_project(name: &str) -> PathBuf {
    let root = scratch(&format!("crates-{name}"));
    let project = xtask::project_root();
    std::fs::create_dir_all(root.join("crates/dezai-sdk")).unwrap();
    std::fs::copy(project.join("Cargo.toml"), root.join("Cargo.toml")).unwrap();
    std::fs::copy(
        project.join("crates/dezai-sdk/Cargo.toml"),
        root.join("crates/dezai-sdk/Cargo.toml"),
    )
    .unwrap();
    copy_dir(&project.join("specs/docs"), &root.join("specs/docs"));
    root
}

fn plan(root: &Path) -> xtask::codegen::Plan {
    plan_with(
        &root.join("specs/docs"),
        &root.join("specs"),
        &Options {
            keep_going: false,
            sdk: Some(root.join("crates/dezai-sdk")),
        },
    )
    .unwrap()
}

/// The product folders of a docs folder, read from the folder itself.
fn products(docs: &Path) -> Vec<String> {
    let mut products: Vec<String> = std::fs::read_dir(docs)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    products.sort();
    products
}

#[test]
fn every_product_gets_a_crate_linked_to_its_spec_and_wired_into_the_facade() {
    let root = scratch_project("write");
    plan(&root).write().unwrap();
    let facade = std::fs::read_to_string(root.join("crates/dezai-sdk/Cargo.toml")).unwrap();
    let reexports = std::fs::read_to_string(root.join("crates/dezai-sdk/src/products.rs")).unwrap();
    let workspace = std::fs::read_to_string(root.join("Cargo.toml")).unwrap();
    for product in products(&root.join("specs/docs")) {
        let dir = root.join("products").join(&product);
        let manifest = std::fs::read_to_string(dir.join("Cargo.toml")).unwrap();
        assert!(
            manifest.contains(&format!("name = \"dezai-{product}\"")),
            "{manifest}"
        );
        assert!(
            manifest.contains(&format!("\"specs/{product}.json\"")),
            "{manifest}"
        );
        let lib = std::fs::read_to_string(dir.join("src/lib.rs")).unwrap();
        assert!(
            lib.starts_with(&format!("//! The `{product}` product")),
            "{lib}"
        );
        assert!(lib.contains(&format!(
            "dezai_macros::product!(\"specs/{product}.json\");"
        )));
        // The crate reads its spec through the link, from where codegen wrote it.
        let spec = std::fs::read_to_string(dir.join(format!("specs/{product}.json"))).unwrap();
        assert!(spec.contains(&format!("\"product\": \"{product}\"")));
        assert!(facade.contains(&format!("{product} = [\"dep:dezai-{product}\"]")));
        assert!(facade.contains(&format!(
            "dezai-{product} = {{ path = \"../../products/{product}\", version = "
        )));
        assert!(reexports.contains(&format!("pub use dezai_{product} as {product};")));
        assert!(
            workspace.contains(&format!("    \"products/{product}\",\n")),
            "{workspace}"
        );
        // Built as a user's build builds it: not incrementally.
        assert!(
            workspace.contains(&format!(
                "[profile.dev.package.dezai-{product}]\nincremental = false\n"
            )),
            "{workspace}"
        );
    }
    assert_eq!(plan(&root).check(), Vec::<Drift>::new());
}

#[test]
fn a_missing_link_is_drift_and_a_product_without_documents_loses_its_crate() {
    let root = scratch_project("remove");
    plan(&root).write().unwrap();
    let all = products(&root.join("specs/docs"));
    let (gone, kept) = (&all[0], &all[1..]);

    std::fs::remove_file(root.join("products").join(kept[0].as_str()).join("specs")).unwrap();
    let drift = plan(&root).check();
    assert!(
        drift
            .iter()
            .any(|d| matches!(d, Drift::Missing(p) if p.ends_with("specs"))),
        "{drift:?}"
    );

    std::fs::remove_dir_all(root.join("specs/docs").join(gone)).unwrap();
    let plan = plan(&root);
    assert_eq!(plan.obsolete_crates, vec![root.join("products").join(gone)]);
    plan.write().unwrap();
    assert!(!root.join("products").join(gone).exists());
    for product in kept {
        assert!(root.join("products").join(product).join("specs").exists());
    }
    let facade = std::fs::read_to_string(root.join("crates/dezai-sdk/Cargo.toml")).unwrap();
    assert!(!facade.contains(&format!("dezai-{gone} ")), "{facade}");
    let workspace = std::fs::read_to_string(root.join("Cargo.toml")).unwrap();
    assert!(
        !workspace.contains(&format!("package.dezai-{gone}]")),
        "{workspace}"
    );
    assert!(
        !workspace.contains(&format!("\"products/{gone}\"")),
        "{workspace}"
    );
}

#[test]
fn without_documents_the_workspace_lists_no_product_crate_and_keeps_its_markers() {
    let root = scratch_project("empty");
    plan(&root).write().unwrap();
    std::fs::remove_dir_all(root.join("specs/docs")).unwrap();
    std::fs::create_dir_all(root.join("specs/docs")).unwrap();
    plan(&root).write().unwrap();
    // No member glob left to match nothing (cargo refuses a workspace whose glob matches no
    // crate), and the markers stay for the next product.
    let workspace = std::fs::read_to_string(root.join("Cargo.toml")).unwrap();
    assert!(!workspace.contains("products/"), "{workspace}");
    assert!(
        !workspace.contains("[profile.dev.package.dezai-"),
        "{workspace}"
    );
    assert!(workspace.contains(MEMBERS_BEGIN) && workspace.contains(MEMBERS_END));
    assert!(
        std::fs::read_dir(root.join("products"))
            .map(|mut entries| entries.next().is_none())
            .unwrap_or(true)
    );
}
