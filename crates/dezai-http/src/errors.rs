//! reqwest's errors as the runtime's transport errors: their kind, and what the operating
//! system said, in words a person reads first ("connection refused"), rather than only
//! reqwest's wrapper. A URL never goes along (a download URL's query is a credential).

use dezai_runtime::transport::{TransportError, TransportErrorKind};

/// A failed request as a transport error of its kind.
pub(crate) fn transport_error(e: reqwest::Error) -> TransportError {
    let connect = e.is_connect();
    let kind = if e.is_timeout() {
        TransportErrorKind::Timeout
    } else if connect && caused_by_tls(&e) {
        TransportErrorKind::Tls
    } else if connect {
        TransportErrorKind::Connect
    } else {
        TransportErrorKind::Broken
    };
    let message = match (kind, io_cause(&e)) {
        (TransportErrorKind::Timeout, _) | (_, None) => String::new(),
        (_, Some(io)) => io,
    };
    TransportError::new(kind, message).with_source(e.without_url())
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
