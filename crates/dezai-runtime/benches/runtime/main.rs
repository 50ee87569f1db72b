//! Runtime benchmarks: sign + encode of a typical request, allocations per call, what the
//! client process itself spends per call with the emulator in another process (`apart`), and
//! calls per second over loopback through the client versus raw reqwest against the same
//! server, in the same run, at 1 and 64 callers; against three servers (axum, a minimal hyper
//! server answering a fixed body, and the emulator), each on its own tokio runtime and threads
//! as a server in another process would be; and the Python SDK (ucloud-sdk-python3, installed
//! into a scratch virtualenv under `target/`) against the emulator process, in client CPU per
//! call.
//!
//! Run with `cargo bench -p dezai-runtime --bench runtime`. Prints medians and ratios; no
//! assertions. `ROUNDS`, `WINDOW_MS` and `PYTHON` (the interpreter; `PYTHON=none` skips that
//! contender) adjust it; `ALLOCATIONS_ONLY=1` stops after the allocation count, `APART_ONLY=1`
//! after the client-CPU section, and `PROFILE=typed|invoke|raw` runs one contender for 10 s
//! (for `perf record`; with `PROFILE_SERVER=emulator|hyper`, against that server in another
//! process). `SPIN_INSTEAD=1` makes the "raw + SDK encode/sign" contender send the pre-signed
//! body after spinning `SPIN_NS` nanoseconds (default 1,200) instead of encoding: a client
//! slower by that much, sending the same bytes.

use dezai_http::ClientExt as _;
use std::time::{Duration, Instant};

mod apart;
mod python;
mod servers;

use apart::ServerProcess;
use dezai_runtime::{Action, Client, Config, ConfigParams, Credentials, ParamWriter};
use python::python_contender;
use servers::{serve_apart, start_axum, start_emulator, start_minimal_hyper};

// The typed contender is the SDK's own code: the udb product expanded from its spec by the
// same macro as `dezai-sdk`'s product crate (a hand-written imitation drifted from it once).
dezai_macros::product!("../../specs/udb.json");

/// A typical request: DescribeUDBInstanceBackupURL, with Region, Zone and ProjectId filled
/// from the configuration.
type DescribeBackupUrl = describe_udb_instance_backup_url::DescribeUdbInstanceBackupUrlRequest;

/// The same request, decoded into a response type without an unknown-fields map: shows what
/// `#[serde(flatten)]` costs per call.
struct DescribeBackupUrlPlain(DescribeBackupUrl);

#[derive(serde::Deserialize)]
#[allow(dead_code)]
struct PlainResponse {
    #[serde(
        rename = "BackupPath",
        default,
        deserialize_with = "dezai_runtime::de::lenient"
    )]
    backup_path: Option<String>,
    #[serde(
        rename = "InnerBackupPath",
        default,
        deserialize_with = "dezai_runtime::de::lenient"
    )]
    inner_backup_path: Option<String>,
}

impl dezai_runtime::Response for PlainResponse {}

impl Action for DescribeBackupUrlPlain {
    const NAME: &'static str = <DescribeBackupUrl as Action>::NAME;
    const CONFIG_PARAMS: ConfigParams = <DescribeBackupUrl as Action>::CONFIG_PARAMS;
    type Response = PlainResponse;
    fn write_params(&self, w: &mut ParamWriter<'_>) {
        self.0.write_params(w);
    }
}

/// The action `client.invoke` calls with [`invoke_params`]: the same call as [`request`].
const INVOKED: &str = "DescribeUDBInstanceBackupURL";

/// [`request`]'s parameters, for `client.invoke`.
fn invoke_params() -> dezai_runtime::Params {
    let mut params = dezai_runtime::Params::new();
    params.push("DBId", "udb-abc123");
    params.push("BackupId", "1234");
    params.push("ValidTime", "3600");
    params
}

