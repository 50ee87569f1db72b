//! `cargo xtask bench-compile`: how long the generated SDK takes to compile, where that time
//! goes, and what a user's crate that calls it pays.
//!
//! A corpus in the shape of the published set (`dezai_docs::synth::real_shaped`: the
//! distribution of actions per product, fields per action, data models and field types that
//! `docs/format.md` gives) becomes specs, and a scratch SDK is laid out as `dezai-sdk` is: one
//! crate per product expanding its `product!`, and a facade re-exporting each behind a feature
//! (`--single-crate`: every product a module of one crate, the layout before, for comparison).
//! Its largest product (about 100 actions, like the largest real ones) is named `large`. The
//! product crates are built without incremental compilation, as `cargo xtask codegen` sets up
//! `dezai-sdk`'s workspace and as a registry dependency always is. Two scratch user crates call
//! actions through the facade, each action's request example set through the typed API and
//! sent.
//!
//! Measured, each the median of several runs, dependencies built first (what anyone pays
//! after their first build): a clean debug build of the SDK with all products (and the same
//! with incremental compilation forced on) and with the large product alone, the rebuild after
//! editing that product's spec, the time inside the
//! macro (`DEZAI_MACRO_TIMING`), the user crate calling the large product's actions (its
//! own build, over the SDK's), the user crate calling every action (CPU time of its own
//! build per 100 actions, from the kernel's accounting of reaped child processes), and rustc's
//! passes over the SDK's crates (`passes`).

use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use quote::quote;
use toml_edit::{Array, DocumentMut, Item, Table, value};

mod passes;

use crate::writers::rust;
use crate::writers::toml::{self, path_dependency};

/// What to build.
pub struct Options {
    /// Actions in all.
    pub actions: usize,
    /// Products they are spread over.
    pub products: usize,
    /// Runs per measurement.
    pub runs: usize,
    /// Every product a module of one crate instead of one crate per product.
    pub single_crate: bool,
}

/// The corpus's largest product (about 100 actions, like the largest real products), renamed
/// so that the report can name it.
const LARGE: &str = "large";
/// The scratch SDK's package name; products are `{SDK}-{product}`.
const SDK: &str = "compile-bench-sdk";

