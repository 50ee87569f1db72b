//! One download over several connections at once, as object storage serves each connection at
//! a fraction of a host's bandwidth: the file is cut into pieces of [`PIECE`] bytes, taken in
//! file order by `streams` workers, each piece a `Range` request of its own (with `If-Range`)
//! written at its offset in the `.part`. A failed or stalled piece is fetched again alone.
//!
//! `<file>.part.json` records the file's version, size and the pieces done, rewritten (through
//! a temporary file and a rename) as each piece ends, so a later run fetches only the rest:
//! what a kill cuts is the pieces in flight. The MD5 is computed by one blocking thread
//! following the completed prefix of the file, reading back what the workers wrote (from the
//! page cache): pieces are taken in order, so the prefix grows at the download's speed and the
//! check is nearly done when the last byte arrives.
//!
//! One stream from the start instead ([`Ranged::Unranged`]) when the server ignores ranges
//! (200), gives no size or version, or answers an `If-Range` with the whole file (it changed).

use std::collections::VecDeque;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use md5::Digest;
use serde::{Deserialize, Serialize};
use tokio::sync::mpsc;
use tracing::Instrument as _;

use super::error::{DownloadError, DownloadErrorKind as Kind};
use super::fetch::{self, Attempt, Fetched, Files, Flusher, Stall};
use super::{DownloadLink, OnProgress, Progress, RateLimit, report};
use crate::client::Client;
use crate::transport::{FileReply, FileRequest};

/// Bytes per piece: one request each. Small enough that the hashed prefix follows the
/// download closely and a kill loses little; large enough that a request's round trip is a
/// small part of its transfer.
pub(super) const PIECE: u64 = 8 << 20;
/// From this size (two pieces) on, a download left to choose uses [`AUTO_STREAMS`]
/// connections: at 16 MiB, 0.65× one stream's time with connections capped at 50 MiB/s, and
/// the same time on loopback (BENCHMARKS.md, "Ranged downloads").
pub(super) const AUTO_FROM: u64 = 16 << 20;
/// Connections of a large download left to choose.
pub(super) const AUTO_STREAMS: usize = 4;
/// Tries of one piece before the whole attempt fails (a later attempt resumes).
const PIECE_TRIES: u32 = 3;

/// How a ranged attempt ended, short of an error.
pub(super) enum Ranged {
    /// Every piece is there (and checked, with an MD5).
    Done(Fetched),
    /// Ranges cannot be used: fetch the file in one stream, from the start; with the whole
    /// file's answer when the server sent it already.
    Unranged(Option<FileReply>),
}

/// What `<file>.part.json` holds for a ranged download.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct State {
    version: String,
    total: u64,
    piece: u64,
    /// Pieces done, as `[first, last]` runs of piece numbers.
    done: Vec<[u64; 2]>,
}

impl State {
    /// The state of a ranged `.part` from an earlier run, when its file is still whole.
    fn load(files: &Files) -> Option<Self> {
        let text = std::fs::read_to_string(&files.meta).ok()?;
        let state: Self = serde_json::from_str(&text).ok()?;
        let len = std::fs::metadata(&files.part).ok()?.len();
        (len == state.total && state.piece > 0).then_some(state)
    }

    fn pieces(&self) -> u64 {
        self.total.div_ceil(self.piece)
    }

    fn is_done(&self, piece: u64) -> bool {
        self.done.iter().any(|[a, b]| (*a..=*b).contains(&piece))
    }

    fn mark(&mut self, piece: u64) {
        self.done.push([piece, piece]);
        self.done.sort_unstable();
        let mut merged: Vec<[u64; 2]> = Vec::with_capacity(self.done.len());
        for [a, b] in self.done.drain(..) {
            match merged.last_mut() {
                Some(last) if a <= last[1] + 1 => last[1] = last[1].max(b),
                _ => merged.push([a, b]),
            }
        }
        self.done = merged;
    }

    /// Bytes from the start of the file that are all there.
    fn prefix(&self) -> u64 {
        match self.done.first() {
            Some([0, last]) => ((last + 1) * self.piece).min(self.total),
            _ => 0,
        }
    }

