//! The HTTP side: accept loop, one hyper connection per client, and the handler that turns a
//! request into the service's answer (or a rehearsed failure).

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::Ordering;

use bytes::Bytes;
use http_body_util::{BodyExt, Either, Full};
use hyper::body::Incoming;
use hyper::header::{CONTENT_LENGTH, CONTENT_TYPE, HeaderValue, RETRY_AFTER};
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use serde_json::{Value, json};
use sha1::{Digest, Sha1};
use tokio::net::TcpListener;

use crate::backups::BackupBody;
use crate::catalog::check_params;
use dezai_spec::ret_code;

use crate::{Fault, Recorded, Script, SignatureVerdict, State, lock};

/// The header the service puts its request id in.
const REQUEST_ID: &str = "x-ucloud-request-uuid";

/// Returned by the handler to close the connection without answering.
#[derive(Debug)]
struct DropConnection;

impl std::fmt::Display for DropConnection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("connection dropped on purpose")
    }
}

impl std::error::Error for DropConnection {}

pub(crate) async fn serve(
    listener: TcpListener,
    state: Arc<State>,
    mut stop: tokio::sync::oneshot::Receiver<()>,
) {
    loop {
        let stream = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                Err(_) => continue,
            },
            _ = &mut stop => return,
        };
        let _ = stream.set_nodelay(true);
        let state = state.clone();
        let header_timeout = state.limits.header_read_timeout;
        tokio::spawn(async move {
            let service = hyper::service::service_fn(move |request| route(state.clone(), request));
            // An error here is a client that went away, or a dropped connection on purpose.
            // The header timeout also closes connections that send nothing (half-open or idle
            // between requests), so slow clients cannot pile up.
            let mut builder = hyper::server::conn::http1::Builder::new();
            if std::env::var_os("EMU_NO_HEADER_TIMEOUT").is_none() {
                builder
                    .timer(hyper_util::rt::TokioTimer::new())
                    .header_read_timeout(header_timeout);
            }
            let _ = builder
                .serve_connection(TokioIo::new(stream), service)
                .await;
        });
    }
}

/// HTTP 413 for a body over the limit, in the service's JSON shape.
fn too_large(id: &str, limit: usize) -> Response<Full<Bytes>> {
    let body = json!({
        "RetCode": 413,
        "Message": format!("request body larger than {limit} bytes"),
    })
    .to_string();
    let mut response = Response::new(Full::new(Bytes::from(body)));
    *response.status_mut() = StatusCode::PAYLOAD_TOO_LARGE;
    response
        .headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    if let Ok(value) = HeaderValue::from_str(id) {
        response.headers_mut().insert(REQUEST_ID, value);
    }
    response
}

/// Downloads of the backup file, or API calls.
async fn route(
    state: Arc<State>,
    request: Request<Incoming>,
) -> Result<Response<Either<Full<Bytes>, BackupBody>>, DropConnection> {
    let path = request.uri().path();
    let file = path.starts_with("/backups/") || path.starts_with("/world/");
    if let (Some(backups), true) = (
        &state.backups,
        request.method() == hyper::Method::GET && file,
    ) {
        let header = |name: &str| {
            request
                .headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
        };
        let (range, if_range) = (header("range"), header("if-range"));
        let (range, if_range) = (range.as_deref(), if_range.as_deref());
        let response = match &state.world {
            Some(world) if path.starts_with("/world/") => {
                world.serve(path, range, if_range, backups)
            }
            _ => backups.serve(path, range, if_range),
        };
        return Ok(response.map(Either::Right));
    }
    handle(state, request)
        .await
        .map(|response| response.map(Either::Left))
}

