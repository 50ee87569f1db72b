//! The servers the client is measured against, each on a tokio runtime and threads of its own,
//! as a server in another process would be: axum, a minimal hyper server, and the emulator.

use axum::Router;
use axum::http::HeaderValue;
use axum::response::IntoResponse;
use axum::routing::post;

use crate::{PRIVATE_KEY, PUBLIC_KEY};

/// What the axum and minimal servers answer: the udb seed's example.
const BODY: &str = r#"{"Action":"DescribeUDBInstanceBackupURLResponse","BackupPath":"http://udbbackup.example/bbasd?k=v","InnerBackupPath":"ZDblezgJ","MD5":"SltVqrDH","RetCode":0}"#;

async fn handler() -> impl IntoResponse {
    let mut response = BODY.into_response();
    response.headers_mut().insert(
        "X-UCLOUD-Request-UUID",
        HeaderValue::from_static("bench-request"),
    );
    response
        .headers_mut()
        .insert("content-type", HeaderValue::from_static("application/json"));
    response
}

/// Runs a server on a runtime and threads of its own (as a server in another process would
/// be: the client's runtime never polls it) and returns its URL.
pub(crate) fn serve_apart<F, Fut>(name: &str, start: F) -> String
where
    F: FnOnce() -> Fut + Send + 'static,
    Fut: std::future::Future<Output = String>,
{
    let (sender, receiver) = std::sync::mpsc::channel();
    std::thread::Builder::new()
        .name(format!("server-{name}"))
        .spawn(move || {
            // SERVER_CURRENT_THREAD=1: servers on one thread each, as a single-threaded server.
            let mut builder = if std::env::var_os("SERVER_CURRENT_THREAD").is_some() {
                tokio::runtime::Builder::new_current_thread()
            } else {
                tokio::runtime::Builder::new_multi_thread()
            };
            let runtime = builder.enable_all().build().expect("server runtime");
            runtime.block_on(async move {
                let url = start().await;
                sender.send(url).expect("url");
                std::future::pending::<()>().await;
            });
        })
        .expect("server thread");
    receiver.recv().expect("server started")
}

/// The axum server: `BODY` with a request-id header.
pub(crate) async fn start_axum() -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("addr"));
    tokio::spawn(async move {
        let app = Router::new().route("/", post(handler));
        let _ = axum::serve(listener, app).await;
    });
    url
}

/// The least a server can do: hyper's HTTP/1 connection answering every request with `BODY`
/// and a request-id header, without reading the request body.
pub(crate) async fn start_minimal_hyper() -> String {
    use hyper::service::service_fn;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("addr"));
    tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                continue;
            };
            let _ = stream.set_nodelay(true);
            tokio::spawn(async move {
                let service = service_fn(|_request| async {
                    let mut response = hyper::Response::new(http_body_util::Full::new(
                        bytes::Bytes::from_static(BODY.as_bytes()),
                    ));
                    let headers = response.headers_mut();
                    headers.insert(
                        "x-ucloud-request-uuid",
                        HeaderValue::from_static("bench-request"),
                    );
                    headers.insert("content-type", HeaderValue::from_static("application/json"));
                    Ok::<_, std::convert::Infallible>(response)
                });
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(hyper_util::rt::TokioIo::new(stream), service)
                    .await;
            });
        }
    });
    url
}

/// The emulator with the udb seed's spec: checks the signature and the parameters, records the
/// request, answers the document's example.
pub(crate) async fn start_emulator() -> String {
    let emulator = dezai_emulator::Emulator::builder()
        .spec_json(include_str!("../../../../specs/udb.json"))
        .key_pair(PUBLIC_KEY, PRIVATE_KEY)
        .start()
        .await
        .expect("emulator");
    let url = emulator.url().to_owned();
    // Kept running for the whole benchmark.
    std::mem::forget(emulator);
    url
}