    fn bytes_done(&self) -> u64 {
        let pieces = self.done.iter().map(|[a, b]| b - a + 1).sum::<u64>();
        let mut bytes = pieces * self.piece;
        // The last piece is short.
        if self.is_done(self.pieces() - 1) {
            bytes -= self.pieces() * self.piece - self.total;
        }
        bytes
    }

    /// Written beside the `.part` through a temporary file and a rename: a kill leaves the
    /// old state or the new one.
    fn save(&self, meta: &Path) -> std::io::Result<()> {
        let temporary = meta.with_extension("json.tmp");
        std::fs::write(&temporary, serde_json::to_vec(self).unwrap_or_default())?;
        std::fs::rename(&temporary, meta)
    }
}

/// Whether `.part.json` is a ranged download's (else an earlier single stream's, or none).
pub(super) fn is_ranged(files: &Files) -> bool {
    State::load(files).is_some()
}

/// What a worker tells the coordinator.
enum Event {
    Wrote(u64),
    /// A piece was written and recorded.
    Done,
    Failed(Attempt),
    /// The server answered a ranged request with the whole file: it changed, or ignores ranges.
    Whole,
}

/// What the workers share.
struct Shared {
    client: Client,
    url: String,
    /// Scheme, host and path: what logs show (the query is a credential for the file).
    from: String,
    version: String,
    total: u64,
    part: std::fs::File,
    output: std::path::PathBuf,
    queue: Mutex<VecDeque<u64>>,
    idle: Duration,
    limit: Option<RateLimit>,
    events: mpsc::UnboundedSender<Event>,
    /// The pieces done, recorded by the worker that wrote each before it takes another: a
    /// kill loses at most the piece in flight per stream.
    state: Arc<Mutex<State>>,
    meta: std::path::PathBuf,
}

