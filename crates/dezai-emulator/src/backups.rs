//! Backup files the URL actions point at, so that downloads are tested offline.
//!
//! With [`EmulatorBuilder::backups`](crate::EmulatorBuilder::backups), an action's answer has
//! every URL-like field (a name ending in `Path`, `URL`, `Url` or `Address`) pointing at
//! `/backups/…` on the emulator itself, and its `MD5`/`Md5` field holding the file's MD5. The
//! file is generated from its offset (any size, no memory, the same bytes for every request of
//! one version) and served as object storage serves it: `Content-Length`, `ETag`,
//! `Last-Modified`, `Accept-Ranges`, `Range` (206 with `Content-Range`, 416 past the end),
//! `If-Range`, and URLs that expire. [`BackupFault`]s break a download on purpose.

use std::collections::VecDeque;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use http_body_util::Full;
use hyper::body::{Body, Frame};
use hyper::header::{CONTENT_LENGTH, CONTENT_TYPE, HeaderValue};
use hyper::{Response, StatusCode};

use crate::lock;

/// How much of the file one frame carries.
const CHUNK: usize = 64 * 1024;

/// The file the URL actions point at: see the [module docs](self).
#[derive(Debug, Clone)]
pub struct BackupFile {
    pub(crate) size: u64,
    pub(crate) name: String,
    pub(crate) valid_for: Duration,
}

impl BackupFile {
    /// A generated file of `size` bytes, named `backup.xb`, its URLs valid for an hour.
    pub fn generated(size: u64) -> Self {
        Self {
            size,
            name: "backup.xb".into(),
            valid_for: Duration::from_secs(3600),
        }
    }

    /// The file's name, the last segment of its URLs.
    pub fn name(mut self, name: &str) -> Self {
        self.name = name.to_owned();
        self
    }

    /// How long a URL stays valid after the action that gave it.
    pub fn valid_for(mut self, valid_for: Duration) -> Self {
        self.valid_for = valid_for;
        self
    }
}

/// A download broken on purpose; each applies to one download request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BackupFault {
    /// Close the connection after sending this many bytes of the body.
    DropAfter(u64),
    /// Pause this long after sending this many bytes of the body.
    Stall {
        /// Bytes sent before the pause.
        after: u64,
        /// How long nothing is sent.
        pause: Duration,
    },
    /// Announce more bytes than are sent.
    WrongLength,
    /// Answer a `Range` request with the whole file (200), as a server without ranges does.
    IgnoreRange,
    /// Send the byte at this offset of the file altered (the MD5 will not match).
    Corrupt(u64),
}

/// One download request the emulator answered, for tests to check resumption.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Download {
    /// The `Range` header, if any.
    pub range: Option<String>,
    /// The HTTP status answered.
    pub status: u16,
}

/// The emulator's backup state.
pub(crate) struct Backups {
    file: BackupFile,
    /// Bumped by [`crate::Emulator::change_backup`]: other bytes, another ETag.
    version: std::sync::atomic::AtomicU64,
    md5: std::sync::Mutex<Option<(u64, String)>>,
    faults: std::sync::Mutex<VecDeque<BackupFault>>,
    downloads: std::sync::Mutex<Vec<Download>>,
    /// URLs still to hand out already expired.
    expired_urls: std::sync::atomic::AtomicU64,
}

impl Backups {
    pub(crate) fn new(file: BackupFile) -> Self {
        Self {
            file,
            version: Default::default(),
            md5: Default::default(),
            faults: Default::default(),
            downloads: Default::default(),
            expired_urls: Default::default(),
        }
    }

    fn version(&self) -> u64 {
        self.version.load(std::sync::atomic::Ordering::Relaxed)
    }

    pub(crate) fn change(&self) {
        self.version
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    }

    pub(crate) fn add_fault(&self, fault: BackupFault) {
        lock(&self.faults).push_back(fault);
    }

    pub(crate) fn downloads(&self) -> Vec<Download> {
        lock(&self.downloads).clone()
    }

    pub(crate) fn expire_next_urls(&self, n: u64) {
        self.expired_urls
            .fetch_add(n, std::sync::atomic::Ordering::Relaxed);
    }

