//! One call from prepared request to answer: the attempts, each sent by the transport and
//! judged, with the retry decision between them, all within the operation timeout.
//!
//! Written once over [`Transport`]; [`Drive`] erases the transport so that a client holds
//! either kind behind one pointer, and boxes the call's future, the one allocation every call
//! makes for it (a typed call's future is this box and a few moves, see [`crate::future`]).

use std::time::Duration;

use tracing::{Instrument, debug, field};

use crate::call_options::CallOptions;
use crate::config::Config;
use crate::deadline::Deadlines;
use crate::error::{Error, ErrorKind};
use crate::failure::{Class, Failure};
use crate::judge::{Answer, judge};
use crate::params::Params;
use crate::prepare::{Call, Prepared, prepare};
use crate::redact::RedactedParams;
use crate::retry::{Bucket, Decision, Retries};
use crate::transport::{ApiRequest, FileReply, FileRequest, Transport, TransportError};

/// What every call of a client shares, whatever its transport.
pub(crate) struct Shared {
    pub(crate) config: Config,
    pub(crate) bucket: Bucket,
    /// Where every call is posted, worked out once from the configuration.
    pub(crate) url: String,
    /// The attempts' deadlines, watched by one task instead of a timer per attempt.
    pub(crate) deadlines: Deadlines,
}

/// The sending, retrying and reading of one call, erased to one type for every action and
/// transport.
pub(crate) type BoxedExchange<'a> =
    std::pin::Pin<Box<dyn std::future::Future<Output = Result<Answer, Error>> + Send + 'a>>;

/// A call to run: its action's facts, its parameters, and its settings.
pub(crate) struct CallInput<'a> {
    pub(crate) call: Call<'a>,
    pub(crate) params: Params,
    pub(crate) options: CallOptions,
}

/// A download request being answered, erased to one type for every transport.
pub(crate) type BoxedFetch<'a> = std::pin::Pin<
    Box<dyn std::future::Future<Output = Result<FileReply, TransportError>> + Send + 'a>,
>;

/// A transport that runs whole calls, and download requests: what a client holds, one
/// pointer whatever the transport.
pub(crate) trait Drive: Send + Sync {
    fn drive<'a>(&'a self, shared: &'a Shared, input: CallInput<'a>) -> BoxedExchange<'a>;
    fn fetch<'a>(&'a self, request: FileRequest<'a>) -> BoxedFetch<'a>;
}

impl<T: Transport> Drive for T {
    fn drive<'a>(&'a self, shared: &'a Shared, input: CallInput<'a>) -> BoxedExchange<'a> {
        Box::pin(async move {
            // Named and described as OpenTelemetry's RPC conventions have it (`otel.name` is
            // the name tracing-opentelemetry gives the span: `<product>.<Action>`, the
            // action alone for a call by name); filled in as the call goes. No field is
            // computed unless a subscriber wants the span.
            let action = input.call.action;
            let service = match (input.call.service, input.options.get_service()) {
                ("", Some(named)) => named,
                (typed, _) => typed,
            };
            let span = tracing::info_span!(
                "dezai.call",
                action,
                otel.name = %SpanName(service, action),
                rpc.system = "dezai",
                rpc.service = field::Empty,
                rpc.method = action,
                region = field::Empty,
                attempts = field::Empty,
                request_id = field::Empty,
                rpc.dezai.ret_code = field::Empty,
                http.response.status_code = field::Empty,
                outcome = field::Empty,
            );
            if !service.is_empty() {
                span.record("rpc.service", service);
            }
            let result = execute(self, shared, input).instrument(span.clone()).await;
            record_outcome(&span, &result);
            result
        })
    }

    fn fetch<'a>(&'a self, request: FileRequest<'a>) -> BoxedFetch<'a> {
        Box::pin(Transport::fetch(self, request))
    }
}

/// `<service>.<action>`, or the action alone when the service is unknown.
struct SpanName<'a>(&'a str, &'a str);

impl std::fmt::Display for SpanName<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.0 {
            "" => f.write_str(self.1),
            service => write!(f, "{service}.{}", self.1),
        }
    }
}

async fn execute<T: Transport>(
    transport: &T,
    shared: &Shared,
    input: CallInput<'_>,
) -> Result<Answer, Error> {
    let CallInput {
        call,
        params,
        options,
    } = input;
    let prepared = prepare(&shared.config, &call, params, &options)?;
    if let Some(region) = prepared.params.get("Region") {
        tracing::Span::current().record("region", region);
    }
    attempts(transport, shared, &call, &prepared, &options).await
}

/// The call span's last fields: how it ended, after how many attempts, and what answered.
fn record_outcome(span: &tracing::Span, result: &Result<Answer, Error>) {
    match result {
        Ok(answer) => {
            span.record("outcome", "ok");
            span.record("rpc.dezai.ret_code", 0);
            if let Some(id) = &answer.request_id {
                span.record("request_id", id.as_str());
            }
        }
        Err(error) => {
            span.record("outcome", "error");
            span.record("attempts", error.attempts());
            if let Some(code) = error.ret_code() {
                span.record("rpc.dezai.ret_code", code);
            }
            if let Some(status) = error.http_status() {
                span.record("http.response.status_code", status);
            }
            if let Some(id) = error.request_id() {
                span.record("request_id", id);
            }
        }
    }
}

