//! The document parser on arbitrary input: never a panic, never a stack overflow, and
//! (libFuzzer's `-timeout`/`-rss_limit_mb`) never a hang or a memory blow-up, through the whole
//! corpus path.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // Two copies of one document: the parser, plus the checks across documents (the same
    // action twice, byte-identical copies, type differences, endpoints).
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
