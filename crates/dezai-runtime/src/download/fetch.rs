//! One attempt of a download: the request on the client's transport (with `Range`/`If-Range`
//! when a `.part` exists; the transport follows redirects, never from `https` to `http`), the
//! body streamed into the `.part` and hashed as it arrives, and the final flush and rename.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

use md5::Digest;

use super::error::{DownloadError, DownloadErrorKind as Kind};
use super::{DownloadLink, OnProgress, Progress, report};
use crate::client::Client;
use crate::transport::{FileReply, FileRequest, TransportError, TransportErrorKind};

/// How an attempt ended, short of success.
pub(super) enum Attempt {
    /// The URL has expired (403): a fresh one may help.
    Expired(DownloadError),
    /// Anything else; [`DownloadError::is_transient`] says whether to try again.
    Failed(DownloadError),
}

/// A complete `.part`.
pub(super) struct Fetched {
    pub(super) bytes: u64,
    pub(super) verified: bool,
    /// Connections it took.
    pub(super) streams: usize,
}

/// The files of one download: the `.part` being written and the record of its version.
pub(super) struct Files {
    pub(super) output: PathBuf,
    pub(super) part: PathBuf,
    pub(super) meta: PathBuf,
}

impl Files {
    pub(super) fn of(output: &Path) -> Self {
        Self {
            output: output.to_owned(),
            part: with_suffix(output, ".part"),
            meta: with_suffix(output, ".part.json"),
        }
    }

    /// Gives the complete `.part` its final name: flushed to disk first, so that a crash
    /// never leaves a complete-looking file with missing bytes.
    pub(super) fn commit(&self, output: &Path, url: &str) -> Result<(), DownloadError> {
        let io = |what: &str, e: std::io::Error| {
            DownloadError::new(Kind::Io, output, url, format!("cannot {what}: {e}")).with_source(e)
        };
        std::fs::File::open(&self.part)
            .and_then(|f| f.sync_all())
            .map_err(|e| io("flush the download to disk", e))?;
        std::fs::rename(&self.part, output)
            .map_err(|e| io("rename the download to its name", e))?;
        let _ = std::fs::remove_file(&self.meta);
        // The rename itself is durable once the folder is flushed (best effort: not every
        // platform opens folders).
        if let Some(dir) = output.parent().filter(|d| !d.as_os_str().is_empty()) {
            let _ = std::fs::File::open(dir).and_then(|d| d.sync_all());
        }
        Ok(())
    }
}