fn request() -> DescribeBackupUrl {
    DescribeBackupUrl::new("udb-abc123", 1234).valid_time(3600)
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(|a, b| a.total_cmp(b));
    values[values.len() / 2]
}

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn main() {
    if apart::serve_if_asked() {
        return;
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("tokio runtime");
    runtime.block_on(run());
}

/// The key pair every server and client here uses.
pub(crate) const PUBLIC_KEY: &str = "bench-public-key";
pub(crate) const PRIVATE_KEY: &str = "bench-private-key-0123456789abcdef";

fn client_for(url: &str) -> Client {
    Client::new(
        Config::builder()
            .credentials(Credentials::new(PUBLIC_KEY, PRIVATE_KEY))
            .base_url(url)
            .region("cn-bj2")
            .zone("cn-bj2-04")
            .project_id("org-bench")
            .build()
            .expect("config"),
    )
    .expect("client")
}

async fn run() {
    let axum_url = serve_apart("axum", start_axum);
    let mut client = client_for(&axum_url);
    let mut url = axum_url.clone();

    // PROFILE=typed|invoke|raw: only that contender, 64 callers (PROFILE_CALLERS) against axum for 10 s (for
    // `perf`); PROFILE_SERVER=emulator|hyper: against that server in another process instead,
    // so that a profile of this process holds the client alone.
    let _profiled_server = std::env::var("PROFILE_SERVER").ok().map(|kind| {
        let server = ServerProcess::start(&kind);
        url = server.url.clone();
        client = client_for(&url);
        server
    });
    if let Ok(which) = std::env::var("PROFILE") {
        let encoded = client.encode(&request()).expect("encode").body().to_owned();
        let window = Duration::from_secs(10);
        // PROFILE_CALLERS=1: one caller, for counting what a lone call costs (system calls).
        let callers = env_usize("PROFILE_CALLERS", 64);
        let calls = if which == "raw" {
            let raw = reqwest::Client::new();
            rate(
                callers,
                window,
                raw_call(raw, format!("{url}/"), None, encoded),
            )
            .await
        } else if which == "invoke" {
            let client = client.clone();
            let call = move || {
                let client = client.clone();
                Box::pin(async move {
                    let answer = client.invoke(INVOKED, invoke_params()).await;
                    answer.expect("invoke");
                })
                    as std::pin::Pin<Box<dyn std::future::Future<Output = ()> + Send>>
            };
            rate(callers, window, call).await
        } else {
            rate(callers, window, typed_call(&client)).await
        };
        println!("{which}: {calls:.0} calls/s");
        return;
    }

    // 1. Sign + encode: parameters written, defaults filled, sorted, signed, form-encoded.
    if std::env::var_os("ENCODE_THREADS").is_some() {
        // Encode on two threads at once: does encoding slow down under parallelism?
        let started = Instant::now();
        let threads: Vec<_> = (0..2)
            .map(|_| {
                let client = client.clone();
                std::thread::spawn(move || {
                    let req = request();
                    for _ in 0..500_000 {
                        std::hint::black_box(client.encode(&req).expect("encode"));
                    }
                })
            })
            .collect();
        for t in threads {
            t.join().expect("thread");
        }
        println!(
            "2 threads x 500k encodes: {:.0} ns per encode per thread",
            started.elapsed().as_nanos() as f64 / 500_000.0
        );
        return;
    }
    let per_batch = env_usize("ENCODE_BATCH", 100_000);
    let batches = env_usize("ENCODE_BATCHES", 15);
    let req = request();
    let encode_ns: Vec<f64> = (0..batches)
        .map(|_| {
            let start = Instant::now();
            for _ in 0..per_batch {
                std::hint::black_box(client.encode(std::hint::black_box(&req)).expect("encode"));
            }
            start.elapsed().as_nanos() as f64 / per_batch as f64
        })
        .collect();
    let encoded = client.encode(&req).expect("encode");
    println!(
        "sign + encode ({} params, {} byte body): median {:.0} ns per request over {batches} batches of {per_batch}",
        encoded.params().len(),
        encoded.body().len(),
        median(encode_ns)
    );

    // 2. Allocations per call, sequential, counted on the calling thread: a current-thread
    // runtime runs the client, reqwest's connection task included, while the server runs on
    // its own threads and is not counted. allocation-counter is the global allocator: the
    // system allocator (glibc's malloc) with a thread-local count per allocation.
    let body = encoded.body().to_owned();
    let (raw_allocs, typed_allocs) = {
        let url = url.clone();
        std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("runtime");
            let client = client_for(&url);
            let raw_once = raw_call(reqwest::Client::new(), format!("{url}/"), None, body);
            runtime.block_on(async {
                for _ in 0..100 {
                    raw_once().await;
                    client.send(request()).await.expect("warm-up");
                }
            });
            let calls = 2_000u64;
            let per_call =
                |f: &dyn Fn()| allocation_counter::measure(f).count_total as f64 / calls as f64;
            let raw = per_call(&|| {
                runtime.block_on(async {
                    for _ in 0..calls {
                        raw_once().await;
                    }
                })
            });
            let typed = per_call(&|| {
                runtime.block_on(async {
                    for _ in 0..calls {
                        client.send(request()).await.expect("sdk call");
                    }
                })
            });
            (raw, typed)
        })
        .join()
        .expect("allocation count")
    };
    println!(
        "allocations per call (client side: the caller's thread, connection task included), 2000 sequential calls each: raw reqwest {raw_allocs:.1}, typed call {typed_allocs:.1}: the client adds {:.1}",
        typed_allocs - raw_allocs
    );
    if std::env::var_os("ALLOCATIONS_ONLY").is_some() {
        return;
    }

    // 3. What the client process spends per call, the emulator in a process of its own; the
    // Python SDK against the same server, in client CPU per call. APART_ONLY=1 stops after it.
    let rounds = env_usize("ROUNDS", 7);
    let window = Duration::from_millis(env_usize("WINDOW_MS", 1500) as u64);
    let apart = ServerProcess::start("emulator");
    let apart_client = client_for(&apart.url);
    let typed_cpu = apart::client_cpu(&apart, &apart_client, encoded.body(), rounds, window).await;
    python_contender(&apart, &apart_client, typed_cpu).await;
    if std::env::var_os("APART_ONLY").is_some() {
        return;
    }

    // 4. Calls per second, servers in this process: the client (typed call, signing and decoding included) versus raw
    // reqwest posting the same pre-encoded body and reading the response bytes.
    // RAW_WITH_TIMEOUTS=1 gives raw reqwest a timeout as long as the client's, to see what a
    // timer per call costs.
    let mut raw_builder = reqwest::Client::builder();
    if std::env::var_os("RAW_WITH_TIMEOUTS").is_some() {
        raw_builder = raw_builder
            .timeout(client.config().timeout())
            .connect_timeout(client.config().connect_timeout());
    }
    let raw = raw_builder.build().expect("raw reqwest");
    let body = encoded.body().to_owned();
    for concurrency in [1usize, 64] {
        // Five contenders, interleaved each round so they share machine conditions: raw
        // reqwest with a pre-encoded body (the baseline), raw reqwest encoding and signing
        // each call with the SDK, the SDK's generic `invoke` (JSON value), the typed call as
        // generated, and a typed call decoding into a serde-derived type.
        let mut rates: [Vec<f64>; 5] = Default::default();
        for _ in 0..rounds {
            rates[0].push(
                rate(
                    concurrency,
                    window,
                    raw_call(raw.clone(), format!("{url}/"), None, body.clone()),
                )
                .await,
            );
            rates[1].push(
                rate(
                    concurrency,
                    window,
                    raw_call(
                        raw.clone(),
                        format!("{url}/"),
                        Some(client.clone()),
                        body.clone(),
                    ),
                )
                .await,
            );
            rates[2].push(
                rate(concurrency, window, {
                    let client = client.clone();
                    move || {
                        let client = client.clone();
                        async move {
                            client
                                .invoke(INVOKED, invoke_params())
                                .await
                                .expect("invoke");
                        }
                    }
                })
                .await,
            );
            rates[3].push(rate(concurrency, window, typed_call(&client)).await);
            rates[4].push(
                rate(concurrency, window, {
                    let client = client.clone();
                    move || {
                        let client = client.clone();
                        async move {
                            client
                                .send(DescribeBackupUrlPlain(request()))
                                .await
                                .expect("sdk call");
                        }
                    }
                })
                .await,
            );
        }
        let [raw_rate, raw_encode, invoke, typed, plain] = rates.map(median);
        println!(
            "axum server, {concurrency:>2} caller(s), median of {rounds} interleaved {}-ms rounds:\n   raw reqwest {raw_rate:.0} calls/s\n   raw reqwest + SDK encode/sign {raw_encode:.0} calls/s ({:.3}x)\n   client.invoke {invoke:.0} calls/s ({:.3}x)\n   client.send (generated type) {typed:.0} calls/s ({:.3}x)\n   client.send (serde-derived type) {plain:.0} calls/s ({:.3}x)",
            window.as_millis(),
            raw_encode / raw_rate,
            invoke / raw_rate,
            typed / raw_rate,
            plain / raw_rate,
        );
    }

    // 5. The same two ends against a minimal hyper server and against the emulator: what a
    // round trip costs on this loopback, and what the emulator adds to it.
    let hyper_url = serve_apart("hyper", start_minimal_hyper);
    let emulator_url = serve_apart("emulator", start_emulator);
    let hyper_client = client_for(&hyper_url);
    let emulator_client = client_for(&emulator_url);
    emulator_client
        .send(request())
        .await
        .expect("the emulator answers the typed call");
    // Raw reqwest must get the same answer as the typed call, or it measures less work.
    for url in [&hyper_url, &emulator_url] {
        let answer = raw
            .post(format!("{url}/"))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body.clone())
            .send()
            .await
            .expect("raw call")
            .text()
            .await
            .expect("raw body");
        assert!(
            answer.contains("\"RetCode\":0"),
            "raw reqwest got an error from {url}: {answer}"
        );
    }

    for concurrency in [1usize, 64] {
        // Raw, raw + SDK encode/sign, and typed against hyper, then against the emulator,
        // interleaved.
        let mut rates: [Vec<f64>; 6] = Default::default();
        for _ in 0..rounds {
            for (i, (url, client)) in [
                (&hyper_url, &hyper_client),
                (&emulator_url, &emulator_client),
            ]
            .into_iter()
            .enumerate()
            {
                let plain = raw_call(raw.clone(), format!("{url}/"), None, body.clone());
                rates[3 * i].push(rate(concurrency, window, plain).await);
                let encoding = raw_call(
                    raw.clone(),
                    format!("{url}/"),
                    Some(client.clone()),
                    body.clone(),
                );
                rates[3 * i + 1].push(rate(concurrency, window, encoding).await);
                rates[3 * i + 2].push(rate(concurrency, window, typed_call(client)).await);
            }
        }
        let [
            hyper_raw,
            hyper_encode,
            hyper_typed,
            emulator_raw,
            emulator_encode,
            emulator_typed,
        ] = rates.map(median);
        let micros = |rate: f64| 1e6 / rate;
        println!(
            "minimal hyper server and emulator, {concurrency:>2} caller(s), median of {rounds} interleaved {}-ms rounds:\n   hyper: raw reqwest {hyper_raw:.0} calls/s ({:.1} us), raw + SDK encode/sign {:.3}x, client.send {hyper_typed:.0} calls/s ({:.1} us, {:.3}x)\n   emulator: raw reqwest {emulator_raw:.0} calls/s ({:.1} us), raw + SDK encode/sign {:.3}x, client.send {emulator_typed:.0} calls/s ({:.1} us, {:.3}x)\n   emulator round trip / minimal hyper round trip (raw reqwest): {:.2}x",
            window.as_millis(),
            micros(hyper_raw),
            hyper_encode / hyper_raw,
            micros(hyper_typed),
            hyper_typed / hyper_raw,
            micros(emulator_raw),
            emulator_encode / emulator_raw,
            micros(emulator_typed),
            emulator_typed / emulator_raw,
            hyper_raw / emulator_raw,
        );
    }
}

