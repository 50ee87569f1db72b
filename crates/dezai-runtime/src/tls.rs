//! TLS settings a production deployment needs beyond the system's roots: extra root
//! certificates (a private CA in front of the API) and a client certificate (mutual TLS at a
//! gateway). Files are read and parsed when the configuration is built, so a wrong path or a
//! file that is not PEM is a [`ConfigError`] naming it, not a failure on the first call.

use std::path::Path;

use crate::config::ConfigError;
use crate::credentials::Secret;

/// The parsed TLS settings of a [`Config`](crate::Config).
#[derive(Clone, Default)]
pub(crate) struct TlsSettings {
    roots: Vec<reqwest::Certificate>,
    roots_only: bool,
    identity: Option<reqwest::Identity>,
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
        for pem in &root_pems {
            roots.extend(parse_roots(pem, "root_certificate_pem")?);
        }
        if let Some(path) = ca_file {
            let pem = read(path)?;
            roots.extend(parse_roots(&pem, &path.display().to_string())?);
        }
        if roots_only && roots.is_empty() {
            return Err(ConfigError::new(
                None,
                "custom_roots_only is set but no root certificate is configured",
            ));
        }
        let identity = match (identity_pem, cert_file, key_file) {
            (Some(pem), _, _) => Some(parse_identity(
                pem.expose().as_bytes(),
                "client_identity_pem",
            )?),
            (None, Some(cert), Some(key)) => {
                let mut pem = read(cert)?;
                if key != cert {
                    pem.push(b'\n');
                    pem.extend(read(key)?);
                }
                Some(parse_identity(&pem, &cert.display().to_string())?)
            }
            (None, Some(cert), None) => {
                // One file may hold both the chain and the key.
                Some(parse_identity(&read(cert)?, &cert.display().to_string())?)
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
}

fn read(path: &Path) -> Result<Vec<u8>, ConfigError> {
    std::fs::read(path).map_err(|e| {
        ConfigError::new(
            Some(path.display().to_string()),
            format!("cannot read the file: {e}"),
        )
    })
}

fn parse_roots(pem: &[u8], source: &str) -> Result<Vec<reqwest::Certificate>, ConfigError> {
    match reqwest::Certificate::from_pem_bundle(pem) {
        Ok(certs) if !certs.is_empty() => Ok(certs),
        _ => Err(ConfigError::new(
            Some(source.to_owned()),
            "not a PEM file of certificates (`-----BEGIN CERTIFICATE-----`)",
        )),
    }
}

fn parse_identity(pem: &[u8], source: &str) -> Result<reqwest::Identity, ConfigError> {
    // reqwest's message would not add anything but its own wording; never the key.
    reqwest::Identity::from_pem(pem).map_err(|_| {
        ConfigError::new(
            Some(source.to_owned()),
            "not a PEM client certificate with its private key (a certificate chain and one \
             `PRIVATE KEY` block)",
        )
    })
}

/// Applies the settings to an HTTP client being built.
pub(crate) fn configure(
    builder: reqwest::ClientBuilder,
    config: &crate::Config,
) -> Result<reqwest::ClientBuilder, ConfigError> {
    let tls = &config.tls;
    let mut builder = if tls.roots_only {
        builder.tls_certs_only(tls.roots.iter().cloned())
    } else if tls.roots.is_empty() {
        builder
    } else {
        builder.tls_certs_merge(tls.roots.iter().cloned())
    };
    if let Some(identity) = &tls.identity {
        builder = builder.identity(identity.clone());
    }
    Ok(builder)
}