/// One ranged attempt: resumes the pieces `.part.json` records, or starts with a first piece
/// that also tells the size and version.
pub(super) async fn attempt(
    client: &Client,
    link: &DownloadLink,
    files: &Files,
    streams: Option<usize>,
    idle: Duration,
    limit: Option<&RateLimit>,
    progress: &mut Option<OnProgress<'_>>,
) -> Result<Ranged, Attempt> {
    let failed = |kind, message: String| {
        Attempt::Failed(DownloadError::new(kind, &files.output, &link.url, message))
    };
    let io = |what: &Path, e: std::io::Error| {
        let message = format!("cannot write {}: {e}", what.display());
        let e = DownloadError::new(Kind::Io, &files.output, &link.url, message).with_source(e);
        Attempt::Failed(e)
    };
    let (state, first) = match State::load(files) {
        Some(state) => (state, None),
        None => {
            let from = super::error::location(&link.url);
            tracing::debug!(from = %from, start = 0, end = PIECE, "requesting the file");
            let request = FileRequest::new(&link.url).range(0, Some(PIECE - 1));
            let reply = client
                .fetch(request)
                .await
                .map_err(|e| fetch::transport_failure(&files.output, &link.url, e))?;
            let (status, total) = (reply.status, reply.total);
            tracing::debug!(from = %from, status, total, "the file answered");
            tracing::Span::current().record("http.response.status_code", status);
            match (reply.status, reply.total, reply.version.clone()) {
                (206, Some(total), Some(version)) if total > 0 => {
                    let state = State {
                        version,
                        total,
                        piece: PIECE,
                        done: Vec::new(),
                    };
                    let part =
                        std::fs::File::create(&files.part).map_err(|e| io(&files.part, e))?;
                    part.set_len(total).map_err(|e| io(&files.part, e))?;
                    state.save(&files.meta).map_err(|e| io(&files.meta, e))?;
                    (state, Some(reply))
                }
                (200, _, _) => return Ok(Ranged::Unranged(Some(reply))),
                (206 | 416, _, _) => return Ok(Ranged::Unranged(None)),
                (403, _, _) => {
                    let message = "the download URL has expired (HTTP 403)".to_owned();
                    let e = DownloadError::new(Kind::Expired, &files.output, &link.url, message);
                    return Err(Attempt::Expired(e.with_status(403)));
                }
                (status, _, _) => {
                    let message = format!("the download answered HTTP {status}");
                    let e = DownloadError::new(Kind::HttpStatus, &files.output, &link.url, message);
                    return Err(Attempt::Failed(e.with_status(status)));
                }
            }
        }
    };
    let total = state.total;
    let pieces = state.pieces();
    let remaining_at_start = pieces - state.done.iter().map(|[a, b]| b - a + 1).sum::<u64>();
    let streams = streams
        .unwrap_or(if total >= AUTO_FROM { AUTO_STREAMS } else { 1 })
        .clamp(1, state.pieces() as usize);
    tracing::Span::current().record("streams", streams);
    let part = std::fs::OpenOptions::new()
        .write(true)
        .open(&files.part)
        .map_err(|e| io(&files.part, e))?;
    let flusher = Flusher::of(&part);
    let (events, mut heard) = mpsc::unbounded_channel();
    // Piece 0 is the first answer's, when there is one.
    let has_first = first.is_some();
    let queue: VecDeque<u64> = (0..state.pieces())
        .filter(|p| !(state.is_done(*p) || *p == 0 && has_first))
        .collect();
    let shared = Arc::new(Shared {
        client: client.clone(),
        url: link.url.clone(),
        from: super::error::location(&link.url),
        version: state.version.clone(),
        total,
        part,
        output: files.output.clone(),
        queue: Mutex::new(queue),
        idle,
        limit: limit.cloned(),
        events,
        state: Arc::new(Mutex::new(state)),
        meta: files.meta.clone(),
    });
    let recorded = shared.state.clone();
    // The hasher follows the prefix of the file that is all there.
    let (to_hasher, hasher) = match &link.md5 {
        Some(_) => {
            let (send, receive) = std::sync::mpsc::channel::<u64>();
            let path = files.part.clone();
            let job = tokio::task::spawn_blocking(move || hash_prefix(&path, &receive));
            (Some(send), Some(job))
        }
        None => (None, None),
    };
    let mut hashed_to = lock(&recorded).prefix();
    if let Some(send) = &to_hasher {
        let _ = send.send(hashed_to);
    }
    let mut at = lock(&recorded).bytes_done();
    tracing::Span::current().record("resumed_from", at);
    report(
        progress,
        &Progress::Started {
            at,
            total: Some(total),
        },
    );
    let mut workers = tokio::task::JoinSet::new();
    let mut first = first;
    for n in 0..streams {
        let shared = shared.clone();
        let reply = first.take();
        let span = tracing::debug_span!("dezai.download.stream", n);
        workers.spawn(work(shared, reply).instrument(span));
    }
    // The channel's senders are the workers' now: it closes when they have all ended.
    drop(shared);
    let mut remaining = remaining_at_start;
    while remaining > 0 {
        let event = match heard.recv().await {
            Some(event) => event,
            None => {
                let message = "the download's streams ended before its pieces".to_owned();
                return Err(failed(Kind::Network, message));
            }
        };
        match event {
            Event::Wrote(bytes) => {
                at += bytes;
                report(
                    progress,
                    &Progress::Advanced {
                        at,
                        total: Some(total),
                    },
                );
                flusher.progress(at);
            }
            Event::Done => {
                remaining -= 1;
                let prefix = lock(&recorded).prefix();
                if prefix > hashed_to {
                    hashed_to = prefix;
                    if let Some(send) = &to_hasher {
                        let _ = send.send(prefix);
                    }
                }
            }
            Event::Failed(attempt) => {
                stop(workers).await;
                return Err(attempt);
            }
            Event::Whole => {
                stop(workers).await;
                let _ = std::fs::remove_file(&files.meta);
                return Ok(Ranged::Unranged(None));
            }
        }
    }
    drop(to_hasher);
    let verified = match (hasher, &link.md5) {
        (Some(job), Some(expected)) => {
            let digest = job
                .await
                .map_err(|e| failed(Kind::Io, format!("the MD5 check stopped: {e}")))?
                .map_err(|e| io(&files.part, e))?;
            let got: String = digest.iter().map(|b| format!("{b:02x}")).collect();
            fetch::verify(files, &link.url, &got, expected)?;
            true
        }
        _ => false,
    };
    Ok(Ranged::Done(Fetched {
        bytes: total,
        verified,
        streams,
    }))
}

