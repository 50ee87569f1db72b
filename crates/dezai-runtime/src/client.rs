//! The client: prepares a call once (defaults, signature, body), then sends it as many times as
//! the retry policy allows, and decodes the answer.
//!
//! Everything here is written once for all actions. What is generic over the action is a few
//! lines: [`Client::send`] hands the request to non-generic code as a trait object and returns
//! a [`SendFuture`] around the one boxed exchange future every call shares; its `poll` decodes
//! at the end. A program pays for each action it calls in its own crate's build, so that part
//! is kept small (BENCHMARKS.md, issue 13). Attempt deadlines are watched without a timer per
//! call (`deadline`).

use std::sync::Arc;
use std::time::Duration;

use serde_json::Value;
use tracing::{Instrument, debug, field, trace};

use crate::action::{Action, ConfigParams, Takes};
use crate::call_options::CallOptions;
use crate::config::{BodyEncoding, Config, ConfigError, DEFAULT_ENDPOINT};
use crate::de::{Envelope, Lenient};
use crate::error::{Error, ErrorKind};
use crate::mock::{Mock, Reply};
use crate::params::{ParamWriter, Params};
use crate::redact::{RedactedParams, redact_json};
use crate::response::Response;
use crate::retry::Bucket;
use crate::signer;

/// Response headers that carry the request id, in the order they are looked for. Header
/// names are matched case-insensitively.
const REQUEST_ID_HEADERS: [&str; 3] = [
    "x-ucloud-request-uuid",
    "x-dezai-request-id",
    "x-request-id",
];

/// A client of the Dezai cloud API.
///
/// Cheap to clone (an `Arc`), `Send + Sync`; clones share one connection pool and one retry
/// budget.
///
/// ```no_run
/// # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
/// // Credentials and defaults from ~/.dezai and DEZAI_* variables.
/// let client = dezai_runtime::Client::from_env()?;
/// let mut params = dezai_runtime::Params::new();
/// params.push("Limit", "10");
/// let json = client.invoke("DescribeUHostInstance", params).await?;
/// println!("{}", json["TotalCount"]);
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

struct Inner {
    transport: Transport,
    config: Config,
    bucket: Bucket,
    /// Where every call is posted, worked out once from the configuration.
    url: String,
    /// The attempts' deadlines, watched by one task instead of a timer per attempt.
    deadlines: crate::deadline::Deadlines,
}

/// Where attempts go: over HTTP, or to a mock in tests.
enum Transport {
    /// The client, and the endpoint parsed once (reqwest would parse a string per call).
    Http(reqwest::Client, reqwest::Url),
    Mock(Mock),
}

/// A successful attempt's body: the JSON object a server sent, or a typed response from a mock.
enum Body {
    Object(serde_json::Map<String, Value>),
    Typed(Box<dyn crate::mock::Fill>),
}

/// What a successful call hands to the decoder.
struct Answer {
    body: Body,
    request_id: Option<String>,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("config", &self.inner.config)
            .finish_non_exhaustive()
    }
}

/// The User-Agent every call sends, before the configured suffix.
pub const USER_AGENT: &str = concat!("dezai-sdk-rust/", env!("CARGO_PKG_VERSION"));

