//! `dezai backup download --streams N` against the emulator serving a generated backup, each
//! connection capped as object storage caps it: the file arrives in ranged pieces and
//! verified; a dropped piece is fetched again alone; a download killed with SIGKILL ten times
//! resumes each time with the pieces still missing (no piece recorded done is asked for
//! again), as does one whose URL expires on the way; a server that ignores ranges is read in one stream from its first answer; a piece
//! answered with the whole file (the file changed) restarts the download in one stream.

use std::path::Path;
use std::process::{Output, Stdio};
use std::time::Duration;

mod common;

use common::{md5_of, stderr};
use dezai_emulator::{BackupFault, BackupFile, Emulator};

const KEYS: (&str, &str) = ("streams-public", "streams-private");
/// The pieces a ranged download asks for (the runtime's piece size).
const PIECE: u64 = 8 << 20;

async fn emulator(size: u64, rate: Option<u64>) -> Emulator {
    let mut builder = Emulator::builder()
        .specs(Path::new(env!("CARGO_MANIFEST_DIR")).join("specs"))
        .key_pair(KEYS.0, KEYS.1)
        .backups(BackupFile::generated(size).name("full.xb"));
    if let Some(rate) = rate {
        builder = builder.per_connection_rate(rate);
    }
    builder.start().await.unwrap()
}

/// `dezai backup download` of udb-1's backup 7, with `extra` flags.
fn download(extra: &[&str]) -> Vec<String> {
    common::DOWNLOAD_UDB_BACKUP
        .iter()
        .chain(extra)
        .map(|a| (*a).to_owned())
        .collect()
}

/// Runs [`download`] in `dir` and waits for it.
async fn run(emulator: &Emulator, dir: &Path, extra: &[&str]) -> Output {
    let args = download(extra);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    common::dezai(emulator.url(), dir, &args, KEYS).await
}

/// The run succeeded and `full.xb` is the service's file, byte for byte.
fn assert_whole(emulator: &Emulator, dir: &Path, output: &Output) {
    assert!(output.status.success(), "{}", stderr(output));
    let md5 = md5_of(&dir.join("full.xb"));
    assert_eq!(md5, emulator.backup_md5().unwrap());
}

/// The piece a `Range: bytes=a-b` asks for, when it is one.
fn piece_of(range: &str, size: u64) -> Option<u64> {
    let (a, b) = range.strip_prefix("bytes=")?.split_once('-')?;
    let (a, b): (u64, u64) = (a.parse().ok()?, b.parse().ok()?);
    let piece = a / PIECE;
    (a % PIECE == 0 && b + 1 == (a + PIECE).min(size)).then_some(piece)
}

