//! Configuration: where calls go, how they are signed, how long they may take, how they are
//! retried.
//!
//! Sources, later wins: built-in defaults → the profile files of the cloud's CLI
//! (`~/.dezai/config.json`, `~/.dezai/credential.json`) → environment variables (`DEZAI_…`) →
//! explicit builder calls. Each setting is merged on its own, so a security token from the
//! environment survives a key pair from a profile.

use std::fmt;
use std::time::Duration;

use dezai_spec::protocol::ConfigParam;

use crate::credentials::{Credentials, Secret};
use crate::environment::Environment;
use crate::error::ConfigError;
use crate::layer::Layer;
use crate::profile;
use crate::retry::RetryPolicy;
use crate::tls::TlsSettings;

pub use dezai_spec::protocol::DEFAULT_ENDPOINT;

/// The User-Agent every call sends, before the configured suffix.
pub const USER_AGENT: &str = concat!("dezai-sdk-rust/", env!("CARGO_PKG_VERSION"));

/// How request parameters are put in the body.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum BodyEncoding {
    /// `application/x-www-form-urlencoded`, as the established SDKs send (the default).
    #[default]
    Form,
    /// `application/json`: an object of the same flat parameters, values as strings.
    Json,
}

/// A client's configuration. Build it with [`Config::builder`] or [`Config::from_env`].
#[derive(Clone)]
pub struct Config {
    pub(crate) credentials: Option<Credentials>,
    pub(crate) region: Option<String>,
    pub(crate) zone: Option<String>,
    pub(crate) project_id: Option<String>,
    pub(crate) base_url: Option<String>,
    pub(crate) connect_timeout: Duration,
    pub(crate) timeout: Duration,
    pub(crate) operation_timeout: Duration,
    pub(crate) retry: RetryPolicy,
    pub(crate) user_agent_suffix: Option<String>,
    pub(crate) proxy: Option<String>,
    pub(crate) encoding: BodyEncoding,
    pub(crate) max_response_bytes: usize,
    pub(crate) tls: TlsSettings,
    pub(crate) profile_keys: serde_json::Map<String, serde_json::Value>,
}

