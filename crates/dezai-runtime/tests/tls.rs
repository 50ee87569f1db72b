//! Custom root certificates and client certificates (mutual TLS), against a TLS server on
//! 127.0.0.1 whose certificate only the test CA in `fixtures/tls` vouches for, and which asks
//! for a client certificate from the same CA.

use dezai_http::ClientExt as _;
use std::path::PathBuf;
use std::sync::Arc;

use dezai_runtime::{
    Client, Config, ConfigBuilder, Credentials, Environment, ErrorKind, RetryPolicy,
};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio_rustls::rustls;
use tokio_rustls::rustls::pki_types::pem::PemObject;
use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer};

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/tls")
        .join(name)
}

fn pem(name: &str) -> Vec<u8> {
    std::fs::read(fixture(name)).unwrap()
}

/// A TLS server answering every request with a successful envelope; `require_client_cert`
/// makes it refuse clients without a certificate from the test CA.
async fn server(require_client_cert: bool) -> String {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(fixture("server.pem"))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let key = PrivateKeyDer::from_pem_file(fixture("server.key")).unwrap();
    let builder = rustls::ServerConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .unwrap();
    let builder = if require_client_cert {
        let mut roots = rustls::RootCertStore::empty();
        for ca in CertificateDer::pem_file_iter(fixture("ca.pem")).unwrap() {
            roots.add(ca.unwrap()).unwrap();
        }
        let verifier =
            rustls::server::WebPkiClientVerifier::builder_with_provider(Arc::new(roots), provider)
                .build()
                .unwrap();
        builder.with_client_cert_verifier(verifier)
    } else {
        builder.with_no_client_auth()
    };
    let config = builder.with_single_cert(certs, key).unwrap();
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!(
        "https://127.0.0.1:{}",
        listener.local_addr().unwrap().port()
    );
    tokio::spawn(async move {
        loop {
            let Ok((tcp, _)) = listener.accept().await else {
                return;
            };
            let acceptor = acceptor.clone();
            tokio::spawn(async move {
                // A refused handshake is what some tests are about.
                let Ok(mut tls) = acceptor.accept(tcp).await else {
                    return;
                };
                let mut seen = Vec::new();
                let mut buf = [0u8; 4096];
                // Enough of HTTP/1.1 for one request: headers, then Content-Length bytes.
                loop {
                    let n = tls.read(&mut buf).await.unwrap_or(0);
                    if n == 0 {
                        return;
                    }
                    seen.extend_from_slice(&buf[..n]);
                    let text = String::from_utf8_lossy(&seen).to_string();
                    if let Some(end) = text.find("\r\n\r\n") {
                        let length: usize = text[..end]
                            .lines()
                            .find_map(|l| {
                                let (name, value) = l.split_once(':')?;
                                name.eq_ignore_ascii_case("content-length")
                                    .then(|| value.trim().parse().ok())?
                            })
                            .unwrap_or(0);
                        if seen.len() >= end + 4 + length {
                            break;
                        }
                    }
                }
                let body = r#"{"RetCode":0,"Action":"DescribeThingResponse","Over":"tls"}"#;
                let answer = format!(
                    "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                    body.len()
                );
                let _ = tls.write_all(answer.as_bytes()).await;
                let _ = tls.shutdown().await;
            });
        }
    });
    url
}

fn builder(url: &str) -> ConfigBuilder {
    Config::builder()
        .credentials(Credentials::new("pk", "sk"))
        .base_url(url)
        .region("cn-bj2")
        .retry(RetryPolicy::none())
}

async fn call(config: Config) -> Result<serde_json::Value, dezai_runtime::Error> {
    Client::new(config)
        .unwrap()
        .invoke("DescribeThing", dezai_runtime::Params::new())
        .await
}

fn identity() -> Vec<u8> {
    let mut identity = pem("client.pem");
    identity.extend(pem("client.key"));
    identity
}

