//! The client: the public face of a call. It holds a configuration and a transport
//! ([`crate::transport`]), and hands each call to the stages: [`crate::prepare`] (defaults, signature, body),
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
use crate::call::{BoxedExchange, BoxedFetch, CallInput, Drive, Shared};
use crate::call_options::CallOptions;
use crate::config::Config;
use crate::error::Error;
use crate::future::SendFuture;
use crate::params::{IntoParams, Params};
use crate::prepare::{Call, EncodedRequest, Facts, WriteParams, prepare};
use crate::retry::Bucket;
use crate::transport::{FileRequest, Transport};

/// A client of the Dezai cloud API: a configuration and a transport.
///
/// Cheap to clone (an `Arc`), `Send + Sync`; clones share one transport (one connection pool)
/// and one retry budget. `dezai_http::ClientExt` makes one over HTTP (`Client::from_env()`,
/// `Client::new(config)`); [`Client::with_transport`] over any [`Transport`].
///
/// ```no_run
/// # async fn demo(client: dezai_runtime::Client) -> Result<(), Box<dyn std::error::Error>> {
/// let mut params = dezai_runtime::Params::new();
/// params.push("Limit", "10");
/// let json = client.invoke("DescribeThingInstance", params).await?;
/// println!("{}", json["TotalCount"]);
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

struct Inner {
    /// Where attempts and downloads go.
    transport: Box<dyn Drive>,
    shared: Shared,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("config", &self.inner.shared.config)
            .finish_non_exhaustive()
    }
}

impl Client {
    /// A client that sends every attempt and download through `transport` (see
    /// [`crate::transport`]; `dezai_http::ClientExt` makes the HTTP one).
    pub fn with_transport(config: Config, transport: impl Transport) -> Self {
        warn_about_plain_http(&config);
        let bucket = Bucket::new(config.retry.budget);
        let url = config.endpoint();
        Self {
            inner: Arc::new(Inner {
                transport: Box::new(transport),
                shared: Shared {
                    config,
                    bucket,
                    url,
                    deadlines: Default::default(),
                },
            }),
        }
    }

    /// Starts a download request on the client's transport (see [`crate::download`]).
    pub(crate) fn fetch<'a>(&'a self, request: FileRequest<'a>) -> BoxedFetch<'a> {
        self.inner.transport.fetch(request)
    }

    /// The client's configuration.
    pub fn config(&self) -> &Config {
        &self.inner.shared.config
    }

    /// Tokens left in the retry budget.
    #[cfg(feature = "test-util")]
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
    pub async fn invoke(&self, action: &str, params: impl IntoParams) -> Result<Value, Error> {
        self.invoke_with(action, params, CallOptions::default())
            .await
    }

    /// [`Client::invoke`] with settings for this call only.
    pub async fn invoke_with(
        &self,
        action: &str,
        params: impl IntoParams,
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
        let mut object = answer.object;
        answer.envelope.restore(&mut object);
        Ok(Value::Object(object))
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
        params: impl IntoParams,
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

/// A client and one call's settings: the type parameter of a generated request that is a call
/// (`…Request<Bound<'a>>`, named `…Call<'a>`), so that one set of setters serves both the
/// request value and the fluent call.
#[derive(Debug, Clone)]
pub struct Bound<'a> {
    client: &'a Client,
    options: CallOptions,
}

impl<'a> Bound<'a> {
    /// A call on `client`, with no per-call settings yet.
    pub fn new(client: &'a Client) -> Self {
        Self {
            client,
            options: CallOptions::default(),
        }
    }

    /// The client the call goes through.
    pub fn client(&self) -> &'a Client {
        self.client
    }

    /// The call's settings.
    pub fn options(&self) -> &CallOptions {
        &self.options
    }

    /// Replaces the call's settings.
    pub fn set_options(&mut self, options: CallOptions) {
        self.options = options;
    }

    /// The client and the settings.
    pub fn into_parts(self) -> (&'a Client, CallOptions) {
        (self.client, self.options)
    }
}