impl Config {
    /// Default connect timeout.
    pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
    /// Default timeout of one attempt, response body included. API calls take milliseconds;
    /// ten seconds without an answer means the attempt is lost, and the next one is the better
    /// bet (the Go SDK waits 30 s for a whole call; aws-sdk-rust sets no attempt timeout but a
    /// 3.1 s connect timeout). Actions documented to run long can raise it.
    pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);
    /// Default limit on a whole call, every attempt and backoff included: a dead server is
    /// reported within this.
    pub const DEFAULT_OPERATION_TIMEOUT: Duration = Duration::from_secs(30);
    /// The longest timeout a setting may ask for (a day); more is a mistake, and a number as
    /// large as `1e20` cannot be a `Duration` at all.
    pub const MAX_TIMEOUT: Duration = crate::layer::MAX_TIMEOUT;
    /// Default limit on a response body.
    pub const DEFAULT_MAX_RESPONSE_BYTES: usize = 32 * 1024 * 1024;

    /// A builder starting from the built-in defaults.
    pub fn builder() -> ConfigBuilder {
        ConfigBuilder::default()
    }

    /// Defaults, then the profile files, then the environment of this process.
    ///
    /// ```no_run
    /// let config = dezai_runtime::Config::from_env()?;
    /// println!("{:?}", config.region());
    /// # Ok::<(), dezai_runtime::ConfigError>(())
    /// ```
    pub fn from_env() -> Result<Config, ConfigError> {
        Config::builder()
            .environment(&Environment::system())?
            .build()
    }

    /// The credentials, if any source set them.
    pub fn credentials(&self) -> Option<&Credentials> {
        self.credentials.as_ref()
    }
    /// The same configuration with these credentials.
    pub fn with_credentials(mut self, credentials: Credentials) -> Self {
        self.credentials = Some(credentials);
        self
    }
    /// A key of the chosen profile's settings that the SDK does not read itself, kept for the
    /// tools that share the profile (the command line's `output`).
    pub fn profile_key(&self, key: &str) -> Option<&serde_json::Value> {
        self.profile_keys.get(key)
    }
    /// The default region.
    pub fn region(&self) -> Option<&str> {
        self.region.as_deref()
    }
    /// The default zone.
    pub fn zone(&self) -> Option<&str> {
        self.zone.as_deref()
    }
    /// The default project.
    pub fn project_id(&self) -> Option<&str> {
        self.project_id.as_deref()
    }
    /// The configured default of a parameter the configuration fills in.
    pub(crate) fn default_for(&self, param: ConfigParam) -> Option<&str> {
        match param {
            ConfigParam::Region => self.region(),
            ConfigParam::Zone => self.zone(),
            ConfigParam::ProjectId => self.project_id(),
        }
    }
    /// The base URL every call goes to, when one is configured; otherwise
    /// [`DEFAULT_ENDPOINT`].
    pub fn base_url(&self) -> Option<&str> {
        self.base_url.as_deref()
    }
    /// The URL every call is posted to: the configured base URL, or the default; never a host from
    /// a document (a signed request carries the public key and a valid signature, so it goes only
    /// where the user said). A bare host gets the root path; a URL with a path
    /// (`https://gw.example/api`, an API gateway's route) is used exactly as given.
    pub fn endpoint(&self) -> String {
        let base = self.base_url.as_deref().unwrap_or(DEFAULT_ENDPOINT);
        let has_path = base
            .split_once("://")
            .is_some_and(|(_, rest)| rest.contains('/'));
        if has_path {
            base.to_owned()
        } else {
            format!("{base}/")
        }
    }
    /// The connect timeout.
    pub fn connect_timeout(&self) -> Duration {
        self.connect_timeout
    }
    /// The timeout of one attempt.
    pub fn timeout(&self) -> Duration {
        self.timeout
    }
    /// The limit on a whole call, retries included.
    pub fn operation_timeout(&self) -> Duration {
        self.operation_timeout
    }
    /// The retry policy.
    pub fn retry(&self) -> &RetryPolicy {
        &self.retry
    }
    /// The body encoding.
    pub fn encoding(&self) -> BodyEncoding {
        self.encoding
    }
    /// The response body limit.
    pub fn max_response_bytes(&self) -> usize {
        self.max_response_bytes
    }
    /// The proxy every call goes through, if one is set (`http://host:port`; it may hold a
    /// password: never log it).
    pub fn proxy(&self) -> Option<&str> {
        self.proxy.as_deref()
    }
    /// The User-Agent every call sends: the SDK's, then the configured suffix.
    pub fn user_agent(&self) -> String {
        match &self.user_agent_suffix {
            Some(suffix) => format!("{USER_AGENT} {suffix}"),
            None => USER_AGENT.to_owned(),
        }
    }
    /// The TLS settings, for the transport to apply.
    pub fn tls(&self) -> &TlsSettings {
        &self.tls
    }
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("credentials", &self.credentials)
            .field("region", &self.region)
            .field("zone", &self.zone)
            .field("project_id", &self.project_id)
            .field(
                "base_url",
                &self.base_url.as_deref().map(crate::redact::redact_url),
            )
            .field("connect_timeout", &self.connect_timeout)
            .field("timeout", &self.timeout)
            .field("operation_timeout", &self.operation_timeout)
            .field("retry", &self.retry)
            .field("user_agent_suffix", &self.user_agent_suffix)
            // A proxy URL may carry a password.
            .field("proxy", &self.proxy.as_ref().map(|_| "***"))
            .field("encoding", &self.encoding)
            .field("max_response_bytes", &self.max_response_bytes)
            .field("tls", &self.tls)
            .finish()
    }
}

/// Builds a [`Config`]. Explicit calls win over the environment whatever the order they are
/// made in.
#[derive(Default)]
pub struct ConfigBuilder {
    profile: Layer,
    env: Layer,
    explicit: Layer,
    connect_timeout: Option<Duration>,
    operation_timeout: Option<Duration>,
    retry: Option<RetryPolicy>,
    user_agent_suffix: Option<String>,
    proxy: Option<String>,
    encoding: BodyEncoding,
    max_response_bytes: Option<usize>,
    root_pems: Vec<Vec<u8>>,
    identity_pem: Option<Secret>,
    custom_roots_only: bool,
}