impl Client {
    /// A client with this configuration.
    ///
    /// TLS is rustls with the ring provider, installed as the process default unless the
    /// application installed a provider first (then that one is used).
    pub fn new(config: Config) -> Result<Self, ConfigError> {
        // Err means a provider is installed already, which is all reqwest needs.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let user_agent = match &config.user_agent_suffix {
            Some(suffix) => format!("{USER_AGENT} {suffix}"),
            None => USER_AGENT.to_owned(),
        };
        let mut builder = reqwest::Client::builder()
            .user_agent(user_agent)
            // The attempt timeout is the client's own timer (see `attempts`), not reqwest's.
            .connect_timeout(config.connect_timeout)
            // A redirect would carry the signed body (public key, signature, token) to a host
            // the user never chose: never follow one; a 3xx is an error naming the target.
            .redirect(reqwest::redirect::Policy::none());
        warn_about_plain_http(&config);
        if let Some(proxy) = &config.proxy {
            let proxy = reqwest::Proxy::all(proxy.as_str())
                .map_err(|_| ConfigError::new(Some("proxy".into()), "not a valid proxy URL"))?;
            builder = builder.proxy(proxy);
        }
        builder = crate::tls::configure(builder, &config)?;
        let http = builder
            .build()
            .map_err(|e| ConfigError::new(None, format!("cannot build the HTTP client: {e}")))?;
        let url = reqwest::Url::parse(&endpoint_url(&config)).map_err(|e| {
            ConfigError::new(Some("base_url".into()), format!("not a valid URL: {e}"))
        })?;
        Ok(Self::with_transport(config, Transport::Http(http, url)))
    }

    /// A client that sends nothing over the network: every attempt is answered by `mock`
    /// (see [`crate::mock`]). Everything else is as with [`Client::new`].
    pub fn with_mock(config: Config, mock: &Mock) -> Self {
        Self::with_transport(config, Transport::Mock(mock.clone()))
    }

    fn with_transport(config: Config, transport: Transport) -> Self {
        let bucket = Bucket::new(config.retry.budget);
        let url = endpoint_url(&config);
        Self {
            inner: Arc::new(Inner {
                transport,
                config,
                bucket,
                url,
                deadlines: Default::default(),
            }),
        }
    }

    /// A client configured from the defaults, the profile files and the environment
    /// ([`Config::from_env`]).
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::new(Config::from_env()?)
    }

    /// The client's configuration.
    pub fn config(&self) -> &Config {
        &self.inner.config
    }

    /// Tokens left in the retry budget.
    pub fn retry_tokens(&self) -> u32 {
        self.inner.bucket.available()
    }

    /// Sends a typed request and decodes its typed response.
    pub fn send<A: Action>(&self, request: A) -> SendFuture<'_, A::Response> {
        // Not through `send_with`: one generic function per action a program calls, not two.
        SendFuture {
            exchange: self.start(Facts::of::<A>(), &request, None),
            action: A::NAME,
            mocked: None,
        }
    }

    /// Sends a typed request with settings for this call only (timeout, attempts, region, …).
    ///
    /// The request is encoded here, before the returned future is first polled; the sending,
    /// retrying and reading is one future shared by every action, so a program compiles it
    /// once however many actions it calls (the typed part is the decoding at the end).
    pub fn send_with<A: Action>(
        &self,
        request: A,
        options: CallOptions,
    ) -> SendFuture<'_, A::Response> {
        SendFuture {
            exchange: self.start(Facts::of::<A>(), &request, Some(options)),
            action: A::NAME,
            mocked: None,
        }
    }

    /// Everything of a typed call but the decoding, compiled once: the parameters written,
    /// and the exchange that will sign, send, retry and read.
    fn start(
        &self,
        facts: Facts,
        request: &dyn WriteParams,
        options: Option<CallOptions>,
    ) -> BoxedExchange<'_> {
        let (call, params) = self.call_with(facts, request);
        self.execute_boxed(call, params, options.unwrap_or_default())
    }

    /// [`Client::execute`] behind a box: the one future type of every typed call.
    fn execute_boxed(
        &self,
        call: Call<'static>,
        params: Params,
        options: CallOptions,
    ) -> BoxedExchange<'_> {
        Box::pin(async move { self.execute(call, params, &options).await })
    }

    /// Calls any action by name with the given parameters and returns the JSON response, for
    /// actions the SDK does not know yet. Signed and retried like typed calls, with the same
    /// rule for actions that create or change things. `Region` and `ProjectId` are filled
    /// from the configuration when the parameters leave them out. Integers are kept exact
    /// (`i64`/`u64`), beyond the 2^53 a float can hold.
    ///
    /// `params` is a [`Params`], or a JSON object as a `serde_json::Value` or `Map` (as the
    /// Python SDK takes a dict), flattened as typed requests are: `{"Disks": [{"Size": 20}]}`
    /// sends `Disks.0.Size=20`. For integers beyond `u64`, build the parameters with
    /// [`Params::from_json`], which keeps them exactly as written.
    pub async fn invoke(
        &self,
        action: &str,
        params: impl crate::IntoParams,
    ) -> Result<Value, Error> {
        self.invoke_with(action, params, CallOptions::default())
            .await
    }

    /// [`Client::invoke`] with settings for this call only.
    pub async fn invoke_with(
        &self,
        action: &str,
        params: impl crate::IntoParams,
        options: CallOptions,
    ) -> Result<Value, Error> {
        let params = params
            .into_params()
            .map_err(|why| Error::invalid(action, why))?;
        let idempotent = self.inner.config.retry.is_idempotent(action);
        let call = Call {
            action,
            config_params: ConfigParams::GENERIC,
            idempotent,
            problems: Vec::new(),
        };
        let answer = self.execute(call, params, &options).await?;
        match answer.body {
            Body::Object(object) => Ok(Value::Object(object)),
            Body::Typed(typed) => {
                let mut slot: Option<Value> = None;
                typed.fill(&mut slot);
                slot.ok_or_else(|| {
                    Error::new(ErrorKind::Decode, action)
                        .with_message("the mock answered with a typed response; invoke needs JSON")
                })
            }
        }
    }

    async fn execute(
        &self,
        call: Call<'_>,
        params: Params,
        options: &CallOptions,
    ) -> Result<Answer, Error> {
        let span = tracing::info_span!("dezai.call", action = call.action);
        self.execute_in(call, params, options)
            .instrument(span)
            .await
    }

    async fn execute_in(
        &self,
        call: Call<'_>,
        params: Params,
        options: &CallOptions,
    ) -> Result<Answer, Error> {
        let prepared = self.prepare(&call, params, options)?;
        self.attempts(&call, &prepared, options).await
    }

    /// The attempts of one call, with backoff between them, all within the operation timeout.
    ///
    /// One deadline per attempt does both jobs: the attempt's timeout or the operation's
    /// deadline, whichever comes first, watched without a timer per call (see
    /// [`crate::deadline`]; reqwest's own timeout would add a timer and a boxed response body
    /// to every call).
    async fn attempts(
        &self,
        call: &Call<'_>,
        prepared: &Prepared,
        options: &CallOptions,
    ) -> Result<Answer, Error> {
        let config = &self.inner.config;
        let policy = &config.retry;
        let max_attempts = options.max_attempts.unwrap_or(policy.max_attempts);
        let timeout = options.timeout.unwrap_or(config.timeout);
        let limit = options
            .operation_timeout
            .unwrap_or(config.operation_timeout);
        let started = tokio::time::Instant::now();
        let deadline = started + limit;
        let gave_up = |attempt: u32| {
            let mut error = Error::new(ErrorKind::Timeout, call.action).with_message(format!(
                "gave up after {} (the operation timeout) during attempt {attempt} of {max_attempts}",
                seconds(limit),
            ));
            error.set_attempts(attempt);
            error.set_retryable(true);
            error
        };
        let mut spent = 0u32;
        let mut attempt = 0u32;
        loop {
            attempt += 1;
            let attempt_deadline = (tokio::time::Instant::now() + timeout).min(deadline);
            // One span per attempt, so its request id is the one the server gave that attempt.
            let span = tracing::debug_span!("attempt", n = attempt, request_id = field::Empty);
            let run = self
                .attempt(prepared, call.action, &span)
                .instrument(span.clone());
            let outcome = match self.inner.deadlines.run(attempt_deadline, run).await {
                Ok(outcome) => outcome,
                Err(_) if attempt_deadline == deadline => return Err(gave_up(attempt)),
                Err(_) => Err(Failure {
                    error: Error::new(ErrorKind::Timeout, call.action).with_message(format!(
                        "timed out after {} (attempt {attempt} of {max_attempts})",
                        seconds(timeout),
                    )),
                    retry_after: None,
                    retry_class: true,
                    never_sent: false,
                }),
            };
            match outcome {
                Ok(ok) => {
                    self.inner.bucket.deposit(spent);
                    return Ok(ok);
                }
                Err(failure) => {
                    let Failure {
                        mut error,
                        retry_after,
                        retry_class,
                        never_sent,
                    } = failure;
                    error.set_attempts(attempt);
                    let allowed = retry_class && (call.idempotent || never_sent);
                    error.set_retryable(allowed);
                    if !allowed || attempt >= max_attempts {
                        return Err(error);
                    }
                    let wait = match retry_after {
                        Some(wait) if wait <= policy.max_backoff => wait,
                        // The server asks for a longer pause than the policy allows: stop now
                        // rather than hold the caller for longer than it agreed to.
                        Some(_) => return Err(error),
                        None => policy.backoff(attempt),
                    };
                    match self
                        .inner
                        .bucket
                        .withdraw(error.kind() == ErrorKind::Timeout)
                    {
                        Some(cost) => spent += cost,
                        None => {
                            error.set_budget_exhausted();
                            return Err(error);
                        }
                    }
                    debug!(attempt, wait_ms = wait.as_millis() as u64, error = %error, "retrying");
                    let resume = tokio::time::Instant::now() + wait;
                    if resume >= deadline {
                        tokio::time::sleep_until(deadline).await;
                        return Err(gave_up(attempt));
                    }
                    tokio::time::sleep_until(resume).await;
                }
            }
        }
    }

    /// The exact request a call would send (URL, body with signature, content type), without
    /// sending it: for debugging, for presigned requests, and for benchmarks.
    pub fn encode<A: Action>(&self, request: &A) -> Result<EncodedRequest, Error> {
        let (call, params) = self.call_for(request);
        let prepared = self.prepare(&call, params, &CallOptions::default())?;
        Ok(EncodedRequest {
            url: self.inner.url.clone(),
            prepared,
        })
    }

    /// [`Client::encode`] for an action by name, with parameters as [`Client::invoke`] takes
    /// them: what `invoke` would send, without sending it (a command line's `--dry-run`).
    pub fn encode_invoke(
        &self,
        action: &str,
        params: impl crate::IntoParams,
        options: &CallOptions,
    ) -> Result<EncodedRequest, Error> {
        let params = params
            .into_params()
            .map_err(|why| Error::invalid(action, why))?;
        let call = Call {
            action,
            config_params: ConfigParams::GENERIC,
            idempotent: self.inner.config.retry.is_idempotent(action),
            problems: Vec::new(),
        };
        let prepared = self.prepare(&call, params, options)?;
        Ok(EncodedRequest {
            url: self.inner.url.clone(),
            prepared,
        })
    }

    /// The action's facts and its parameters. Generic only in name: the work is in
    /// [`Client::call_with`], compiled once.
    fn call_for<A: Action>(&self, request: &A) -> (Call<'static>, Params) {
        self.call_with(Facts::of::<A>(), request)
    }

    fn call_with(&self, facts: Facts, request: &dyn WriteParams) -> (Call<'static>, Params) {
        // Room for a typical request plus the parameters the runtime adds, so the buffers
        // are not regrown during the call.
        let mut params = Params::with_capacity(24, 512);
        let mut writer = ParamWriter::new(&mut params);
        request.write_to(&mut writer);
        let problems = writer.into_problems();
        let idempotent = facts
            .idempotent
            .unwrap_or_else(|| self.inner.config.retry.is_idempotent(facts.name));
        let call = Call {
            action: facts.name,
            config_params: facts.config_params,
            idempotent,
            problems,
        };
        (call, params)
    }

    /// Everything that is the same for every attempt: defaults filled in, parameters signed,
    /// body encoded. The signature is computed over exactly the parameters that are encoded.
    fn prepare(
        &self,
        call: &Call<'_>,
        mut params: Params,
        options: &CallOptions,
    ) -> Result<Prepared, Error> {
        let config = &self.inner.config;
        if !call.problems.is_empty() {
            return Err(Error::invalid(
                call.action,
                format!("cannot send {}", call.problems.join("; ")),
            ));
        }
        let Some(credentials) = &config.credentials else {
            return Err(Error::invalid(
                call.action,
                "no credentials configured: set DEZAI_PUBLIC_KEY and DEZAI_PRIVATE_KEY, a profile in \
                 ~/.dezai/credential.json, or Config::builder().credentials(…)",
            ));
        };
        // This call's settings, else the configuration's.
        let defaults = [
            (
                "Region",
                call.config_params.region,
                options.region.as_deref().or(config.region.as_deref()),
            ),
            (
                "Zone",
                call.config_params.zone,
                options.zone.as_deref().or(config.zone.as_deref()),
            ),
            (
                "ProjectId",
                call.config_params.project_id,
                options
                    .project_id
                    .as_deref()
                    .or(config.project_id.as_deref()),
            ),
        ];
        let generic = call.config_params == ConfigParams::GENERIC;
        for (name, takes, configured) in defaults {
            // `invoke` knows nothing of the action: a value set for this call is sent anyway,
            // as the caller asked.
            let per_call = generic
                && match name {
                    "Region" => options.region.is_some(),
                    "Zone" => options.zone.is_some(),
                    _ => options.project_id.is_some(),
                };
            if (takes == Takes::No && !per_call) || params.contains(name) {
                continue;
            }
            match configured {
                Some(value) => params.push(name, value),
                None if takes == Takes::Required => {
                    return Err(Error::invalid(
                        call.action,
                        format!(
                            "{name} is required: set it on the request or configure a default (DEZAI_{})",
                            env_name(name)
                        ),
                    ));
                }
                None => {}
            }
        }
        // A token passed as a parameter (how the Python SDK's users pass it) is sent and
        // signed, unless it contradicts the configured one: never dropped silently.
        let given_token: Option<String> = params
            .iter()
            .find(|(name, _)| *name == "SecurityToken")
            .map(|(_, value)| value.to_owned());
        let token = match (given_token, credentials.security_token()) {
            (Some(given), Some(configured)) if given != configured.expose() => {
                return Err(Error::invalid(
                    call.action,
                    "a SecurityToken parameter was given that differs from the configured security \
                     token; pass one or the other",
                ));
            }
            (Some(given), _) => Some(given),
            (None, configured) => configured.map(|t| t.expose().to_owned()),
        };
        const RESERVED: [&str; 4] = ["Action", "PublicKey", "Signature", "SecurityToken"];
        if params.iter().any(|(name, _)| RESERVED.contains(&name)) {
            // The runtime sets these itself; a caller's copy would be sent twice.
            for reserved in RESERVED {
                params.remove(reserved);
            }
        }
        params.push("Action", call.action);
        params.push("PublicKey", credentials.public_key());
        if let Some(token) = &token {
            params.push("SecurityToken", token);
        }
        params.sort();
        let signature = signer::sign_sorted(&params, credentials.private_key());
        params.push("Signature", signature.as_str());

        let (body, content_type) = match config.encoding {
            BodyEncoding::Form => {
                // Escaping rarely grows a body by more than a quarter.
                let capacity = params.text_len() + params.text_len() / 4 + 2 * params.len();
                let body = form_urlencoded::Serializer::new(String::with_capacity(capacity))
                    .extend_pairs(params.iter())
                    .finish();
                (body, "application/x-www-form-urlencoded")
            }
            BodyEncoding::Json => {
                // An object of the same flat parameters, values as strings, written straight
                // from the parameter list.
                struct AsObject<'a>(&'a Params);
                impl serde::Serialize for AsObject<'_> {
                    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                        s.collect_map(self.0.iter())
                    }
                }
                let body = serde_json::to_string(&AsObject(&params)).unwrap_or_default();
                (body, "application/json")
            }
        };
        Ok(Prepared {
            body: bytes::Bytes::from(body),
            content_type,
            params,
        })
    }

    async fn attempt(
        &self,
        prepared: &Prepared,
        action: &str,
        span: &tracing::Span,
    ) -> Result<Answer, Failure> {
        debug!(
            url = %crate::redact::redact_url(&self.inner.url),
            params = %RedactedParams(&prepared.params),
            "sending request"
        );
        let exchange = match &self.inner.transport {
            Transport::Http(http, url) => self.over_http(http, url, prepared, action).await?,
            Transport::Mock(mock) => match mock_exchange(mock, prepared, action).await? {
                Ok(exchange) => exchange,
                Err(typed) => {
                    return Ok(Answer {
                        body: Body::Typed(typed),
                        request_id: None,
                    });
                }
            },
        };
        let Exchange {
            status,
            request_id,
            retry_after,
            location,
            body,
        } = exchange;
        if let Some(id) = &request_id {
            span.record("request_id", id.as_str());
        }
        debug!(
            status,
            request_id = request_id.as_deref().unwrap_or(""),
            bytes = body.len(),
            "received response"
        );
        let policy = &self.inner.config.retry;

        if !(200..300).contains(&status) {
            let mut error = Error::new(ErrorKind::HttpStatus, action)
                .with_status(status)
                .with_request_id(request_id)
                .with_body(&body);
            if let Ok(envelope) = Envelope::read(&body) {
                if let Some(code) = envelope.ret_code.filter(|c| *c != 0) {
                    error = error.with_ret_code(code);
                }
                if let Some(message) = envelope.message {
                    error = error.with_message(message);
                }
            }
            if (300..400).contains(&status) {
                error = error.with_message(format!(
                    "the server redirected to {}; redirects are not followed, so the signed \
                     request goes only to the configured host (set the base URL to the new \
                     address if it is right)",
                    location.as_deref().unwrap_or("an unnamed location")
                ));
            }
            let retry_class = policy.retry_statuses.contains(&status);
            return Err(Failure {
                error,
                retry_after,
                retry_class,
                never_sent: false,
            });
        }

        // The body is parsed once: the envelope is read from the object that the typed
        // response (or `invoke`'s JSON) is then built from.
        let object = match serde_json::from_slice::<Value>(&body) {
            Ok(Value::Object(object)) => object,
            Ok(_) => {
                let message = "the response is not a JSON object";
                return Err(Failure::decode(action, status, request_id, &body, message));
            }
            Err(e) => {
                let message = format!("the response is not JSON: {e}");
                return Err(Failure::decode(action, status, request_id, &body, &message));
            }
        };
        if tracing::enabled!(tracing::Level::TRACE) {
            let value = Value::Object(object.clone());
            trace!(body = %redact_json(&value), "response body");
        }
        let lenient = |name: &str| object.get(name).cloned();
        match lenient("RetCode").and_then(i64::from_json) {
            Some(0) => Ok(Answer {
                body: Body::Object(object),
                request_id,
            }),
            Some(code) => {
                let mut error = Error::new(ErrorKind::Api, action)
                    .with_ret_code(code)
                    .with_status(status)
                    .with_request_id(request_id);
                if let Some(message) = lenient("Message").and_then(String::from_json) {
                    error = error.with_message(message);
                }
                let retry_class = policy.retry_ret_codes.contains(&code);
                Err(Failure {
                    error,
                    retry_after,
                    retry_class,
                    never_sent: false,
                })
            }
            None => Err(Failure::decode(
                action,
                status,
                request_id,
                &body,
                "the response has no RetCode",
            )),
        }
    }

    /// One HTTP exchange, the body read within the size limit.
    async fn over_http(
        &self,
        http: &reqwest::Client,
        url: &reqwest::Url,
        prepared: &Prepared,
        action: &str,
    ) -> Result<Exchange, Failure> {
        let sent = http
            .post(url.clone())
            .header(
                reqwest::header::CONTENT_TYPE,
                reqwest::header::HeaderValue::from_static(prepared.content_type),
            )
            .body(prepared.body.clone())
            .send()
            .await;
        let response = sent.map_err(|e| Failure::transport(action, e))?;
        let status = response.status().as_u16();
        let request_id = request_id(response.headers());
        let retry_after = retry_after(response.headers());
        // Only a redirect's target is worth keeping (read before the body consumes the response).
        let location = (300..400)
            .contains(&status)
            .then(|| response.headers().get(reqwest::header::LOCATION))
            .flatten()
            .and_then(|v| v.to_str().ok())
            .map(crate::redact::redact_url);
        let body = read_bounded(response, self.inner.config.max_response_bytes)
            .await
            .map_err(|e| e.into_failure(action, status, request_id.clone()))?;
        Ok(Exchange {
            status,
            request_id,
            retry_after,
            location,
            body,
        })
    }
}