/// Stops the workers and waits until none runs: no write of theirs may land in the `.part`
/// once the next attempt (or one stream from the start) writes it.
async fn stop(mut workers: tokio::task::JoinSet<()>) {
    workers.abort_all();
    while workers.join_next().await.is_some() {}
}

/// A worker: takes the next piece not done, fetches it (again, up to [`PIECE_TRIES`]) and
/// writes it at its offset, until no piece is left. The first worker may start with the
/// answer that told the file's size (piece 0).
async fn work(shared: Arc<Shared>, mut first: Option<FileReply>) {
    loop {
        let piece = match first.is_some() {
            true => 0,
            false => match lock(&shared.queue).pop_front() {
                Some(piece) => piece,
                None => return,
            },
        };
        let mut tries = 0;
        let outcome = loop {
            tries += 1;
            let outcome = fetch_piece(&shared, piece, first.take()).await;
            match outcome {
                Err(Attempt::Failed(error)) if error.is_transient() && tries < PIECE_TRIES => {
                    let wait = Duration::from_millis(200 << (tries - 1));
                    tracing::debug!(piece, tries, wait_ms = wait.as_millis() as u64, error = %error, "retrying the piece");
                    tokio::time::sleep(wait).await;
                }
                outcome => break outcome,
            }
        };
        let event = match outcome {
            Ok(true) => record(&shared, piece),
            Ok(false) => Event::Whole,
            Err(attempt) => Event::Failed(attempt),
        };
        let stop = !matches!(event, Event::Done);
        let _ = shared.events.send(event);
        if stop {
            return;
        }
    }
}

/// Records a piece done in `.part.json`.
fn record(shared: &Shared, piece: u64) -> Event {
    let mut state = lock(&shared.state);
    state.mark(piece);
    match state.save(&shared.meta) {
        Ok(()) => Event::Done,
        Err(e) => {
            let message = format!("cannot write {}: {e}", shared.meta.display());
            let error = DownloadError::new(Kind::Io, &shared.output, &shared.url, message);
            Event::Failed(Attempt::Failed(error.with_source(e)))
        }
    }
}

/// One piece: `Ok(false)` when the server sent the whole file instead.
async fn fetch_piece(
    shared: &Shared,
    piece: u64,
    reply: Option<FileReply>,
) -> Result<bool, Attempt> {
    let start = piece * PIECE;
    let end = (start + PIECE).min(shared.total);
    let failed = |kind, message: String| {
        Attempt::Failed(DownloadError::new(
            kind,
            &shared.output,
            &shared.url,
            message,
        ))
    };
    let from = &shared.from;
    let mut reply = match reply {
        Some(reply) => reply,
        None => {
            tracing::debug!(from = %from, piece, start, end, "requesting the file");
            let request = FileRequest::new(&shared.url)
                .range(start, Some(end - 1))
                .if_range(&shared.version);
            shared
                .client
                .fetch(request)
                .await
                .map_err(|e| fetch::transport_failure(&shared.output, &shared.url, e))?
        }
    };
    let status = reply.status;
    tracing::debug!(from = %from, piece, status, length = reply.length, "the file answered");
    match reply.status {
        206 => {}
        200 => return Ok(false),
        403 => {
            let message = "the download URL has expired (HTTP 403)".to_owned();
            let e = DownloadError::new(Kind::Expired, &shared.output, &shared.url, message);
            return Err(Attempt::Expired(e.with_status(403)));
        }
        status => {
            let message = format!(
                "the download answered HTTP {status} for bytes {start}-{}",
                end - 1
            );
            return Err(failed(Kind::HttpStatus, message));
        }
    }
    let mut stall = Stall::new(shared.idle);
    let mut buffer: Vec<u8> = Vec::with_capacity(1 << 20);
    let mut at = start;
    loop {
        let chunk = match stall.watch(reply.body.chunk()).await {
            Some(Ok(Some(chunk))) => chunk,
            Some(Ok(None)) => break,
            Some(Err(e)) => {
                let held = at + buffer.len() as u64;
                let message = format!("a stream broke off at byte {held} of {start}-{}", end - 1);
                let error = DownloadError::new(Kind::Network, &shared.output, &shared.url, message);
                return Err(Attempt::Failed(error.with_source(e)));
            }
            None => {
                let message = format!(
                    "a stream stalled at byte {} (nothing for {} s)",
                    at + buffer.len() as u64,
                    shared.idle.as_secs_f64()
                );
                return Err(failed(Kind::Network, message));
            }
        };
        let room = (end - at - buffer.len() as u64).min(chunk.len() as u64) as usize;
        buffer.extend_from_slice(&chunk[..room]);
        if buffer.len() >= 1 << 20 {
            at = write(shared, at, &mut buffer)?;
        }
        if let Some(limit) = &shared.limit {
            limit.take(chunk.len()).await;
        }
        if at + buffer.len() as u64 >= end {
            break;
        }
    }
    at = write(shared, at, &mut buffer)?;
    if at < end {
        let message = format!("a stream ended at byte {at} of {start}-{}", end - 1);
        return Err(failed(Kind::Network, message));
    }
    Ok(true)
}

