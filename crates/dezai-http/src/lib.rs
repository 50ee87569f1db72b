//! The HTTP transport of the Dezai cloud SDK: `dezai-runtime`'s calls and downloads over
//! reqwest with rustls, and the ready client.
//!
//! [`ClientExt`] makes a [`Client`] over HTTP from a configuration (`Client::new(config)`) or
//! from the profile files and the environment (`Client::from_env()`); `dezai-sdk`'s prelude
//! brings it in. [`HttpTransport`] is the transport itself, for a program that wraps it.
//!
//! ```no_run
//! use dezai_http::ClientExt as _;
//! use dezai_runtime::{Client, Config};
//!
//! # fn main() -> Result<(), dezai_runtime::ConfigError> {
//! let client = Client::new(Config::builder().region("cn-bj2").build()?)?;
//! let from_env = Client::from_env()?;
//! # let _ = (client, from_env);
//! # Ok(())
//! # }
//! ```

// Library code must not panic on input a user supplies.
#![warn(clippy::unwrap_used)]

mod errors;
mod fetch;
mod http_transport;
mod tls;

use dezai_runtime::{Client, Config, ConfigError};

pub use http_transport::HttpTransport;

/// Makes a [`Client`] over HTTP: `use dezai_http::ClientExt as _;`, then `Client::new(config)`
/// or `Client::from_env()` (the names the client had before the transport was its own crate).
pub trait ClientExt: Sized {
    /// A client with this configuration, over HTTP.
    ///
    /// TLS is rustls with the ring provider, installed as the process default unless the
    /// application installed a provider first (then that one is used).
    fn new(config: Config) -> Result<Self, ConfigError>;

    /// A client configured from the defaults, the profile files and the environment
    /// ([`Config::from_env`]), over HTTP.
    fn from_env() -> Result<Self, ConfigError>;
}

impl ClientExt for Client {
    fn new(config: Config) -> Result<Self, ConfigError> {
        let transport = HttpTransport::new(&config)?;
        Ok(Client::with_transport(config, transport))
    }

    fn from_env() -> Result<Self, ConfigError> {
        <Client as ClientExt>::new(Config::from_env()?)
    }
}