/// What an attempt got back, before it is judged.
struct Exchange {
    status: u16,
    request_id: Option<String>,
    retry_after: Option<Duration>,
    location: Option<String>,
    body: bytes::Bytes,
}

/// One attempt answered by a mock: an exchange to judge like a server's, or (`Err`) a typed
/// response to hand over as it is. The attempt timeout applies to the mock's delay.
async fn mock_exchange(
    mock: &Mock,
    prepared: &Prepared,
    action: &str,
) -> Result<Result<Exchange, Box<dyn crate::mock::Fill>>, Failure> {
    let Some((reply, delay)) = mock.answer(action, &prepared.params) else {
        return Err(Failure {
            error: Error::new(ErrorKind::Transport, action)
                .with_message("the mock has no answer for this action (add a rule with mock.on…)"),
            retry_after: None,
            retry_class: false,
            never_sent: true,
        });
    };
    if !delay.is_zero() {
        tokio::time::sleep(delay).await;
    }
    let (status, body) = match reply {
        Reply::Typed(typed) => return Ok(Err(typed)),
        Reply::Json(value) => (200, bytes::Bytes::from(value.to_string())),
        Reply::Status(status) => (status, bytes::Bytes::new()),
    };
    Ok(Ok(Exchange {
        status,
        request_id: Some(format!("mock-{}", mock.requests().len())),
        retry_after: None,
        location: None,
        body,
    }))
}