impl ConfigBuilder {
    /// Reads the profile files and the environment variables of `env`.
    ///
    /// The profile is `DEZAI_PROFILE`, or else the one marked `active` in
    /// `~/.dezai/config.json`. Missing files are fine; a malformed file, or a `DEZAI_PROFILE`
    /// that no file defines, is an error naming the file.
    pub fn environment(mut self, env: &Environment) -> Result<Self, ConfigError> {
        let wanted = env.var("DEZAI_PROFILE");
        if let Some(home) = env.home() {
            self.profile = profile::load(&home.join(".dezai"), wanted.as_deref())?;
        } else if let Some(name) = &wanted {
            return Err(ConfigError::new(
                Some("DEZAI_PROFILE".into()),
                format!(
                    "profile `{name}` requested but no home folder is known to read ~/.dezai from"
                ),
            ));
        }
        let seconds = |name: &str| -> Result<Option<Duration>, ConfigError> {
            match env.var(name) {
                Some(text) => Ok(Some(parse_seconds(&text).ok_or_else(|| {
                    ConfigError::new(
                        Some(name.into()),
                        format!(
                            "`{}` is not a number of seconds between 0 and {} (exclusive of 0)",
                            text.chars().take(40).collect::<String>(),
                            Config::MAX_TIMEOUT.as_secs()
                        ),
                    )
                })?)),
                None => Ok(None),
            }
        };
        let timeout = seconds("DEZAI_TIMEOUT_SECONDS")?;
        if let Some(operation) = seconds("DEZAI_OPERATION_TIMEOUT_SECONDS")? {
            self.operation_timeout.get_or_insert(operation);
        }
        self.env = Layer {
            public_key: env.var("DEZAI_PUBLIC_KEY"),
            private_key: env.var("DEZAI_PRIVATE_KEY").map(Secret::new),
            security_token: env.var("DEZAI_SECURITY_TOKEN").map(Secret::new),
            region: env.var(ConfigParam::Region.env_var()),
            zone: env.var(ConfigParam::Zone.env_var()),
            project_id: env.var(ConfigParam::ProjectId.env_var()),
            base_url: env.var("DEZAI_BASE_URL"),
            timeout,
            ca_file: env.var("DEZAI_CA_FILE").map(Into::into),
            client_cert_file: env.var("DEZAI_CLIENT_CERT_FILE").map(Into::into),
            client_key_file: env.var("DEZAI_CLIENT_KEY_FILE").map(Into::into),
            other: serde_json::Map::new(),
        };
        Ok(self)
    }