/// The attempts of one call, with backoff between them, all within the operation timeout.
///
/// One deadline per attempt does both jobs: the attempt's timeout or the operation's
/// deadline, whichever comes first, watched without a timer per call (see
/// [`crate::deadline`]; a transport's own timeout, reqwest's for one, would add a timer and
/// a boxed response body to every call).
async fn attempts<T: Transport>(
    transport: &T,
    shared: &Shared,
    call: &Call<'_>,
    prepared: &Prepared,
    options: &CallOptions,
) -> Result<Answer, Error> {
    let config = &shared.config;
    let max_attempts = options.max_attempts_in(config);
    let mut retries = Retries::new(&config.retry, &shared.bucket, max_attempts, call.idempotent);
    let timeout = options.timeout_in(config);
    let limit = options.operation_timeout_in(config);
    let deadline = tokio::time::Instant::now() + limit;
    let gave_up = |attempt: u32| {
        let mut error = Error::new(ErrorKind::Timeout, call.action).with_message(format!(
            "gave up after {} (the operation timeout) during attempt {attempt} of {max_attempts}",
            seconds(limit),
        ));
        error.set_attempts(attempt);
        error.set_retryable(true);
        error
    };
    let mut attempt = 0u32;
    loop {
        attempt += 1;
        let attempt_deadline = (tokio::time::Instant::now() + timeout).min(deadline);
        // One span per attempt, so its request id is the one the server gave that attempt.
        let span = tracing::debug_span!("attempt", n = attempt, request_id = field::Empty);
        let run =
            attempt_once(transport, shared, prepared, call.action, &span).instrument(span.clone());
        let outcome = match shared.deadlines.run(attempt_deadline, run).await {
            Ok(outcome) => outcome,
            Err(_) if attempt_deadline == deadline => return Err(gave_up(attempt)),
            Err(_) => {
                let error = Error::new(ErrorKind::Timeout, call.action).with_message(format!(
                    "timed out after {} (attempt {attempt} of {max_attempts})",
                    seconds(timeout),
                ));
                Err(Failure::new(error, Class::Timeout))
            }
        };
        let mut failure = match outcome {
            Ok(answer) => {
                retries.after_success();
                tracing::Span::current().record("attempts", attempt);
                return Ok(answer);
            }
            Err(failure) => failure,
        };
        let Decision::Retry(wait) = retries.after_failure(attempt, &mut failure) else {
            debug!(attempt, error = %failure.error, "not retried");
            return Err(failure.error);
        };
        debug!(attempt, wait_ms = wait.as_millis() as u64, error = %failure.error, "retrying");
        let resume = tokio::time::Instant::now() + wait;
        if resume >= deadline {
            tokio::time::sleep_until(deadline).await;
            return Err(gave_up(attempt));
        }
        tokio::time::sleep_until(resume).await;
    }
}

/// One attempt: sent by the transport, then judged.
async fn attempt_once<T: Transport>(
    transport: &T,
    shared: &Shared,
    prepared: &Prepared,
    action: &str,
    span: &tracing::Span,
) -> Result<Answer, Failure> {
    debug!(
        url = %crate::redact::redact_url(&shared.url),
        params = %RedactedParams(&prepared.params),
        "sending request"
    );
    let request = ApiRequest {
        action,
        url: &shared.url,
        content_type: prepared.content_type,
        body: &prepared.body,
        params: &prepared.params,
        max_response_bytes: shared.config.max_response_bytes,
    };
    let started = std::time::Instant::now();
    let reply = transport
        .send(request)
        .await
        .map_err(|e| Failure::from_transport(action, e))?;
    if let Some(id) = &reply.request_id {
        span.record("request_id", id.as_str());
    }
    debug!(
        status = reply.status,
        request_id = reply.request_id.as_deref().unwrap_or(""),
        bytes = reply.body.len(),
        "received response"
    );
    let judged = judge(reply, action);
    let elapsed_ms = started.elapsed().as_secs_f64() * 1000.0;
    match &judged {
        Ok(_) => debug!(ret_code = 0, elapsed_ms, "answered"),
        Err(failure) => debug!(
            ret_code = failure.error.ret_code(),
            http_status = failure.error.http_status(),
            elapsed_ms,
            error = %failure.error,
            "failed"
        ),
    }
    judged
}

/// A duration as people write it: `10 s`, `1.5 s`, `250 ms`.
fn seconds(d: Duration) -> String {
    if d < Duration::from_secs(1) {
        format!("{} ms", d.as_millis())
    } else if d.subsec_millis() == 0 {
        format!("{} s", d.as_secs())
    } else {
        format!("{:.1} s", d.as_secs_f64())
    }
}