/// Runs the benchmark and returns the report.
pub fn run(options: &Options) -> Result<String> {
    if options.actions < options.products || options.products < 2 {
        bail!("the corpus needs at least 2 products and an action for each");
    }
    let root = crate::project_root();
    let dir = root.join("target/compile-bench");
    let specs = dir.join("specs");
    let work = dir.join("work");
    // Scratch crates from an earlier layout must not linger in the workspace.
    let _ = std::fs::remove_dir_all(&work);
    let _ = std::fs::remove_dir_all(&specs);
    std::fs::create_dir_all(&specs)?;

    // The published set's shape (docs/format.md); its first product is the largest.
    let sources: Vec<_> = dezai_docs::synth::real_shaped(options.products, options.actions, 7)
        .into_iter()
        .map(|mut source| {
            if source.product == "svc00" {
                source.path = source.path.replacen("svc00", LARGE, 1);
                source.product = LARGE.to_owned();
            }
            source
        })
        .collect();
    let markdown: usize = sources.iter().map(|s| s.bytes.len()).sum();
    let built = dezai_docs::build_specs(&sources).map_err(|e| anyhow::anyhow!("{e}"))?;
    let mut spec_bytes = 0;
    let mut parsed = Vec::new();
    for spec in &built {
        let json = spec.to_json();
        spec_bytes += json.len();
        std::fs::write(specs.join(format!("{}.json", spec.product)), &json)?;
        parsed.push(dezai_spec::ProductSpec::from_json(&json).map_err(|e| anyhow::anyhow!("{e}"))?);
    }
    let products: Vec<String> = built.iter().map(|s| s.product.clone()).collect();
    let large_spec = parsed
        .iter()
        .find(|s| s.product == LARGE)
        .context("the large product")?;
    write_workspace(&root, &work, &products, options.single_crate)?;
    let all_calls = write_user(&work.join("user-all"), "user-all", &[], &parsed)?;
    let one_calls = write_user(
        &work.join("user-one"),
        "user-one",
        &[LARGE],
        std::slice::from_ref(large_spec),
    )?;
    let target = dir.join("target");
    let sdk_packages: Vec<String> = if options.single_crate {
        vec![SDK.to_owned()]
    } else {
        std::iter::once(SDK.to_owned())
            .chain(products.iter().map(|p| format!("{SDK}-{p}")))
            .collect()
    };
    let sdk = Build {
        work: &work,
        target: &target,
        packages: &sdk_packages,
        env: PLAIN,
    };
    let sdk_incremental = Build {
        env: INCREMENTAL,
        ..sdk
    };

    // Dependencies once, so every measurement is of the generated crates themselves.
    cargo(
        &work,
        &target,
        &["build", "--quiet", "-p", SDK, "--no-default-features"],
        PLAIN,
    )?;

    let all = measure(options.runs, || sdk.clean_build(&["-p", SDK]))?;
    let all_incremental = measure(options.runs, || sdk_incremental.clean_build(&["-p", SDK]))?;
    let one_args = ["-p", SDK, "--no-default-features", "--features", LARGE];
    let one = measure(options.runs, || sdk.clean_build(&one_args))?;
    // Incremental: with everything built, edit the large product's spec and build again.
    let edited = specs.join(format!("{LARGE}.json"));
    let original = std::fs::read_to_string(&edited)?;
    cargo(&work, &target, &["build", "--quiet", "-p", SDK], PLAIN)?;
    let mut edit_round = 0;
    let incremental = measure(options.runs, || {
        edit_round += 1;
        let text = original.replacen(
            "does one made-up thing.",
            &format!("does one made-up thing (edit {edit_round})."),
            1,
        );
        std::fs::write(&edited, text)?;
        let start = Instant::now();
        cargo(&work, &target, &["build", "--quiet", "-p", SDK], PLAIN)?;
        Ok(Timed::wall(start.elapsed()))
    })?;
    std::fs::write(&edited, &original)?;
    // Time inside the macro, reported by the macro itself.
    sdk.clean()?;
    let output = cargo(
        &work,
        &target,
        &["build", "-p", SDK],
        &[("DEZAI_MACRO_TIMING", "1")],
    )?;
    let (macro_ms, read_parse_ms) = macro_times(&output);

    // User crates: the SDK is built (with the features the crate asks for) before each
    // measurement, which then covers the user crate alone.
    let user = |name: &str| {
        let packages = [name.to_owned()];
        let build = Build {
            work: &work,
            target: &target,
            packages: &packages,
            env: PLAIN,
        };
        cargo(&work, &target, &["build", "--quiet", "-p", name], PLAIN)?;
        measure(options.runs, || build.clean_build(&["-p", name]))
    };
    let user_one = user("user-one")?;
    let user_all = user("user-all")?;
    let per_100 = user_all.cpu.as_secs_f64() * 100.0 / all_calls.max(1) as f64;

    // Where the product crates' time goes, pass by pass.
    let passes = passes::per_pass(&work, &target, &sdk_packages)?;

    let lines = count_generated_lines(&parsed)?;
    let layout = if options.single_crate {
        "one crate, a module per product"
    } else {
        "one crate per product and a facade"
    };
    Ok(format!(
        "corpus: {} actions in {} products shaped like the published set, the largest ({LARGE}) with {} actions ({:.1} MB of Markdown, {:.1} MB of specs), about {lines} lines of generated Rust\n\
         layout: {layout}; debug profile; medians of {} runs; dependencies built first\n\
         clean build of the SDK, all products: {}\n\
         the same with incremental compilation of the product crates: {}\n\
         clean build of the SDK, {LARGE} only ({} actions): {}\n\
         rebuild after editing {LARGE}'s spec (all products on): {}\n\
         inside the macro (all products): generate {:.0} ms, read + parse specs {:.0} ms\n\
         user crate calling {one_calls} actions of {LARGE} (SDK with {LARGE} only, built first): {}\n\
         user crate calling every action ({all_calls} calls, SDK with all products built first): {}, {:.2} CPU-s per 100 actions\n\
         rustc's passes over the SDK's crates, each compiled alone (-Z time-passes, summed):\n{}",
        options.actions,
        products.len(),
        large_spec.actions.len(),
        markdown as f64 / 1e6,
        spec_bytes as f64 / 1e6,
        options.runs,
        all,
        all_incremental,
        large_spec.actions.len(),
        one,
        incremental,
        macro_ms,
        read_parse_ms,
        user_one,
        user_all,
        per_100,
        passes::report(&passes),
    ))
}

