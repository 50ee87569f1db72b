//! What a full call logs at TRACE level: the action, attempts and request id, and never the
//! private key, the signature or the security token.

mod common;

use dezai_http::ClientExt as _;
use std::io::Write;
use std::sync::{Arc, Mutex};

use common::{PRIVATE_KEY, PUBLIC_KEY, Reply, Server, client_with};
use dezai_runtime::{Credentials, Params};

#[derive(Clone, Default)]
struct Capture(Arc<Mutex<Vec<u8>>>);

impl Write for Capture {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[test]
fn trace_logs_of_a_call_hold_no_secret() {
    let (capture, subscriber) = capture(tracing::Level::TRACE);
    // A current-thread runtime keeps every task, reqwest's included, on this thread, under
    // this subscriber.
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let _guard = tracing::subscriber::set_default(subscriber);
    // reqwest, hyper and rustls log through the `log` crate: route those records here too, so
    // the scan covers them.
    let _ = tracing_log::LogTracer::init();
    let received = runtime.block_on(async {
        let server = Server::start().await;
        server.script([
            Reply::status(503),
            Reply::ok(
                "CreateUser",
                serde_json::json!({"UserPassword": "pw-from-server", "Id": "u-1"}),
            ),
        ]);
        let client = client_with(&server, |b| {
            b.credentials(
                Credentials::new(PUBLIC_KEY, PRIVATE_KEY).with_security_token("token-SECRET-1"),
            )
        });
        let mut params = Params::new();
        params.push("Password", "pw-SECRET-2");
        params.push("Name", "alice");
        params.push("SSLContent", "-----BEGIN PRIVATE KEY-----ssl-SECRET-3");
        params.push("AdminPwd", "admin-SECRET-4");
        params.push("Users.0.Passwd", "passwd-SECRET-5");
        params.push("ClientCert", "cert-SECRET-6");
        client.invoke("DescribeUser", params).await.unwrap();
        let mut received = server.received();

        // A base URL with a user and password in it: never in a log line.
        let with_userinfo = server.url.replace("http://", "http://user:url-SECRET-7@");
        server.script([Reply::ok("DescribeUser", serde_json::json!({}))]);
        let client = client_with(&server, |b| b.base_url(with_userinfo.as_str()));
        client.invoke("DescribeUser", Params::new()).await.unwrap();
        received.extend(server.received());
        received
    });
    drop(_guard);

    let logs = String::from_utf8(capture.0.lock().unwrap().clone()).unwrap();
    if std::env::var_os("SHOW_LOGS").is_some() {
        eprintln!("{logs}");
    }
    let signature = received[1].param("Signature").unwrap().to_owned();
    for secret in [
        PRIVATE_KEY,
        signature.as_str(),
        "token-SECRET-1",
        "pw-SECRET-2",
        "pw-from-server",
        "ssl-SECRET-3",
        "admin-SECRET-4",
        "passwd-SECRET-5",
        "cert-SECRET-6",
        "url-SECRET-7",
    ] {
        assert!(
            !logs.contains(secret),
            "`{secret}` appears in the logs:\n{logs}"
        );
    }
    // And the logs are useful: the span's fields and the masked parameters are there.
    assert!(logs.contains("dezai.call"), "{logs}");
    assert!(
        logs.contains("action=\"DescribeUser\"") || logs.contains("action=DescribeUser"),
        "{logs}"
    );
    assert!(logs.contains("attempt{n=2"), "{logs}");
    assert!(logs.contains("req-2"), "{logs}");
    assert!(
        logs.contains("Name=alice")
            && logs.contains("Password=***")
            && logs.contains("Signature=***"),
        "{logs}"
    );
    assert!(logs.contains("retrying"), "{logs}");
    // The call's span, as OpenTelemetry's RPC conventions name things, with how it ended.
    for field in [
        "otel.name=DescribeUser",
        "rpc.system=\"dezai\"",
        "rpc.method=\"DescribeUser\"",
        "attempts=2",
        "request_id=\"req-2\"",
        "rpc.dezai.ret_code=0",
        "outcome=\"ok\"",
    ] {
        assert!(logs.contains(field), "no `{field}` in:\n{logs}");
    }
}

/// A subscriber writing into a buffer, at `level` and above.
fn capture(level: tracing::Level) -> (Capture, impl tracing::Subscriber + Send + Sync) {
    let capture = Capture::default();
    let writer = capture.clone();
    // Closing spans are written too, with the fields recorded when the call ended.
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(level)
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .with_span_events(tracing_subscriber::fmt::format::FmtSpan::CLOSE)
        .finish();
    (capture, subscriber)
}

#[cfg(unix)]
#[test]
fn a_credentials_file_others_can_read_gets_one_warning() {
    use std::os::unix::fs::PermissionsExt;
    let home = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("dezai-perm");
    // A fixed place under the target folder that reruns reuse.
    let _ = std::fs::remove_dir_all(&home);
    let dir = home.join(".dezai");
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("credential.json");
    std::fs::write(
        &file,
        r#"[{"profile": "default", "public_key": "pub", "private_key": "priv-SECRET"}]"#,
    )
    .unwrap();
    std::fs::write(
        dir.join("config.json"),
        r#"[{"profile": "default", "active": true}]"#,
    )
    .unwrap();
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).unwrap();
    let (logs, subscriber) = capture(tracing::Level::WARN);
    tracing::subscriber::with_default(subscriber, || {
        let env = dezai_runtime::Environment::new([("X", "y")], Some(&home));
        dezai_runtime::Config::builder()
            .environment(&env)
            .unwrap()
            .build()
            .unwrap();
    });
    let logs = String::from_utf8(logs.0.lock().unwrap().clone()).unwrap();
    assert!(logs.contains("readable by other users"), "{logs}");
    assert!(logs.contains("chmod 600"), "{logs}");
    assert!(!logs.contains("priv-SECRET"), "{logs}");
    let _ = std::fs::remove_dir_all(&home);
}

#[test]
fn credentials_over_plain_http_get_one_warning() {
    let (logs, subscriber) = capture(tracing::Level::WARN);
    tracing::subscriber::with_default(subscriber, || {
        let config = dezai_runtime::Config::builder()
            .credentials(Credentials::new(PUBLIC_KEY, PRIVATE_KEY))
            .base_url("http://user:pw-SECRET@api.example.internal")
            .build()
            .unwrap();
        dezai_runtime::Client::new(config).unwrap();
    });
    let logs = String::from_utf8(logs.0.lock().unwrap().clone()).unwrap();
    assert!(logs.contains("plain http://"), "{logs}");
    assert!(!logs.contains("pw-SECRET"), "{logs}");
}