/// One attempt: resumes the `.part` when its version is known, writes what arrives. `given`:
/// the whole file's answer already at hand (a ranged probe that a server answered with 200).
pub(super) async fn attempt(
    client: &Client,
    link: &DownloadLink,
    files: &Files,
    given: Option<FileReply>,
    idle: Duration,
    limit: Option<&super::RateLimit>,
    progress: &mut Option<OnProgress<'_>>,
) -> Result<Fetched, Attempt> {
    let failed = |kind, message: String| Attempt::Failed(error(files, &link.url, kind, message));
    let have = std::fs::metadata(&files.part).map_or(0, |m| m.len());
    let known = std::fs::read_to_string(&files.meta)
        .ok()
        .filter(|_| have > 0 && given.is_none());
    let mut request = FileRequest::new(&link.url);
    if let Some(version) = known.as_deref() {
        request = request.range(have, None).if_range(version);
    }
    // Host and path only: the query is a credential for the file.
    let from = super::error::location(&link.url);
    let resumed_from = request.range.map_or(0, |(at, _)| at);
    let span = tracing::Span::current();
    span.record("resumed_from", resumed_from);
    let mut reply = match given {
        Some(reply) => reply,
        None => {
            tracing::debug!(from = %from, resumed_from, "requesting the file");
            client
                .fetch(request)
                .await
                .map_err(|e| transport_failure(&files.output, &link.url, e))?
        }
    };
    let status = reply.status;
    span.record("http.response.status_code", status);
    tracing::debug!(from = %from, status, length = reply.length, "the file answered");
    let resumed = match status {
        206 => true,
        200 => {
            if known.is_some() {
                report(progress, &Progress::Restarted);
            }
            false
        }
        403 => {
            let e = error(
                files,
                &link.url,
                Kind::Expired,
                "the download URL has expired (HTTP 403)".into(),
            );
            return Err(Attempt::Expired(e.with_status(403)));
        }
        // The .part holds at least the whole file: check it as it is.
        416 if known.is_some() => {
            let verified = finish(files, &link.url, have, link.md5.as_deref())?;
            return Ok(Fetched {
                bytes: have,
                verified,
                streams: 1,
            });
        }
        _ => {
            let e = error(
                files,
                &link.url,
                Kind::HttpStatus,
                format!("the download answered HTTP {status}"),
            );
            return Err(Attempt::Failed(e.with_status(status)));
        }
    };
    let version = reply.version.take();
    let total = reply
        .length
        .map(|len| if resumed { have + len } else { len });
    let write_failed = |what: &Path, e: std::io::Error| {
        let message = format!("cannot write {}: {e}", what.display());
        Attempt::Failed(error(files, &link.url, Kind::Io, message).with_source(e))
    };
    let file = std::fs::OpenOptions::new()
        .create(true)
        .append(resumed)
        .write(true)
        .truncate(!resumed)
        .open(&files.part)
        .map_err(|e| write_failed(&files.part, e))?;
    // One write per MiB rather than per network chunk; what a killed run had buffered is
    // simply downloaded again by the next.
    let flusher = Flusher::of(&file);
    let mut file = std::io::BufWriter::with_capacity(1 << 20, file);
    match &version {
        Some(v) => std::fs::write(&files.meta, v),
        None => std::fs::remove_file(&files.meta).or(Ok(())),
    }
    .map_err(|e| write_failed(&files.meta, e))?;
    let mut written = if resumed { have } else { 0 };
    // Hashed as it arrives (the part already on disk first): the check needs no second pass.
    let mut hasher = match &link.md5 {
        Some(_) if resumed => Some(hash_file(files, &link.url, have)?),
        Some(_) => Some(md5::Md5::new()),
        None => None,
    };
    report(progress, &Progress::Started { at: written, total });
    let mut stall = Stall::new(idle);
    loop {
        let chunk = match stall.watch(reply.body.chunk()).await {
            Some(Ok(Some(chunk))) => chunk,
            Some(Ok(None)) => break,
            Some(Err(e)) => {
                let _ = file.flush();
                let message = format!("the download broke off after {written} bytes");
                let e = error(files, &link.url, Kind::Network, message).with_source(e);
                return Err(Attempt::Failed(e));
            }
            None => {
                let _ = file.flush();
                let message = format!(
                    "the download stalled after {written} bytes (nothing for {} s)",
                    idle.as_secs_f64()
                );
                return Err(failed(Kind::Network, message));
            }
        };
        if let Some(hasher) = &mut hasher {
            hasher.update(&chunk);
        }
        file.write_all(&chunk)
            .map_err(|e| write_failed(&files.part, e))?;
        written += chunk.len() as u64;
        report(progress, &Progress::Advanced { at: written, total });
        flusher.progress(written);
        if let Some(limit) = limit {
            limit.take(chunk.len()).await;
        }
    }
    file.flush().map_err(|e| write_failed(&files.part, e))?;
    if let Some(total) = total.filter(|t| written < *t) {
        let message = format!("the download ended after {written} of {total} bytes");
        return Err(failed(Kind::Network, message));
    }
    let verified = match (hasher, &link.md5) {
        (Some(hasher), Some(expected)) => {
            verify(files, &link.url, &hex(hasher), expected)?;
            true
        }
        _ => false,
    };
    Ok(Fetched {
        bytes: written,
        verified,
        streams: 1,
    })
}

/// Flushes the `.part` to disk in the background while it is written, so that the flush
/// before the final rename (`Files::commit`) finds little left to write: a 1 GiB file's
/// writeback otherwise came after the download, a third of its time on loopback
/// (BENCHMARKS.md). At most one flush runs at a time; a failure here is found again by the
/// final one.
pub(super) struct Flusher {
    file: Option<std::fs::File>,
    running: std::cell::Cell<Option<tokio::task::JoinHandle<()>>>,
    next: std::cell::Cell<u64>,
}

/// Bytes between background flushes.
const FLUSH_EVERY: u64 = 64 << 20;

impl Flusher {
    pub(super) fn of(file: &std::fs::File) -> Self {
        Self {
            // Without a second handle, the final flush does it all.
            file: file.try_clone().ok(),
            running: std::cell::Cell::new(None),
            next: std::cell::Cell::new(FLUSH_EVERY),
        }
    }

    /// Starts a flush of what is written so far, every [`FLUSH_EVERY`] bytes, when none runs.
    pub(super) fn progress(&self, written: u64) {
        if written < self.next.get() {
            return;
        }
        let Some(file) = &self.file else { return };
        if let Some(job) = self.running.take() {
            if !job.is_finished() {
                self.running.set(Some(job));
                return;
            }
        }
        self.next.set(written + FLUSH_EVERY);
        let Ok(file) = file.try_clone() else { return };
        let job = tokio::task::spawn_blocking(move || {
            let _ = file.sync_data();
        });
        self.running.set(Some(job));
    }
}

