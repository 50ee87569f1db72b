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
    /// Parse the API documents and write one JSON spec per product (and the SDK's wiring).
    Codegen {
        /// Folder of documents laid out as DIR/<product>/*.md [default: specs/docs]
        #[arg(long)]
        docs: Option<PathBuf>,
        /// Folder the specs are written to [default: specs]
        #[arg(long)]
        out: Option<PathBuf>,
        /// Write nothing; exit 1 if the files on disk differ from what the documents produce.
        #[arg(long)]
        check: bool,
        /// Write every product whose documents all parsed, keep the previous spec of each
        /// product with an error, print every error, and exit 1.
        #[arg(long)]
        keep_going: bool,
        /// How many warnings of changed documents the summary lists.
        #[arg(long, default_value_t = 20)]
        max_warnings: usize,
        /// How many API changes the summary lists.
        #[arg(long, default_value_t = 200)]
        max_changes: usize,
    },
    /// Bring a checkout of the publisher's repository into the docs folder, then run codegen.
    ///
    /// Action documents are taken from its `<product>-api` folders (`vpc2.0-api` → `vpc20`),
    /// recognised by content; index pages, shared pages and other files are skipped.
    Import {
        /// The publisher's repository.
        dir: PathBuf,
        /// Folder of documents laid out as DIR/<product>/*.md [default: specs/docs]
        #[arg(long)]
        docs: Option<PathBuf>,
        /// Folder of the specs and of exclude.txt [default: specs]
        #[arg(long)]
        out: Option<PathBuf>,
        /// Report what would change; write and remove nothing, run no codegen.
        #[arg(long)]
        dry_run: bool,
        /// Remove local documents whose action upstream no longer documents.
        #[arg(long)]
        prune: bool,
    },
    /// Plan the next release from what changed since the last one (docs/releasing.md):
    /// each crate's next version, its changelog entry and the publish order. Publishes nothing.
    ///
    /// Exit codes: 0 planned (or written); 1 cargo-semver-checks disagreed with the plan;
    /// 2 the plan could not be made or written.
    Release {
        /// Print the plan and write nothing (the default).
        #[arg(long, conflicts_with = "write")]
        dry_run: bool,
        /// Write the versions into the manifests and the entries into the changelogs.
        #[arg(long)]
        write: bool,
        /// Compare with this tag or commit instead of the newest `dezai-sdk-v*` tag.
        #[arg(long)]
        baseline: Option<String>,
        /// Raise a crate's level by hand, for what no comparison sees (a generator change):
        /// NAME=patch|additions|breaking. Repeatable.
        #[arg(long = "bump", value_name = "NAME=LEVEL", value_parser = parse_raise)]
        raise: Vec<(String, xtask::release::version::Level)>,
        /// Check every bumped library with cargo-semver-checks (`.ci/semver-tools` installs
        /// it); a disagreement with the plan fails the release.
        #[arg(long)]
        semver_checks: bool,
        /// The changelog entries' date, YYYY-MM-DD [default: today, UTC].
        #[arg(long)]
        date: Option<String>,
    },
    /// Measure how long the generated SDK takes to compile (see BENCHMARKS.md).
    BenchCompile {
        /// Actions in the corpus (shaped like the published set: docs/format.md).
        #[arg(long, default_value_t = 1750)]
        actions: usize,
        /// Products they are spread over.
        #[arg(long, default_value_t = 82)]
        products: usize,
        /// Runs per measurement (the median is reported).
        #[arg(long, default_value_t = 3)]
        runs: usize,
        /// Lay the SDK out as one crate with a module per product (the layout before one
        /// crate per product), for comparison.
        #[arg(long)]
        single_crate: bool,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Codegen {
            docs,
            out,
            check,
            keep_going,
            max_warnings,
            max_changes,
        } => codegen(
            docs,
            out,
            keep_going,
            Report {
                check,
                max_warnings,
                max_changes,
            },
        ),
        Command::Import {
            dir,
            docs,
            out,
            dry_run,
            prune,
        } => import(dir, docs, out, xtask::import::Options { dry_run, prune }),
        Command::Release {
            dry_run: _,
            write,
            baseline,
            raise,
            semver_checks,
            date,
        } => release(
            write,
            &xtask::release::Options {
                baseline,
                raise,
                semver_checks,
                work_dir: None,
            },
            date,
        ),
        Command::BenchCompile {
            actions,
            products,
            runs,
            single_crate,
        } => {
            match xtask::compile_bench::run(&xtask::compile_bench::Options {
                actions,
                products,
                runs,
                single_crate,
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

/// `cargo xtask release`: the plan, written with `--write` unless the semver tool disagrees.
fn release(write: bool, options: &xtask::release::Options, date: Option<String>) -> ExitCode {
    let root = xtask::project_root();
    let plan = match xtask::release::plan(&root, options) {
        Ok(plan) => plan,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    print!("{}", xtask::release::report(&plan));
    if plan.disagrees() {
        eprintln!("error: cargo-semver-checks disagrees with the plan; nothing written");
        return ExitCode::FAILURE;
    }
    if write {
        let date = date.unwrap_or_else(xtask::release::today);
        match xtask::release::write(&root, &plan, &date) {
            Ok(files) => {
                println!(
                    "\nWrote {} files; commit them, then tag the commit:",
                    files.len()
                );
                if let Some(sdk) = plan.get(xtask::release::changelog::FACADE) {
                    println!("  git tag {}{}", xtask::release::git::TAG_PREFIX, sdk.next);
                }
            }
            Err(e) => {
                eprintln!("error: {e}");
                return ExitCode::from(2);
            }
        }
    }
    ExitCode::SUCCESS
}

/// `NAME=LEVEL` of `--bump`.
fn parse_raise(text: &str) -> Result<(String, xtask::release::version::Level), String> {
    use xtask::release::version::Level;
    let (name, level) = text
        .split_once('=')
        .ok_or("expected NAME=patch|additions|breaking")?;
    let level = match level {
        "patch" => Level::Patch,
        "additions" => Level::Additions,
        "breaking" => Level::Breaking,
        other => {
            return Err(format!(
                "unknown level `{other}`: patch, additions or breaking"
            ));
        }
    };
    Ok((name.to_owned(), level))
}

/// `cargo xtask codegen`: the given folders, or the project's specs, SDK wiring and test
/// fixtures.
fn codegen(
    docs: Option<PathBuf>,
    out: Option<PathBuf>,
    keep_going: bool,
    report: Report,
) -> ExitCode {
    let root = xtask::project_root();
    if docs.is_some() || out.is_some() {
        let docs = docs.unwrap_or_else(|| root.join("specs/docs"));
        let out = out.unwrap_or_else(|| root.join("specs"));
        let options = codegen::Options {
            keep_going,
            sdk: None,
        };
        return report.run(codegen::plan_with(&docs, &out, &options), &out);
    }
    // The project's own specs and SDK wiring, then the test fixtures built from documents too.
    let mut code = report.run(
        codegen::project_plan(&root, keep_going),
        &root.join("specs"),
    );
    for (docs, out) in xtask::FIXTURE_SPECS {
        // Under a heading of their own, so that the summary above is the user's.
        println!("\ntest fixtures ({out}, from {docs}; not part of the SDK):");
        let fixture = Report {
            max_warnings: 0,
            max_changes: 0,
            ..report
        }
        .run(
            codegen::plan(&root.join(docs), &root.join(out)),
            &root.join(out),
        );
        if fixture != ExitCode::SUCCESS {
            code = fixture;
        }
    }
    code
}

/// `cargo xtask import`: the import's report, then codegen over the same folders when the
/// import leaves something for it to do. Exit codes: 0 done, 1 codegen failed or an action is
/// documented twice, 2 the repository or the docs folder could not be read or written.
fn import(
    dir: PathBuf,
    docs: Option<PathBuf>,
    out: Option<PathBuf>,
    options: xtask::import::Options,
) -> ExitCode {
    let root = xtask::project_root();
    let docs_dir = docs.clone().unwrap_or_else(|| root.join("specs/docs"));
    let out_dir = out.clone().unwrap_or_else(|| root.join("specs"));
    let exclude = out_dir.join(codegen::EXCLUDE_FILE);
    let done = match xtask::import::import(&dir, &docs_dir, &exclude, options) {
        Ok(done) => done,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    print!("{done}");
    if options.dry_run {
        println!("run without --dry-run to import, then codegen runs");
        return ExitCode::SUCCESS;
    }
    if !done.twice.is_empty() {
        println!(
            "\ncodegen not run: add the lines above to {}, then run `cargo xtask codegen`",
            exclude.display()
        );
        return ExitCode::from(1);
    }
    println!("\ncodegen:");
    codegen(
        docs,
        out,
        false,
        Report {
            check: false,
            max_warnings: 20,
            max_changes: 200,
        },
    )
}

/// How a run reports.
#[derive(Clone, Copy)]
struct Report {
    check: bool,
    max_warnings: usize,
    max_changes: usize,
}

impl Report {
    /// Checks or writes a plan, printing what happened. Exit codes: 0 done, 1 document errors
    /// or (with `--check`) files out of date, 2 the files could not be read or written.
    fn run(
        self,
        plan: Result<codegen::Plan, codegen::PlanError>,
        out: &std::path::Path,
    ) -> ExitCode {
        let plan = match plan {
            Ok(plan) => plan,
            Err(e @ codegen::PlanError::Docs(_)) => {
                eprintln!("{e}");
                return ExitCode::from(1);
            }
            Err(e) => {
                eprintln!("{e}");
                return ExitCode::from(2);
            }
        };
        let errors: usize = plan.failed.values().map(Vec::len).sum();
        for error in plan.failed.values().flatten() {
            eprintln!("error: {error}");
        }
        if self.check {
            print!("{}", plan.api_changes(self.max_changes));
            let drift = plan.check();
            if drift.is_empty() && errors == 0 {
                println!("up to date ({} file(s) checked)", plan.files.len());
                return ExitCode::SUCCESS;
            }
            for d in &drift {
                eprintln!("{d}");
            }
            if !drift.is_empty() {
                eprintln!(
                    "\n{} file(s) out of date; run `cargo xtask codegen` and commit the result",
                    drift.len()
                );
            }
            return ExitCode::from(1);
        }
        print!("{}", plan.summary(self.max_warnings, self.max_changes));
        match plan.write() {
            Ok(touched) if touched.is_empty() => {
                println!("nothing to write: all files are current")
            }
            Ok(touched) => {
                for path in touched {
                    let verb = if path.exists() { "wrote" } else { "removed" };
                    println!("{verb} {}", path.display());
                }
            }
            Err(e) => {
                eprintln!("cannot write to {}: {e}", out.display());
                return ExitCode::from(2);
            }
        }
        if errors > 0 {
            eprintln!(
                "\n{errors} error(s) in {} product(s), whose previous specs were kept: {}",
                plan.failed.len(),
                plan.failed.keys().cloned().collect::<Vec<_>>().join(", ")
            );
            return ExitCode::from(1);
        }
        ExitCode::SUCCESS
    }
}
