//! Parsing throughput: the whole parse + spec build of a large synthetic corpus.
//!
//! Run with `cargo bench -p dezai-docs --bench parse`. Prints the corpus size and the median
//! of several runs (the machine is shared and noisy, so medians, not means). No assertion on
//! timing: the figure goes into BENCHMARKS.md.

use std::time::{Duration, Instant};

use dezai_docs::synth;

fn main() {
    let actions = std::env::var("SYNTH_ACTIONS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(2_000);
    let runs: usize = std::env::var("RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(15);
    let sources = synth::corpus(synth::Options {
        products: 80,
        actions,
        seed: 7,
    });
    let bytes: usize = sources.iter().map(|s| s.bytes.len()).sum();

    // Warm up, and check the corpus is valid so the timing is of a successful run.
    let specs = match dezai_docs::build_specs(&sources) {
        Ok(specs) => specs,
        Err(e) => panic!("synthetic corpus does not parse:\n{e}"),
    };
    let fields: usize = specs
        .iter()
        .flat_map(|s| &s.actions)
        .map(|a| a.request.len() + a.response.len())
        .sum();

    let times = measure(runs, || {
        std::hint::black_box(dezai_docs::build_specs(&sources)).ok();
    });
    // Baseline in the same run: pulldown-cmark alone walking the same documents, so the
    // report can say how much of the time is ours.
    let texts: Vec<&str> = sources
        .iter()
        .map(|s| std::str::from_utf8(&s.bytes).unwrap_or(""))
        .collect();
    let baseline = measure(runs, || {
        for text in &texts {
            let parser =
                pulldown_cmark::Parser::new_ext(text, pulldown_cmark::Options::ENABLE_TABLES);
            std::hint::black_box(parser.into_offset_iter().count());
        }
    });
    let median = times[times.len() / 2];
    let base = baseline[baseline.len() / 2];
    let mb = bytes as f64 / 1e6;
    println!(
        "corpus: {} documents, {:.2} MB, {} products, {fields} top-level fields",
        sources.len(),
        mb,
        specs.len()
    );
    println!(
        "parse + build: median {:.1} ms over {runs} runs (min {:.1} ms, max {:.1} ms) = {:.1} MB/s",
        median.as_secs_f64() * 1e3,
        times[0].as_secs_f64() * 1e3,
        times[times.len() - 1].as_secs_f64() * 1e3,
        mb / median.as_secs_f64()
    );
    println!(
        "pulldown-cmark alone: median {:.1} ms; parse + build takes {:.2}x that",
        base.as_secs_f64() * 1e3,
        median.as_secs_f64() / base.as_secs_f64()
    );
    // The target is 5 MB in under 0.25 s on one core; scale the median to 5 MB.
    println!(
        "scaled to 5 MB: {:.1} ms (target < 250 ms)",
        median.as_secs_f64() * 1e3 * 5.0 / mb
    );
}

/// Runs `f` `runs` times and returns the sorted durations.
fn measure(runs: usize, mut f: impl FnMut()) -> Vec<Duration> {
    let mut times: Vec<Duration> = (0..runs)
        .map(|_| {
            let start = Instant::now();
            f();
            start.elapsed()
        })
        .collect();
    times.sort();
    times
}
