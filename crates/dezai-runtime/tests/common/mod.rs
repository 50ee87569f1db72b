//! A scriptable HTTP/1.1 server on 127.0.0.1 for the runtime's tests.
//!
//! It checks every request's signature on its own (not with the runtime's signer), records
//! what it received, and answers from a script: JSON, raw bytes, delays, dropped connections,
//! truncated and oversized bodies. It speaks just enough HTTP/1.1 for reqwest (Content-Length
//! bodies, keep-alive), written by hand so that each fault is exactly the bytes on the wire.
#![allow(dead_code, unreachable_pub)]

use dezai_http::ClientExt as _;
use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use sha1::{Digest, Sha1};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

pub const PUBLIC_KEY: &str = "test-public-key";
pub const PRIVATE_KEY: &str = "test-private-key-0123456789";

/// One scripted answer.
#[derive(Clone, Debug)]
pub enum Reply {
    /// HTTP status, extra headers, JSON body.
    Json(u16, Vec<(String, String)>, serde_json::Value),
    /// HTTP status and raw body bytes.
    Raw(u16, Vec<u8>),
    /// Wait, then answer.
    Delay(Duration, Box<Reply>),
    /// Close the connection without answering.
    Drop,
    /// Announce a body of `announced` bytes, send `sent`, then close.
    Truncated { announced: usize, sent: Vec<u8> },
    /// A body of `size` bytes, sent with or without a Content-Length header.
    Huge { size: usize, content_length: bool },
}

impl Reply {
    /// A successful response for `action` with extra fields.
    pub fn ok(action: &str, fields: serde_json::Value) -> Reply {
        let mut body = serde_json::json!({"Action": format!("{action}Response"), "RetCode": 0});
        if let (Some(body), Some(fields)) = (body.as_object_mut(), fields.as_object()) {
            body.extend(fields.clone());
        }
        Reply::Json(200, vec![], body)
    }

    /// An API error with a RetCode.
    pub fn ret_code(code: i64, message: &str) -> Reply {
        Reply::Json(
            200,
            vec![],
            serde_json::json!({"RetCode": code, "Message": message}),
        )
    }

    /// An HTTP status with a small JSON body.
    pub fn status(status: u16) -> Reply {
        Reply::Json(
            status,
            vec![],
            serde_json::json!({"RetCode": 150, "Message": "unavailable"}),
        )
    }

    /// Adds a header (to a `Json` reply).
    pub fn with_header(self, name: &str, value: &str) -> Reply {
        match self {
            Reply::Json(status, mut headers, body) => {
                headers.push((name.to_owned(), value.to_owned()));
                Reply::Json(status, headers, body)
            }
            other => other,
        }
    }
}

/// What the server received.
#[derive(Clone, Debug)]
pub struct Received {
    pub method: String,
    pub headers: HashMap<String, String>,
    pub params: Vec<(String, String)>,
    pub signature_ok: bool,
}

impl Received {
    pub fn param(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

#[derive(Default)]
struct State {
    script: VecDeque<Reply>,
    fallback: Option<Reply>,
    received: Vec<Received>,
    next_id: u64,
}

/// A running test server; stops when dropped.
pub struct Server {
    pub url: String,
    state: Arc<Mutex<State>>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Server {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl Server {
    pub async fn start() -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let state = Arc::new(Mutex::new(State::default()));
        let shared = state.clone();
        let task = tokio::spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    return;
                };
                let state = shared.clone();
                tokio::spawn(async move {
                    let _ = serve(stream, state).await;
                });
            }
        });
        Server { url, state, task }
    }

    /// Queues replies, one per request, in order.
    pub fn script(&self, replies: impl IntoIterator<Item = Reply>) {
        self.state.lock().unwrap().script.extend(replies);
    }

    /// The reply once the script is used up.
    pub fn fallback(&self, reply: Reply) {
        self.state.lock().unwrap().fallback = Some(reply);
    }

    pub fn received(&self) -> Vec<Received> {
        self.state.lock().unwrap().received.clone()
    }

    pub fn count(&self) -> usize {
        self.state.lock().unwrap().received.len()
    }
}

/// The signature as docs/protocol.md defines it, computed here independently of the runtime.
pub fn expected_signature(params: &[(String, String)], private_key: &str) -> String {
    let mut sorted: Vec<&(String, String)> =
        params.iter().filter(|(n, _)| n != "Signature").collect();
    sorted.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
    let mut text = String::new();
    for (n, v) in sorted {
        text.push_str(n);
        text.push_str(v);
    }
    text.push_str(private_key);
    Sha1::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

async fn serve(mut stream: TcpStream, state: Arc<Mutex<State>>) -> std::io::Result<()> {
    let mut buffer = Vec::new();
    loop {
        // Read one request: headers up to the blank line, then Content-Length bytes.
        let header_end = loop {
            if let Some(i) = buffer.windows(4).position(|w| w == b"\r\n\r\n") {
                break i;
            }
            let mut chunk = [0u8; 8192];
            let n = stream.read(&mut chunk).await?;
            if n == 0 {
                return Ok(());
            }
            buffer.extend_from_slice(&chunk[..n]);
        };
        let head = String::from_utf8_lossy(&buffer[..header_end]).into_owned();
        let mut lines = head.split("\r\n");
        let method = lines
            .next()
            .unwrap_or("")
            .split(' ')
            .next()
            .unwrap_or("")
            .to_owned();
        let headers: HashMap<String, String> = lines
            .filter_map(|l| l.split_once(':'))
            .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_owned()))
            .collect();
        let length: usize = headers
            .get("content-length")
            .and_then(|v| v.parse().ok())
            .unwrap_or(0);
        let body_start = header_end + 4;
        while buffer.len() < body_start + length {
            let mut chunk = [0u8; 8192];
            let n = stream.read(&mut chunk).await?;
            if n == 0 {
                return Ok(());
            }
            buffer.extend_from_slice(&chunk[..n]);
        }
        let body = buffer[body_start..body_start + length].to_vec();
        buffer.drain(..body_start + length);

        let params = parse_params(&headers, &body);
        let signature_ok = params
            .iter()
            .find(|(n, _)| n == "Signature")
            .is_some_and(|(_, s)| *s == expected_signature(&params, PRIVATE_KEY))
            && params
                .iter()
                .any(|(n, v)| n == "PublicKey" && v == PUBLIC_KEY);
        let (reply, id) = {
            let mut s = state.lock().unwrap();
            s.received.push(Received {
                method,
                headers,
                params,
                signature_ok,
            });
            s.next_id += 1;
            let reply = s.script.pop_front().or_else(|| s.fallback.clone());
            let reply = reply.unwrap_or_else(|| {
                if signature_ok {
                    Reply::ok("Test", serde_json::json!({}))
                } else {
                    Reply::ret_code(171, "Signature VerifyAC Error")
                }
            });
            (reply, format!("req-{}", s.next_id))
        };
        if !write_reply(&mut stream, reply, &id).await? {
            return Ok(());
        }
    }
}

