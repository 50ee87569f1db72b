//! Waiting for a state through the mock transport: done, a failure state, the timeout with the
//! last answer, a retryable error waited through and another ending the wait, and each poll
//! reported. Time is paused, so the delays between polls cost nothing.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use dezai_runtime::mock::Mock;
use dezai_runtime::waiter::{Verdict, WaitError};
use dezai_runtime::{Action, ParamWriter, ret_code};
use serde_json::{Value, json};

/// A made-up action whose answer has a `State`.
#[derive(Clone)]
struct DescribeFixtureJob;

impl Action for DescribeFixtureJob {
    const NAME: &'static str = "DescribeFixtureJob";
    type Response = Value;
    fn write_params(&self, w: &mut ParamWriter<'_>) {
        w.field("JobId", &"job-1".to_owned());
    }
}

fn state(answer: &Value) -> Verdict {
    match answer["State"].as_str() {
        Some("Done") => Verdict::Done,
        Some("Broken") => Verdict::Failed,
        _ => Verdict::Pending,
    }
}

fn answers(mock: &Mock, states: &[&str]) {
    for s in states {
        mock.on_action("DescribeFixtureJob")
            .times(1)
            .json(json!({"RetCode": 0, "State": s}));
    }
}

#[tokio::test(start_paused = true)]
async fn a_wait_ends_with_the_answer_that_is_done_and_reports_each_poll() {
    let mock = Mock::new();
    answers(&mock, &["Queued", "Running", "Done"]);
    let client = mock.client();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let record = seen.clone();
    let started = tokio::time::Instant::now();
    let done = client
        .wait_for(DescribeFixtureJob, state)
        .delays(Duration::from_secs(2), Duration::from_secs(3))
        .on_poll(move |poll| {
            let state = poll.outcome.ok().map(|a| a["State"].to_string());
            record
                .lock()
                .unwrap()
                .push((poll.poll, state, poll.verdict));
        })
        .await
        .unwrap();
    assert_eq!(done["State"], "Done");
    let seen = seen.lock().unwrap();
    assert_eq!(seen.len(), 3);
    assert_eq!(seen[0].2, Verdict::Pending);
    assert_eq!(seen[2], (3, Some("\"Done\"".into()), Verdict::Done));
    // Two delays: the first between 1 and 2 s, the second between 1.5 and 3 s.
    let waited = started.elapsed();
    assert!(
        waited >= Duration::from_millis(2500) && waited <= Duration::from_secs(5),
        "{waited:?}"
    );
    assert_eq!(mock.requests().len(), 3);
}

#[tokio::test(start_paused = true)]
async fn a_failure_state_ends_the_wait_with_that_answer() {
    let mock = Mock::new();
    answers(&mock, &["Running", "Broken", "Done"]);
    let error = mock
        .client()
        .wait_for(DescribeFixtureJob, state)
        .delays(Duration::from_secs(1), Duration::from_secs(1))
        .await
        .unwrap_err();
    match error {
        WaitError::Failed { response, polls } => {
            assert_eq!(response["State"], "Broken");
            assert_eq!(polls, 2);
        }
        other => panic!("{other}"),
    }
    assert_eq!(mock.requests().len(), 2, "no poll after the failure state");
}

#[tokio::test(start_paused = true)]
async fn the_timeout_ends_the_wait_with_the_last_answer() {
    let mock = Mock::new();
    mock.on_action("DescribeFixtureJob")
        .json(json!({"RetCode": 0, "State": "Running"}));
    let started = tokio::time::Instant::now();
    let error = mock
        .client()
        .wait_for(DescribeFixtureJob, state)
        .delays(Duration::from_secs(10), Duration::from_secs(10))
        .first_delay(Duration::from_secs(5))
        .timeout(Duration::from_secs(60))
        .await
        .unwrap_err();
    assert_eq!(
        started.elapsed(),
        Duration::from_secs(60),
        "ends at the timeout"
    );
    match error {
        WaitError::TimedOut { last, polls } => {
            assert_eq!(last.unwrap()["State"], "Running");
            // At 5 s, then every 5–10 s: at least 6 polls, at most 11.
            assert!((6..=11).contains(&polls), "{polls}");
        }
        other => panic!("{other}"),
    }
}

#[tokio::test(start_paused = true)]
async fn retryable_errors_are_waited_through_and_others_end_the_wait() {
    let mock = Mock::new();
    mock.on_action("DescribeFixtureJob")
        .times(3)
        .ret_code(ret_code::THROTTLED, "slow down");
    answers(&mock, &["Done"]);
    let client = mock.client();
    let retried = client
        .wait_for(DescribeFixtureJob, state)
        .customize(dezai_runtime::CallOptions::new().max_attempts(1))
        .delays(Duration::from_secs(1), Duration::from_secs(1))
        .await
        .unwrap();
    assert_eq!(retried["State"], "Done");

    let refused = Mock::new();
    refused
        .on_action("DescribeFixtureJob")
        .ret_code(ret_code::INVALID_PARAMETER, "no such job");
    let error = refused
        .client()
        .wait_for(DescribeFixtureJob, state)
        .await
        .unwrap_err();
    match error {
        WaitError::Call(error) => assert_eq!(error.ret_code(), Some(ret_code::INVALID_PARAMETER)),
        other => panic!("{other}"),
    }
    assert_eq!(refused.requests().len(), 1);
}