/// The pieces asked for, in order (every request a ranged one).
fn pieces_asked(emulator: &Emulator, size: u64) -> Vec<u64> {
    emulator
        .backup_downloads()
        .iter()
        .map(|d| {
            let range = d.range.as_deref().expect("every request is ranged");
            piece_of(range, size).unwrap_or_else(|| panic!("not a piece: {range}"))
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn four_streams_fetch_each_piece_once_and_a_dropped_one_again_alone() {
    let size = 5 * PIECE + 123_456;
    let emulator = emulator(size, None).await;
    let dir = tempfile::tempdir().unwrap();
    // The first two answers break off after 1 MiB: the first piece's, and another's.
    emulator.backup_fault(BackupFault::DropAfter(1 << 20));
    emulator.backup_fault(BackupFault::DropAfter(1 << 20));
    let output = run(&emulator, dir.path(), &["--streams", "4"]).await;
    assert_whole(&emulator, dir.path(), &output);
    assert!(!dir.path().join("full.xb.part").exists());
    assert!(!dir.path().join("full.xb.part.json").exists());
    let asked = pieces_asked(&emulator, size);
    let pieces = size.div_ceil(PIECE);
    for piece in 0..pieces {
        assert!(
            asked.contains(&piece),
            "piece {piece} never asked for: {asked:?}"
        );
    }
    // Two requests were cut: what they asked for is asked again, nothing else.
    assert_eq!(asked.len() as u64, pieces + 2, "{asked:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_url_that_expires_on_the_way_costs_only_the_pieces_in_flight() {
    let size = 8 * PIECE;
    let emulator = emulator(size, None).await;
    let dir = tempfile::tempdir().unwrap();
    // The first four pieces' requests answered, the fifth's (asked once one of them is whole)
    // refused as expired: a fresh URL is asked for and the download goes on.
    for _ in 0..4 {
        emulator.backup_fault(BackupFault::Pass);
    }
    emulator.backup_fault(BackupFault::Expired);
    let output = run(&emulator, dir.path(), &["--streams", "4"]).await;
    assert_whole(&emulator, dir.path(), &output);
    let downloads = emulator.backup_downloads();
    let statuses: Vec<u16> = downloads.iter().map(|d| d.status).collect();
    assert_eq!(
        statuses.iter().filter(|s| **s == 403).count(),
        1,
        "{statuses:?}"
    );
    let asked = pieces_asked(&emulator, size);
    assert!((0..8).all(|piece| asked.contains(&piece)), "{asked:?}");
    // Pieces whole before the refusal are not asked for again: at most the others in flight.
    let answered = statuses.iter().filter(|s| **s == 206).count();
    assert!(
        answered < 8 + 4,
        "{answered} pieces answered: {downloads:?}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_server_ignoring_ranges_is_read_in_one_stream_from_its_first_answer() {
    let size = 3 * PIECE;
    let emulator = emulator(size, None).await;
    let dir = tempfile::tempdir().unwrap();
    emulator.backup_fault(BackupFault::IgnoreRange);
    let output = run(&emulator, dir.path(), &["--streams", "4"]).await;
    assert_whole(&emulator, dir.path(), &output);
    let downloads = emulator.backup_downloads();
    assert_eq!(
        downloads.len(),
        1,
        "the whole file's answer is read: {downloads:?}"
    );
    assert_eq!(downloads[0].status, 200);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_download_killed_ten_times_resumes_the_missing_pieces_only() {
    let size = 48 * PIECE;
    // 4 connections of 32 MiB/s: a piece a quarter of a second, four at a time; each run is
    // killed once it has recorded a piece more, so ten runs leave pieces for the last.
    let emulator = emulator(size, Some(32 << 20)).await;
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("full.xb.part.json");
    let done_pieces = || -> Vec<u64> {
        let text = std::fs::read_to_string(&state).unwrap_or_default();
        let value: serde_json::Value = serde_json::from_str(&text).unwrap_or_default();
        let runs = value["done"].as_array().cloned().unwrap_or_default();
        runs.iter()
            .flat_map(|r| r[0].as_u64().unwrap()..=r[1].as_u64().unwrap())
            .collect()
    };
    // At each kill: how many requests the emulator had seen, and the pieces recorded done.
    let mut kills: Vec<(usize, Vec<u64>)> = Vec::new();
    for _ in 0..10 {
        let before = done_pieces().len();
        let args = download(&["--streams", "4"]);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let mut child = common::command(emulator.url(), dir.path(), &args, KEYS)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        // Killed once this run has recorded a piece more (bounded).
        let mut waited = 0;
        while done_pieces().len() <= before {
            assert!(waited < 1000, "no piece was recorded in 20 s");
            if child.try_wait().unwrap().is_some() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
            waited += 1;
        }
        child.kill().unwrap();
        let _ = child.wait();
        kills.push((emulator.backup_downloads().len(), done_pieces()));
    }
    assert!(
        !dir.path().join("full.xb").exists(),
        "the kills came before the end"
    );
    let output = run(&emulator, dir.path(), &["--streams", "4"]).await;
    assert_whole(&emulator, dir.path(), &output);
    let asked = pieces_asked(&emulator, size);
    for (seen, done) in &kills {
        let again: Vec<&u64> = asked[*seen..].iter().filter(|p| done.contains(p)).collect();
        assert!(
            again.is_empty(),
            "pieces done before a kill asked for again: {again:?}"
        );
    }
    // Beyond each piece once, only the ones a kill cut: each stream records a piece before it
    // takes another, so a kill cuts at most the one in flight per stream.
    let pieces = size.div_ceil(PIECE) as usize;
    assert!(
        asked.len() <= pieces + 10 * 4,
        "{} requests: {asked:?}",
        asked.len()
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_piece_answered_with_the_whole_file_restarts_in_one_stream() {
    let size = 3 * PIECE;
    let emulator = emulator(size, None).await;
    let dir = tempfile::tempdir().unwrap();
    // The first answer as asked (a cut far past its end is none), the next one the whole file:
    // as a server answers an `If-Range` whose version is no longer the file's.
    emulator.backup_fault(BackupFault::DropAfter(1 << 40));
    emulator.backup_fault(BackupFault::IgnoreRange);
    let output = run(&emulator, dir.path(), &["--streams", "4"]).await;
    assert_whole(&emulator, dir.path(), &output);
    // After the piece answered whole, the file asked for whole (a stream stopped at that
    // moment may still have sent its request).
    let downloads = emulator.backup_downloads();
    let whole = |d: &&dezai_emulator::Download| d.range.is_none() && d.status == 200;
    let cut = downloads
        .iter()
        .position(|d| d.range.is_some() && d.status == 200);
    let restart = downloads.iter().position(|d| whole(&d));
    assert!(cut.is_some() && restart > cut, "{downloads:?}");
    assert!(downloads.iter().any(|d| d.status == 206), "{downloads:?}");
    assert!(!dir.path().join("full.xb.part.json").exists());
}
