//! The actions the command line knows: the specs embedded at build time (`specs.rs`, written
//! by `cargo xtask codegen`), parsed only for the product a command names, so that
//! `dezai --help` never reads them all.

use dezai_spec::names::Namer;
use dezai_spec::{Action, ProductSpec};

include!("specs.rs");

/// The products compiled in, by folder name, in order.
pub(crate) fn products() -> impl Iterator<Item = &'static str> {
    SPECS.iter().map(|(product, _)| *product)
}

/// A product's spec, parsed.
pub(crate) fn product(name: &str) -> Option<ProductSpec> {
    let (_, json) = SPECS.iter().find(|(product, _)| *product == name)?;
    // The specs are checked when they are generated; one that does not read is a build bug.
    ProductSpec::from_json(json).ok()
}

/// An action's command name: its wire name in kebab case by the SDK's naming rule
/// (`DescribeUDBInstanceBackupURL` → `describe-udb-instance-backup-url`).
pub(crate) fn command_name(spec: &ProductSpec, action: &Action) -> String {
    Namer::for_product(&spec.product).kebab_name(&action.name)
}