fn env_name(param: &str) -> &'static str {
    match param {
        "Region" => "REGION",
        "Zone" => "ZONE",
        _ => "PROJECT_ID",
    }
}

/// The sending, retrying and reading of one call, erased to one type for every action.
type BoxedExchange<'a> =
    std::pin::Pin<Box<dyn std::future::Future<Output = Result<Answer, Error>> + Send + 'a>>;

/// The future of a typed call ([`Client::send`], [`Client::send_with`]): resolves to the
/// decoded response. `Send`, and `Unpin`; nothing happens until it is polled (the request is
/// already encoded).
#[must_use = "a call does nothing until it is awaited"]
pub struct SendFuture<'a, R> {
    exchange: BoxedExchange<'a>,
    action: &'static str,
    /// Where a mock's typed response is moved (a server's answer is read, not stored here).
    mocked: Option<R>,
}

// Never pinned through: the response is only moved in and out of its slot.
impl<R> Unpin for SendFuture<'_, R> {}

impl<R> std::fmt::Debug for SendFuture<'_, R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SendFuture")
            .field("action", &self.action)
            .finish_non_exhaustive()
    }
}

impl<R: Response> std::future::Future for SendFuture<'_, R> {
    type Output = Result<R, Error>;

    /// The only code compiled per action a program awaits, kept to a few moves: the exchange
    /// and the envelope are one function's for every action, and reading the object is the
    /// response's own [`Response::from_answer`] (in the product's crate for generated ones).
    fn poll(
        self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Self::Output> {
        let this = self.get_mut();
        let name = std::any::type_name::<R>;
        match poll_answer(&mut this.exchange, this.action, cx, &mut this.mocked, name) {
            std::task::Poll::Pending => std::task::Poll::Pending,
            std::task::Poll::Ready(Opened::Object(object, request_id)) => {
                std::task::Poll::Ready(R::from_answer(this.action, object, request_id))
            }
            std::task::Poll::Ready(Opened::Mocked) => match this.mocked.take() {
                Some(response) => std::task::Poll::Ready(Ok(response)),
                None => std::task::Poll::Ready(Err(mock_type_error(this.action, name()))),
            },
            std::task::Poll::Ready(Opened::Failed(error)) => std::task::Poll::Ready(Err(error)),
        }
    }
}

