//! The actions the command line knows: the specs embedded at build time (`generated`, written
//! by `cargo xtask codegen`), parsed only for the product a command names, so that
//! `dezai --help` never reads them all.

use std::sync::OnceLock;

use dezai_spec::names::Namer;
use dezai_spec::{Action, ProductSpec};

use crate::generated::SPECS;

/// The products compiled in, by folder name, in order.
pub(crate) fn products() -> impl Iterator<Item = &'static str> {
    SPECS.iter().map(|(product, _)| *product)
}

/// A product's spec, parsed on first use and kept: building the command tree and running the
/// command both need it, and it is read once.
pub(crate) fn product(name: &str) -> Option<&'static ProductSpec> {
    static PARSED: OnceLock<Vec<OnceLock<Option<ProductSpec>>>> = OnceLock::new();
    let cells = PARSED.get_or_init(|| SPECS.iter().map(|_| OnceLock::new()).collect());
    let i = SPECS.iter().position(|(product, _)| *product == name)?;
    // The specs are checked when they are generated; one that does not read is a build bug.
    cells[i]
        .get_or_init(|| ProductSpec::from_json(SPECS[i].1).ok())
        .as_ref()
}

/// The documented action of that wire name and its product: the first product, in order, that
/// documents it.
pub(crate) fn documented(name: &str) -> Option<(&'static ProductSpec, &'static Action)> {
    products().filter_map(product).find_map(|spec| {
        let action = spec.actions.iter().find(|a| a.name == name)?;
        Some((spec, action))
    })
}

/// An action's command name: its wire name in kebab case by the SDK's naming rule
/// (`DescribeUDBInstanceBackupURL` → `describe-udb-instance-backup-url`).
pub(crate) fn command_name(spec: &ProductSpec, action: &Action) -> String {
    Namer::for_product(&spec.product).kebab_name(&action.name)
}
