//! `cargo xtask bench-compile`: how long the generated SDK takes to compile.
//!
//! A synthetic corpus (`dezai_docs::synth`, shaped like real documents) becomes specs, and a
//! scratch SDK crate expands one `product!` per product, each behind a feature, exactly as
//! `dezai-sdk` does. Measured, each the median of several runs: a clean debug build of the
//! SDK crate with all products and with one product (dependencies already built, as they are
//! for anyone who has built once), the rebuild after one spec edit, and the time spent inside
//! the macro (`DEZAI_MACRO_TIMING`), which `-Zself-profile` would show on nightly.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};

/// What to build.
pub struct Options {
    /// Actions in all.
    pub actions: usize,
    /// Products they are spread over.
    pub products: usize,
    /// Runs per measurement.
    pub runs: usize,
}

/// Runs the benchmark and returns the report.
pub fn run(options: &Options) -> Result<String> {
    let root = crate::project_root();
    let dir = root.join("target/compile-bench");
    let specs = dir.join("specs");
    let krate = dir.join("sdk");
    std::fs::create_dir_all(&specs)?;
    std::fs::create_dir_all(krate.join("src"))?;

    let sources = dezai_docs::synth::corpus(dezai_docs::synth::Options {
        products: options.products,
        actions: options.actions,
        seed: 7,
    });
    let markdown: usize = sources.iter().map(|s| s.bytes.len()).sum();
    let built = dezai_docs::build_specs(&sources).map_err(|e| anyhow::anyhow!("{e}"))?;
    let mut spec_bytes = 0;
    for spec in &built {
        let json = spec.to_json();
        spec_bytes += json.len();
        std::fs::write(specs.join(format!("{}.json", spec.product)), json)?;
    }
    let products: Vec<String> = built.iter().map(|s| s.product.clone()).collect();
    write_crate(&root, &krate, &products)?;
    let target = dir.join("target");

    // Dependencies once, so every measurement is of the SDK crate itself.
    cargo(
        &krate,
        &target,
        &["build", "--quiet", "--no-default-features"],
        false,
    )?;

    let all = measure(options.runs, || clean_build(&krate, &target, &[]))?;
    let one_features = ["--no-default-features", "--features", products[0].as_str()];
    let one = measure(options.runs, || clean_build(&krate, &target, &one_features))?;
    // Incremental: with everything built, edit one product's spec and build again.
    let edited = specs.join(format!("{}.json", products[0]));
    let original = std::fs::read_to_string(&edited)?;
    cargo(&krate, &target, &["build", "--quiet"], false)?;
    let mut edit_round = 0;
    let incremental = measure(options.runs, || {
        edit_round += 1;
        let text = original.replacen(
            "synthetic actions.",
            &format!("synthetic actions (edit {edit_round})."),
            1,
        );
        std::fs::write(&edited, text)?;
        let start = Instant::now();
        cargo(&krate, &target, &["build", "--quiet"], false)?;
        Ok(start.elapsed())
    })?;
    std::fs::write(&edited, &original)?;
    // Time inside the macro, reported by the macro itself.
    clean(&krate, &target)?;
    let output = cargo(&krate, &target, &["build"], true)?;
    let macro_ms: f64 = output
        .lines()
        .filter_map(|l| l.split("generate ").nth(1))
        .filter_map(|rest| rest.trim_end_matches(" ms").parse::<f64>().ok())
        .sum();
    let read_parse_ms: f64 = output
        .lines()
        .filter(|l| l.contains("dezai-macros:"))
        .map(|l| {
            let read = l
                .split("read ")
                .nth(1)
                .and_then(|r| r.split(" ms").next())
                .and_then(|v| v.parse::<f64>().ok());
            let parse = l
                .split("parse ")
                .nth(1)
                .and_then(|r| r.split(" ms").next())
                .and_then(|v| v.parse::<f64>().ok());
            read.unwrap_or(0.0) + parse.unwrap_or(0.0)
        })
        .sum();
    let lines = count_generated_lines(&specs, &products)?;

    Ok(format!(
        "corpus: {} actions in {} products ({:.1} MB of Markdown, {:.1} MB of specs), about {lines} lines of generated Rust\n\
         clean debug build of the SDK crate, all products: median {:.1} s over {} runs\n\
         clean debug build, one product ({} actions): median {:.2} s\n\
         rebuild after editing one product's spec: median {:.1} s\n\
         inside the macro (all products): generate {:.0} ms, read + parse specs {:.0} ms\n",
        options.actions,
        products.len(),
        markdown as f64 / 1e6,
        spec_bytes as f64 / 1e6,
        secs(all),
        options.runs,
        built[0].actions.len(),
        secs(one),
        secs(incremental),
        macro_ms,
        read_parse_ms,
    ))
}