/// A typed call's answer, before its type comes in.
enum Opened {
    /// The object a server sent, and the request id it gave.
    Object(serde_json::Map<String, Value>, Option<String>),
    /// A mock's typed response, moved into the future's slot.
    Mocked,
    Failed(Error),
}

/// Polls a typed call's exchange and opens its answer, compiled once for every action. A
/// mock's typed response is moved into `mocked` (an `Option` of the response type).
fn poll_answer(
    exchange: &mut BoxedExchange<'_>,
    action: &str,
    cx: &mut std::task::Context<'_>,
    mocked: &mut dyn std::any::Any,
    type_name: fn() -> &'static str,
) -> std::task::Poll<Opened> {
    let answer = match exchange.as_mut().poll(cx) {
        std::task::Poll::Ready(answer) => answer,
        std::task::Poll::Pending => return std::task::Poll::Pending,
    };
    std::task::Poll::Ready(match answer {
        Ok(Answer {
            body: Body::Object(object),
            request_id,
        }) => Opened::Object(object, request_id),
        // A mock's response of another type leaves the slot empty.
        Ok(Answer {
            body: Body::Typed(typed),
            ..
        }) => {
            if typed.fill(mocked) {
                Opened::Mocked
            } else {
                Opened::Failed(mock_type_error(action, type_name()))
            }
        }
        Err(error) => Opened::Failed(error),
    })
}

