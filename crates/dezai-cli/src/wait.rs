//! Waiting from the command line: `--wait-until PATH=VALUE` (repeatable: any of them ends the
//! wait), `--wait-fail PATH=VALUE`, `--wait-timeout`, `--wait-interval`, on every action
//! command, through the SDK's waiter (`dezai_runtime::waiter`). PATH addresses the answer as
//! the documents write it (`DataSet.0.State`). One progress line per poll goes to stderr; the
//! exit code tells reached (0), failure state and timed out apart (`docs/cli.md`).

use std::time::Duration;

use clap::{Arg, ArgAction, ArgMatches};
use dezai_runtime::waiter::{Poll, Verdict, WaitError, Waiter};
use serde_json::Value;

/// Polls start this far apart unless `--wait-interval` says otherwise.
const DEFAULT_INTERVAL: Duration = Duration::from_secs(5);
/// Delays back off to this at most (or to the interval, when it is longer).
const MAX_INTERVAL: Duration = Duration::from_secs(60);
/// How long a wait lasts unless `--wait-timeout` says otherwise.
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(600);

/// One `PATH=VALUE` condition.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Condition {
    path: Vec<String>,
    text: String,
    value: String,
}

impl Condition {
    /// Reads `DataSet.0.State=Running`.
    pub(crate) fn parse(text: &str) -> Result<Self, String> {
        match text.split_once('=') {
            Some((path, value)) if !path.is_empty() => Ok(Self {
                path: path.split('.').map(str::to_owned).collect(),
                text: path.to_owned(),
                value: value.to_owned(),
            }),
            _ => Err(format!("expected PATH=VALUE, got `{text}`")),
        }
    }

    /// Whether the answer holds the value at the path (a number or boolean compared as its
    /// text).
    pub(crate) fn holds(&self, answer: &Value) -> bool {
        at(answer, &self.path).is_some_and(|found| text(found) == self.value)
    }
}

/// The value at a path: object keys by name, list items by index.
fn at<'v>(value: &'v Value, path: &[String]) -> Option<&'v Value> {
    path.iter().try_fold(value, |value, segment| match value {
        Value::Object(map) => map.get(segment),
        Value::Array(items) => items.get(segment.parse::<usize>().ok()?),
        _ => None,
    })
}

fn text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// What the command line asked to wait for.
#[derive(Debug, Clone)]
pub(crate) struct Wait {
    pub(crate) until: Vec<Condition>,
    pub(crate) fail: Vec<Condition>,
    pub(crate) timeout: Duration,
    pub(crate) interval: Duration,
}

impl Wait {
    /// The wait the flags describe; `None` without `--wait-until`.
    pub(crate) fn from_flags(args: &ArgMatches) -> Option<Self> {
        let conditions = |id: &str| -> Vec<Condition> {
            args.try_get_many::<Condition>(id)
                .ok()
                .flatten()
                .into_iter()
                .flatten()
                .cloned()
                .collect()
        };
        let until = conditions("wait-until");
        if until.is_empty() {
            return None;
        }
        let (timeout, interval) = timing(args);
        Some(Self {
            until,
            fail: conditions("wait-fail"),
            timeout,
            interval,
        })
    }

    /// What an answer means: a failure condition first, then any success condition.
    pub(crate) fn verdict(&self, answer: &Value) -> Verdict {
        if self.fail.iter().any(|c| c.holds(answer)) {
            Verdict::Failed
        } else if self.until.iter().any(|c| c.holds(answer)) {
            Verdict::Done
        } else {
            Verdict::Pending
        }
    }

    /// The waiter with these delays and timeout, and a progress line per poll on stderr.
    pub(crate) fn apply<'a>(&self, waiter: Waiter<'a, Value>) -> Waiter<'a, Value> {
        let watched: Vec<Condition> = self.until.iter().chain(&self.fail).cloned().collect();
        delays(waiter, self.interval)
            .timeout(self.timeout)
            .on_poll(move |poll: &Poll<'_, Value>| eprintln!("{}", progress(poll, &watched)))
    }
}

/// A poll as one line: its number, the time, and the watched values (or the error waited
/// through).
pub(crate) fn progress(poll: &Poll<'_, Value>, watched: &[Condition]) -> String {
    let head = format!(
        "wait: poll {} at {:.1} s:",
        poll.poll,
        poll.elapsed.as_secs_f64()
    );
    match poll.outcome {
        Ok(answer) => {
            let mut seen: Vec<String> = Vec::new();
            for condition in watched {
                let shown = format!(
                    "{}={}",
                    condition.text,
                    at(answer, &condition.path).map_or_else(|| "(none)".into(), text)
                );
                if !seen.contains(&shown) {
                    seen.push(shown);
                }
            }
            format!("{head} {} ({})", seen.join(" "), verdict_word(poll.verdict))
        }
        Err(error) => format!("{head} {error} (waiting through it)"),
    }
}

fn verdict_word(verdict: Verdict) -> &'static str {
    match verdict {
        Verdict::Done => "reached",
        Verdict::Failed => "failure state",
        Verdict::Pending => "waiting",
    }
}

/// A wait's end short of the state, as a message and the exit code `docs/cli.md` gives it.
pub(crate) fn ended<R>(error: &WaitError<R>, timeout: Duration) -> (String, u8) {
    use crate::error::exit;
    match error {
        WaitError::TimedOut { polls, .. } => (
            format!(
                "timed out after {} s and {polls} polls without reaching the state",
                timeout.as_secs_f64()
            ),
            exit::WAIT_TIMEOUT,
        ),
        WaitError::Failed { polls, .. } => (
            format!("reached a failure state at poll {polls}"),
            exit::WAIT_FAILED,
        ),
        WaitError::Call(error) => (error.to_string(), crate::error::call_code(error)),
        _ => (error.to_string(), exit::FAILURE),
    }
}