    /// A fresh URL for the current file, valid for the configured time (or already expired,
    /// see [`crate::Emulator::expire_next_backup_urls`]).
    pub(crate) fn url(&self, base: &str) -> String {
        use std::sync::atomic::Ordering;
        let expired = self
            .expired_urls
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |n| n.checked_sub(1))
            .is_ok();
        let expires = if expired {
            now().saturating_sub(60)
        } else {
            now() + self.file.valid_for.as_secs()
        };
        format!(
            "{base}/backups/{}/{expires}/{}",
            self.version(),
            self.file.name
        )
    }

    /// The current file's MD5 (hex), computed once per version.
    pub(crate) fn md5(&self) -> String {
        let version = self.version();
        let mut cached = lock(&self.md5);
        if let Some((v, md5)) = cached.as_ref() {
            if *v == version {
                return md5.clone();
            }
        }
        use md5::Digest;
        let mut hasher = md5::Md5::new();
        let mut buf = vec![0u8; CHUNK];
        let mut pos = 0;
        while pos < self.file.size {
            let n = (self.file.size - pos).min(CHUNK as u64) as usize;
            fill(version, pos, &mut buf[..n]);
            hasher.update(&buf[..n]);
            pos += n as u64;
        }
        let md5: String = hasher
            .finalize()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        *cached = Some((version, md5.clone()));
        md5
    }

    /// Puts the file's URL and MD5 into an action's answer.
    pub(crate) fn fill_answer(
        &self,
        base: &str,
        map: &mut serde_json::Map<String, serde_json::Value>,
    ) {
        use serde_json::Value;
        for (key, value) in map.iter_mut() {
            let url_like = ["Path", "URL", "Url", "Address"]
                .iter()
                .any(|end| key.ends_with(end));
            if key == "MD5" || key == "Md5" {
                *value = Value::String(self.md5());
            } else if url_like {
                match value {
                    Value::String(_) => *value = Value::String(self.url(base)),
                    Value::Array(items) => *items = vec![Value::String(self.url(base))],
                    _ => {}
                }
            }
        }
    }

    /// Answers `GET /backups/<version>/<expires>/<name>`.
    pub(crate) fn serve(
        &self,
        path: &str,
        range: Option<&str>,
        if_range: Option<&str>,
    ) -> Response<BackupBody> {
        let parts: Vec<&str> = path.trim_start_matches("/backups/").split('/').collect();
        let (Some(version), Some(expires)) = (
            parts.first().and_then(|v| v.parse::<u64>().ok()),
            parts.get(1).and_then(|e| e.parse::<u64>().ok()),
        ) else {
            return self.log(range, plain(StatusCode::NOT_FOUND, "no such backup"));
        };
        if now() > expires {
            return self.log(
                range,
                plain(StatusCode::FORBIDDEN, "the backup URL has expired"),
            );
        }
        if version != self.version() {
            // A URL of a file that has since been replaced: object storage keeps one version.
            return self.log(range, plain(StatusCode::NOT_FOUND, "no such backup"));
        }
        let fault = lock(&self.faults).pop_front();
        let size = self.file.size;
        let etag = format!("\"v{version}-{size}\"");
        let honour_range =
            fault != Some(BackupFault::IgnoreRange) && if_range.is_none_or(|tag| tag == etag);
        let (status, start, end) = match range.filter(|_| honour_range).map(parse_range) {
            None => (StatusCode::OK, 0, size),
            Some(Some((start, end))) if start < size => (
                StatusCode::PARTIAL_CONTENT,
                start,
                end.map_or(size, |e| (e + 1).min(size)),
            ),
            Some(_) => {
                let mut response = plain(StatusCode::RANGE_NOT_SATISFIABLE, "");
                if let Ok(value) = HeaderValue::from_str(&format!("bytes */{size}")) {
                    response.headers_mut().insert("content-range", value);
                }
                return self.log(range, response);
            }
        };
        let mut announced = end - start;
        let mut body = BackupBody::generated(version, start, end);
        match fault {
            Some(BackupFault::DropAfter(n)) => body.drop_at = Some(start + n),
            Some(BackupFault::Stall { after, pause }) => {
                body.stall = Some(Stall {
                    at: start + after,
                    pause,
                    timer: None,
                });
            }
            Some(BackupFault::WrongLength) => announced += 1000,
            Some(BackupFault::Corrupt(offset)) => body.corrupt = Some(offset),
            _ => {}
        }
        let mut response = Response::new(body);
        *response.status_mut() = status;
        let headers = response.headers_mut();
        headers.insert(CONTENT_LENGTH, HeaderValue::from(announced));
        headers.insert(
            CONTENT_TYPE,
            HeaderValue::from_static("application/octet-stream"),
        );
        headers.insert("accept-ranges", HeaderValue::from_static("bytes"));
        if let Ok(value) = HeaderValue::from_str(&etag) {
            headers.insert("etag", value);
        }
        // One date per version: a changed file is a newer one.
        let modified = [
            "Mon, 02 Nov 2026 08:00:00 GMT",
            "Tue, 03 Nov 2026 08:00:00 GMT",
            "Wed, 04 Nov 2026 08:00:00 GMT",
        ][(version % 3) as usize];
        headers.insert("last-modified", HeaderValue::from_static(modified));
        if status == StatusCode::PARTIAL_CONTENT {
            if let Ok(value) =
                HeaderValue::from_str(&format!("bytes {start}-{}/{size}", end.saturating_sub(1)))
            {
                headers.insert("content-range", value);
            }
        }
        self.log(range, response)
    }

    fn log(&self, range: Option<&str>, response: Response<BackupBody>) -> Response<BackupBody> {
        lock(&self.downloads).push(Download {
            range: range.map(str::to_owned),
            status: response.status().as_u16(),
        });
        response
    }
}

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// `bytes=N-` or `bytes=N-M`; `Some(None)` for anything else.
fn parse_range(header: &str) -> Option<(u64, Option<u64>)> {
    let spec = header.trim().strip_prefix("bytes=")?;
    let (start, end) = spec.split_once('-')?;
    let start = start.trim().parse().ok()?;
    let end = match end.trim() {
        "" => None,
        e => Some(e.parse().ok()?),
    };
    Some((start, end))
}

