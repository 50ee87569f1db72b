//! `cargo xtask`: the project's own commands. See `cargo xtask --help`.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use xtask::codegen;

#[derive(Parser)]
#[command(about = "Project automation for the Dezai Rust SDK")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Parse the API documents and write one JSON spec per product.
    Codegen {
        /// Folder of documents laid out as DIR/<product>/*.md [default: specs/docs]
        #[arg(long)]
        docs: Option<PathBuf>,
        /// Folder the specs are written to [default: specs]
        #[arg(long)]
        out: Option<PathBuf>,
        /// Write nothing; exit 1 if the specs on disk differ from what the documents produce.
        #[arg(long)]
        check: bool,
        /// How many warnings the summary lists.
        #[arg(long, default_value_t = 20)]
        max_warnings: usize,
    },
    /// Measure how long the generated SDK takes to compile (see BENCHMARKS.md).
    BenchCompile {
        /// Actions in the synthetic corpus.
        #[arg(long, default_value_t = 2000)]
        actions: usize,
        /// Products they are spread over.
        #[arg(long, default_value_t = 80)]
        products: usize,
        /// Runs per measurement (the median is reported).
        #[arg(long, default_value_t = 3)]
        runs: usize,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Codegen {
            docs,
            out,
            check,
            max_warnings,
        } => {
            let root = xtask::project_root();
            if docs.is_some() || out.is_some() {
                let docs = docs.unwrap_or_else(|| root.join("specs/docs"));
                let out = out.unwrap_or_else(|| root.join("specs"));
                return run_codegen(&docs, &out, check, max_warnings);
            }
            // The project's own specs, then the test fixtures built from documents too.
            let mut code = run_codegen(
                &root.join("specs/docs"),
                &root.join("specs"),
                check,
                max_warnings,
            );
            if let Ok(plan) = codegen::plan(&root.join("specs/docs"), &root.join("specs")) {
                for product in codegen::products_without_sdk_module(&root, &plan) {
                    println!(
                        "note: product `{product}` has a spec but no module in crates/dezai-sdk yet: add \
                         `#[cfg(feature = \"{product}\")] pub mod {product} {{ dezai_macros::product!(\"../../specs/{product}.json\"); }}` \
                         to src/lib.rs, the feature `{product}` to Cargo.toml, and its `Ext` trait to the prelude"
                    );
                }
            }
            for (docs, out) in xtask::FIXTURE_SPECS {
                let fixture = run_codegen(&root.join(docs), &root.join(out), check, 0);
                if fixture != ExitCode::SUCCESS {
                    code = fixture;
                }
            }
            code
        }
        Command::BenchCompile {
            actions,
            products,
            runs,
        } => {
            match xtask::compile_bench::run(&xtask::compile_bench::Options {
                actions,
                products,
                runs,
            }) {
                Ok(report) => {
                    print!("{report}");
                    ExitCode::SUCCESS
                }
                Err(e) => {
                    eprintln!("{e:#}");
                    ExitCode::from(2)
                }
            }
        }
    }
}

fn run_codegen(
    docs: &std::path::Path,
    out: &std::path::Path,
    check: bool,
    max_warnings: usize,
) -> ExitCode {
    let plan = match codegen::plan(docs, out) {
        Ok(plan) => plan,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(2);
        }
    };
    if check {
        let drift = plan.check();
        if drift.is_empty() {
            println!(
                "specs are up to date ({} file(s) checked)",
                plan.files.len()
            );
            return ExitCode::SUCCESS;
        }
        for d in &drift {
            eprintln!("{d}");
        }
        eprintln!(
            "\n{} file(s) out of date; run `cargo xtask codegen` and commit the result",
            drift.len()
        );
        return ExitCode::from(1);
    }
    print!("{}", plan.summary(max_warnings));
    match plan.write() {
        Ok(touched) if touched.is_empty() => println!("specs unchanged"),
        Ok(touched) => {
            for path in touched {
                let verb = if path.exists() { "wrote" } else { "removed" };
                println!("{verb} {}", path.display());
            }
        }
        Err(e) => {
            eprintln!("cannot write specs to {}: {e}", out.display());
            return ExitCode::from(2);
        }
    }
    ExitCode::SUCCESS
}
