//! TLS settings a production deployment needs beyond the system's roots: extra root
//! certificates (a private CA in front of the API) and a client certificate (mutual TLS at a
//! gateway), kept as the PEM text they came in. Files are read when the configuration is
//! built, and text that holds no PEM block of the right kind is refused then, so a wrong path
//! or a file that is not PEM is a [`ConfigError`] naming it, not a failure on the first call.
//! The transport parses the certificates (`dezai-http`: when the client is made).

use std::path::Path;

use crate::credentials::Secret;
use crate::error::ConfigError;

/// The TLS settings of a [`Config`](crate::config::Config), for a transport to apply.
#[derive(Clone, Default)]
pub struct TlsSettings {
    roots: Vec<(String, Vec<u8>)>,
    roots_only: bool,
    identity: Option<(String, Secret)>,
}

impl std::fmt::Debug for TlsSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The identity holds a private key: say only whether there is one.
        f.debug_struct("TlsSettings")
            .field("extra_roots", &self.roots.len())
            .field("custom_roots_only", &self.roots_only)
            .field("client_identity", &self.identity.as_ref().map(|_| "***"))
            .finish()
    }
}

const CERTIFICATE: &str = "-----BEGIN CERTIFICATE-----";
const PRIVATE_KEY: &str = "PRIVATE KEY-----";

impl TlsSettings {
    pub(crate) fn load(
        root_pems: Vec<Vec<u8>>,
        ca_file: Option<&Path>,
        identity_pem: Option<Secret>,
        cert_file: Option<&Path>,
        key_file: Option<&Path>,
        roots_only: bool,
    ) -> Result<Self, ConfigError> {
        let mut roots = Vec::new();
        for pem in root_pems {
            roots.push(checked_roots(pem, "root_certificate_pem")?);
        }
        if let Some(path) = ca_file {
            roots.push(checked_roots(read(path)?, &path.display().to_string())?);
        }
        if roots_only && roots.is_empty() {
            return Err(ConfigError::new(
                None,
                "custom_roots_only is set but no root certificate is configured",
            ));
        }
        let identity = match (identity_pem, cert_file, key_file) {
            (Some(pem), _, _) => Some(checked_identity(
                pem.expose().as_bytes().to_vec(),
                "client_identity_pem",
            )?),
            (None, Some(cert), Some(key)) => {
                let mut pem = read(cert)?;
                if key != cert {
                    pem.push(b'\n');
                    pem.extend(read(key)?);
                }
                Some(checked_identity(pem, &cert.display().to_string())?)
            }
            (None, Some(cert), None) => {
                // One file may hold both the chain and the key.
                Some(checked_identity(read(cert)?, &cert.display().to_string())?)
            }
            (None, None, Some(key)) => {
                return Err(ConfigError::new(
                    Some(key.display().to_string()),
                    "a client key file is configured but no client certificate file",
                ));
            }
            (None, None, None) => None,
        };
        Ok(Self {
            roots,
            roots_only,
            identity,
        })
    }

    /// The extra roots: for each source (a file's path, or `root_certificate_pem`), its PEM
    /// text of one or more certificates.
    pub fn roots(&self) -> impl Iterator<Item = (&str, &[u8])> {
        self.roots
            .iter()
            .map(|(s, pem)| (s.as_str(), pem.as_slice()))
    }

    /// Whether only [`TlsSettings::roots`] are trusted, not the system's.
    pub fn custom_roots_only(&self) -> bool {
        self.roots_only
    }

    /// The error for a root source that holds no certificate: one wording for the check here
    /// and a transport's parse.
    pub fn not_certificates(source: &str) -> ConfigError {
        ConfigError::new(
            Some(source.to_owned()),
            "not a PEM file of certificates (`-----BEGIN CERTIFICATE-----`)",
        )
    }

    /// The error for a client certificate that is not one (never quoting the key): one
    /// wording for the check here and a transport's parse.
    pub fn not_an_identity(source: &str) -> ConfigError {
        ConfigError::new(
            Some(source.to_owned()),
            "not a PEM client certificate with its private key (a certificate chain and one \
             `PRIVATE KEY` block)",
        )
    }

    /// The client certificate: its source, and PEM text holding the chain (leaf first) and its
    /// private key.
    pub fn client_identity(&self) -> Option<(&str, &Secret)> {
        self.identity.as_ref().map(|(s, pem)| (s.as_str(), pem))
    }
}

fn read(path: &Path) -> Result<Vec<u8>, ConfigError> {
    std::fs::read(path).map_err(|e| {
        ConfigError::new(
            Some(path.display().to_string()),
            format!("cannot read the file: {e}"),
        )
    })
}

fn holds(pem: &[u8], marker: &str) -> bool {
    pem.windows(marker.len()).any(|w| w == marker.as_bytes())
}

fn checked_roots(pem: Vec<u8>, source: &str) -> Result<(String, Vec<u8>), ConfigError> {
    if !holds(&pem, CERTIFICATE) {
        return Err(TlsSettings::not_certificates(source));
    }
    Ok((source.to_owned(), pem))
}

fn checked_identity(pem: Vec<u8>, source: &str) -> Result<(String, Secret), ConfigError> {
    if !(holds(&pem, CERTIFICATE) && holds(&pem, PRIVATE_KEY)) {
        return Err(TlsSettings::not_an_identity(source));
    }
    let text = String::from_utf8(pem).map_err(|_| TlsSettings::not_an_identity(source))?;
    Ok((source.to_owned(), Secret::new(text)))
}
