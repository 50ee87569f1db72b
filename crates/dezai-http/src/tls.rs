//! The configuration's TLS settings (`dezai_runtime::TlsSettings`: extra roots, only those
//! roots, a client certificate) turned into reqwest's: parsed here, when the client is made.

use dezai_runtime::{ConfigError, TlsSettings};

/// Applies the settings to an HTTP client being built.
pub(crate) fn configure(
    builder: reqwest::ClientBuilder,
    tls: &TlsSettings,
) -> Result<reqwest::ClientBuilder, ConfigError> {
    let mut roots = Vec::new();
    for (source, pem) in tls.roots() {
        match reqwest::Certificate::from_pem_bundle(pem) {
            Ok(certs) if !certs.is_empty() => roots.extend(certs),
            _ => return Err(TlsSettings::not_certificates(source)),
        }
    }
    let mut builder = if tls.custom_roots_only() {
        builder.tls_certs_only(roots)
    } else if roots.is_empty() {
        builder
    } else {
        builder.tls_certs_merge(roots)
    };
    if let Some((source, pem)) = tls.client_identity() {
        // reqwest's message would add nothing but its own wording; never the key.
        let identity = reqwest::Identity::from_pem(pem.expose().as_bytes())
            .map_err(|_| TlsSettings::not_an_identity(source))?;
        builder = builder.identity(identity);
    }
    Ok(builder)
}
