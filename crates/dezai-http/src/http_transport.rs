//! The HTTP transport: one POST per attempt over reqwest (rustls), the answer's body read
//! within the configured size limit, and reqwest's errors sorted into the kinds the runtime's
//! retry decision reads (a TLS failure apart from a refused connection).

use bytes::Bytes;
use dezai_runtime::transport::{
    ApiReply, ApiRequest, FileReply, FileRequest, REQUEST_ID_HEADERS, Transport, TransportError,
    TransportErrorKind, parse_retry_after,
};
use dezai_runtime::{Config, ConfigError};
use reqwest::header::{CONTENT_TYPE, HeaderMap, HeaderName, HeaderValue, LOCATION, RETRY_AFTER};

use crate::errors::transport_error;

/// Response headers that carry the request id, in the protocol's order. As `HeaderName`s, a
/// lookup does not parse the name again on every call.
static REQUEST_ID: [HeaderName; 3] = [
    HeaderName::from_static(REQUEST_ID_HEADERS[0]),
    HeaderName::from_static(REQUEST_ID_HEADERS[1]),
    HeaderName::from_static(REQUEST_ID_HEADERS[2]),
];

/// Calls and downloads over one reqwest client: the configuration's roots, client
/// certificate, proxy, User-Agent and connect timeout. It never follows a redirect on its own:
/// an API call's would carry the signed body to a host the user never chose, and downloads
/// follow theirs by hand (`fetch`).
#[derive(Clone)]
pub struct HttpTransport {
    client: reqwest::Client,
    /// The configured endpoint, parsed once (reqwest would parse a string per call).
    endpoint: (String, reqwest::Url),
}

/// Shows nothing of the endpoint or the client: a base URL or a proxy may hold a password.
impl std::fmt::Debug for HttpTransport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HttpTransport").finish_non_exhaustive()
    }
}

impl HttpTransport {
    /// The transport of this configuration.
    pub fn new(config: &Config) -> Result<Self, ConfigError> {
        let endpoint = config.endpoint();
        let url = reqwest::Url::parse(&endpoint).map_err(|e| {
            ConfigError::new(Some("base_url".into()), format!("not a valid URL: {e}"))
        })?;
        Ok(Self {
            client: http_client(config)?,
            endpoint: (endpoint, url),
        })
    }

    /// The reqwest client calls and downloads go through.
    pub fn reqwest_client(&self) -> &reqwest::Client {
        &self.client
    }

    fn url(&self, url: &str) -> Result<reqwest::Url, TransportError> {
        if url == self.endpoint.0 {
            return Ok(self.endpoint.1.clone());
        }
        reqwest::Url::parse(url)
            .map_err(|_| TransportError::new(TransportErrorKind::InvalidUrl, "not a valid URL"))
    }
}

impl Transport for HttpTransport {
    async fn send(&self, request: ApiRequest<'_>) -> Result<ApiReply, TransportError> {
        let sent = self
            .client
            .post(self.url(request.url)?)
            .header(CONTENT_TYPE, HeaderValue::from_static(request.content_type))
            .body(request.body.clone())
            .send()
            .await;
        let response = sent.map_err(transport_error)?;
        let status = response.status().as_u16();
        let headers = response.headers();
        let request_id = request_id(headers);
        let retry_after = headers
            .get(RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(parse_retry_after);
        // Only a redirect's target is worth keeping (read before the body consumes the response).
        let location = (300..400)
            .contains(&status)
            .then(|| headers.get(LOCATION))
            .flatten()
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let body = read_bounded(response, request.max_response_bytes)
            .await
            .map_err(|e| e.with_status(status).with_request_id(request_id.clone()))?;
        let mut reply = ApiReply::new(status, body);
        reply.request_id = request_id;
        reply.retry_after = retry_after;
        reply.location = location;
        Ok(reply)
    }

    async fn fetch(&self, request: FileRequest<'_>) -> Result<FileReply, TransportError> {
        crate::fetch::get(&self.client, request).await
    }
}

fn request_id(headers: &HeaderMap) -> Option<String> {
    REQUEST_ID
        .iter()
        .find_map(|name| headers.get(name))
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

/// Reads a body up to `limit` bytes; a longer one is refused without reading the rest. A body
/// that arrives in one chunk (the usual case for API responses) is kept as it came, uncopied.
async fn read_bounded(
    mut response: reqwest::Response,
    limit: usize,
) -> Result<Bytes, TransportError> {
    let limit_u64 = limit as u64;
    let announced = response.content_length();
    let too_large = |seen: u64| {
        TransportError::new(
            TransportErrorKind::TooLarge,
            format!(
                "the response body exceeds the limit (at least {seen} bytes); raise Config \
                 max_response_bytes if this is expected"
            ),
        )
    };
    let broke = move |got: usize| {
        move |e: reqwest::Error| {
            let message = match announced {
                Some(length) => format!("response body truncated: got {got} of {length} bytes"),
                None => format!("response body cut off after {got} bytes"),
            };
            TransportError::new(TransportErrorKind::Broken, message).with_source(e.without_url())
        }
    };
    if let Some(length) = announced.filter(|l| *l > limit_u64) {
        return Err(too_large(length));
    }
    let Some(first) = response.chunk().await.map_err(broke(0))? else {
        return Ok(Bytes::new());
    };
    if first.len() > limit {
        return Err(too_large(first.len() as u64));
    }
    let Some(second) = response.chunk().await.map_err(broke(first.len()))? else {
        return Ok(first);
    };
    let capacity = announced.map_or(64 * 1024, |l| l as usize);
    let mut body = bytes::BytesMut::with_capacity(capacity.min(limit));
    for chunk in [first, second] {
        if body.len() + chunk.len() > limit {
            return Err(too_large((body.len() + chunk.len()) as u64));
        }
        body.extend_from_slice(&chunk);
    }
    while let Some(chunk) = response.chunk().await.map_err(broke(body.len()))? {
        if body.len() + chunk.len() > limit {
            return Err(too_large((body.len() + chunk.len()) as u64));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body.freeze())
}

/// The reqwest client of a configuration: its roots, client certificate, proxy, User-Agent and
/// connect timeout, and no redirects.
fn http_client(config: &Config) -> Result<reqwest::Client, ConfigError> {
    // Err means a provider is installed already, which is all reqwest needs.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let mut builder = reqwest::Client::builder()
        .user_agent(config.user_agent())
        // The attempt timeout is the runtime's own timer, not reqwest's.
        .connect_timeout(config.connect_timeout())
        // A redirect would carry the signed body (public key, signature, token) to a host
        // the user never chose: never follow one; a 3xx is an error naming the target.
        .redirect(reqwest::redirect::Policy::none());
    if let Some(proxy) = config.proxy() {
        let proxy = reqwest::Proxy::all(proxy)
            .map_err(|_| ConfigError::new(Some("proxy".into()), "not a valid proxy URL"))?;
        builder = builder.proxy(proxy);
    }
    builder = crate::tls::configure(builder, config.tls())?;
    builder
        .build()
        .map_err(|e| ConfigError::new(None, format!("cannot build the HTTP client: {e}")))
}
