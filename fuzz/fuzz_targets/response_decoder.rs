//! Generated response types (the stress fixture's: models in models, self-containing models,
//! lists, aliases, numbered names) read from arbitrary JSON through `de::object`/`de::take`:
//! a response never fails on its shape and never panics.
#![no_main]

use libfuzzer_sys::fuzz_target;

mod stress {
    dezai_macros::product!("../crates/dezai-sdk/tests/fixtures/stress.json");
}
mod madeup {
    dezai_macros::product!("../crates/dezai-sdk/tests/fixtures/madeup.json");
}

fuzz_target!(|data: &[u8]| {
    // Any JSON value at all: the lenient reader turns a non-object into an empty response.
    if serde_json::from_slice::<serde_json::Value>(data).is_err() {
        return;
    }
    let a = serde_json::from_slice::<stress::CreateStressClusterResponse>(data);
    let b = serde_json::from_slice::<stress::DescribeStressMetricResponse>(data);
    let c = serde_json::from_slice::<madeup::ListUdbBackupFilesResponse>(data);
    assert!(
        a.is_ok() && b.is_ok() && c.is_ok(),
        "valid JSON always reads"
    );
});
