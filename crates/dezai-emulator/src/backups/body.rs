//! A download's bytes and body: generated from a seed (any size, no memory, the same bytes for
//! every request of one seed) or read from a file, sent in chunks and broken on purpose as a
//! `BackupFault` says (dropped, stalled, corrupted).

use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use http_body_util::Full;
use hyper::body::{Body, Frame};

use super::{BackupFile, CHUNK};

/// Where a download's bytes come from: generated from a seed, or a file on disk.
pub(crate) enum Source {
    Generated(u64),
    File(Option<std::fs::File>),
}

impl Source {
    pub(super) fn open(file: &BackupFile, version: u64) -> Self {
        match &file.path {
            Some(path) => Source::File(std::fs::File::open(path).ok()),
            None => Source::Generated(version),
        }
    }

    /// The bytes at `offset`; a file that cannot be read gives zeros (the MD5 then tells).
    pub(super) fn fill(&mut self, offset: u64, out: &mut [u8]) {
        match self {
            Source::Generated(version) => fill(*version, offset, out),
            Source::File(file) => {
                use std::io::{Read, Seek, SeekFrom};
                out.fill(0);
                if let Some(file) = file {
                    let _ = file
                        .seek(SeekFrom::Start(offset))
                        .and_then(|_| file.read_exact(out));
                }
            }
        }
    }
}

/// The file's bytes at `offset`: SplitMix64 of the 8-byte block number, so any range is
/// produced alone and every request of one version sees the same bytes.
pub(super) fn fill(version: u64, offset: u64, out: &mut [u8]) {
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
    pub(super) text: Option<Full<Bytes>>,
    pub(super) source: Source,
    pub(super) pos: u64,
    pub(super) end: u64,
    pub(super) drop_at: Option<u64>,
    /// The pause before a drop.
    pub(super) flush: Option<Pin<Box<tokio::time::Sleep>>>,
    /// A file offset whose byte is sent altered.
    pub(super) corrupt: Option<u64>,
    pub(super) stall: Option<Stall>,
    /// The connection's rate cap, as object storage caps each connection.
    pub(super) pace: Option<Pace>,
}

/// Bytes per second for one body: each chunk waits until the bytes before it are due.
pub(super) struct Pace {
    rate: u64,
    started: tokio::time::Instant,
    sent: u64,
    timer: Option<Pin<Box<tokio::time::Sleep>>>,
}

impl Pace {
    pub(super) fn new(bytes_per_second: u64) -> Self {
        Self {
            rate: bytes_per_second.max(1),
            started: tokio::time::Instant::now(),
            sent: 0,
            timer: None,
        }
    }

    /// Ready once `sent` bytes are due at the rate.
    fn poll_due(&mut self, cx: &mut Context<'_>) -> Poll<()> {
        let due = self.started + Duration::from_secs_f64(self.sent as f64 / self.rate as f64);
        if tokio::time::Instant::now() >= due {
            self.timer = None;
            return Poll::Ready(());
        }
        let timer = self
            .timer
            .get_or_insert_with(|| Box::pin(tokio::time::sleep_until(due)));
        timer.as_mut().reset(due);
        match timer.as_mut().poll(cx) {
            Poll::Ready(()) => {
                self.timer = None;
                Poll::Ready(())
            }
            Poll::Pending => Poll::Pending,
        }
    }
}

/// A pause in the body: at which offset, for how long, and the timer once started.
pub(super) struct Stall {
    pub(super) at: u64,
    pub(super) pause: Duration,
    pub(super) timer: Option<Pin<Box<tokio::time::Sleep>>>,
}

impl BackupBody {
    pub(super) fn text(text: &'static str) -> Self {
        Self {
            text: Some(Full::new(Bytes::from_static(text.as_bytes()))),
            source: Source::Generated(0),
            pos: 0,
            end: 0,
            drop_at: None,
            flush: None,
            corrupt: None,
            stall: None,
            pace: None,
        }
    }

    pub(super) fn generated(source: Source, start: u64, end: u64) -> Self {
        Self {
            text: None,
            source,
            pos: start,
            end,
            drop_at: None,
            flush: None,
            corrupt: None,
            stall: None,
            pace: None,
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
        if let Some(pace) = &mut this.pace {
            if pace.poll_due(cx).is_pending() {
                return Poll::Pending;
            }
        }
        let n = (limit - this.pos).min(CHUNK as u64) as usize;
        if let Some(pace) = &mut this.pace {
            pace.sent += n as u64;
        }
        let mut buf = vec![0u8; n];
        this.source.fill(this.pos, &mut buf);
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
