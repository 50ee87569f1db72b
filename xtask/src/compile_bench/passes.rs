//! Where a product crate's compile time goes: rustc's own per-pass timings (`-Z time-passes`,
//! enabled on a stable compiler with `RUSTC_BOOTSTRAP=1`, for this measurement only), summed
//! over the product crates, each compiled alone after its dependencies.

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::Result;

/// The passes reported, as rustc names them, and how the report names them. `codegen_crate`
/// and `LLVM_passes` overlap in time on several codegen units; both are shown as rustc
/// measures them.
pub(super) const PASSES: [(&str, &str); 9] = [
    ("macro_expand_crate", "macro expansion (the product! macro)"),
    ("resolve_crate", "name resolution"),
    ("type_check_crate", "type checking (incl. coherence)"),
    ("MIR_borrow_checking", "borrow checking"),
    ("generate_crate_metadata", "metadata and monomorphization"),
    ("codegen_crate", "code generation (to LLVM IR)"),
    ("LLVM_passes", "LLVM passes"),
    ("link", "link (rlib)"),
    ("total", "total"),
];

/// Seconds per pass, summed over `packages`, each cleaned and compiled on its own.
pub(super) fn per_pass(
    work: &Path,
    target: &Path,
    packages: &[String],
) -> Result<BTreeMap<String, f64>> {
    let mut sums = BTreeMap::new();
    for package in packages {
        super::cargo(
            work,
            target,
            &["clean", "--quiet", "-p", package],
            super::PLAIN,
        )?;
        let output = super::cargo(
            work,
            target,
            &[
                "rustc",
                "--quiet",
                "-p",
                package,
                "--lib",
                "--",
                "-Z",
                "time-passes",
            ],
            &[("RUSTC_BOOTSTRAP", "1")],
        )?;
        for (pass, seconds) in parse(&output) {
            *sums.entry(pass).or_insert(0.0) += seconds;
        }
    }
    Ok(sums)
}

/// `time:   0.150; rss: … type_check_crate` lines: the outermost measurement of each pass
/// (a pass nested in another is printed before it, under the same name only once).
fn parse(output: &str) -> Vec<(String, f64)> {
    output
        .lines()
        .filter_map(|line| {
            let rest = line.trim_start().strip_prefix("time:")?;
            let (seconds, tail) = rest.split_once(';')?;
            let pass = tail.split_whitespace().last()?;
            PASSES
                .iter()
                .any(|(name, _)| *name == pass)
                .then(|| Some((pass.to_owned(), seconds.trim().parse().ok()?)))
                .flatten()
        })
        .collect()
}

/// The report's lines: seconds per pass and share of the total.
pub(super) fn report(sums: &BTreeMap<String, f64>) -> String {
    let total = sums.get("total").copied().unwrap_or(0.0).max(f64::EPSILON);
    let mut out = String::new();
    for (pass, label) in PASSES {
        let seconds = sums.get(pass).copied().unwrap_or(0.0);
        out.push_str(&format!(
            "   {label:<38} {seconds:>7.2} s  {:>5.1}%\n",
            100.0 * seconds / total
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_rustc_lines() {
        let text = "time:   0.028; rss:   44MB ->   60MB (  +16MB)\texpand_crate\n\
                    time:   0.029; rss:   44MB ->   60MB (  +16MB)\tmacro_expand_crate\n\
                    time:   0.150; rss:   97MB ->  136MB (  +39MB)\ttype_check_crate\n\
                    time:   0.502; rss:   28MB ->   80MB (  +52MB)\ttotal\n";
        let passes = parse(text);
        assert_eq!(
            passes,
            [
                ("macro_expand_crate".to_owned(), 0.029),
                ("type_check_crate".to_owned(), 0.150),
                ("total".to_owned(), 0.502)
            ]
        );
        let sums: BTreeMap<String, f64> = passes.into_iter().collect();
        assert!(report(&sums).contains("type checking (incl. coherence)"));
    }
}
