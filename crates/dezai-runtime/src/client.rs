//! The client: the public face of a call. It builds the transport from the configuration,
//! and hands each call to the stages: [`crate::prepare`] (defaults, signature, body),
//! [`crate::call`] (attempts over a [`crate::transport`], each judged by [`crate::judge`], with
//! [`crate::retry`] deciding between them) and, for typed calls, [`crate::future`].
//!
//! Everything here is written once for all actions. What is generic over the action is a few
//! lines: [`Client::send`] hands the request to non-generic code as a trait object and returns
//! a [`SendFuture`] around the one boxed exchange future every call shares; its `poll` decodes
//! at the end. A program pays for each action it calls in its own crate's build, so that part
//! is kept small (BENCHMARKS.md).

use std::sync::Arc;

use serde_json::Value;

use crate::action::Action;
use crate::call::{BoxedExchange, CallInput, Drive, Shared};
use crate::call_options::CallOptions;
use crate::config::{Config, ConfigError};
use crate::error::{Error, ErrorKind};
use crate::future::SendFuture;
use crate::judge::Body;
use crate::mock::Mock;
use crate::params::Params;
use crate::prepare::{Call, EncodedRequest, Facts, WriteParams, endpoint_url, prepare};
use crate::retry::Bucket;
use crate::transport::Http;

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
    /// Where attempts go: HTTP, or a mock in tests.
    transport: Box<dyn Drive>,
    shared: Shared,
    /// The HTTP client downloads go through: the API transport's own (same roots, client
    /// certificate, proxy, User-Agent and timeouts), made on first use for a mock client.
    http: std::sync::OnceLock<Result<reqwest::Client, ConfigError>>,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("config", &self.inner.shared.config)
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
        let http = http_client(&config)?;
        let url = reqwest::Url::parse(&endpoint_url(&config)).map_err(|e| {
            ConfigError::new(Some("base_url".into()), format!("not a valid URL: {e}"))
        })?;
        let transport = Http::new(http.clone(), url, config.max_response_bytes);
        let client = Self::with_transport(config, Box::new(transport));
        let _ = client.inner.http.set(Ok(http));
        Ok(client)
    }

    /// The HTTP client downloads go through (see [`crate::download`]).
    pub(crate) fn download_http(&self) -> Result<reqwest::Client, ConfigError> {
        self.inner
            .http
            .get_or_init(|| http_client(&self.inner.shared.config))
            .clone()
    }

    /// A client that sends nothing over the network: every attempt is answered by `mock`
    /// (see [`crate::mock`]). Everything else is as with [`Client::new`].
    pub fn with_mock(config: Config, mock: &Mock) -> Self {
        Self::with_transport(config, Box::new(mock.clone()))
    }

    fn with_transport(config: Config, transport: Box<dyn Drive>) -> Self {
        let bucket = Bucket::new(config.retry.budget);
        let url = endpoint_url(&config);
        Self {
            inner: Arc::new(Inner {
                transport,
                shared: Shared {
                    config,
                    bucket,
                    url,
                    deadlines: Default::default(),
                },
                http: std::sync::OnceLock::new(),
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
        &self.inner.shared.config
    }

    /// Tokens left in the retry budget.
    pub fn retry_tokens(&self) -> u32 {
        self.inner.shared.bucket.available()
    }

    /// Sends a typed request and decodes its typed response.
    pub fn send<A: Action>(&self, request: A) -> SendFuture<'_, A::Response> {
        // Not through `send_with`: one generic function per action a program calls, not two.
        SendFuture::new(self.start(Facts::of::<A>(), &request, None), A::NAME)
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
        SendFuture::new(
            self.start(Facts::of::<A>(), &request, Some(options)),
            A::NAME,
        )
    }

    /// Everything of a typed call but the decoding, compiled once: the parameters written,
    /// and the exchange that will sign, send, retry and read.
    fn start(
        &self,
        facts: Facts,
        request: &dyn WriteParams,
        options: Option<CallOptions>,
    ) -> BoxedExchange<'_> {
        let shared = &self.inner.shared;
        let (call, params) = Call::typed(&shared.config, facts, request);
        let options = options.unwrap_or_default();
        let input = CallInput {
            call,
            params,
            options,
        };
        self.inner.transport.drive(shared, input)
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
        let shared = &self.inner.shared;
        let call = Call::generic(&shared.config, action);
        let input = CallInput {
            call,
            params,
            options,
        };
        let answer = self.inner.transport.drive(shared, input).await?;
        match answer.body {
            Body::Object(mut object, envelope) => {
                envelope.restore(&mut object);
                Ok(Value::Object(object))
            }
            Body::Decoded(decoded) => {
                let mut slot: Option<Value> = None;
                decoded.fill(&mut slot);
                slot.ok_or_else(|| {
                    Error::new(ErrorKind::Decode, action)
                        .with_message("the mock answered with a typed response; invoke needs JSON")
                })
            }
        }
    }

    /// The exact request a call would send (URL, body with signature, content type), without
    /// sending it: for debugging, for presigned requests, and for benchmarks.
    pub fn encode<A: Action>(&self, request: &A) -> Result<EncodedRequest, Error> {
        let shared = &self.inner.shared;
        let (call, params) = Call::typed(&shared.config, Facts::of::<A>(), request);
        self.encoded(&call, params, &CallOptions::default())
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
        let call = Call::generic(&self.inner.shared.config, action);
        self.encoded(&call, params, options)
    }

    fn encoded(
        &self,
        call: &Call<'_>,
        params: Params,
        options: &CallOptions,
    ) -> Result<EncodedRequest, Error> {
        let shared = &self.inner.shared;
        Ok(EncodedRequest {
            url: shared.url.clone(),
            prepared: prepare(&shared.config, call, params, options)?,
        })
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

/// The reqwest client of a configuration: its roots, client certificate, proxy, User-Agent and
/// connect timeout. It never follows a redirect: an API call's would carry the signed body to a
/// host the user never chose, and downloads follow theirs by hand (`crate::download`).
fn http_client(config: &Config) -> Result<reqwest::Client, ConfigError> {
    // Err means a provider is installed already, which is all reqwest needs.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let user_agent = match &config.user_agent_suffix {
        Some(suffix) => format!("{USER_AGENT} {suffix}"),
        None => USER_AGENT.to_owned(),
    };
    let mut builder = reqwest::Client::builder()
        .user_agent(user_agent)
        // The attempt timeout is the client's own timer (see `call`), not reqwest's.
        .connect_timeout(config.connect_timeout)
        // A redirect would carry the signed body (public key, signature, token) to a host
        // the user never chose: never follow one; a 3xx is an error naming the target.
        .redirect(reqwest::redirect::Policy::none());
    warn_about_plain_http(config);
    if let Some(proxy) = &config.proxy {
        let proxy = reqwest::Proxy::all(proxy.as_str())
            .map_err(|_| ConfigError::new(Some("proxy".into()), "not a valid proxy URL"))?;
        builder = builder.proxy(proxy);
    }
    builder = crate::tls::configure(builder, config)?;
    builder
        .build()
        .map_err(|e| ConfigError::new(None, format!("cannot build the HTTP client: {e}")))
}