#[tokio::test]
async fn a_custom_root_is_trusted_and_the_system_roots_alone_are_not() {
    let url = server(false).await;
    let refused = call(builder(&url).build().unwrap()).await.unwrap_err();
    assert_eq!(refused.kind(), ErrorKind::Tls, "{refused}");

    let answer = call(
        builder(&url)
            .root_certificate_pem(pem("ca.pem"))
            .build()
            .unwrap(),
    )
    .await
    .unwrap();
    assert_eq!(answer["Over"], "tls");

    let only = builder(&url)
        .root_certificate_pem(pem("ca.pem"))
        .custom_roots_only(true)
        .build()
        .unwrap();
    assert_eq!(call(only).await.unwrap()["Over"], "tls");
}

#[tokio::test]
async fn a_client_certificate_is_presented_when_the_server_asks() {
    let url = server(true).await;
    let without = builder(&url)
        .root_certificate_pem(pem("ca.pem"))
        .build()
        .unwrap();
    assert!(
        call(without).await.is_err(),
        "the server refuses a client without a certificate"
    );

    let with = builder(&url)
        .root_certificate_pem(pem("ca.pem"))
        .client_identity_pem(identity())
        .build()
        .unwrap();
    assert_eq!(call(with).await.unwrap()["Over"], "tls");

    let files = builder(&url)
        .ca_file(fixture("ca.pem"))
        .client_cert_files(fixture("client.pem"), fixture("client.key"))
        .build()
        .unwrap();
    assert_eq!(call(files).await.unwrap()["Over"], "tls");
}

#[tokio::test]
async fn the_environment_and_the_profile_name_the_files() {
    let url = server(true).await;
    let env = Environment::new(
        [
            ("DEZAI_CA_FILE", fixture("ca.pem").display().to_string()),
            (
                "DEZAI_CLIENT_CERT_FILE",
                fixture("client.pem").display().to_string(),
            ),
            (
                "DEZAI_CLIENT_KEY_FILE",
                fixture("client.key").display().to_string(),
            ),
        ],
        None,
    );
    let config = builder(&url).environment(&env).unwrap().build().unwrap();
    assert_eq!(call(config).await.unwrap()["Over"], "tls");

    // A profile names them relative to ~/.dezai.
    let home = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("dezai-tls-profile");
    // A fixed place under the target folder that reruns reuse.
    let _ = std::fs::remove_dir_all(&home);
    let dir = home.join(".dezai");
    std::fs::create_dir_all(&dir).unwrap();
    for name in ["ca.pem", "client.pem", "client.key"] {
        std::fs::copy(fixture(name), dir.join(name)).unwrap();
    }
    std::fs::write(
        dir.join("config.json"),
        r#"[{"profile": "gw", "active": true, "ca_file": "ca.pem",
             "client_cert_file": "client.pem", "client_key_file": "client.key"}]"#,
    )
    .unwrap();
    let env = Environment::new(Vec::<(String, String)>::new(), Some(home.as_path()));
    let config = builder(&url).environment(&env).unwrap().build().unwrap();
    let answer = call(config).await;
    std::fs::remove_dir_all(&home).unwrap();
    assert_eq!(answer.unwrap()["Over"], "tls");
}

#[test]
fn bad_files_are_configuration_errors_naming_them() {
    let missing = Config::builder()
        .ca_file("/nonexistent/ca.pem")
        .build()
        .unwrap_err();
    assert_eq!(missing.source_name.as_deref(), Some("/nonexistent/ca.pem"));

    let not_pem = Config::builder()
        .ca_file(fixture("README.md"))
        .build()
        .unwrap_err();
    assert!(not_pem.to_string().contains("not a PEM file"), "{not_pem}");

    // A certificate without its key is refused, and the message quotes nothing of the file.
    let no_key = Config::builder()
        .client_identity_pem(pem("client.pem"))
        .build()
        .unwrap_err();
    assert!(no_key.to_string().contains("private key"), "{no_key}");

    let key_pem = String::from_utf8(pem("client.key")).unwrap();
    let secret_line = key_pem.lines().nth(1).unwrap();
    let config = Config::builder()
        .client_identity_pem(identity())
        .build()
        .unwrap();
    let shown = format!("{config:?}");
    assert!(
        !shown.contains(secret_line),
        "the private key never shows in Debug"
    );
    assert!(shown.contains("client_identity: Some(\"***\")"), "{shown}");
}
