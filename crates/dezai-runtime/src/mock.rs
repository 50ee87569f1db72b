//! A transport without a network, for unit tests of code that uses the SDK: chosen actions
//! answer with chosen responses or errors, and every request is recorded to read back. Behind
//! the `test-util` feature (`dezai-sdk`'s, which turns this one on), for a user's tests.
//!
//! Modelled on aws-smithy-mocks: rules per action, tried in the order they were added, each
//! answering a set number of times or forever. Everything else about a call is real: the
//! request is validated, configuration defaults and per-call options are applied, parameters
//! are signed and encoded, answers go through the same envelope check, retry policy and
//! timeouts as answers from a server. A typed response is answered as the JSON it reads
//! from ([`ToJson`]), so the answer goes through the decoder a server's does.
//!
//! ```
//! use dezai_runtime::{mock::Mock, ret_code};
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() {
//! let mock = Mock::new();
//! mock.on_action("DescribeThing")
//!     .times(1)
//!     .ret_code(ret_code::THROTTLED, "too many requests");
//! mock.on_action("DescribeThing")
//!     .json(serde_json::json!({"RetCode": 0, "TotalCount": 3}));
//!
//! let client = mock.client();
//! let answer = client.invoke("DescribeThing", serde_json::json!({"Limit": 10})).await.unwrap();
//! assert_eq!(answer["TotalCount"], 3);
//!
//! // The throttled attempt was retried: two requests, both recorded.
//! let sent = mock.requests();
//! assert_eq!(sent.len(), 2);
//! assert_eq!(sent[1].param("Limit"), Some("10"));
//! # }
//! ```

use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use serde_json::Value;

use crate::action::Action;
use crate::client::Client;
use crate::config::Config;
use crate::credentials::Credentials;
use crate::params::Params;
use crate::response::Response;
use crate::retry::RetryPolicy;
use crate::transport::{ApiReply, ApiRequest, Transport, TransportError, TransportErrorKind};

/// The mock transport: see the [module docs](self). Cheap to clone; clones share rules and
/// recorded requests.
#[derive(Clone, Default)]
pub struct Mock {
    inner: Arc<Inner>,
}

#[derive(Default)]
struct Inner {
    rules: Mutex<Vec<RuleState>>,
    requests: Mutex<Vec<MockRequest>>,
}

type Answer = Arc<dyn Fn(&MockRequest) -> Reply + Send + Sync>;
type Matcher = Arc<dyn Fn(&MockRequest) -> bool + Send + Sync>;

struct RuleState {
    action: String,
    matcher: Option<Matcher>,
    /// Answers left; `None` is forever.
    remaining: Option<usize>,
    delay: Duration,
    answer: Answer,
}

/// What a rule answers with.
enum Reply {
    /// A response body as the service would send it, with HTTP status 200.
    Json(Value),
    /// An HTTP status with an empty body.
    Status(u16),
}

/// A value as the JSON a response is read from: generated responses and models implement it
/// (with the `test-util` feature), so that a mock answers a typed call with the bytes a server
/// would send. Fields left unset are left out; unknown fields are written back as they are.
pub trait ToJson {
    /// The value as JSON.
    fn to_json(&self) -> Value;
}

macro_rules! to_json_as_from {
    ($($t:ty),*) => {$(
        impl ToJson for $t {
            fn to_json(&self) -> Value {
                Value::from(self.clone())
            }
        }
    )*};
}
to_json_as_from!(String, i64, f64, bool, Value);

impl<T: ToJson> ToJson for Box<T> {
    fn to_json(&self) -> Value {
        (**self).to_json()
    }
}

impl<T: ToJson> ToJson for Vec<T> {
    fn to_json(&self) -> Value {
        Value::Array(self.iter().map(ToJson::to_json).collect())
    }
}

impl<T: ToJson> ToJson for Option<T> {
    fn to_json(&self) -> Value {
        self.as_ref().map_or(Value::Null, ToJson::to_json)
    }
}

impl std::fmt::Debug for Mock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Mock")
            .field("rules", &lock(&self.inner.rules).len())
            .field("requests", &lock(&self.inner.requests).len())
            .finish()
    }
}