/// Notices a body that stalls, without a timer per chunk: one sleep, moved on only when it
/// fires before the idle time since the last chunk has passed (a timer per chunk cost a
/// quarter of the throughput on loopback).
pub(super) struct Stall {
    sleep: std::pin::Pin<Box<tokio::time::Sleep>>,
    last: tokio::time::Instant,
    idle: Duration,
}

impl Stall {
    pub(super) fn new(idle: Duration) -> Self {
        let now = tokio::time::Instant::now();
        Self {
            sleep: Box::pin(tokio::time::sleep_until(now + idle)),
            last: now,
            idle,
        }
    }

    /// `next`'s output, or `None` when nothing arrived for the idle time.
    pub(super) async fn watch<F: std::future::Future>(&mut self, next: F) -> Option<F::Output> {
        let mut next = std::pin::pin!(next);
        let output = std::future::poll_fn(|cx| {
            if let std::task::Poll::Ready(output) = next.as_mut().poll(cx) {
                return std::task::Poll::Ready(Some(output));
            }
            while self.sleep.as_mut().poll(cx).is_ready() {
                let deadline = self.last + self.idle;
                if tokio::time::Instant::now() >= deadline {
                    return std::task::Poll::Ready(None);
                }
                self.sleep.as_mut().reset(deadline);
            }
            std::task::Poll::Pending
        })
        .await;
        self.last = tokio::time::Instant::now();
        output
    }
}

/// A transport's failure as the download's: a TLS failure or a refused redirect is not
/// retried, anything else on the way is a network failure that may pass.
pub(super) fn transport_failure(output: &Path, url: &str, e: TransportError) -> Attempt {
    let (kind, what) = match e.kind() {
        TransportErrorKind::Tls => (Kind::Tls, "the TLS handshake failed"),
        TransportErrorKind::Redirect => (Kind::Redirect, ""),
        TransportErrorKind::InvalidUrl | TransportErrorKind::Unanswered => (Kind::HttpStatus, ""),
        TransportErrorKind::Timeout => (Kind::Network, "the connection timed out"),
        TransportErrorKind::Broken => (Kind::Network, "the connection broke"),
        _ => (Kind::Network, "the connection failed"),
    };
    let message = match (what, e.message()) {
        ("", said) => said.to_owned(),
        (what, "") => what.to_owned(),
        (what, said) => format!("{what}: {said}"),
    };
    Attempt::Failed(DownloadError::new(kind, output, url, message).with_source(e))
}

fn error(files: &Files, url: &str, kind: Kind, message: String) -> DownloadError {
    DownloadError::new(kind, &files.output, url, message)
}

/// Checks a complete `.part` that needs no more bytes against the MD5.
fn finish(files: &Files, url: &str, size: u64, md5: Option<&str>) -> Result<bool, Attempt> {
    let Some(expected) = md5 else {
        return Ok(false);
    };
    let got = hex(hash_file(files, url, size)?);
    verify(files, url, &got, expected)?;
    Ok(true)
}

/// The MD5 state after the first `len` bytes of the `.part`, read in one streaming pass.
fn hash_file(files: &Files, url: &str, len: u64) -> Result<md5::Md5, Attempt> {
    let read_failed = |e: std::io::Error| {
        let message = format!("cannot read {}: {e}", files.part.display());
        Attempt::Failed(error(files, url, Kind::Io, message).with_source(e))
    };
    let file = std::fs::File::open(&files.part).map_err(read_failed)?;
    let mut hasher = md5::Md5::new();
    let mut reader = file.take(len);
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = reader.read(&mut buf).map_err(read_failed)?;
        if n == 0 {
            return Ok(hasher);
        }
        hasher.update(&buf[..n]);
    }
}

fn hex(hasher: md5::Md5) -> String {
    use std::fmt::Write as _;
    hasher
        .finalize()
        .iter()
        .fold(String::with_capacity(32), |mut s, b| {
            let _ = write!(s, "{b:02x}");
            s
        })
}

/// Compares the MD5; a corrupt download is removed.
pub(super) fn verify(files: &Files, url: &str, got: &str, expected: &str) -> Result<(), Attempt> {
    if !got.eq_ignore_ascii_case(expected) {
        let _ = std::fs::remove_file(&files.part);
        let _ = std::fs::remove_file(&files.meta);
        let message = format!(
            "the download's MD5 is {got}, the service says {expected}: the file is corrupt and was removed"
        );
        return Err(Attempt::Failed(error(files, url, Kind::Checksum, message)));
    }
    Ok(())
}

fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}
