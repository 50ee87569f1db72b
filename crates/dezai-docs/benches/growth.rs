//! Growth of parse time and memory with input size, one document shape at a time
//! (`dezai_docs::synth::Shape`). Prints a table: shape, n, bytes, median time, and the peak
//! resident memory of this process (VmHWM, Linux) after the shape's largest input.
//!
//! `cargo bench -p dezai-docs --bench growth` (env `GROWTH_N` sets the smallest n, default
//! 2,000; each shape runs at n, 2n, 4n, 8n). Linear growth shows as time doubling with n.
//! Run one shape per process (`GROWTH_SHAPE=<index>`) to read its peak memory on its own.

use std::time::Instant;

use dezai_docs::synth::{self, Shape};

fn main() {
    let base: usize = std::env::var("GROWTH_N")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(2_000);
    let only: Option<usize> = std::env::var("GROWTH_SHAPE")
        .ok()
        .and_then(|v| v.parse().ok());
    println!("| shape | n | bytes | median parse | time / previous | peak RSS |");
    println!("|---|---|---|---|---|---|");
    for (index, shape) in Shape::ALL.into_iter().enumerate() {
        if only.is_some_and(|o| o != index) {
            continue;
        }
        let mut previous: Option<f64> = None;
        for factor in [1, 2, 4, 8] {
            let n = base * factor;
            let text = synth::shape(shape, n);
            let mut times: Vec<f64> = (0..5)
                .map(|_| {
                    let start = Instant::now();
                    let _ = std::hint::black_box(dezai_docs::parse_document("g/doc.md", &text));
                    start.elapsed().as_secs_f64()
                })
                .collect();
            times.sort_by(f64::total_cmp);
            let median = times[times.len() / 2];
            let ratio = previous.map_or("—".to_owned(), |p| format!("{:.2}×", median / p));
            previous = Some(median);
            println!(
                "| {} | {n} | {} | {:.1} ms | {ratio} | {} |",
                shape.name(),
                text.len(),
                median * 1e3,
                peak_rss()
            );
        }
    }
}

/// The process's peak resident memory so far, from /proc (Linux); `?` elsewhere.
fn peak_rss() -> String {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .map(|l| l["VmHWM:".len()..].trim().to_owned())
        })
        .unwrap_or_else(|| "?".into())
}