/// A poisoned lock only means a rule's closure panicked in another test thread; the data is
/// still a list.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl Mock {
    /// A mock with no rules: every call fails until one is added.
    pub fn new() -> Self {
        Self::default()
    }

    /// A rule for the typed action `A`; its responses must be `A::Response`.
    pub fn on<A: Action>(&self) -> Rule<'_, A::Response> {
        Rule::new(self, A::NAME)
    }

    /// A rule for an action by name, answering JSON (for [`Client::invoke`](crate::Client::invoke),
    /// or for typed calls through their decoder).
    pub fn on_action(&self, action: &str) -> Rule<'_, Value> {
        Rule::new(self, action)
    }

    /// A client that sends through this mock: placeholder credentials (`mock-public-key`),
    /// region `mock-region`, no retry backoff, the default configuration otherwise. Use
    /// `Client::with_transport(config, mock.clone())` for a configuration of your own.
    pub fn client(&self) -> Client {
        let config = Config::builder()
            .credentials(Credentials::new("mock-public-key", "mock-private-key"))
            .region("mock-region")
            .retry(RetryPolicy::default().with_backoff(Duration::ZERO, Duration::ZERO))
            .build();
        // The configuration above has no file or environment to fail on.
        Client::with_transport(
            config.expect("the mock configuration is valid"),
            self.clone(),
        )
    }

    /// Every request sent so far, in order (each attempt of a retried call is one).
    pub fn requests(&self) -> Vec<MockRequest> {
        lock(&self.inner.requests).clone()
    }

    /// Forgets the recorded requests.
    pub fn clear_requests(&self) {
        lock(&self.inner.requests).clear();
    }

    /// Records a request and finds its answer: the first rule for the action whose matcher
    /// accepts it and which has answers left.
    fn answer(&self, action: &str, params: &Params) -> Option<(Reply, Duration, usize)> {
        let request = MockRequest {
            action: action.to_owned(),
            // The signature is derived from the private key: never kept.
            params: params
                .iter()
                .filter(|(name, _)| *name != "Signature")
                .map(|(n, v)| (n.to_owned(), v.to_owned()))
                .collect(),
        };
        let count = {
            let mut requests = lock(&self.inner.requests);
            requests.push(request.clone());
            requests.len()
        };
        let (answer, delay) = {
            let mut rules = lock(&self.inner.rules);
            let rule = rules.iter_mut().find(|rule| {
                rule.action == action
                    && rule.remaining != Some(0)
                    && rule.matcher.as_ref().is_none_or(|m| m(&request))
            })?;
            if let Some(n) = &mut rule.remaining {
                *n -= 1;
            }
            (rule.answer.clone(), rule.delay)
        };
        // Called outside the lock, so an answer may itself look at the mock.
        Some((answer(&request), delay, count))
    }
}

/// Each attempt is answered by the first matching rule, after the rule's delay (which the
/// attempt timeout watches like a slow server's).
impl Transport for Mock {
    async fn send(&self, request: ApiRequest<'_>) -> Result<ApiReply, TransportError> {
        let Some((reply, delay, count)) = self.answer(request.action, request.params) else {
            return Err(TransportError::new(
                TransportErrorKind::Unanswered,
                "the mock has no answer for this action (add a rule with mock.on…)",
            ));
        };
        if !delay.is_zero() {
            tokio::time::sleep(delay).await;
        }
        let reply = match reply {
            Reply::Json(value) => ApiReply::new(200, value.to_string()),
            Reply::Status(status) => ApiReply::new(status, bytes::Bytes::new()),
        };
        // The request id of this request, as a server would give one.
        Ok(reply.header("X-Request-Id", &format!("mock-{count}")))
    }
}

/// A request the mock received: the action and its parameters as encoded (signature left
/// out), configuration defaults and per-call options applied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MockRequest {
    action: String,
    params: Vec<(String, String)>,
}