/// A build's wall-clock time and the CPU time (user + system) of the processes it ran.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct Timed {
    wall: Duration,
    cpu: Duration,
}

impl Timed {
    fn wall(wall: Duration) -> Self {
        Self {
            wall,
            cpu: Duration::ZERO,
        }
    }
}

impl std::fmt::Display for Timed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:.2} s", self.wall.as_secs_f64())?;
        if !self.cpu.is_zero() {
            write!(f, " ({:.2} CPU-s)", self.cpu.as_secs_f64())?;
        }
        Ok(())
    }
}

/// The scratch packages one measurement cleans and builds.
struct Build<'a> {
    work: &'a Path,
    target: &'a Path,
    packages: &'a [String],
    env: &'a [(&'a str, &'a str)],
}

impl Build<'_> {
    fn clean(&self) -> Result<()> {
        let mut args = vec!["clean", "--quiet"];
        for p in self.packages {
            args.extend(["-p", p.as_str()]);
        }
        cargo(self.work, self.target, &args, PLAIN).map(|_| ())
    }

    fn clean_build(&self, build_args: &[&str]) -> Result<Timed> {
        self.clean()?;
        let mut args = vec!["build", "--quiet"];
        args.extend_from_slice(build_args);
        let cpu = children_cpu();
        let start = Instant::now();
        cargo(self.work, self.target, &args, self.env)?;
        let wall = start.elapsed();
        Ok(Timed {
            wall,
            cpu: children_cpu().saturating_sub(cpu),
        })
    }
}

/// User + system time of this process's reaped children and their descendants (cargo waits
/// for the compilers it runs), from `/proc/self/stat`; zero where that is not available.
fn children_cpu() -> Duration {
    let Ok(stat) = std::fs::read_to_string("/proc/self/stat") else {
        return Duration::ZERO;
    };
    // Fields after the command name (which may hold spaces) start at the state, field 3;
    // cutime and cstime are fields 16 and 17, in USER_HZ ticks (100 per second on Linux).
    let Some((_, rest)) = stat.rsplit_once(')') else {
        return Duration::ZERO;
    };
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks: u64 = [13, 14]
        .iter()
        .filter_map(|&i| fields.get(i)?.parse::<u64>().ok())
        .sum();
    Duration::from_millis(ticks * 10)
}

