//! What a full call logs at TRACE level: the action, attempts and request id, and never the
//! private key, the signature or the security token.

mod common;

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
    let capture = Capture::default();
    let writer = capture.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .finish();
    // A current-thread runtime keeps every task, reqwest's included, on this thread, under
    // this subscriber.
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let _guard = tracing::subscriber::set_default(subscriber);
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
        client.invoke("DescribeUser", params).await.unwrap();
        server.received()
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
}
