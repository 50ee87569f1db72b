//! One source's settings (the profile files, the environment, the builder's calls): what the
//! configuration merges, later sources over earlier ones, each setting on its own.

use std::time::Duration;

use crate::credentials::Secret;

/// The longest timeout a setting may ask for (a day); more is a mistake, and a number as
/// large as `1e20` cannot be a `Duration` at all.
pub(crate) const MAX_TIMEOUT: Duration = Duration::from_secs(86_400);

/// One source's settings; unset fields defer to earlier sources.
#[derive(Clone, Default)]
pub(crate) struct Layer {
    pub public_key: Option<String>,
    pub private_key: Option<Secret>,
    pub security_token: Option<Secret>,
    pub region: Option<String>,
    pub zone: Option<String>,
    pub project_id: Option<String>,
    pub base_url: Option<String>,
    pub timeout: Option<Duration>,
    /// PEM files of extra root certificates.
    pub ca_file: Option<std::path::PathBuf>,
    /// PEM files of a client certificate (chain) and its private key.
    pub client_cert_file: Option<std::path::PathBuf>,
    pub client_key_file: Option<std::path::PathBuf>,
    /// The profile's keys of other tools (only the profile layer has them).
    pub other: serde_json::Map<String, serde_json::Value>,
}

impl Layer {
    pub(crate) fn over(self, base: Layer) -> Layer {
        Layer {
            public_key: self.public_key.or(base.public_key),
            private_key: self.private_key.or(base.private_key),
            security_token: self.security_token.or(base.security_token),
            region: self.region.or(base.region),
            zone: self.zone.or(base.zone),
            project_id: self.project_id.or(base.project_id),
            base_url: self.base_url.or(base.base_url),
            timeout: self.timeout.or(base.timeout),
            ca_file: self.ca_file.or(base.ca_file),
            client_cert_file: self.client_cert_file.or(base.client_cert_file),
            client_key_file: self.client_key_file.or(base.client_key_file),
            other: if self.other.is_empty() {
                base.other
            } else {
                self.other
            },
        }
    }
}