fn secs(d: Duration) -> f64 {
    d.as_secs_f64()
}

fn write_crate(root: &Path, krate: &Path, products: &[String]) -> Result<()> {
    let features: Vec<String> = products.iter().map(|p| format!("{p} = []")).collect();
    let defaults: Vec<String> = products.iter().map(|p| format!("\"{p}\"")).collect();
    let manifest = format!(
        "[package]\nname = \"compile-bench-sdk\"\nversion = \"0.0.0\"\nedition = \"2024\"\n\n[workspace]\n\n\
         [features]\ndefault = [{}]\n{}\n\n[dependencies]\ndezai-macros = {{ path = {:?} }}\ndezai-runtime = {{ path = {:?} }}\n\n\
         [profile.dev]\ndebug = \"line-tables-only\"\n\n[profile.dev.package.\"*\"]\ndebug = false\n",
        defaults.join(", "),
        features.join("\n"),
        root.join("crates/dezai-macros"),
        root.join("crates/dezai-runtime"),
    );
    std::fs::write(krate.join("Cargo.toml"), manifest)?;
    std::fs::copy(root.join("Cargo.lock"), krate.join("Cargo.lock"))?;
    let mut lib = String::from("//! Synthetic SDK for the compile-time benchmark.\n");
    for p in products {
        lib.push_str(&format!("#[cfg(feature = \"{p}\")]\npub mod {p} {{ dezai_macros::product!(\"../specs/{p}.json\"); }}\n"));
    }
    std::fs::write(krate.join("src/lib.rs"), lib)?;
    Ok(())
}

fn cargo(krate: &Path, target: &Path, args: &[&str], timing: bool) -> Result<String> {
    let mut command = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
    command
        .args(args)
        .arg("--offline")
        .current_dir(krate)
        .env("CARGO_TARGET_DIR", target);
    if timing {
        command.env("DEZAI_MACRO_TIMING", "1");
    }
    let output = command.output().context("running cargo")?;
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    if !output.status.success() {
        bail!("cargo {} failed:\n{stderr}", args.join(" "));
    }
    Ok(stderr)
}

fn clean(krate: &Path, target: &Path) -> Result<()> {
    cargo(
        krate,
        target,
        &["clean", "--quiet", "-p", "compile-bench-sdk"],
        false,
    )
    .map(|_| ())
}

fn clean_build(krate: &Path, target: &Path, features: &[&str]) -> Result<Duration> {
    clean(krate, target)?;
    let mut args = vec!["build", "--quiet"];
    args.extend_from_slice(features);
    let start = Instant::now();
    cargo(krate, target, &args, false)?;
    Ok(start.elapsed())
}

fn measure(runs: usize, mut f: impl FnMut() -> Result<Duration>) -> Result<Duration> {
    let mut times = (0..runs.max(1)).map(|_| f()).collect::<Result<Vec<_>>>()?;
    times.sort();
    Ok(times[times.len() / 2])
}

/// Lines of the pretty-printed expansion, for scale.
fn count_generated_lines(specs: &Path, products: &[String]) -> Result<usize> {
    let mut lines = 0;
    for p in products {
        let text = std::fs::read_to_string(specs.join(format!("{p}.json")))?;
        let spec = dezai_spec::ProductSpec::from_json(&text).map_err(|e| anyhow::anyhow!("{e}"))?;
        let tokens = dezai_codegen::product(&spec, &dezai_codegen::Options::default())
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        // Token count is a stable proxy; about 8 tokens make a line of formatted Rust.
        lines += tokens.into_iter().map(count_tokens).sum::<usize>() / 8;
    }
    Ok(lines)
}

fn count_tokens(tree: proc_macro2::TokenTree) -> usize {
    match tree {
        proc_macro2::TokenTree::Group(g) => {
            2 + g.stream().into_iter().map(count_tokens).sum::<usize>()
        }
        _ => 1,
    }
}
