//! A download's GET: `Range`/`If-Range` when the runtime resumes, redirects followed by hand
//! (at most the runtime's `MAX_REDIRECTS`, never from `https` to `http`: the file would travel
//! unencrypted), and the body handed over a chunk at a time.

use dezai_runtime::transport::{
    FileBody, FileReply, FileRequest, MAX_REDIRECTS, NextChunk, TransportError, TransportErrorKind,
};
use reqwest::header::{CONTENT_RANGE, ETAG, IF_RANGE, LAST_MODIFIED, LOCATION, RANGE};

use crate::errors::transport_error;

/// The GET of `request`, following redirects.
pub(crate) async fn get(
    http: &reqwest::Client,
    request: FileRequest<'_>,
) -> Result<FileReply, TransportError> {
    let refused = |message: String| TransportError::new(TransportErrorKind::Redirect, message);
    let mut current = reqwest::Url::parse(request.url).map_err(|_| {
        TransportError::new(
            TransportErrorKind::InvalidUrl,
            "the download URL is not a URL",
        )
    })?;
    for _ in 0..=MAX_REDIRECTS {
        let mut get = http.get(current.clone());
        match request.range {
            Some((from, Some(to))) => get = get.header(RANGE, format!("bytes={from}-{to}")),
            Some((from, None)) => get = get.header(RANGE, format!("bytes={from}-")),
            None => {}
        }
        if let Some(version) = request.if_range {
            get = get.header(IF_RANGE, version);
        }
        let response = get.send().await.map_err(transport_error)?;
        if !response.status().is_redirection() {
            return Ok(reply(response));
        }
        let next = response
            .headers()
            .get(LOCATION)
            .and_then(|l| l.to_str().ok())
            .and_then(|l| current.join(l).ok());
        let Some(next) = next else {
            // A 304 or a redirect without a usable target: not the file, which the runtime
            // reports by its status.
            return Ok(reply(response));
        };
        if current.scheme() == "https" && next.scheme() != "https" {
            let host = next.host_str().unwrap_or("");
            return Err(refused(format!(
                "the download redirected from https to {}://{host}{}; refused (the file would \
                 travel unencrypted)",
                next.scheme(),
                next.path()
            )));
        }
        current = next;
    }
    Err(refused(format!(
        "the download redirected more than {MAX_REDIRECTS} times"
    )))
}

fn reply(response: reqwest::Response) -> FileReply {
    let headers = response.headers();
    let version = headers
        .get(ETAG)
        .or_else(|| headers.get(LAST_MODIFIED))
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let length = response.content_length();
    // `bytes <first>-<last>/<total>`; `*` for a total the server does not know.
    let total = headers
        .get(CONTENT_RANGE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.rsplit_once('/'))
        .and_then(|(_, total)| total.trim().parse().ok());
    let mut reply = FileReply::new(response.status().as_u16(), Box::new(Body(response)));
    reply.version = version;
    reply.length = length;
    reply.total = total;
    reply
}

/// A response's body, read a chunk at a time.
struct Body(reqwest::Response);

impl FileBody for Body {
    fn chunk(&mut self) -> NextChunk<'_> {
        Box::pin(async move { self.0.chunk().await.map_err(transport_error) })
    }
}