async fn handle(
    state: Arc<State>,
    request: Request<Incoming>,
) -> Result<Response<Full<Bytes>>, DropConnection> {
    let id = format!("emu-{}", state.next_id.fetch_add(1, Ordering::Relaxed) + 1);
    let method = request.method().as_str().to_owned();
    let headers: BTreeMap<String, String> = request
        .headers()
        .iter()
        .map(|(k, v)| {
            (
                k.as_str().to_owned(),
                String::from_utf8_lossy(v.as_bytes()).into_owned(),
            )
        })
        .collect();
    let query = request.uri().query().unwrap_or("").to_owned();
    let limits = state.limits;
    let announced = headers
        .get("content-length")
        .and_then(|l| l.parse::<u64>().ok());
    if announced.is_some_and(|l| l > limits.max_body_bytes as u64) {
        return Ok(too_large(&id, limits.max_body_bytes));
    }
    // Bounded in size and in time: a body larger than the limit is refused as it streams
    // (chunked bodies announce no length), and one that trickles is dropped.
    let limited = http_body_util::Limited::new(request.into_body(), limits.max_body_bytes);
    // The body usually arrives with the head: read it without a timer when it is there
    // already, since arming one per request wakes the runtime's time driver (see BENCHMARKS.md).
    let mut collect = std::pin::pin!(limited.collect());
    let ready = std::future::poll_fn(|cx| std::task::Poll::Ready(collect.as_mut().poll(cx))).await;
    let read = match ready {
        std::task::Poll::Ready(read) => Ok(read),
        std::task::Poll::Pending => tokio::time::timeout(limits.body_read_timeout, collect).await,
    };
    let body = match read {
        Ok(Ok(body)) => body.to_bytes(),
        Ok(Err(e)) if e.is::<http_body_util::LengthLimitError>() => {
            return Ok(too_large(&id, limits.max_body_bytes));
        }
        Ok(Err(_)) | Err(_) => return Err(DropConnection),
    };
    let json = headers
        .get("content-type")
        .is_some_and(|t| t.starts_with("application/json"));
    let params = if method == "GET" {
        parse_form(query.as_bytes())
    } else if json {
        parse_json(&body)
    } else {
        parse_form(&body)
    };
    let signature = verdict(&state, &params);
    {
        let entry = Recorded {
            request_id: id.clone(),
            method,
            headers,
            params: params.clone(),
            signature,
        };
        let size = entry.size();
        let mut recorded = lock(&state.recorded);
        // Bounded in count and in bytes: the oldest requests go first.
        while !recorded.entries.is_empty()
            && (recorded.entries.len() >= crate::RECORDED_LIMIT
                || recorded.bytes + size > crate::RECORDED_BYTES_LIMIT)
        {
            if let Some(old) = recorded.entries.pop_front() {
                recorded.bytes -= old.size();
            }
        }
        recorded.bytes += size;
        recorded.entries.push_back(entry);
    }
    let param = |name: &str| {
        params
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    };

    let Some(action) = param("Action").map(str::to_owned) else {
        return Ok(error(&id, ret_code::MISSING_ACTION, "Missing Action"));
    };
    match signature {
        SignatureVerdict::Valid => {}
        SignatureVerdict::Missing => {
            return Ok(error(&id, ret_code::MISSING_SIGNATURE, "Missing signature"));
        }
        SignatureVerdict::Wrong => {
            return Ok(error(
                &id,
                ret_code::WRONG_SIGNATURE,
                "Signature VerifyAC Error",
            ));
        }
        SignatureVerdict::UnknownPublicKey => {
            return Ok(error(&id, ret_code::UNKNOWN_PUBLIC_KEY, "User not exist"));
        }
    }

    let fault = {
        let mut faults = lock(&state.faults);
        faults
            .get_mut(&action)
            .and_then(|queue| (!queue.is_empty()).then(|| queue.remove(0)))
    };
    let mut truncate = false;
    match fault {
        None => {}
        Some(Fault::Delay(wait)) => tokio::time::sleep(wait).await,
        Some(Fault::Status(status)) => {
            return Ok(respond(
                &id,
                status,
                &json!({"RetCode": ret_code::SERVICE_UNAVAILABLE, "Message": "Service unavailable"}),
            ));
        }
        Some(Fault::RetCode(code)) => {
            return Ok(respond(
                &id,
                200,
                &json!({"Action": format!("{action}Response"), "RetCode": code, "Message": "rehearsed failure"}),
            ));
        }
        Some(Fault::Drop) => return Err(DropConnection),
        Some(Fault::Truncated) => truncate = true,
        Some(Fault::NotJson) => {
            let mut response = Response::new(Full::new(Bytes::from_static(
                b"<html>502 Bad Gateway</html>",
            )));
            set_id(&mut response, &id);
            return Ok(response);
        }
        Some(Fault::RetryAfter { status, seconds }) => {
            let mut response = respond(
                &id,
                status,
                &json!({"RetCode": ret_code::THROTTLED, "Message": "Throttled"}),
            );
            if let Ok(value) = HeaderValue::from_str(&seconds.to_string()) {
                response.headers_mut().insert(RETRY_AFTER, value);
            }
            return Ok(response);
        }
    }

    let script = lock(&state.scripts).get(&action).cloned();
    let spec = state.catalog.get(&action);
    // A world's answer carries its own URLs: the backup file's do not replace them.
    let mut from_world = false;
    let mut body = match (script, spec) {
        (Some(Script::Json(value)), _) => value,
        (Some(Script::With(make)), _) => make(&params),
        (None, None) if state.lenient => {
            let mut seen = lock(&state.undocumented);
            let count = seen.entry(action.clone()).or_insert(0);
            *count += 1;
            if *count == 1 {
                eprintln!("dezai-emulator: {action} is in no spec; answered RetCode 0 (--lenient)");
            }
            json!({})
        }
        (None, None) => {
            return Ok(error(
                &id,
                ret_code::UNKNOWN_ACTION,
                &format!("Action [{action}] not exist"),
            ));
        }
        (None, Some(spec)) => {
            if let Some(problem) = check_params(spec, &params) {
                return Ok(error(&id, ret_code::INVALID_PARAMETER, &problem));
            }
            let world = match (&state.world, &state.backups, state.base_url.get()) {
                (Some(world), Some(files), Some(base)) => {
                    world.answer(&action, spec, &params, base, files)
                }
                _ => None,
            };
            match world {
                Some(Ok(answer)) => {
                    from_world = true;
                    answer
                }
                Some(Err((code, message))) => return Ok(error(&id, code, &message)),
                None => {
                    // The usual case, serialized once; backup URLs and truncation change the
                    // answer.
                    if let (None, false, Some(answer)) =
                        (&state.backups, truncate, state.catalog.answer(&action))
                    {
                        return Ok(respond_bytes(&id, 200, answer));
                    }
                    crate::catalog::example_answer(spec)
                }
            }
        }
    };
    if let Value::Object(map) = &mut body {
        map.insert("Action".into(), Value::String(format!("{action}Response")));
        map.entry("RetCode").or_insert(json!(0));
        if let (Some(backups), Some(base), false) =
            (&state.backups, state.base_url.get(), from_world)
        {
            let fields = spec.and_then(dezai_spec::download::download_fields);
            backups.fill_answer(base, map, fields.as_ref());
        }
    }
    let mut response = respond(&id, 200, &body);
    if truncate {
        // Announce the whole body, send half of it: hyper closes the connection short.
        let full = body.to_string().into_bytes();
        let half = Bytes::from(full[..full.len() / 2].to_vec());
        let announced = HeaderValue::from(full.len());
        *response.body_mut() = Full::new(half);
        response.headers_mut().insert(CONTENT_LENGTH, announced);
    }
    Ok(response)
}

