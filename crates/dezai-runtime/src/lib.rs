//! The protocol core of the Dezai cloud SDK: everything a call is, and no HTTP library.
//!
//! Every generated call goes through this crate. It owns what is the same for all actions:
//! [`Credentials`] and [`Config`] (defaults → profile files → environment → builder),
//! flattening and formatting parameters ([`Params`], [`ParamValue`]), the signature
//! ([`sign`]), the attempts of a call with their deadlines and retries ([`RetryPolicy`]),
//! errors ([`Error`]), lenient decoding helpers for responses ([`de`]), downloads
//! ([`download`]) and tracing. Generated code only declares types and implements [`Action`].
//!
//! What carries the bytes is a [`transport::Transport`]: `dezai-http` is the one over reqwest
//! and rustls (`Client::from_env()` with its `ClientExt` in scope), and a user can bring their
//! own. With the `test-util` feature, `mock::Mock` is one without a network.
//!
//! # Quick start
//!
//! ```no_run
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! use dezai_http::ClientExt as _;
//!
//! // DEZAI_PUBLIC_KEY, DEZAI_PRIVATE_KEY, DEZAI_REGION, … or a profile in ~/.dezai/
//! let client = dezai_runtime::Client::from_env()?;
//!
//! // Any action by name; typed actions come from the `dezai-sdk` crate.
//! let mut params = dezai_runtime::Params::new();
//! params.push("DBId", "udb-1");
//! params.push("BackupId", "1234");
//! let json = client.invoke("DescribeThingBackupURL", params).await?;
//! println!("{}", json["BackupPath"]);
//! # Ok(()) }
//! ```
//!
//! # Logging
//!
//! Each call runs in a `dezai.call` span (fields `action`, `attempt`, `request_id`); requests
//! and responses are logged at `debug` (bodies at `trace`) with the signature, the security
//! token and every password-, secret- or token-like field masked. The private key is never
//! logged.

// Library code must not panic on input a user supplies.
#![warn(clippy::unwrap_used)]

mod action;
mod call;
mod call_options;
mod client;
mod config;
mod credentials;
pub mod de;
mod deadline;
#[doc(hidden)]
pub mod debug;
pub mod download;
mod environment;
mod error;
mod failure;
mod form;
mod future;
mod json_params;
mod judge;
mod layer;
#[cfg(feature = "test-util")]
pub mod mock;
pub mod paginator;
mod params;
mod prepare;
pub mod profile;
mod redact;
mod response;
mod retry;
mod signer;
mod test_answers;
mod tls;
pub mod transport;
pub mod waiter;

pub use action::{Action, ConfigParams, Takes};
pub use call_options::CallOptions;
pub use client::{Bound, Client};
/// The RetCodes the protocol names, to match errors on (`err.ret_code() ==
/// Some(ret_code::THROTTLED)`); the emulator answers with the same ones.
pub use dezai_spec::ret_code;
pub use future::SendFuture;
pub use paginator::{Paged, Paginator};
pub use prepare::EncodedRequest;
pub use response::{AnswerEnvelope, Response, ResponseMeta};

pub use config::{BodyEncoding, Config, ConfigBuilder, DEFAULT_ENDPOINT, USER_AGENT};
pub use credentials::{Credentials, Secret};
pub use environment::Environment;
pub use error::{ConfigError, Error, ErrorKind};
pub use params::{IntoParams, ParamValue, ParamWriter, Params};
pub use retry::{RetryBudget, RetryPolicy};
pub use signer::sign;
pub use tls::TlsSettings;

/// The JSON crate responses use (`serde_json::Value` in free-form fields and unknown-field
/// maps), re-exported so users need no version of their own.
pub use serde_json;

/// What generated code needs from the runtime and its dependencies. Not a public API.
#[doc(hidden)]
pub mod __private {
    pub use serde;

    pub use crate::debug;
}