/// Reads durations as people write them, by humantime: `500ms`, `30s`, `5m`, `1h30m`, `7d`,
/// `2w`; a bare number is seconds.
pub(crate) fn parse_duration(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    let seconds = text.bytes().all(|b| b.is_ascii_digit()) && !text.is_empty();
    let parsed = if seconds {
        humantime::parse_duration(&format!("{text}s"))
    } else {
        humantime::parse_duration(text)
    };
    parsed.map_err(|e| format!("`{text}` is not a duration such as 90s, 10m, 1h30m, 7d or 2w: {e}"))
}

/// The wait flags of an action command.
pub(crate) fn args() -> [Arg; 4] {
    let heading = "Waiting";
    [
        Arg::new("wait-until")
            .long("wait-until")
            .value_name("PATH=VALUE")
            .action(ArgAction::Append)
            .value_parser(Condition::parse)
            .help_heading(heading)
            .help("Repeat the call until the answer has VALUE at PATH (DataSet.0.State=Running); repeatable: any of them"),
        Arg::new("wait-fail")
            .long("wait-fail")
            .value_name("PATH=VALUE")
            .action(ArgAction::Append)
            .value_parser(Condition::parse)
            .requires("wait-until")
            .help_heading(heading)
            .help("End the wait as failed (exit 6) when the answer has VALUE at PATH; repeatable"),
        timeout_arg(Some("wait-until")),
        interval_arg(Some("wait-until")),
    ]
}

/// `--wait-timeout`, given only with the flag `requires` names, if any.
pub(crate) fn timeout_arg(requires: Option<&'static str>) -> Arg {
    Arg::new("wait-timeout")
        .long("wait-timeout")
        .value_name("DURATION")
        .value_parser(parse_duration)
        .requires_ifs(requires.map(|flag| (clap::builder::ArgPredicate::IsPresent, flag)))
        .help_heading("Waiting")
        .help("Give up after this long (exit 7); default 10m")
}

/// `--wait-interval`, given only with the flag `requires` names, if any.
pub(crate) fn interval_arg(requires: Option<&'static str>) -> Arg {
    Arg::new("wait-interval")
        .long("wait-interval")
        .value_name("DURATION")
        .value_parser(parse_duration)
        .requires_ifs(requires.map(|flag| (clap::builder::ArgPredicate::IsPresent, flag)))
        .help_heading("Waiting")
        .help("The first delay between polls, backing off to 60s; default 5s")
}

/// The timeout and first interval the flags give, or the defaults.
pub(crate) fn timing(args: &ArgMatches) -> (Duration, Duration) {
    let duration = |id: &str, default: Duration| {
        args.try_get_one::<Duration>(id)
            .ok()
            .flatten()
            .copied()
            .unwrap_or(default)
    };
    (
        duration("wait-timeout", DEFAULT_TIMEOUT),
        duration("wait-interval", DEFAULT_INTERVAL),
    )
}

/// The delays of a wait whose polls start `interval` apart.
pub(crate) fn delays<'a, R: Send + 'a>(waiter: Waiter<'a, R>, interval: Duration) -> Waiter<'a, R> {
    waiter.delays(interval, interval.max(MAX_INTERVAL))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_path_reads_lists_by_index_and_compares_numbers_as_text() {
        let answer = json!({"DataSet": [{"State": "Running", "Port": 3306}]});
        assert!(
            Condition::parse("DataSet.0.State=Running")
                .unwrap()
                .holds(&answer)
        );
        assert!(
            Condition::parse("DataSet.0.Port=3306")
                .unwrap()
                .holds(&answer)
        );
        assert!(
            !Condition::parse("DataSet.1.State=Running")
                .unwrap()
                .holds(&answer)
        );
        assert!(Condition::parse("=x").is_err() && Condition::parse("State").is_err());
    }

    #[test]
    fn failure_conditions_win_over_success_ones() {
        let wait = Wait {
            until: vec![Condition::parse("State=Done").unwrap()],
            fail: vec![Condition::parse("Error=true").unwrap()],
            timeout: DEFAULT_TIMEOUT,
            interval: DEFAULT_INTERVAL,
        };
        assert_eq!(wait.verdict(&json!({"State": "Done"})), Verdict::Done);
        assert_eq!(
            wait.verdict(&json!({"State": "Done", "Error": true})),
            Verdict::Failed
        );
        assert_eq!(wait.verdict(&json!({"State": "Busy"})), Verdict::Pending);
    }

    #[test]
    fn durations_take_units_and_refuse_nonsense() {
        assert_eq!(parse_duration("30"), Ok(Duration::from_secs(30)));
        assert_eq!(parse_duration("5m"), Ok(Duration::from_secs(300)));
        assert_eq!(parse_duration("250ms"), Ok(Duration::from_millis(250)));
        assert_eq!(parse_duration("7d"), Ok(Duration::from_secs(7 * 86_400)));
        assert_eq!(parse_duration("2w"), Ok(Duration::from_secs(14 * 86_400)));
        assert_eq!(parse_duration("1h30m"), Ok(Duration::from_secs(5_400)));
        assert!(parse_duration("soon").is_err() && parse_duration("").is_err());
    }
}