/// Writes the buffer at `at` and says so; the next offset.
fn write(shared: &Shared, at: u64, buffer: &mut Vec<u8>) -> Result<u64, Attempt> {
    if buffer.is_empty() {
        return Ok(at);
    }
    write_at(&shared.part, buffer, at).map_err(|e| {
        let message = format!("cannot write {}.part: {e}", shared.output.display());
        let e = DownloadError::new(Kind::Io, &shared.output, &shared.url, message).with_source(e);
        Attempt::Failed(e)
    })?;
    let n = buffer.len() as u64;
    buffer.clear();
    let _ = shared.events.send(Event::Wrote(n));
    Ok(at + n)
}

/// The MD5 of the `.part`'s prefix as it grows: each number received is how far it is whole;
/// the channel's end means the file is.
fn hash_prefix(path: &Path, grown: &std::sync::mpsc::Receiver<u64>) -> std::io::Result<[u8; 16]> {
    let file = std::fs::File::open(path)?;
    let mut hasher = md5::Md5::new();
    let mut buffer = vec![0u8; 1 << 20];
    let mut hashed = 0u64;
    while let Ok(mut to) = grown.recv() {
        // Catch up with every update already sent.
        while let Ok(later) = grown.try_recv() {
            to = to.max(later);
        }
        while hashed < to {
            let n = (to - hashed).min(buffer.len() as u64) as usize;
            read_at(&file, &mut buffer[..n], hashed)?;
            hasher.update(&buffer[..n]);
            hashed += n as u64;
        }
    }
    Ok(hasher.finalize().into())
}

#[cfg(unix)]
fn write_at(file: &std::fs::File, buffer: &[u8], at: u64) -> std::io::Result<()> {
    std::os::unix::fs::FileExt::write_all_at(file, buffer, at)
}

#[cfg(unix)]
fn read_at(file: &std::fs::File, buffer: &mut [u8], at: u64) -> std::io::Result<()> {
    std::os::unix::fs::FileExt::read_exact_at(file, buffer, at)
}

#[cfg(windows)]
fn write_at(file: &std::fs::File, mut buffer: &[u8], mut at: u64) -> std::io::Result<()> {
    while !buffer.is_empty() {
        let n = std::os::windows::fs::FileExt::seek_write(file, buffer, at)?;
        buffer = &buffer[n..];
        at += n as u64;
    }
    Ok(())
}

#[cfg(windows)]
fn read_at(file: &std::fs::File, mut buffer: &mut [u8], mut at: u64) -> std::io::Result<()> {
    while !buffer.is_empty() {
        let n = std::os::windows::fs::FileExt::seek_read(file, buffer, at)?;
        if n == 0 {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        buffer = &mut buffer[n..];
        at += n as u64;
    }
    Ok(())
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}