fn mock_type_error(action: &str, expected: &str) -> Error {
    Error::new(ErrorKind::Decode, action).with_message(format!(
        "the mock answered with another type than {expected}"
    ))
}

/// An action's constants, as [`Action`] declares them.
struct Facts {
    name: &'static str,
    config_params: ConfigParams,
    idempotent: Option<bool>,
}

impl Facts {
    fn of<A: Action>() -> Self {
        Self {
            name: A::NAME,
            config_params: A::CONFIG_PARAMS,
            idempotent: A::IDEMPOTENT,
        }
    }
}

/// [`Action::write_params`] as a trait object, so that encoding is compiled once.
trait WriteParams {
    fn write_to(&self, w: &mut ParamWriter<'_>);
}

impl<A: Action> WriteParams for A {
    fn write_to(&self, w: &mut ParamWriter<'_>) {
        self.write_params(w);
    }
}

/// What a call needs to know about its action.
struct Call<'a> {
    action: &'a str,
    config_params: ConfigParams,
    idempotent: bool,
    problems: Vec<String>,
}

/// A call encoded for sending: see [`Client::encode`]. `Debug` masks the signature and
/// other secrets.
pub struct EncodedRequest {
    url: String,
    prepared: Prepared,
}

impl EncodedRequest {
    /// The URL the request is posted to.
    pub fn url(&self) -> &str {
        &self.url
    }
    /// The body, exactly as sent (it holds the signature and any security token).
    pub fn body(&self) -> &str {
        // The body was built from a String; only the type changed.
        std::str::from_utf8(&self.prepared.body).unwrap_or_default()
    }
    /// The Content-Type header.
    pub fn content_type(&self) -> &str {
        self.prepared.content_type
    }
    /// The parameters as sent, sorted by name, signature last.
    pub fn params(&self) -> &Params {
        &self.prepared.params
    }