/// The macro's own report (`DEZAI_MACRO_TIMING`), summed over products: generate, and read +
/// parse, in milliseconds.
fn macro_times(output: &str) -> (f64, f64) {
    let number_after = |line: &str, label: &str| {
        line.split(label)
            .nth(1)
            .and_then(|r| r.split(" ms").next())
            .and_then(|v| v.trim().parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    output.lines().filter(|l| l.contains("dezai-macros:")).fold(
        (0.0, 0.0),
        |(generate, read_parse), l| {
            (
                generate + number_after(l, "generate "),
                read_parse + number_after(l, "read ") + number_after(l, "parse "),
            )
        },
    )
}

/// The scratch workspace: the SDK facade at its root, product crates under `products/`
/// (unless `single_crate`), user crates beside them. Written through the same writers as
/// codegen's wiring (`crate::writers`).
fn write_workspace(
    root: &Path,
    work: &Path,
    products: &[String],
    single_crate: bool,
) -> Result<()> {
    std::fs::create_dir_all(work.join("src"))?;
    std::fs::create_dir_all(work.join("products"))?;
    let runtime = path_text(&root.join("crates/dezai-runtime"))?;
    let macros = path_text(&root.join("crates/dezai-macros"))?;
    let mut manifest = package_manifest(SDK);
    let members: Vec<&str> = if single_crate {
        vec!["user-all", "user-one"]
    } else {
        vec!["products/*", "user-all", "user-one"]
    };
    table(&mut manifest, &["workspace"])?.insert("members", value(Array::from_iter(members)));
    table(&mut manifest, &["features"])?.insert("default", value(Array::from_iter(products)));
    let mut modules = Vec::new();
    for p in products {
        let module = rust::ident(p).map_err(anyhow::Error::msg)?;
        if single_crate {
            table(&mut manifest, &["features"])?.insert(p, value(Array::new()));
            let spec = format!("../specs/{p}.json");
            modules.push(quote! {
                #[cfg(feature = #p)]
                pub mod #module {
                    dezai_macros::product!(#spec);
                }
            });
            continue;
        }
        let name = format!("{SDK}-{p}");
        table(&mut manifest, &["features"])?
            .insert(p, value(Array::from_iter([format!("dep:{name}")])));
        table(&mut manifest, &["dependencies"])?.insert(
            &name,
            path_dependency(&format!("products/{p}"), &[("optional", true.into())]),
        );
        // As `cargo xtask codegen` writes them for `dezai-sdk`'s workspace.
        table(&mut manifest, &["profile", "dev", "package", &name])?
            .insert("incremental", value(false));
        let krate = rust::ident(&name.replace('-', "_")).map_err(anyhow::Error::msg)?;
        modules.push(quote! {
            #[cfg(feature = #p)]
            pub use #krate as #module;
        });
        let dir = work.join("products").join(p);
        std::fs::create_dir_all(dir.join("src"))?;
        let mut product = package_manifest(&name);
        let dependencies = table(&mut product, &["dependencies"])?;
        dependencies.insert("dezai-macros", path_dependency(&macros, &[]));
        dependencies.insert("dezai-runtime", path_dependency(&runtime, &[]));
        std::fs::write(dir.join("Cargo.toml"), product.to_string())?;
        let docs = rust::inner_docs(&format!("Synthetic product `{p}`."));
        let spec = format!("../../../specs/{p}.json");
        let lib = rust::file(&[], quote!(#docs dezai_macros::product!(#spec);));
        std::fs::write(dir.join("src/lib.rs"), lib.map_err(anyhow::Error::msg)?)?;
    }
    let dependencies = table(&mut manifest, &["dependencies"])?;
    dependencies.insert("dezai-macros", path_dependency(&macros, &[]));
    dependencies.insert("dezai-runtime", path_dependency(&runtime, &[]));
    table(&mut manifest, &["profile", "dev"])?.insert("debug", value("line-tables-only"));
    table(&mut manifest, &["profile", "dev", "package", "*"])?.insert("debug", value(false));
    std::fs::write(work.join("Cargo.toml"), manifest.to_string())?;
    std::fs::copy(root.join("Cargo.lock"), work.join("Cargo.lock"))?;
    let docs = rust::inner_docs("Synthetic SDK for the compile-time benchmark.");
    let lib = rust::file(&[], quote!(#docs #(#modules)*)).map_err(anyhow::Error::msg)?;
    std::fs::write(work.join("src/lib.rs"), lib)?;
    Ok(())
}

/// A scratch package's manifest: `[package]` with its name, version 0.0.0, edition 2024.
fn package_manifest(name: &str) -> DocumentMut {
    let mut manifest = DocumentMut::new();
    let mut package = Table::new();
    package.insert("name", value(name));
    package.insert("version", value("0.0.0"));
    package.insert("edition", value("2024"));
    manifest.insert("package", Item::Table(package));
    manifest
}

/// The table at `keys` of a scratch manifest.
fn table<'d>(manifest: &'d mut DocumentMut, keys: &[&str]) -> Result<&'d mut Table> {
    toml::table_at(manifest, keys, "the scratch manifest").map_err(anyhow::Error::msg)
}

/// A path as a manifest's `path` value.
fn path_text(path: &Path) -> Result<String> {
    path.to_str()
        .map(str::to_owned)
        .ok_or_else(|| anyhow::anyhow!("{} is not UTF-8", path.display()))
}

/// A user crate calling every action of `specs` through the facade, with the facade's
/// `features` (all when empty). Returns the number of calls it makes.
fn write_user(
    dir: &Path,
    name: &str,
    features: &[&str],
    specs: &[dezai_spec::ProductSpec],
) -> Result<usize> {
    std::fs::create_dir_all(dir.join("src"))?;
    let runtime = path_text(&crate::project_root().join("crates/dezai-runtime"))?;
    let mut manifest = package_manifest(name);
    let sdk: &[(&str, toml_edit::Value)] = if features.is_empty() {
        &[]
    } else {
        &[
            ("default-features", false.into()),
            (
                "features",
                Array::from_iter(features.iter().copied()).into(),
            ),
        ]
    };
    let dependencies = table(&mut manifest, &["dependencies"])?;
    dependencies.insert(SDK, path_dependency("..", sdk));
    dependencies.insert("dezai-runtime", path_dependency(&runtime, &[]));
    std::fs::write(dir.join("Cargo.toml"), manifest.to_string())?;
    let sdk_crate = rust::ident(&SDK.replace('-', "_")).map_err(anyhow::Error::msg)?;
    let mut modules = Vec::new();
    let mut calls = 0;
    for spec in specs {
        let product = rust::ident(&spec.product).map_err(anyhow::Error::msg)?;
        let module = quote!(::#sdk_crate::#product);
        let tokens =
            dezai_codegen::example_calls(spec, &module, &dezai_codegen::Options::default())
                .map_err(|e| anyhow::anyhow!("{e}"))?;
        calls += tokens
            .clone()
            .into_iter()
            .filter(|t| matches!(t, proc_macro2::TokenTree::Ident(i) if i == "async"))
            .count();
        modules.push(quote!(pub mod #product { #tokens }));
    }
    let docs = rust::inner_docs("Calls actions of the synthetic SDK, as a program would.");
    let lib = rust::file(&[], quote!(#docs #(#modules)*)).map_err(anyhow::Error::msg)?;
    std::fs::write(dir.join("src/lib.rs"), lib)?;
    Ok(calls)
}

/// No extra environment.
const PLAIN: &[(&str, &str)] = &[];
/// Incremental compilation forced on, as workspace members get it by default: the product
/// crates are built without it (as in `dezai-sdk`'s workspace, and as a registry dependency
/// always is), and this measures what that saves.
const INCREMENTAL: &[(&str, &str)] = &[("CARGO_INCREMENTAL", "1")];

fn cargo(work: &Path, target: &Path, args: &[&str], env: &[(&str, &str)]) -> Result<String> {
    let mut command = crate::cargo();
    // `--offline` right after the subcommand: after `--`, arguments are rustc's.
    let (subcommand, rest) = args.split_first().context("a cargo subcommand")?;
    command
        .arg(subcommand)
        .arg("--offline")
        .args(rest)
        .current_dir(work)
        .env("CARGO_TARGET_DIR", target)
        .envs(env.iter().copied());
    let output = command.output().context("running cargo")?;
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    if !output.status.success() {
        bail!("cargo {} failed:\n{stderr}", args.join(" "));
    }
    Ok(stderr)
}

/// The median of `runs` measurements.
fn measure(runs: usize, mut f: impl FnMut() -> Result<Timed>) -> Result<Timed> {
    let mut times = (0..runs.max(1)).map(|_| f()).collect::<Result<Vec<_>>>()?;
    times.sort();
    Ok(times[times.len() / 2])
}

/// Lines of the pretty-printed expansion, for scale.
fn count_generated_lines(specs: &[dezai_spec::ProductSpec]) -> Result<usize> {
    let mut lines = 0;
    for spec in specs {
        let tokens = dezai_codegen::product(spec, &dezai_codegen::Options::default())
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