fn plain(status: StatusCode, text: &'static str) -> Response<BackupBody> {
    let mut response = Response::new(BackupBody::text(text));
    *response.status_mut() = status;
    response
        .headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static("text/plain"));
    response
}

/// The file's bytes at `offset`: SplitMix64 of the 8-byte block number, so any range is
/// produced alone and every request of one version sees the same bytes.
fn fill(version: u64, offset: u64, out: &mut [u8]) {
    let mut pos = offset;
    let mut i = 0;
    while i < out.len() {
        let block = pos / 8;
        let bytes = splitmix(block ^ version.rotate_left(48)).to_le_bytes();
        let from = (pos % 8) as usize;
        let n = (8 - from).min(out.len() - i);
        out[i..i + n].copy_from_slice(&bytes[from..from + n]);
        i += n;
        pos += n as u64;
    }
}

fn splitmix(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// A download's body: a short text, or the generated file from `pos` to `end`, broken as
/// its fault says.
pub(crate) struct BackupBody {
    text: Option<Full<Bytes>>,
    version: u64,
    pos: u64,
    end: u64,
    drop_at: Option<u64>,
    /// The pause before a drop.
    flush: Option<Pin<Box<tokio::time::Sleep>>>,
    /// A file offset whose byte is sent altered.
    corrupt: Option<u64>,
    stall: Option<Stall>,
}

/// A pause in the body: at which offset, for how long, and the timer once started.
struct Stall {
    at: u64,
    pause: Duration,
    timer: Option<Pin<Box<tokio::time::Sleep>>>,
}

impl BackupBody {
    fn text(text: &'static str) -> Self {
        Self {
            text: Some(Full::new(Bytes::from_static(text.as_bytes()))),
            version: 0,
            pos: 0,
            end: 0,
            drop_at: None,
            flush: None,
            corrupt: None,
            stall: None,
        }
    }

    fn generated(version: u64, start: u64, end: u64) -> Self {
        Self {
            text: None,
            version,
            pos: start,
            end,
            drop_at: None,
            flush: None,
            corrupt: None,
            stall: None,
        }
    }
}

/// The error that makes hyper close a connection mid-body.
#[derive(Debug)]
pub(crate) struct Dropped;

impl std::fmt::Display for Dropped {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("download dropped on purpose")
    }
}

impl std::error::Error for Dropped {}