    /// The body as it would be sent (form-encoded), with the public key, the signature, the
    /// security token and every password-like value replaced by `***`: safe to print.
    pub fn redacted_body(&self) -> String {
        form_urlencoded::Serializer::new(String::new())
            .extend_pairs(self.prepared.params.iter().map(|(name, value)| {
                let hidden = name == "PublicKey" || crate::redact::is_sensitive(name);
                (name, if hidden { "***" } else { value })
            }))
            .finish()
    }
}

impl std::fmt::Debug for EncodedRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EncodedRequest")
            .field("url", &self.url)
            .field("content_type", &self.prepared.content_type)
            .field("params", &RedactedParams(&self.prepared.params).to_string())
            .finish()
    }
}

/// A call ready to send.
struct Prepared {
    /// Cheap to clone for each attempt.
    body: bytes::Bytes,
    content_type: &'static str,
    /// The parameters as sent (for logs, redacted).
    params: Params,
}

/// A failed attempt and what the retry loop needs to decide about it.
struct Failure {
    error: Error,
    retry_after: Option<Duration>,
    /// Whether this kind of failure is worth retrying at all.
    retry_class: bool,
    /// Whether the request certainly never reached the server.
    never_sent: bool,
}

impl Failure {
    fn transport(action: &str, e: reqwest::Error) -> Self {
        let connect = e.is_connect();
        // What the operating system said, in words a person reads first ("connection
        // refused"), rather than only reqwest's wrapper.
        let io = io_cause(&e);
        let (kind, retry_class) = if e.is_timeout() {
            (ErrorKind::Timeout, true)
        } else if connect && caused_by_tls(&e) {
            // A handshake failure (bad certificate, protocol mismatch) will not cure itself.
            (ErrorKind::Tls, false)
        } else if connect {
            (ErrorKind::Connect, true)
        } else {
            (ErrorKind::Transport, true)
        };
        let mut error = Error::new(kind, action);
        if let (Some(io), false) = (io, kind == ErrorKind::Timeout) {
            error = error.with_message(io);
        }
        Self {
            error: error.with_source(e),
            retry_after: None,
            retry_class,
            never_sent: connect,
        }
    }

    fn decode(
        action: &str,
        status: u16,
        request_id: Option<String>,
        body: &[u8],
        message: &str,
    ) -> Self {
        let error = Error::new(ErrorKind::Decode, action)
            .with_message(message)
            .with_status(status)
            .with_request_id(request_id)
            .with_body(body);
        Self {
            error,
            retry_after: None,
            retry_class: false,
            never_sent: false,
        }
    }
}

/// The URL every call is posted to: the configured base URL, or the default; never a host from
/// a document (a signed request carries the public key and a valid signature, so it goes only
/// where the user said). A bare host gets the root path; a URL with a path
/// (`https://gw.example/api`, an API gateway's route) is used exactly as given.
fn endpoint_url(config: &Config) -> String {
    let base = config.base_url.as_deref().unwrap_or(DEFAULT_ENDPOINT);
    let has_path = base
        .split_once("://")
        .is_some_and(|(_, rest)| rest.contains('/'));
    if has_path {
        base.to_owned()
    } else {
        format!("{base}/")
    }
}

