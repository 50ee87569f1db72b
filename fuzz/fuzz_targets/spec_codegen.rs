//! The spec reader and the generator on arbitrary JSON: a spec either fails to read, or
//! becomes tokens or an error; never a panic (a panic in the proc macro is an ICE-like message
//! for users).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(spec) = dezai_spec::ProductSpec::from_json(text) else {
        return;
    };
    let options = dezai_codegen::Options::default();
    let _ = dezai_codegen::product(&spec, &options);
    let module: proc_macro2::TokenStream = "crate::fuzz".parse().unwrap();
    let _ = dezai_codegen::conformance_tests(&spec, &module, &options);
});