impl Body for BackupBody {
    type Data = Bytes;
    type Error = Dropped;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Dropped>>> {
        let this = self.get_mut();
        if let Some(text) = &mut this.text {
            return Pin::new(text)
                .poll_frame(cx)
                .map(|frame| frame.map(|f| f.map_err(|never| match never {})));
        }
        if let Some(stall) = &mut this.stall {
            if this.pos >= stall.at {
                let pause = stall.pause;
                let timer = stall
                    .timer
                    .get_or_insert_with(|| Box::pin(tokio::time::sleep(pause)));
                if timer.as_mut().poll(cx).is_pending() {
                    return Poll::Pending;
                }
                this.stall = None;
            }
        }
        if this.drop_at.is_some_and(|at| this.pos >= at) {
            // Wait a moment first: hyper writes what it has buffered while the body is
            // pending, so the client gets every byte before the cut, as from a real drop.
            let flush = this
                .flush
                .get_or_insert_with(|| Box::pin(tokio::time::sleep(Duration::from_millis(20))));
            if flush.as_mut().poll(cx).is_pending() {
                return Poll::Pending;
            }
            return Poll::Ready(Some(Err(Dropped)));
        }
        if this.pos >= this.end {
            return Poll::Ready(None);
        }
        let mut limit = this.end;
        if let Some(at) = this.drop_at {
            limit = limit.min(at.max(this.pos + 1));
        }
        if let Some(stall) = &this.stall {
            if stall.at > this.pos {
                limit = limit.min(stall.at);
            }
        }
        let n = (limit - this.pos).min(CHUNK as u64) as usize;
        let mut buf = vec![0u8; n];
        fill(this.version, this.pos, &mut buf);
        if let Some(at) = this
            .corrupt
            .filter(|at| (this.pos..this.pos + n as u64).contains(at))
        {
            buf[(at - this.pos) as usize] ^= 0xFF;
        }
        this.pos += n as u64;
        Poll::Ready(Some(Ok(Frame::data(Bytes::from(buf)))))
    }

    fn is_end_stream(&self) -> bool {
        match &self.text {
            Some(text) => text.is_end_stream(),
            None => self.pos >= self.end && self.drop_at.is_none(),
        }
    }

    fn size_hint(&self) -> hyper::body::SizeHint {
        match &self.text {
            Some(text) => text.size_hint(),
            // The announced length is in the header (and may lie, on purpose).
            None => hyper::body::SizeHint::default(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn any_range_is_the_same_bytes_as_the_whole() {
        let mut whole = vec![0u8; 100];
        fill(3, 0, &mut whole);
        for start in [0usize, 1, 7, 8, 9, 50] {
            let mut part = vec![0u8; 100 - start];
            fill(3, start as u64, &mut part);
            assert_eq!(part, whole[start..]);
        }
        let mut other = vec![0u8; 100];
        fill(4, 0, &mut other);
        assert_ne!(other, whole, "another version, other bytes");
    }

    #[test]
    fn url_fields_point_at_the_file_and_md5_fields_hold_its_hash() {
        let backups = Backups::new(BackupFile::generated(16).name("b.xb"));
        let mut answer = serde_json::json!({
            "BackupPath": "http://udbbackup.example/x", "InnerBackupPath": "y",
            "BackupURL": ["a", "b"], "InternetAddress": "z", "Md5": "old", "Size": 16
        });
        let map = answer.as_object_mut().unwrap();
        backups.fill_answer("http://127.0.0.1:9", map);
        for key in ["BackupPath", "InnerBackupPath", "InternetAddress"] {
            let url = map[key].as_str().unwrap();
            assert!(
                url.starts_with("http://127.0.0.1:9/backups/0/") && url.ends_with("/b.xb"),
                "{url}"
            );
        }
        assert_eq!(map["BackupURL"].as_array().unwrap().len(), 1);
        assert_eq!(map["Md5"], backups.md5().as_str());
        assert_eq!(map["Size"], 16, "other fields stay");
    }

    #[test]
    fn ranges_parse() {
        assert_eq!(parse_range("bytes=10-"), Some((10, None)));
        assert_eq!(parse_range("bytes=10-19"), Some((10, Some(19))));
        assert_eq!(parse_range("bytes=-5"), None);
        assert_eq!(parse_range("items=1-2"), None);
    }
}
