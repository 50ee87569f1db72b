//! What the client process itself spends per call, with the server in another process: the
//! benchmark runs itself again as the server (`DEZAI_BENCH_SERVER=emulator|hyper`), so the
//! client's CPU time (all threads) holds nothing of the server's, and the server's (read from
//! `/proc/<pid>/stat`, in 10 ms ticks: a round's total is what counts) nothing of the
//! client's. Contenders run interleaved, round by round, against the same server process;
//! figures are medians over rounds. [`client_cpu`] is the benchmark's section that uses it.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use dezai_runtime::Client;

use crate::{invoke_call, median, raw_call, typed_call};

/// The variable that makes the benchmark binary a server.
const SERVE: &str = "DEZAI_BENCH_SERVER";

/// When this process was started as a server: serves until its parent closes stdin, and
/// returns `true` (the caller then exits).
pub(crate) fn serve_if_asked() -> bool {
    let Ok(kind) = std::env::var(SERVE) else {
        return false;
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("server runtime");
    runtime.block_on(async move {
        let url = match kind.as_str() {
            "hyper" => crate::servers::start_minimal_hyper().await,
            _ => crate::servers::start_emulator().await,
        };
        println!("{url}");
        // Until the parent closes our stdin (it exits, or drops the handle).
        let _ = tokio::task::spawn_blocking(|| {
            let mut sink = String::new();
            while std::io::stdin().read_line(&mut sink).is_ok_and(|n| n > 0) {}
        })
        .await;
    });
    true
}

/// A server in a process of its own.
pub(crate) struct ServerProcess {
    pub url: String,
    child: Child,
}

impl ServerProcess {
    /// Starts `kind` (`emulator` or `hyper`) as a child process running this binary.
    pub(crate) fn start(kind: &str) -> Self {
        let mut child = Command::new(std::env::current_exe().expect("own path"))
            .env(SERVE, kind)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("server process");
        let mut line = String::new();
        BufReader::new(child.stdout.take().expect("stdout"))
            .read_line(&mut line)
            .expect("server url");
        Self {
            url: line.trim().to_owned(),
            child,
        }
    }

    /// The server process's CPU time so far (user + system, all threads).
    pub(crate) fn cpu(&self) -> Duration {
        process_cpu(self.child.id())
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// This process's CPU time so far (user + system, all threads; CLOCK_PROCESS_CPUTIME_ID).
pub(crate) fn own_cpu() -> Duration {
    cpu_time::ProcessTime::now().as_duration()
}

/// Another process's CPU time from `/proc/<pid>/stat` (utime and stime, in clock ticks).
fn process_cpu(pid: u32) -> Duration {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    // The command name may hold spaces; the fields after it are plain.
    let fields: Vec<&str> = stat
        .rsplit_once(')')
        .map(|(_, rest)| rest.split_whitespace().collect())
        .unwrap_or_default();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|f| f.parse::<u64>().ok())
            .unwrap_or(0)
    };
    // Fields 14 and 15 of the file; the slice starts at field 3.
    let total = ticks(11) + ticks(12);
    // USER_HZ, which Linux fixes at 100 for this file whatever the kernel's own tick rate.
    Duration::from_millis(total * 10)
}

/// One round of one contender: calls made, wall time, client and server CPU spent.
#[derive(Clone, Copy, Default)]
pub(crate) struct Round {
    pub calls: u64,
    pub wall: Duration,
    pub client_cpu: Duration,
    pub server_cpu: Duration,
}

impl Round {
    pub(crate) fn rate(&self) -> f64 {
        self.calls as f64 / self.wall.as_secs_f64()
    }
    pub(crate) fn client_us(&self) -> f64 {
        self.client_cpu.as_secs_f64() * 1e6 / self.calls as f64
    }
    pub(crate) fn server_us(&self) -> f64 {
        self.server_cpu.as_secs_f64() * 1e6 / self.calls as f64
    }
}

/// Runs `concurrency` callers for `window` against `server`, measuring both processes.
pub(crate) async fn measure<F, Fut>(
    server: &ServerProcess,
    concurrency: usize,
    window: Duration,
    make: F,
) -> Round
where
    F: Fn() -> Fut + Clone + Send + 'static,
    Fut: std::future::Future<Output = ()> + Send,
{
    let (client0, server0, start) = (own_cpu(), server.cpu(), Instant::now());
    let calls = crate::calls(concurrency, window, make).await;
    Round {
        calls,
        wall: start.elapsed(),
        client_cpu: own_cpu() - client0,
        server_cpu: server.cpu() - server0,
    }
}

/// Client-process CPU per call (and the server's, and calls per second) at 1 and 64 callers
/// against a server in another process: raw reqwest posting a pre-signed body, the same with
/// the SDK's User-Agent (what the typed call sends beyond it), raw + the SDK's encode/sign,
/// `invoke`, and the typed call. Returns the typed call's client CPU per call at 1 caller.
pub(crate) async fn client_cpu(
    server: &ServerProcess,
    client: &Client,
    body: &str,
    rounds: usize,
    window: Duration,
) -> f64 {
    client
        .send(crate::request())
        .await
        .expect("the emulator answers the typed call");
    let url = format!("{}/", server.url);
    let raw = reqwest::Client::new();
    let raw_ua = reqwest::Client::builder()
        .user_agent(dezai_runtime::USER_AGENT)
        .build()
        .expect("raw reqwest");
    let mut typed_one = 0.0;
    for concurrency in [1usize, 64] {
        let mut results: [Vec<Round>; 5] = Default::default();
        for _ in 0..rounds {
            let body = body.to_owned();
            let raw_plain = raw_call(raw.clone(), url.clone(), None, body.clone());
            let with_ua = raw_call(raw_ua.clone(), url.clone(), None, body.clone());
            let encoding = raw_call(raw.clone(), url.clone(), Some(client.clone()), body);
            let m = |i: usize| {
                let (c, w) = (concurrency, window);
                let (raw_plain, with_ua, encoding) =
                    (raw_plain.clone(), with_ua.clone(), encoding.clone());
                async move {
                    match i {
                        0 => measure(server, c, w, raw_plain).await,
                        1 => measure(server, c, w, with_ua).await,
                        2 => measure(server, c, w, encoding).await,
                        3 => measure(server, c, w, invoke_call(client)).await,
                        _ => measure(server, c, w, typed_call(client)).await,
                    }
                }
            };
            for (i, result) in results.iter_mut().enumerate() {
                result.push(m(i).await);
            }
        }
        let medians = results.each_ref().map(|r| {
            (
                median(r.iter().map(Round::rate).collect()),
                median(r.iter().map(Round::client_us).collect()),
                median(r.iter().map(Round::server_us).collect()),
            )
        });
        // The typed call's extra client CPU, per round (contenders of a round share its
        // conditions), then the median.
        let added = median(
            results[4]
                .iter()
                .zip(&results[0])
                .map(|(t, r)| t.client_us() - r.client_us())
                .collect(),
        );
        println!(
            "emulator in another process, {concurrency:>2} caller(s), median of {rounds} interleaved {}-ms rounds (CPU per call: this process, all threads / the server process):",
            window.as_millis()
        );
        let names = [
            "raw reqwest, pre-signed body",
            "raw reqwest + the SDK's User-Agent",
            "raw reqwest + SDK encode/sign",
            "client.invoke",
            "client.send (typed)",
        ];
        for (name, (rate, client_us, server_us)) in names.iter().zip(medians) {
            println!(
                "   {name:<36} {rate:>7.0} calls/s ({:.3}x)  client {client_us:>5.1} us  server {server_us:>5.1} us",
                rate / medians[0].0
            );
        }
        println!("   the typed call adds {added:.1} us of client CPU per call over raw reqwest");
        if concurrency == 1 {
            typed_one = medians[4].1;
        }
    }
    typed_one
}
