//! The download API (`dezai_runtime::download`) on the client's own HTTP stack: resumed,
//! verified and atomic against the emulator's backup files; a private CA trusted only when
//! configured (by the environment or a profile), and a TLS failure not retried; downloads
//! through the configured proxy; an https → http redirect refused; a URL's signature shown
//! nowhere.

use dezai_http::ClientExt as _;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use dezai_emulator::{BackupFault, BackupFile, Emulator};
use dezai_runtime::download::{DownloadErrorKind, DownloadLink, Progress};
use dezai_runtime::{Client, Config, Credentials, Environment, RetryPolicy};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio_rustls::rustls;
use tokio_rustls::rustls::pki_types::pem::PemObject;
use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer};

const PUBLIC: &str = "download-public";
const PRIVATE: &str = "download-private";
const BODY: &[u8] = b"a small backup file, served over TLS";

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/tls")
        .join(name)
}

fn folder(name: &str) -> PathBuf {
    let dir =
        std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("dezai-download-{name}"));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn md5_hex(bytes: &[u8]) -> String {
    use md5::Digest;
    md5::Md5::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

async fn emulator(size: u64) -> Emulator {
    Emulator::builder()
        .spec_json(include_str!("../../../specs/udb.json"))
        .key_pair(PUBLIC, PRIVATE)
        .backups(BackupFile::generated(size).name("full.xb"))
        .start()
        .await
        .unwrap()
}

fn client_for(emulator: &Emulator) -> Client {
    let config = Config::builder()
        .credentials(Credentials::new(PUBLIC, PRIVATE))
        .base_url(emulator.url())
        .region("cn-bj2")
        .build()
        .unwrap();
    Client::new(config).unwrap()
}

/// The link the udb backup action answers with.
async fn ask(client: &Client) -> Result<Option<DownloadLink>, dezai_runtime::Error> {
    let answer = client
        .invoke(
            "DescribeUDBInstanceBackupURL",
            serde_json::json!({"DBId": "udb-1", "BackupId": 7}),
        )
        .await?;
    let network = dezai_spec::download::Network::Internet;
    Ok(answer
        .as_object()
        .and_then(|a| dezai_spec::download::links_in_answer(a, network).pop()))
}

#[tokio::test(flavor = "multi_thread")]
async fn drops_are_resumed_the_file_verified_and_progress_reported() {
    let emulator = emulator(8 << 20).await;
    emulator.backup_fault(BackupFault::DropAfter(2 << 20));
    emulator.backup_fault(BackupFault::DropAfter(3 << 20));
    let client = client_for(&emulator);
    let link = ask(&client).await.unwrap().unwrap();
    assert!(link.md5.is_some(), "the udb answer carries the MD5");
    let dir = folder("drops");
    let file = dir.join("full.xb");
    let events = Arc::new(Mutex::new(Vec::new()));
    let seen = events.clone();
    // One stream: its resumption is what this test reads.
    let done = client
        .download(link, &file)
        .streams(1)
        .on_progress(move |event| {
            let name = match event {
                Progress::Started { at, .. } => format!("started at {at}"),
                Progress::Retrying { attempt, .. } => format!("retrying after {attempt}"),
                Progress::Advanced { .. } => return,
                other => format!("{other:?}"),
            };
            seen.lock().unwrap().push(name);
        })
        .await
        .unwrap();
    assert_eq!(done.bytes, 8 << 20);
    assert!(done.verified);
    assert_eq!(
        md5_hex(&std::fs::read(&file).unwrap()),
        emulator.backup_md5().unwrap()
    );
    assert!(!dir.join("full.xb.part").exists() && !dir.join("full.xb.part.json").exists());
    let ranges: Vec<Option<String>> = emulator
        .backup_downloads()
        .into_iter()
        .map(|d| d.range)
        .collect();
    assert_eq!(
        ranges,
        [
            None,
            Some(format!("bytes={}-", 2 << 20)),
            Some(format!("bytes={}-", 5 << 20))
        ]
    );
    assert_eq!(
        *events.lock().unwrap(),
        [
            "started at 0",
            "retrying after 1",
            &format!("started at {}", 2 << 20),
            "retrying after 2",
            &format!("started at {}", 5 << 20)
        ]
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_corrupt_download_is_a_checksum_error_and_leaves_no_file() {
    let emulator = emulator(1 << 20).await;
    emulator.backup_fault(BackupFault::Corrupt(4_321));
    let client = client_for(&emulator);
    let link = ask(&client).await.unwrap().unwrap();
    let dir = folder("corrupt");
    let error = client
        .download(link, dir.join("full.xb"))
        .await
        .unwrap_err();
    assert_eq!(error.kind(), DownloadErrorKind::Checksum);
    assert_eq!(error.file(), dir.join("full.xb"));
    assert!(error.to_string().contains("MD5"), "{error}");
    assert!(!dir.join("full.xb").exists() && !dir.join("full.xb.part").exists());
}

#[tokio::test(flavor = "multi_thread")]
async fn an_expired_url_is_asked_for_again_and_without_a_way_to_ask_is_an_error() {
    let emulator = emulator(1 << 20).await;
    let client = client_for(&emulator);
    emulator.expire_next_backup_urls(1);
    let link = ask(&client).await.unwrap().unwrap();
    let dir = folder("expired");
    let client_ref = &client;
    let done = client
        .download(link, dir.join("full.xb"))
        .refresh_with(move || ask(client_ref))
        .await
        .unwrap();
    assert!(done.verified);
    let asked = emulator
        .requests()
        .iter()
        .filter(|r| r.param("Action") == Some("DescribeUDBInstanceBackupURL"))
        .count();
    assert_eq!(asked, 2, "one expired URL, one fresh");

    emulator.expire_next_backup_urls(1);
    let link = ask(&client).await.unwrap().unwrap();
    let error = client
        .download(link, dir.join("again.xb"))
        .await
        .unwrap_err();
    assert_eq!(error.kind(), DownloadErrorKind::Expired);
    assert_eq!(error.http_status(), Some(403));
}

#[tokio::test(flavor = "multi_thread")]
async fn an_existing_file_is_replaced_only_when_asked() {
    let emulator = emulator(1 << 16).await;
    let client = client_for(&emulator);
    let dir = folder("exists");
    let file = dir.join("full.xb");
    std::fs::write(&file, b"keep me").unwrap();
    let link = ask(&client).await.unwrap().unwrap();
    let error = client.download(link.clone(), &file).await.unwrap_err();
    assert_eq!(error.kind(), DownloadErrorKind::Exists);
    assert_eq!(std::fs::read(&file).unwrap(), b"keep me");
    assert!(
        emulator.backup_downloads().is_empty(),
        "nothing was fetched"
    );
    client.download(link, &file).replace(true).await.unwrap();
    assert_eq!(
        md5_hex(&std::fs::read(&file).unwrap()),
        emulator.backup_md5().unwrap()
    );
}

/// A TLS server whose certificate only the test CA vouches for: `GET /file` answers [`BODY`],
/// `GET /to-http` redirects to `redirect`. Returns its base URL.
async fn tls_server(redirect: String) -> String {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(fixture("server.pem"))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let key = PrivateKeyDer::from_pem_file(fixture("server.key")).unwrap();
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .unwrap();
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!(
        "https://127.0.0.1:{}",
        listener.local_addr().unwrap().port()
    );
    tokio::spawn(async move {
        while let Ok((tcp, _)) = listener.accept().await {
            let (acceptor, redirect) = (acceptor.clone(), redirect.clone());
            tokio::spawn(async move {
                // A refused handshake is what some tests are about.
                let Ok(mut tls) = acceptor.accept(tcp).await else {
                    return;
                };
                let head = read_head(&mut tls).await;
                let answer = if head.starts_with("GET /to-http") {
                    format!("HTTP/1.1 302 Found\r\nlocation: {redirect}\r\ncontent-length: 0\r\nconnection: close\r\n\r\n").into_bytes()
                } else {
                    let mut answer = format!(
                        "HTTP/1.1 200 OK\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
                        BODY.len()
                    )
                    .into_bytes();
                    answer.extend_from_slice(BODY);
                    answer
                };
                let _ = tls.write_all(&answer).await;
                let _ = tls.shutdown().await;
            });
        }
    });
    url
}

/// A request's head, read up to its blank line.
async fn read_head(stream: &mut (impl AsyncReadExt + Unpin)) -> String {
    let mut seen = Vec::new();
    let mut buf = [0u8; 1024];
    while !seen.windows(4).any(|w| w == b"\r\n\r\n") {
        match stream.read(&mut buf).await {
            Ok(0) | Err(_) => break,
            Ok(n) => seen.extend_from_slice(&buf[..n]),
        }
    }
    String::from_utf8_lossy(&seen).into_owned()
}

fn tls_client(env: &Environment) -> Client {
    let config = Config::builder()
        .environment(env)
        .unwrap()
        .retry(RetryPolicy::none())
        .build()
        .unwrap();
    Client::new(config).unwrap()
}

fn file_link(base: &str, path: &str) -> DownloadLink {
    DownloadLink {
        url: format!("{base}{path}?Signature=tls-signature&Expires=1"),
        md5: Some(md5_hex(BODY)),
    }
}

#[tokio::test]
async fn a_private_ca_works_when_configured_and_fails_fast_as_tls_when_not() {
    let base = tls_server("http://127.0.0.1:9/".into()).await;
    let dir = folder("tls");

    let by_variable = Environment::new(
        [("DEZAI_CA_FILE", fixture("ca.pem").display().to_string())],
        None,
    );
    let done = tls_client(&by_variable)
        .download(file_link(&base, "/file"), dir.join("variable.xb"))
        .await
        .unwrap();
    assert!(done.verified);
    assert_eq!(std::fs::read(dir.join("variable.xb")).unwrap(), BODY);

    // A profile names the file relative to ~/.dezai.
    let home = dir.join("home");
    std::fs::create_dir_all(home.join(".dezai")).unwrap();
    std::fs::copy(fixture("ca.pem"), home.join(".dezai/ca.pem")).unwrap();
    std::fs::write(
        home.join(".dezai/config.json"),
        r#"[{"profile": "private", "active": true, "ca_file": "ca.pem"}]"#,
    )
    .unwrap();
    let by_profile = Environment::new(Vec::<(String, String)>::new(), Some(home.as_path()));
    tls_client(&by_profile)
        .download(file_link(&base, "/file"), dir.join("profile.xb"))
        .await
        .unwrap();
    assert_eq!(std::fs::read(dir.join("profile.xb")).unwrap(), BODY);

    let unconfigured = Environment::new(Vec::<(String, String)>::new(), None);
    let error = tls_client(&unconfigured)
        .download(file_link(&base, "/file"), dir.join("refused.xb"))
        .await
        .unwrap_err();
    assert_eq!(error.kind(), DownloadErrorKind::Tls, "{error}");
    assert_eq!(error.attempts(), 1, "a TLS failure is not retried");
    assert!(!dir.join("refused.xb").exists());
}

#[tokio::test]
async fn a_redirect_from_https_to_http_is_refused() {
    let plain = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let target = format!(
        "http://127.0.0.1:{}/file",
        plain.local_addr().unwrap().port()
    );
    let base = tls_server(target).await;
    let env = Environment::new(
        [("DEZAI_CA_FILE", fixture("ca.pem").display().to_string())],
        None,
    );
    let dir = folder("redirect");
    let error = tls_client(&env)
        .download(file_link(&base, "/to-http"), dir.join("file.xb"))
        .await
        .unwrap_err();
    assert_eq!(error.kind(), DownloadErrorKind::Redirect, "{error}");
    assert!(error.to_string().contains("https to http"), "{error}");
    // The plain server was never asked.
    let accepted =
        tokio::time::timeout(std::time::Duration::from_millis(100), plain.accept()).await;
    assert!(accepted.is_err(), "nothing connected to the http target");
}

/// A forward proxy for plain-HTTP requests that records each request line and relays it to
/// the host the absolute URL names.
async fn recording_proxy() -> (String, Arc<Mutex<Vec<String>>>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://127.0.0.1:{}", listener.local_addr().unwrap().port());
    let seen = Arc::new(Mutex::new(Vec::new()));
    let record = seen.clone();
    tokio::spawn(async move {
        while let Ok((mut client, _)) = listener.accept().await {
            let record = record.clone();
            tokio::spawn(async move {
                let head = read_head(&mut client).await;
                let line = head.lines().next().unwrap_or_default().to_owned();
                record.lock().unwrap().push(line.clone());
                // `GET http://host:port/path HTTP/1.1` → the origin's authority.
                let authority = line
                    .split_whitespace()
                    .nth(1)
                    .and_then(|u| u.strip_prefix("http://"))
                    .and_then(|rest| rest.split('/').next())
                    .unwrap_or_default()
                    .to_owned();
                let Ok(origin) = tokio::net::TcpStream::connect(authority).await else {
                    return;
                };
                let (mut from_origin, mut to_origin) = origin.into_split();
                let (mut from_client, mut to_client) = client.into_split();
                tokio::spawn(async move {
                    let _ = tokio::io::copy(&mut from_origin, &mut to_client).await;
                });
                let _ = to_origin.write_all(head.as_bytes()).await;
                // Later requests on the same connection (reqwest keeps it): record their lines.
                let mut buf = [0u8; 8192];
                loop {
                    let n = match from_client.read(&mut buf).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => n,
                    };
                    let text = String::from_utf8_lossy(&buf[..n]);
                    for line in text.lines() {
                        if line.starts_with("GET http://") || line.starts_with("POST http://") {
                            record.lock().unwrap().push(line.to_owned());
                        }
                    }
                    if to_origin.write_all(&buf[..n]).await.is_err() {
                        return;
                    }
                }
            });
        }
    });
    (url, seen)
}

#[tokio::test(flavor = "multi_thread")]
async fn a_download_goes_through_the_configured_proxy() {
    let emulator = emulator(1 << 18).await;
    let (proxy, seen) = recording_proxy().await;
    let config = Config::builder()
        .credentials(Credentials::new(PUBLIC, PRIVATE))
        .base_url(emulator.url())
        .region("cn-bj2")
        .proxy(proxy)
        .build()
        .unwrap();
    let client = Client::new(config).unwrap();
    let link = ask(&client).await.unwrap().unwrap();
    let dir = folder("proxy");
    let done = client.download(link, dir.join("full.xb")).await.unwrap();
    assert!(done.verified);
    let lines = seen.lock().unwrap().clone();
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("GET ") && l.contains("/backups/")),
        "the proxy saw the download: {lines:?}"
    );
}

#[tokio::test]
async fn a_failing_urls_signature_appears_in_no_error() {
    let closed = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = closed.local_addr().unwrap().port();
    drop(closed);
    let client = tls_client(&Environment::new(Vec::<(String, String)>::new(), None));
    let link = DownloadLink {
        url: format!("http://127.0.0.1:{port}/b/full.xb?Signature=SECRET-SIGNATURE&Expires=9"),
        md5: None,
    };
    let dir = folder("secret");
    let shown_link = format!("{link:?}");
    let error = client
        .download(link, dir.join("full.xb"))
        .attempts(2)
        .await
        .unwrap_err();
    assert_eq!(error.kind(), DownloadErrorKind::Network);
    assert_eq!(
        error.location(),
        format!("http://127.0.0.1:{port}/b/full.xb")
    );
    let mut shown = format!("{error} {error:?} {shown_link}");
    let mut source = std::error::Error::source(&error);
    while let Some(cause) = source {
        shown.push_str(&format!(" {cause} {cause:?}"));
        source = cause.source();
    }
    assert!(!shown.contains("SECRET-SIGNATURE"), "{shown}");
    assert!(
        shown.contains("/b/full.xb"),
        "the error names the path: {shown}"
    );
}
