//! The document parser on arbitrary input: never a panic, never a stack overflow, and
//! (libFuzzer's `-timeout`/`-rss_limit_mb`) never a hang or a memory blow-up. The whole corpus
//! path runs: one document alone, then the same bytes as a product of two documents.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = dezai_docs::parse_document("fuzz/doc.md", text);
    }
    let sources = [
        dezai_docs::Source {
            product: "fuzz".into(),
            path: "fuzz/a.md".into(),
            bytes: data.to_vec(),
        },
        dezai_docs::Source {
            product: "fuzz".into(),
            path: "fuzz/b.md".into(),
            bytes: data.to_vec(),
        },
    ];
    let _ = dezai_docs::build_products(&sources);
});