impl MockRequest {
    /// The action's name.
    pub fn action(&self) -> &str {
        &self.action
    }

    /// The value of a parameter (`DBId`, `Disks.0.Size`, `Region`), if it was sent.
    pub fn param(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// Every parameter sent, sorted by name.
    pub fn params(&self) -> impl Iterator<Item = (&str, &str)> {
        self.params.iter().map(|(n, v)| (n.as_str(), v.as_str()))
    }
}

/// A rule being added to a [`Mock`]: narrow it (`times`, `when`, `delay`), then give its
/// answer, which adds it. `T` is the response type it answers with.
#[must_use = "a rule is added by its answer: `.respond(…)`, `.json(…)`, `.ret_code(…)` or `.http_status(…)`"]
pub struct Rule<'m, T> {
    mock: &'m Mock,
    action: String,
    matcher: Option<Matcher>,
    remaining: Option<usize>,
    delay: Duration,
    _response: std::marker::PhantomData<fn() -> T>,
}

impl<T> std::fmt::Debug for Rule<'_, T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Rule")
            .field("action", &self.action)
            .field("remaining", &self.remaining)
            .finish_non_exhaustive()
    }
}

impl<'m, T> Rule<'m, T> {
    fn new(mock: &'m Mock, action: &str) -> Self {
        Self {
            mock,
            action: action.to_owned(),
            matcher: None,
            remaining: None,
            delay: Duration::ZERO,
            _response: std::marker::PhantomData,
        }
    }

    /// Answers only `n` requests, then gives way to the rules after it.
    pub fn times(mut self, n: usize) -> Self {
        self.remaining = Some(n);
        self
    }

    /// Answers only requests `matches` accepts.
    pub fn when(mut self, matches: impl Fn(&MockRequest) -> bool + Send + Sync + 'static) -> Self {
        self.matcher = Some(Arc::new(matches));
        self
    }

    /// Answers after `delay`, as a slow server would (attempt timeouts apply).
    pub fn delay(mut self, delay: Duration) -> Self {
        self.delay = delay;
        self
    }

    /// Answers with a JSON body, as the service would send it; it is checked and decoded like
    /// a server's (`RetCode` other than 0 is an API error).
    pub fn json(self, body: Value) {
        self.add(Arc::new(move |_| Reply::Json(body.clone())));
    }

    /// Answers with an API error: this `RetCode` and `Message` (see [`dezai_spec::ret_code`]).
    /// Retried as the retry policy says about the code.
    pub fn ret_code(self, code: i64, message: &str) {
        let action = format!("{}Response", self.action);
        self.json(serde_json::json!({"RetCode": code, "Message": message, "Action": action}));
    }

    /// Answers with an HTTP status and an empty body (`503`: retried as a server would be).
    pub fn http_status(self, status: u16) {
        self.add(Arc::new(move |_| Reply::Status(status)));
    }

    fn add(self, answer: Answer) {
        lock(&self.mock.inner.rules).push(RuleState {
            action: self.action,
            matcher: self.matcher,
            remaining: self.remaining,
            delay: self.delay,
            answer,
        });
    }
}

impl<T: Response + ToJson> Rule<'_, T> {
    /// Answers with this response, as the JSON it is read from (`RetCode` 0).
    pub fn respond(self, response: T) {
        let body = answer_json(&self.action, &response);
        self.json(body);
    }

    /// Answers with what `answer` makes of the request.
    pub fn respond_with(self, answer: impl Fn(&MockRequest) -> T + Send + Sync + 'static) {
        let action = self.action.clone();
        self.add(Arc::new(move |request| {
            Reply::Json(answer_json(&action, &answer(request)))
        }));
    }
}

/// A typed response as a server's successful answer: its fields, and the envelope.
fn answer_json(action: &str, response: &impl ToJson) -> Value {
    let mut object = match response.to_json() {
        Value::Object(object) => object,
        other => return other,
    };
    object.insert("RetCode".into(), Value::from(0));
    object.insert("Action".into(), Value::from(format!("{action}Response")));
    Value::Object(object)
}