/// The innermost I/O error of a chain, as text (`connection refused (os error 111)`).
fn io_cause(e: &(dyn std::error::Error + 'static)) -> Option<String> {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(e);
    let mut found = None;
    while let Some(err) = source {
        if let Some(io) = err.downcast_ref::<std::io::Error>() {
            found = Some(lower_first(&io.to_string()));
        }
        source = err.source();
    }
    found
}

fn lower_first(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map(|c| c.to_lowercase().chain(chars).collect())
        .unwrap_or_default()
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

/// One warning per process when real credentials go over plain `http://` to a host that is
/// not this machine: the signature protects the parameters' integrity, not their secrecy.
fn warn_about_plain_http(config: &Config) {
    static WARNED: std::sync::Once = std::sync::Once::new();
    let Some(url) = config.base_url.as_deref() else {
        return;
    };
    let local = ["http://127.0.0.1", "http://localhost", "http://[::1]"]
        .iter()
        .any(|l| url.starts_with(l));
    if url.starts_with("http://") && !local && config.credentials.is_some() {
        WARNED.call_once(|| {
            tracing::warn!(
                base_url = %crate::redact::redact_url(url),
                "credentials are used over plain http://: parameters, the public key and the \
                 signature travel unencrypted; use https://"
            );
        });
    }
}

fn caused_by_tls(e: &(dyn std::error::Error + 'static)) -> bool {
    let mut source = e.source();
    while let Some(err) = source {
        if err.is::<rustls::Error>() {
            return true;
        }
        // rustls reports handshake failures inside `io::Error`s (one wrapped in another,
        // behind hyper's), whose `source()` does not lead on to them: look inside.
        let mut inner: Option<&(dyn std::error::Error + 'static)> = Some(err);
        while let Some(io) = inner.and_then(|e| e.downcast_ref::<std::io::Error>()) {
            inner = io
                .get_ref()
                .map(|e| e as &(dyn std::error::Error + 'static));
            if inner.is_some_and(|e| e.is::<rustls::Error>()) {
                return true;
            }
        }
        source = err.source();
    }
    false
}

fn request_id(headers: &reqwest::header::HeaderMap) -> Option<String> {
    REQUEST_ID_HEADERS
        .iter()
        .find_map(|name| headers.get(*name))
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

fn retry_after(headers: &reqwest::header::HeaderMap) -> Option<Duration> {
    let value = headers.get(reqwest::header::RETRY_AFTER)?.to_str().ok()?;
    value.trim().parse::<u64>().ok().map(Duration::from_secs)
}

enum BodyError {
    TooLarge(u64),
    /// The body broke off: the error, the bytes received, and the length announced.
    Read(reqwest::Error, usize, Option<u64>),
}

impl BodyError {
    fn into_failure(self, action: &str, status: u16, request_id: Option<String>) -> Failure {
        match self {
            BodyError::TooLarge(seen) => Failure {
                error: Error::new(ErrorKind::ResponseTooLarge, action)
                    .with_status(status)
                    .with_request_id(request_id)
                    .with_message(format!("the response body exceeds the limit (at least {seen} bytes); raise Config max_response_bytes if this is expected")),
                retry_after: None,
                retry_class: false,
                never_sent: false,
            },
            BodyError::Read(e, got, announced) => {
                let mut failure = Failure::transport(action, e);
                let message = match announced {
                    Some(length) => {
                        format!("response body truncated: got {got} of {length} bytes")
                    }
                    None => format!("response body cut off after {got} bytes"),
                };
                failure.error = failure
                    .error
                    .with_status(status)
                    .with_request_id(request_id)
                    .with_message(message);
                failure.never_sent = false;
                failure
            }
        }
    }
}

/// Reads a body up to `limit` bytes; a longer one is refused without reading the rest. A body
/// that arrives in one chunk (the usual case for API responses) is kept as it came, uncopied.
async fn read_bounded(
    mut response: reqwest::Response,
    limit: usize,
) -> Result<bytes::Bytes, BodyError> {
    let limit_u64 = limit as u64;
    let announced = response.content_length();
    let broke = move |got: usize| move |e| BodyError::Read(e, got, announced);
    if let Some(length) = response.content_length().filter(|l| *l > limit_u64) {
        return Err(BodyError::TooLarge(length));
    }
    let Some(first) = response.chunk().await.map_err(broke(0))? else {
        return Ok(bytes::Bytes::new());
    };
    if first.len() > limit {
        return Err(BodyError::TooLarge(first.len() as u64));
    }
    let Some(second) = response.chunk().await.map_err(broke(first.len()))? else {
        return Ok(first);
    };
    let capacity = response.content_length().map_or(64 * 1024, |l| l as usize);
    let mut body = bytes::BytesMut::with_capacity(capacity.min(limit));
    for chunk in [first, second] {
        if body.len() + chunk.len() > limit {
            return Err(BodyError::TooLarge((body.len() + chunk.len()) as u64));
        }
        body.extend_from_slice(&chunk);
    }
    while let Some(chunk) = response.chunk().await.map_err(broke(body.len()))? {
        if body.len() + chunk.len() > limit {
            return Err(BodyError::TooLarge((body.len() + chunk.len()) as u64));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body.freeze())
}
