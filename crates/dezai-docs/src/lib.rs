//! Reads the Dezai cloud's published Markdown API documents (one per action, described in
//! `docs/format.md`) into the JSON spec of [`dezai_spec`].
//!
//! This is the library behind `cargo xtask codegen`; tests, benchmarks and fuzzers call it
//! directly. [`parse_document`] reads one document; [`build_specs`] reads a whole corpus and adds
//! the checks that span documents.
//!
//! A document that cannot be read correctly gives [`DocError`]s naming file, line and text; all
//! of them are reported, not only the first. Where a document's examples disagree with its
//! tables, the tables win and the disagreement is kept as a [`dezai_spec::Warning`].
//!
//! ```
//! let doc = "# Say hello - Hello\n\n## Definition\n\n### Request Parameters\n\n\
//!     | Parameter Name | Type | Description Information | Required |\n|---|---|---|---|\n\
//!     | **Name** | string | Who to greet | **Yes** |\n\n### Response Field\n\n\
//!     | Field Name | Type | Description Information | Required |\n|---|---|---|---|\n\
//!     | **RetCode** | int | Status | **Yes** |\n";
//! let action = dezai_docs::parse_document("demo/hello.md", doc).unwrap();
//! assert_eq!(action.name, "Hello");
//! assert_eq!(action.request[0].name, "Name");
//! assert!(action.request[0].required);
//! ```

// Library code must not panic on input a user supplies.
#![warn(clippy::unwrap_used)]

mod corpus;
mod document;
mod drift;
mod error;
mod examples;
mod field_index;
mod fields;
mod headings;
mod markdown;
pub mod publisher;
/// Synthetic documents for benchmarks: not part of the parser's API, behind the `synth`
/// feature (the benchmarks and `cargo xtask bench-compile` turn it on).
#[cfg(feature = "synth")]
#[doc(hidden)]
pub mod synth;
mod table;

pub use corpus::{Built, Source, build_products, build_specs, read_docs_dir};
pub use error::{DocError, DocErrors};

/// Parses a single document on its own. `file` names it in errors and becomes the action's
/// `source`. Checks that need other documents (see [`build_specs`]) are not made.
pub fn parse_document(file: &str, text: &str) -> Result<dezai_spec::Action, DocErrors> {
    let mut errors = Vec::new();
    match document::parse(file, text, &mut errors) {
        Some(parsed) if errors.is_empty() => Ok(parsed.action),
        _ => Err(DocErrors(errors)),
    }
}
