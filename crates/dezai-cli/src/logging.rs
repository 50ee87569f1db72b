//! `--debug` and `DEZAI_LOG`: the SDK's own log on stderr, so that a failing call shows which
//! request went where, each attempt, what the service answered and why it was retried.
//!
//! - `--debug` logs the runtime, the HTTP transport and the backup engine at `debug`: a line per
//!   request sent (action, endpoint host and path, parameters with secrets masked), per answer
//!   (HTTP status, RetCode, request id, duration) and per retry (its wait), inside the call's
//!   and the attempt's spans; downloads name host and path, never the query.
//! - `DEZAI_LOG` takes a filter as `RUST_LOG` does (`dezai_runtime=trace`, `debug`), and wins
//!   over `--debug`.
//! - Without either nothing is installed: the log costs nothing. stdout never changes.

use clap::ArgMatches;
use tracing_subscriber::EnvFilter;

/// What `--debug` turns on.
const DEBUG: &str = "dezai_runtime=debug,dezai_http=debug,dezai_backups=debug";

/// Installs the log on stderr when asked.
pub(crate) fn init(global: &ArgMatches) {
    let filter = match std::env::var("DEZAI_LOG")
        .ok()
        .filter(|f| !f.trim().is_empty())
    {
        Some(filter) => filter,
        None if global.get_flag("debug") => DEBUG.to_owned(),
        None => return,
    };
    let filter = EnvFilter::try_new(&filter).unwrap_or_else(|e| {
        eprintln!("warning: DEZAI_LOG `{filter}` is not a filter ({e}); using `{DEBUG}`");
        EnvFilter::new(DEBUG)
    });
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_target(false)
        .try_init();
}
