//! What must not compile, and what the compiler then says: a request without its required
//! fields, a response made without its builder, a mock answering with another action's
//! response, and specs the macro cannot use; and what must compile (`ui/pass`): constructors
//! and builders as the README shows them. Regenerate the expected messages with
//! `TRYBUILD=overwrite cargo test -p dezai-sdk --test compile_fail`.

use std::path::PathBuf;

/// trybuild compiles the cases in its own project under `<target>/tests/trybuild/dezai-sdk`,
/// and the macro reads spec paths relative to the compiling crate: put the fixture specs where
/// the cases name them.
fn install_fixture_specs() {
    let exe = std::env::current_exe().unwrap();
    // <target>/debug/deps/compile_fail-… → <target>
    let target = exe.ancestors().nth(3).unwrap().to_path_buf();
    let to = target.join("tests/trybuild/dezai-sdk/tests/ui/specs");
    std::fs::create_dir_all(&to).unwrap();
    let from = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/ui/specs");
    for entry in std::fs::read_dir(from).unwrap() {
        let path = entry.unwrap().path();
        std::fs::copy(&path, to.join(path.file_name().unwrap())).unwrap();
    }
}

#[test]
fn compile_failures() {
    install_fixture_specs();
    let t = trybuild::TestCases::new();
    t.compile_fail("tests/ui/*.rs");
    t.pass("tests/ui/pass/*.rs");
}