    /// Sets the credentials (key pair, and the token if it has one).
    pub fn credentials(mut self, credentials: Credentials) -> Self {
        self.explicit.public_key = Some(credentials.public_key().to_owned());
        self.explicit.private_key = Some(credentials.private_key().clone());
        if let Some(token) = credentials.security_token() {
            self.explicit.security_token = Some(token.clone());
        }
        self
    }
    /// Sets the default region.
    pub fn region(mut self, region: impl Into<String>) -> Self {
        self.explicit.region = Some(region.into());
        self
    }
    /// Sets the default zone.
    pub fn zone(mut self, zone: impl Into<String>) -> Self {
        self.explicit.zone = Some(zone.into());
        self
    }
    /// Sets the default project.
    pub fn project_id(mut self, project_id: impl Into<String>) -> Self {
        self.explicit.project_id = Some(project_id.into());
        self
    }
    /// Sends every call to this URL instead of [`DEFAULT_ENDPOINT`].
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.explicit.base_url = Some(url.into());
        self
    }
    /// Sets the timeout of one attempt, response body included.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.explicit.timeout = Some(timeout);
        self
    }
    /// Sets the limit on a whole call: every attempt and every pause between them. When it
    /// runs out the call fails with [`crate::ErrorKind::Timeout`].
    pub fn operation_timeout(mut self, timeout: Duration) -> Self {
        self.operation_timeout = Some(timeout);
        self
    }
    /// Sets the connect timeout.
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = Some(timeout);
        self
    }
    /// Sets the retry policy.
    pub fn retry(mut self, policy: RetryPolicy) -> Self {
        self.retry = Some(policy);
        self
    }
    /// Appends to the User-Agent (`dezai-sdk-rust/<version> <suffix>`).
    pub fn user_agent_suffix(mut self, suffix: impl Into<String>) -> Self {
        self.user_agent_suffix = Some(suffix.into());
        self
    }
    /// Sends every call through this proxy (`http://host:port`, credentials allowed).
    pub fn proxy(mut self, url: impl Into<String>) -> Self {
        self.proxy = Some(url.into());
        self
    }
    /// Sets the body encoding.
    pub fn encoding(mut self, encoding: BodyEncoding) -> Self {
        self.encoding = encoding;
        self
    }
    /// Sets the limit on a response body.
    pub fn max_response_bytes(mut self, limit: usize) -> Self {
        self.max_response_bytes = Some(limit);
        self
    }

    /// Trusts the root certificates of this PEM text (one or several) besides the built-in
    /// ones: for a gateway or proxy with a private certificate authority. Also
    /// `DEZAI_CA_FILE`, or `ca_file` in a profile.
    pub fn root_certificate_pem(mut self, pem: impl Into<Vec<u8>>) -> Self {
        self.root_pems.push(pem.into());
        self
    }

    /// Trusts the root certificates in this PEM file (read when the configuration is built).
    pub fn ca_file(mut self, path: impl Into<std::path::PathBuf>) -> Self {
        self.explicit.ca_file = Some(path.into());
        self
    }

    /// Trusts only the roots given here, not the system's: for a private deployment.
    pub fn custom_roots_only(mut self, only: bool) -> Self {
        self.custom_roots_only = only;
        self
    }

    /// Presents this client certificate: PEM text holding the certificate chain (leaf first)
    /// and its private key, for a gateway that requires mutual TLS. The key is kept as a
    /// secret (never in `Debug`). Also `DEZAI_CLIENT_CERT_FILE` and `DEZAI_CLIENT_KEY_FILE`,
    /// or `client_cert_file` and `client_key_file` in a profile.
    pub fn client_identity_pem(mut self, pem: impl Into<Vec<u8>>) -> Self {
        let pem = String::from_utf8_lossy(&pem.into()).into_owned();
        self.identity_pem = Some(Secret::new(pem));
        self
    }

    /// Presents the client certificate in `cert` with the private key in `key` (PEM files,
    /// which may be the same file; read when the configuration is built).
    pub fn client_cert_files(
        mut self,
        cert: impl Into<std::path::PathBuf>,
        key: impl Into<std::path::PathBuf>,
    ) -> Self {
        self.explicit.client_cert_file = Some(cert.into());
        self.explicit.client_key_file = Some(key.into());
        self
    }

    /// Merges the sources.
    pub fn build(self) -> Result<Config, ConfigError> {
        let merged = self.explicit.over(self.env.over(self.profile));
        let tls = TlsSettings::load(
            self.root_pems,
            merged.ca_file.as_deref(),
            self.identity_pem,
            merged.client_cert_file.as_deref(),
            merged.client_key_file.as_deref(),
            self.custom_roots_only,
        )?;
        let credentials = match (merged.public_key, merged.private_key) {
            (Some(public), Some(private)) => {
                let creds = Credentials::new(public, private);
                Some(match merged.security_token {
                    Some(token) => creds.with_security_token(token),
                    None => creds,
                })
            }
            (None, None) => None,
            (Some(_), None) => {
                return Err(ConfigError::new(
                    None,
                    "a public key is configured but no private key",
                ));
            }
            (None, Some(_)) => {
                return Err(ConfigError::new(
                    None,
                    "a private key is configured but no public key",
                ));
            }
        };
        if let Some(url) = &merged.base_url {
            if !(url.starts_with("http://") || url.starts_with("https://")) {
                return Err(ConfigError::new(
                    None,
                    format!(
                        "base URL `{}` must start with http:// or https://",
                        crate::redact::redact_url(url)
                    ),
                ));
            }
        }
        Ok(Config {
            credentials,
            region: merged.region,
            zone: merged.zone,
            project_id: merged.project_id,
            base_url: merged.base_url,
            connect_timeout: self
                .connect_timeout
                .unwrap_or(Config::DEFAULT_CONNECT_TIMEOUT),
            timeout: merged.timeout.unwrap_or(Config::DEFAULT_TIMEOUT),
            operation_timeout: self
                .operation_timeout
                .unwrap_or(Config::DEFAULT_OPERATION_TIMEOUT),
            retry: self.retry.unwrap_or_default(),
            user_agent_suffix: self.user_agent_suffix,
            proxy: self.proxy,
            encoding: self.encoding,
            max_response_bytes: self
                .max_response_bytes
                .unwrap_or(Config::DEFAULT_MAX_RESPONSE_BYTES),
            tls,
            profile_keys: merged.other,
        })
    }
}

/// A positive number of seconds up to [`Config::MAX_TIMEOUT`]; anything else (`abc`, `-1`,
/// `NaN`, `1e20`) is `None`, never a panic.
fn parse_seconds(text: &str) -> Option<Duration> {
    let seconds: f64 = text.trim().parse().ok()?;
    // NaN compares false with everything: `is_nan` first, then the sign.
    if seconds.is_nan() || seconds <= 0.0 {
        return None;
    }
    Duration::try_from_secs_f64(seconds)
        .ok()
        .filter(|d| *d <= Config::MAX_TIMEOUT)
}
