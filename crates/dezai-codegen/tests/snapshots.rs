//! What users get: the expanded code of each seed action, pretty-printed, as a snapshot a
//! reviewer can read. Regenerate with `INSTA_UPDATE=always cargo test -p dezai-codegen`.

use dezai_spec::ProductSpec;

fn spec(product: &str) -> ProductSpec {
    let path = format!("{}/../../specs/{product}.json", env!("CARGO_MANIFEST_DIR"));
    ProductSpec::from_json(&std::fs::read_to_string(&path).unwrap()).unwrap()
}

/// The code of one action, as its own product, pretty-printed.
fn expand(product: &str, action: &str) -> String {
    let mut spec = spec(product);
    spec.actions.retain(|a| a.name == action);
    assert_eq!(spec.actions.len(), 1, "{action} in {product}");
    let tokens = dezai_codegen::product(&spec, &dezai_codegen::Options::default()).unwrap();
    let file: syn::File = syn::parse2(tokens).unwrap();
    prettyplease::unparse(&file)
}

#[test]
fn describe_udb_instance_backup_url() {
    insta::assert_snapshot!(expand("udb", "DescribeUDBInstanceBackupURL"));
}

#[test]
fn describe_umem_backup_url() {
    insta::assert_snapshot!(expand("umem", "DescribeUMemBackupURL"));
}

#[test]
fn describe_uredis_backup_url() {
    insta::assert_snapshot!(expand("umem", "DescribeURedisBackupURL"));
}

#[test]
fn describe_umongodb_backup_url() {
    insta::assert_snapshot!(expand("umongodb", "DescribeUMongoDBBackupURL"));
}

#[test]
fn get_upgsql_backup_url() {
    insta::assert_snapshot!(expand("upgsql", "GetUPgSQLBackupURL"));
}

#[test]
fn two_actions_with_one_rust_name_are_an_error() {
    let mut spec = spec("umem");
    let mut twin = spec.actions[0].clone();
    twin.name = "DescribeUmemBackupUrl".into();
    spec.actions.push(twin);
    let err = dezai_codegen::product(&spec, &dezai_codegen::Options::default()).unwrap_err();
    assert!(err.to_string().contains("would both become"), "{err}");
}

/// The conformance test generated for udb's seed action, so a reviewer sees what it checks
/// (the seed alone: adding a document to udb leaves the snapshot as it is).
#[test]
fn conformance_test_of_udb() {
    let module: proc_macro2::TokenStream = "crate::udb".parse().unwrap();
    let mut seed = spec("udb");
    seed.actions
        .retain(|a| a.name == "DescribeUDBInstanceBackupURL");
    let tokens =
        dezai_codegen::conformance_tests(&seed, &module, &dezai_codegen::Options::default())
            .unwrap();
    let file: syn::File = syn::parse2(tokens).unwrap();
    insta::assert_snapshot!(prettyplease::unparse(&file));
}

/// An action another action's description names links to that action's method on the product
/// handle; rustdoc resolves the link (`cargo doc` of the product crates shows it).
#[test]
fn actions_named_in_descriptions_link_to_their_methods() {
    let spec = spec("udb");
    let named = spec.actions.iter().find(|a| a.name == "DescribeUDBBackup");
    let names_it = spec.actions.iter().any(|a| {
        a.request
            .iter()
            .any(|f| f.description.contains("DescribeUDBBackup"))
    });
    assert!(named.is_some() && names_it, "the udb seed and its listing");
    let tokens = dezai_codegen::product(&spec, &dezai_codegen::Options::default()).unwrap();
    let code = prettyplease::unparse(&syn::parse2(tokens).unwrap());
    assert!(
        code.contains("obtained through [`DescribeUDBBackup`](super::Udb::describe_udb_backup)"),
        "{code}"
    );
}