/// Writes a reply; `false` when the connection must be closed afterwards.
async fn write_reply(stream: &mut TcpStream, reply: Reply, id: &str) -> std::io::Result<bool> {
    let mut reply = reply;
    while let Reply::Delay(wait, inner) = reply {
        tokio::time::sleep(wait).await;
        reply = *inner;
    }
    let head = |status: u16, length: Option<usize>, extra: &[(String, String)]| {
        let mut h = format!(
            "HTTP/1.1 {status} X\r\nX-UCLOUD-Request-UUID: {id}\r\nContent-Type: application/json\r\n"
        );
        if let Some(length) = length {
            h.push_str(&format!("Content-Length: {length}\r\n"));
        }
        for (k, v) in extra {
            h.push_str(&format!("{k}: {v}\r\n"));
        }
        h.push_str("\r\n");
        h
    };
    match reply {
        Reply::Json(status, headers, body) => {
            let body = body.to_string();
            stream
                .write_all(head(status, Some(body.len()), &headers).as_bytes())
                .await?;
            stream.write_all(body.as_bytes()).await?;
            Ok(true)
        }
        Reply::Raw(status, body) => {
            stream
                .write_all(head(status, Some(body.len()), &[]).as_bytes())
                .await?;
            stream.write_all(&body).await?;
            Ok(true)
        }
        Reply::Drop => Ok(false),
        Reply::Truncated { announced, sent } => {
            stream
                .write_all(head(200, Some(announced), &[]).as_bytes())
                .await?;
            stream.write_all(&sent).await?;
            stream.flush().await?;
            Ok(false)
        }
        Reply::Huge {
            size,
            content_length,
        } => {
            let extra = if content_length {
                vec![]
            } else {
                vec![("Connection".to_owned(), "close".to_owned())]
            };
            stream
                .write_all(head(200, content_length.then_some(size), &extra).as_bytes())
                .await?;
            let chunk = vec![b' '; 64 * 1024];
            let mut left = size;
            while left > 0 {
                let n = left.min(chunk.len());
                if stream.write_all(&chunk[..n]).await.is_err() {
                    // The client stopped reading, as it should.
                    return Ok(false);
                }
                left -= n;
            }
            Ok(false)
        }
        Reply::Delay(..) => unreachable!("delays are unwrapped above"),
    }
}

fn parse_params(headers: &HashMap<String, String>, body: &[u8]) -> Vec<(String, String)> {
    let json = headers
        .get("content-type")
        .is_some_and(|t| t.starts_with("application/json"));
    if json {
        let value: serde_json::Value = serde_json::from_slice(body).unwrap_or_default();
        value
            .as_object()
            .map(|m| {
                m.iter()
                    .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_owned()))
                    .collect()
            })
            .unwrap_or_default()
    } else {
        form_urlencoded::parse(body)
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect()
    }
}

/// A client for `server` with the test key pair and fast retries.
pub fn client(server: &Server) -> dezai_runtime::Client {
    client_with(server, |b| b)
}

pub fn client_with(
    server: &Server,
    adjust: impl FnOnce(dezai_runtime::ConfigBuilder) -> dezai_runtime::ConfigBuilder,
) -> dezai_runtime::Client {
    let builder = dezai_runtime::Config::builder()
        .credentials(dezai_runtime::Credentials::new(PUBLIC_KEY, PRIVATE_KEY))
        .base_url(&server.url)
        .region("cn-bj2")
        .retry(fast_retries());
    dezai_runtime::Client::new(adjust(builder).build().unwrap()).unwrap()
}

pub fn fast_retries() -> dezai_runtime::RetryPolicy {
    dezai_runtime::RetryPolicy::default()
        .with_backoff(Duration::from_millis(1), Duration::from_millis(20))
}

/// A client whose base URL had a server a moment ago and has none now: every call is a
/// connection failure that never reached a server.
pub async fn client_without_server(retry: dezai_runtime::RetryPolicy) -> dezai_runtime::Client {
    let server = Server::start().await;
    let url = server.url.clone();
    drop(server);
    tokio::task::yield_now().await;
    dezai_runtime::Client::new(
        dezai_runtime::Config::builder()
            .credentials(dezai_runtime::Credentials::new("p", "k"))
            .base_url(url)
            .region("r")
            .retry(retry)
            .build()
            .unwrap(),
    )
    .unwrap()
}
