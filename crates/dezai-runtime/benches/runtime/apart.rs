//! What the client process itself spends per call, with the server in another process: the
//! benchmark runs itself again as the server (`DEZAI_BENCH_SERVER=emulator|hyper`), so the
//! client's CPU time (all threads) holds nothing of the server's, and the server's
//! (read from `/proc/<pid>/stat`, in 10 ms ticks: a round's total is what counts) nothing of the client's. Contenders run interleaved, round
//! by round, against the same server process; figures are medians over rounds.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

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
