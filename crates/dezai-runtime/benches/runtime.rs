//! Runtime benchmarks: sign + encode of a typical request, and calls per second over loopback
//! through the client versus raw reqwest against the same local server, in the same run.
//!
//! Run with `cargo bench -p dezai-runtime --bench runtime`. Prints medians and allocations per
//! call; no assertions.

use std::time::{Duration, Instant};

use axum::Router;
use axum::http::HeaderValue;
use axum::response::IntoResponse;
use axum::routing::post;
use dezai_runtime::{Action, Client, Config, ConfigParams, Credentials, ParamWriter, Takes};

/// A typical request: the shape of DescribeUDBInstanceBackupURL, with Region, Zone and
/// ProjectId filled from the configuration.
struct DescribeBackupUrl {
    db_id: String,
    backup_id: i64,
    valid_time: Option<i64>,
}

/// A response type as `dezai-codegen` generates it: `Deserialize` written out through the
/// runtime's `de::object` and `de::take`.
#[allow(dead_code)]
struct DescribeBackupUrlResponse {
    backup_path: Option<String>,
    inner_backup_path: Option<String>,
    md5: Option<String>,
    unknown_fields: serde_json::Map<String, serde_json::Value>,
}

impl<'de> serde::Deserialize<'de> for DescribeBackupUrlResponse {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let mut map = dezai_runtime::de::object(deserializer)?;
        Ok(Self {
            backup_path: dezai_runtime::de::take(&mut map, "BackupPath", &[]),
            inner_backup_path: dezai_runtime::de::take(&mut map, "InnerBackupPath", &[]),
            md5: dezai_runtime::de::take(&mut map, "MD5", &["Md5"]),
            unknown_fields: map,
        })
    }
}

impl dezai_runtime::Response for DescribeBackupUrlResponse {}

impl Action for DescribeBackupUrl {
    const NAME: &'static str = "DescribeUDBInstanceBackupURL";
    const CONFIG_PARAMS: ConfigParams = ConfigParams {
        region: Takes::Required,
        zone: Takes::Optional,
        project_id: Takes::Optional,
    };
    type Response = DescribeBackupUrlResponse;
    fn write_params(&self, w: &mut ParamWriter<'_>) {
        w.field("DBId", &self.db_id);
        w.field("BackupId", &self.backup_id);
        w.field("ValidTime", &self.valid_time);
    }
}

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
    const NAME: &'static str = DescribeBackupUrl::NAME;
    const CONFIG_PARAMS: ConfigParams = DescribeBackupUrl::CONFIG_PARAMS;
    type Response = PlainResponse;
    fn write_params(&self, w: &mut ParamWriter<'_>) {
        self.0.write_params(w);
    }
}

fn request() -> DescribeBackupUrl {
    DescribeBackupUrl {
        db_id: "udb-abc123".into(),
        backup_id: 1234,
        valid_time: Some(3600),
    }
}

const BODY: &str = r#"{"Action":"DescribeUDBInstanceBackupURLResponse","BackupPath":"http://udbbackup.example/bbasd?k=v","InnerBackupPath":"ZDblezgJ","MD5":"SltVqrDH","RetCode":0}"#;

async fn handler() -> impl IntoResponse {
    let mut response = BODY.into_response();
    response.headers_mut().insert(
        "X-UCLOUD-Request-UUID",
        HeaderValue::from_static("bench-request"),
    );
    response
        .headers_mut()
        .insert("content-type", HeaderValue::from_static("application/json"));
    response
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

/// Counts allocations (dhat's heap statistics) while a profiler is running; otherwise passes
/// every allocation straight through.
#[global_allocator]
static ALLOC: dhat::Alloc = dhat::Alloc;

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("tokio runtime");
    runtime.block_on(run());
}

