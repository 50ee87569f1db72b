//! A waiter's overhead against the emulator: polls per second with the delays set to zero,
//! against the same typed call sent in a plain loop, and the client's CPU time per poll and per
//! call (the calling thread's own CPU time: the emulator runs on threads of its own).
//!
//! Run with `cargo bench -p dezai-sdk --bench waiter`. Prints medians over interleaved rounds
//! and their ratio; no assertions.

use std::time::{Duration, Instant};

use dezai_sdk::prelude::*;
use dezai_sdk::waiter::Verdict;

/// Calls per round, and rounds.
const CALLS: u32 = 2_000;
const ROUNDS: usize = 7;

/// The calling thread's CPU time so far (Linux; `None` elsewhere).
fn thread_cpu() -> Option<Duration> {
    let text = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let nanos: u64 = text.split_whitespace().next()?.parse().ok()?;
    Some(Duration::from_nanos(nanos))
}

fn main() {
    // The emulator on a runtime of its own threads, the client on this thread alone.
    let server = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .expect("server runtime");
    let emulator = server.block_on(async {
        dezai_sdk::specs()
            .into_iter()
            .fold(dezai_emulator::Emulator::builder(), |b, (_, json)| {
                b.spec_json(json)
            })
            .key_pair("bench-public", "bench-private")
            .start()
            .await
            .expect("emulator")
    });
    let client_runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("client runtime");
    client_runtime.block_on(async {
        let client = Client::new(
            Config::builder()
                .credentials(Credentials::new("bench-public", "bench-private"))
                .base_url(emulator.url())
                .region("cn-bj2")
                .zone("cn-bj2-04")
                .build()
                .expect("config"),
        )
        .expect("client");
        let request = dezai_sdk::udb::DescribeUdbInstanceBackupStateRequest::new(8880);
        let (mut plain, mut waited) = (Vec::new(), Vec::new());
        for _ in 0..ROUNDS {
            let (start, cpu) = (Instant::now(), thread_cpu());
            for _ in 0..CALLS {
                client.send(request.clone()).await.expect("call");
            }
            plain.push(measure(start, cpu));

            let (start, cpu) = (Instant::now(), thread_cpu());
            let polls = std::sync::atomic::AtomicU32::new(0);
            client
                .wait_for(request.clone(), |_| {
                    let n = polls.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
                    if n == CALLS { Verdict::Done } else { Verdict::Pending }
                })
                .delays(Duration::ZERO, Duration::ZERO)
                .timeout(Duration::from_secs(600))
                .await
                .expect("wait");
            waited.push(measure(start, cpu));
        }
        let median = |rows: &mut Vec<(f64, Option<f64>)>, pick: fn(&(f64, Option<f64>)) -> f64| {
            let mut values: Vec<f64> = rows.iter().map(pick).collect();
            values.sort_by(f64::total_cmp);
            values[values.len() / 2]
        };
        let rate = |r: &(f64, Option<f64>)| r.0;
        let cpu = |r: &(f64, Option<f64>)| r.1.unwrap_or(f64::NAN);
        let ratios: Vec<(f64, Option<f64>)> = plain
            .iter()
            .zip(&waited)
            .map(|(p, w)| (w.0 / p.0, w.1.zip(p.1).map(|(w, p)| w / p)))
            .collect();
        let mut ratios = ratios;
        println!(
            "plain calls: median {:.0} calls/s, {:.1} µs client CPU per call",
            median(&mut plain, rate),
            median(&mut plain, cpu)
        );
        println!(
            "waiter polls (delays zero): median {:.0} polls/s, {:.1} µs client CPU per poll",
            median(&mut waited, rate),
            median(&mut waited, cpu)
        );
        println!(
            "waiter / plain, paired per round: median {:.3}× the rate, {:.3}× the CPU ({ROUNDS} rounds of {CALLS})",
            median(&mut ratios, rate),
            median(&mut ratios, cpu)
        );
    });
}

/// Calls per second and client CPU µs per call since `start`.
fn measure(start: Instant, cpu: Option<Duration>) -> (f64, Option<f64>) {
    let rate = f64::from(CALLS) / start.elapsed().as_secs_f64();
    let used = cpu
        .zip(thread_cpu())
        .map(|(before, after)| (after - before).as_secs_f64() * 1e6 / f64::from(CALLS));
    (rate, used)
}