fn respond(id: &str, status: u16, body: &Value) -> Response<Full<Bytes>> {
    respond_bytes(id, status, Bytes::from(body.to_string()))
}

fn respond_bytes(id: &str, status: u16, body: Bytes) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(body));
    *response.status_mut() =
        StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    response
        .headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    set_id(&mut response, id);
    response
}

fn error(id: &str, code: i64, message: &str) -> Response<Full<Bytes>> {
    respond(id, 200, &json!({"RetCode": code, "Message": message}))
}

fn set_id(response: &mut Response<Full<Bytes>>, id: &str) {
    if let Ok(value) = HeaderValue::from_str(id) {
        response.headers_mut().insert(REQUEST_ID, value);
    }
}

fn parse_form(bytes: &[u8]) -> Vec<(String, String)> {
    form_urlencoded::parse(bytes)
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

fn parse_json(bytes: &[u8]) -> Vec<(String, String)> {
    let Ok(Value::Object(map)) = serde_json::from_slice::<Value>(bytes) else {
        return Vec::new();
    };
    map.into_iter()
        .map(|(k, v)| {
            let v = match v {
                Value::String(s) => s,
                other => other.to_string(),
            };
            (k, v)
        })
        .collect()
}

/// Checks the signature as `docs/protocol.md` defines it: every parameter but `Signature`, sorted by
/// name, `name` + `value` concatenated, the private key appended, lower-case hex SHA-1.
fn verdict(state: &State, params: &[(String, String)]) -> SignatureVerdict {
    let get = |name: &str| {
        params
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    };
    let Some(signature) = get("Signature") else {
        return SignatureVerdict::Missing;
    };
    let Some(private_key) = get("PublicKey").and_then(|key| state.key_pairs.get(key)) else {
        return SignatureVerdict::UnknownPublicKey;
    };
    let mut sorted: Vec<&(String, String)> =
        params.iter().filter(|(n, _)| n != "Signature").collect();
    sorted.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
    let mut hasher = Sha1::new();
    for (name, value) in sorted {
        hasher.update(name.as_bytes());
        hasher.update(value.as_bytes());
    }
    hasher.update(private_key.as_bytes());
    // Compared digit by digit against the lower-case hex the protocol sends, without building
    // a string per request.
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let digest = hasher.finalize();
    let matches = signature.len() == 2 * digest.len()
        && digest
            .iter()
            .zip(signature.as_bytes().chunks(2))
            .all(|(byte, pair)| {
                pair[0] == DIGITS[usize::from(byte >> 4)]
                    && pair[1] == DIGITS[usize::from(byte & 0xf)]
            });
    if matches {
        SignatureVerdict::Valid
    } else {
        SignatureVerdict::Wrong
    }
}