async fn run() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("addr"));
    tokio::spawn(async move {
        let app = Router::new().route("/", post(handler));
        let _ = axum::serve(listener, app).await;
    });

    let client = Client::new(
        Config::builder()
            .credentials(Credentials::new(
                "bench-public-key",
                "bench-private-key-0123456789abcdef",
            ))
            .base_url(&url)
            .region("cn-bj2")
            .zone("cn-bj2-04")
            .project_id("org-bench")
            .build()
            .expect("config"),
    )
    .expect("client");

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

    // Allocations per call, sequential, server included (it runs in this process): the
    // typed call's count minus raw reqwest's is what the client adds.
    let raw_once = raw_call(
        reqwest::Client::new(),
        format!("{url}/"),
        None,
        encoded.body().to_owned(),
    );
    let calls = 2_000u64;
    for _ in 0..100 {
        raw_once().await;
        client.send(request()).await.expect("warm-up");
    }
    let allocations = || dhat::HeapStats::get().total_blocks;
    let profiler = dhat::Profiler::builder().testing().build();
    let before = allocations();
    for _ in 0..calls {
        raw_once().await;
    }
    let after_raw = allocations();
    for _ in 0..calls {
        client.send(request()).await.expect("sdk call");
    }
    let after_typed = allocations();
    drop(profiler);
    let raw_allocs = (after_raw - before) as f64 / calls as f64;
    let typed_allocs = (after_typed - after_raw) as f64 / calls as f64;
    println!(
        "allocations per call (server included), {calls} sequential calls each: raw reqwest {raw_allocs:.1}, typed call {typed_allocs:.1}: the client adds {:.1}",
        typed_allocs - raw_allocs
    );

    // 2. Calls per second: the client (typed call, signing and decoding included) versus raw
    // reqwest posting the same pre-encoded body and reading the response bytes.
    // RAW_WITH_TIMEOUTS=1 gives raw reqwest the client's timeouts, to see what they cost.
    let mut raw_builder = reqwest::Client::builder();
    if std::env::var_os("RAW_WITH_TIMEOUTS").is_some() {
        raw_builder = raw_builder
            .timeout(client.config().timeout())
            .connect_timeout(client.config().connect_timeout());
    }
    let raw = raw_builder.build().expect("raw reqwest");
    let body = encoded.body().to_owned();
    let rounds = env_usize("ROUNDS", 7);
    let window = Duration::from_millis(env_usize("WINDOW_MS", 1500) as u64);
    for concurrency in [1usize, 64] {
        // Four contenders, interleaved each round so they share machine conditions: raw
        // reqwest with a pre-encoded body (the baseline), raw reqwest encoding and signing
        // each call with the SDK, the SDK's generic `invoke` (JSON value), and the typed call.
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
                            let mut params = dezai_runtime::Params::new();
                            params.push("DBId", "udb-abc123");
                            params.push("BackupId", "1234");
                            params.push("ValidTime", "3600");
                            client
                                .invoke("DescribeUDBInstanceBackupURL", params)
                                .await
                                .expect("invoke");
                        }
                    }
                })
                .await,
            );
            rates[3].push(
                rate(concurrency, window, {
                    let client = client.clone();
                    move || {
                        let client = client.clone();
                        async move {
                            client.send(request()).await.expect("sdk call");
                        }
                    }
                })
                .await,
            );
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
            "{concurrency:>2} caller(s), median of {rounds} interleaved {}-ms rounds:\n   raw reqwest {raw_rate:.0} calls/s\n   raw reqwest + SDK encode/sign {raw_encode:.0} calls/s ({:.3}x)\n   client.invoke {invoke:.0} calls/s ({:.3}x)\n   client.send (generated-style type) {typed:.0} calls/s ({:.3}x)\n   client.send (serde-derived type) {plain:.0} calls/s ({:.3}x)",
            window.as_millis(),
            raw_encode / raw_rate,
            invoke / raw_rate,
            typed / raw_rate,
            plain / raw_rate,
        );
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
    move || {
        let (raw, url, encoder, body) = (raw.clone(), url.clone(), encoder.clone(), body.clone());
        Box::pin(async move {
            let body = match &encoder {
                Some(_) if std::env::var_os("SPIN_INSTEAD").is_some() => {
                    // Experiment: the same time spent on nothing, to tell our code's cost
                    // apart from the cost of any work between calls.
                    let start = Instant::now();
                    while start.elapsed() < Duration::from_nanos(1200) {
                        std::hint::spin_loop();
                    }
                    body
                }
                Some(client) => client.encode(&request()).expect("encode").body().to_owned(),
                None => body,
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
    let deadline = start + window;
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
    total as f64 / start.elapsed().as_secs_f64()
}
