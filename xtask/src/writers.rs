//! The writers of generated files: Rust through `quote` and `prettyplease` ([`rust`]), Cargo
//! manifests through `toml_edit` ([`toml`]). Codegen's wiring and the compile benchmark's
//! scratch crates use them; nothing in the xtask writes Rust or TOML as formatted strings.

pub(crate) mod rust;
pub(crate) mod toml;
