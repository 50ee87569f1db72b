//! The one-screen report of a run: products and counts, skipped documents, warnings grouped by
//! kind (listed one by one only for the documents that changed), and the API changes.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use dezai_spec::WarningKind;

use super::{Impact, Plan};

impl Plan {
    /// The summary printed after a run. `max_warnings` and `max_changes` bound how many
    /// warnings and API changes are listed one by one.
    pub fn summary(&self, max_warnings: usize, max_changes: usize) -> String {
        let mut out = String::new();
        self.product_table(&mut out);
        for skipped in &self.skipped {
            let _ = writeln!(
                out,
                "skipped: {} (exclude.txt:{}: {})",
                skipped.path, skipped.line, skipped.reason
            );
        }
        for stray in self
            .stray
            .iter()
            .filter(|p| !p.to_string_lossy().ends_with(super::TEMP_SUFFIX))
        {
            let _ = writeln!(
                out,
                "note: {} is in the output folder but no run writes it",
                stray.display()
            );
        }
        for unused in &self.unused_exclusions {
            let _ = writeln!(
                out,
                "note: exclude.txt:{} lists {}, which is not a document",
                unused.line, unused.path
            );
        }
        self.overlaps(&mut out);
        self.warnings(&mut out, max_warnings);
        out.push_str(&self.api_changes(max_changes));
        out
    }

    /// Actions documented in more than one product, noted once: each product keeps its typed
    /// API, the wire has one name, and the emulator answers it from the first product.
    fn overlaps(&self, out: &mut String) {
        let mut products: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
        for spec in &self.specs {
            for action in &spec.actions {
                products
                    .entry(&action.name)
                    .or_default()
                    .push(&spec.product);
            }
        }
        let shared: Vec<String> = products
            .iter()
            .filter(|(_, in_products)| in_products.len() > 1)
            .map(|(action, in_products)| format!("{action} ({})", in_products.join(", ")))
            .collect();
        if shared.is_empty() {
            return;
        }
        const SHOWN: usize = 10;
        let more = shared.len().saturating_sub(SHOWN);
        let _ = writeln!(
            out,
            "note: {} action(s) documented in more than one product, one name each on the wire \
             (each product keeps its typed API; the emulator answers from the first): {}{}",
            shared.len(),
            shared[..shared.len().min(SHOWN)].join(", "),
            if more > 0 {
                format!(", and {more} more")
            } else {
                String::new()
            }
        );
    }

    fn product_table(&self, out: &mut String) {
        let (mut actions, mut request, mut response, mut warnings) = (0, 0, 0, 0);
        let _ = writeln!(
            out,
            "  {:<16} {:>7} {:>9} {:>9} {:>9}",
            "product", "actions", "request", "response", "warnings"
        );
        for spec in &self.specs {
            let a = spec.actions.len();
            let req: usize = spec.actions.iter().map(|x| x.request.len()).sum();
            let resp: usize = spec.actions.iter().map(|x| x.response.len()).sum();
            let warn: usize = spec.actions.iter().map(|x| x.warnings.len()).sum();
            let _ = writeln!(
                out,
                "  {:<16} {a:>7} {req:>9} {resp:>9} {warn:>9}",
                spec.product
            );
            (actions, request, response, warnings) =
                (actions + a, request + req, response + resp, warnings + warn);
        }
        let _ = writeln!(
            out,
            "{} product(s), {actions} action(s), {request} request and {response} response field(s), {warnings} warning(s)",
            self.specs.len()
        );
        if !self.failed.is_empty() {
            let products: Vec<&str> = self.failed.keys().map(String::as_str).collect();
            let _ = writeln!(
                out,
                "{} product(s) not written because of errors (their previous specs are kept): {}",
                products.len(),
                products.join(", ")
            );
        }
    }

    fn warnings(&self, out: &mut String, max_warnings: usize) {
        let all: Vec<_> = self
            .specs
            .iter()
            .flat_map(|s| &s.actions)
            .flat_map(|a| a.warnings.iter().map(move |w| (a, w)))
            .collect();
        if all.is_empty() {
            return;
        }
        let mut by_kind: BTreeMap<WarningKind, usize> = BTreeMap::new();
        for (_, w) in &all {
            *by_kind.entry(w.kind).or_default() += 1;
        }
        let counts: Vec<String> = by_kind.iter().map(|(k, n)| format!("{k} {n}")).collect();
        let _ = writeln!(out, "warnings by kind: {}", counts.join(", "));
        let changed: Vec<_> = all
            .iter()
            .filter(|(a, _)| self.changed_sources.contains(&a.source))
            .collect();
        for (action, warning) in changed.iter().take(max_warnings) {
            let _ = writeln!(
                out,
                "warning: {}:{}: {} [{}]",
                action.source, warning.line, warning.message, warning.kind
            );
        }
        if changed.len() > max_warnings {
            let _ = writeln!(
                out,
                "… and {} more warning(s) in changed documents (`--max-warnings N` lists more)",
                changed.len() - max_warnings
            );
        }
        let unchanged = all.len() - changed.len();
        if unchanged > 0 {
            let _ = writeln!(
                out,
                "{unchanged} warning(s) of unchanged documents not listed; every warning is recorded in the specs"
            );
        }
    }

    /// The API changes, breaking ones first, then a count of each.
    pub fn api_changes(&self, max_changes: usize) -> String {
        let mut out = String::new();
        if self.changes.is_empty() || max_changes == 0 {
            return out;
        }
        let breaking = self
            .changes
            .iter()
            .filter(|c| c.impact == Impact::Breaking)
            .count();
        let compatible = self.changes.len() - breaking;
        let _ = writeln!(
            out,
            "API changes against the specs on disk: {breaking} breaking, {compatible} compatible"
        );
        let mut sorted: Vec<_> = self.changes.iter().collect();
        sorted.sort_by_key(|c| c.impact);
        for change in sorted.iter().take(max_changes) {
            let _ = writeln!(out, "  {change}");
        }
        if sorted.len() > max_changes {
            let _ = writeln!(
                out,
                "  … and {} more (`--max-changes N` lists more)",
                sorted.len() - max_changes
            );
        }
        out
    }
}