/// `client.invoke` of the same call, on `client`.
fn invoke_call(
    client: &Client,
) -> impl Fn() -> std::pin::Pin<Box<dyn std::future::Future<Output = ()> + Send>> + Clone + Send + 'static
{
    let client = client.clone();
    move || {
        let client = client.clone();
        Box::pin(async move {
            client
                .invoke(INVOKED, invoke_params())
                .await
                .expect("invoke");
        })
    }
}

/// The typed call as generated code makes it, on `client`.
fn typed_call(
    client: &Client,
) -> impl Fn() -> std::pin::Pin<Box<dyn std::future::Future<Output = ()> + Send>> + Clone + Send + 'static
{
    let client = client.clone();
    move || {
        let client = client.clone();
        Box::pin(async move {
            client.send(request()).await.expect("sdk call");
        })
    }
}

/// A raw reqwest call posting `body`, or, with a client, the body the client encodes for
/// each call.
fn raw_call(
    raw: reqwest::Client,
    url: String,
    encoder: Option<Client>,
    body: String,
) -> impl Fn() -> std::pin::Pin<Box<dyn std::future::Future<Output = ()> + Send>> + Clone + Send + 'static
{
    // Experiment: the same time spent on nothing, to tell our code's cost apart from the cost
    // of any work between calls. SPIN_NS sets how long (1.2 us by default, about an encode).
    // Read once here, not in the measured calls.
    let spin = std::env::var_os("SPIN_INSTEAD")
        .map(|_| Duration::from_nanos(env_usize("SPIN_NS", 1200) as u64));
    move || {
        let (raw, url, encoder, body) = (raw.clone(), url.clone(), encoder.clone(), body.clone());
        Box::pin(async move {
            let body = match (&encoder, spin) {
                (Some(_), Some(spin)) => {
                    let start = Instant::now();
                    while start.elapsed() < spin {
                        std::hint::spin_loop();
                    }
                    body
                }
                (Some(client), None) => {
                    client.encode(&request()).expect("encode").body().to_owned()
                }
                (None, _) => body,
            };
            let response = raw
                .post(url)
                .header("content-type", "application/x-www-form-urlencoded")
                .body(body)
                .send()
                .await
                .expect("raw call");
            std::hint::black_box(response.bytes().await.expect("raw body"));
        })
    }
}

/// Calls per second with `concurrency` callers looping for `window`.
async fn rate<F, Fut>(concurrency: usize, window: Duration, make: F) -> f64
where
    F: Fn() -> Fut + Clone + Send + 'static,
    Fut: std::future::Future<Output = ()> + Send,
{
    let start = Instant::now();
    let total = calls(concurrency, window, make).await;
    total as f64 / start.elapsed().as_secs_f64()
}

/// The calls `concurrency` callers looping for `window` make.
pub(crate) async fn calls<F, Fut>(concurrency: usize, window: Duration, make: F) -> u64
where
    F: Fn() -> Fut + Clone + Send + 'static,
    Fut: std::future::Future<Output = ()> + Send,
{
    let deadline = Instant::now() + window;
    let tasks: Vec<_> = (0..concurrency)
        .map(|_| {
            let make = make.clone();
            tokio::spawn(async move {
                let mut calls = 0u64;
                while Instant::now() < deadline {
                    make().await;
                    calls += 1;
                }
                calls
            })
        })
        .collect();
    let mut total = 0u64;
    for task in tasks {
        total += task.await.expect("caller task");
    }
    total
}
