//! `dezai backup download`: asks the service for a backup's URL and downloads the file,
//! complete and verified, whatever happens on the way.
//!
//! - The file streams to `<output>.part`; memory stays at one chunk whatever the size.
//! - A dropped connection is retried (bounded, with backoff), and a rerun of the command
//!   continues: both send `Range: bytes=<size of the .part>-` with `If-Range` naming the
//!   version the `.part` holds (its ETag, else Last-Modified, kept in `<output>.part.json`).
//!   A server that answers 200 instead (it ignores ranges, or the file changed) is followed
//!   from the start, and the command says so.
//! - An expired URL (403) is asked for anew, unless the URL was given with `--url`.
//! - When the service gives an MD5 (UDB's `MD5`/`Md5`), the file is hashed as it arrives (the
//!   part already on disk first) and compared; on a mismatch nothing stays under the final
//!   name, nor the corrupt `.part`.
//! - The file gets its final name by a rename after verification; an existing file is never
//!   replaced without `--force`.

use std::io::{IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use clap::{Arg, ArgAction, ArgMatches, Command};
use md5::Digest;
use serde_json::{Map, Value};

use crate::{catalog, flags};

/// The backup URL actions: (subcommand, product, action).
const KINDS: [(&str, &str, &str); 5] = [
    ("udb", "udb", "DescribeUDBInstanceBackupURL"),
    ("umem", "umem", "DescribeUMemBackupURL"),
    ("uredis", "umem", "DescribeURedisBackupURL"),
    ("umongodb", "umongodb", "DescribeUMongoDBBackupURL"),
    ("upgsql", "upgsql", "GetUPgSQLBackupURL"),
];

/// Attempts of one download in all, the first included.
const ATTEMPTS: u32 = 6;

/// Why a download failed, for the exit code.
pub(crate) enum Failure {
    /// The API call failed.
    Api(dezai_runtime::Error),
    /// The network failed more often than the retries allow.
    Network(String),
    /// The file does not match its MD5.
    Verification(String),
    /// Anything else (files, arguments, the server's answers).
    Other(String),
}

/// The `backup` command; the actions' flags only when `expand` (the command line names
/// `backup`), so that other commands never parse these products' specs.
pub(crate) fn command(expand: bool) -> Command {
    let mut download = Command::new("download")
        .about("Asks for a backup's URL and downloads the file: resumable, verified, atomic")
        .subcommand_required(true)
        .arg_required_else_help(true);
    for (kind, product, action) in KINDS {
        if !expand {
            if catalog::products().any(|p| p == product) {
                download = download
                    .subcommand(Command::new(kind).about(format!("The backup of `{action}`")));
            }
            continue;
        }
        let Some(spec) = catalog::product(product) else {
            continue;
        };
        let Some(found) = spec.actions.iter().find(|a| a.name == action) else {
            continue;
        };
        let namer = dezai_spec::names::Namer::for_product(product);
        // The action's flags, required unless the URL is given.
        let args = flags::args(&namer, found).into_iter().map(|arg| {
            if arg.is_required_set() {
                arg.required(false).required_unless_present("url")
            } else {
                arg
            }
        });
        download = download.subcommand(
            Command::new(kind)
                .about(format!("The backup of `{action}`"))
                .args(args)
                .args(download_args()),
        );
    }
    Command::new("backup")
        .about("Backup files: `dezai backup download <product> …`")
        .subcommand_required(true)
        .subcommand(download)
}

fn download_args() -> [Arg; 3] {
    [
        Arg::new("url")
            .long("url")
            .value_name("URL")
            .help("Download this URL; skip the API call (no MD5 check, no URL refresh)"),
        Arg::new("output")
            .long("output")
            .short('o')
            .value_name("FILE")
            .help("Where to save the file (default: the last segment of the URL's path)"),
        Arg::new("force")
            .long("force")
            .action(ArgAction::SetTrue)
            .help("Replace the file if it exists"),
    ]
}

/// The action of a `backup download` subcommand.
pub(crate) fn action_of(kind: &str) -> Option<(&'static str, &'static str)> {
    KINDS
        .iter()
        .find(|(k, _, _)| *k == kind)
        .map(|(_, product, action)| (*product, *action))
}

/// The URL and MD5 in an action's answer, by the SDK's one rule (`dezai_spec::download`).
pub(crate) fn url_and_md5(answer: &Value) -> Option<(String, Option<String>)> {
    let link = dezai_spec::download::find_in_answer(answer.as_object()?)?;
    Some((link.url, link.md5))
}

/// What `.part.json` remembers about the `.part`: the version of the file it holds.
fn validator(headers: &reqwest::header::HeaderMap) -> Option<String> {
    headers
        .get(reqwest::header::ETAG)
        .or_else(|| headers.get(reqwest::header::LAST_MODIFIED))
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

/// A fresh URL and MD5 from the API, being asked for.
pub(crate) type Pending<'r> = std::pin::Pin<
    Box<dyn std::future::Future<Output = Result<(String, Option<String>), Failure>> + 'r>,
>;

/// Asks the API for a fresh URL and MD5.
pub(crate) type Refresh<'r> = &'r dyn Fn() -> Pending<'r>;

/// Downloads `url` to `output`. `refresh` asks the API for a new URL (and MD5) when the URL
/// has expired.
pub(crate) async fn download(
    mut url: String,
    mut md5: Option<String>,
    output: &Path,
    force: bool,
    refresh: Option<Refresh<'_>>,
) -> Result<u64, Failure> {
    if output.exists() && !force {
        return Err(Failure::Other(format!(
            "{} exists; pass --force to replace it",
            output.display()
        )));
    }
    let part = with_suffix(output, ".part");
    let meta = with_suffix(output, ".part.json");
    // Err means a provider is installed already, which is all reqwest needs.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let http = reqwest::Client::builder()
        .connect_timeout(Duration::from_secs(10))
        .read_timeout(Duration::from_secs(30))
        .build()
        .map_err(|e| Failure::Other(format!("cannot build the HTTP client: {e}")))?;
    let progress = Progress::new();
    let mut attempt = 0;
    loop {
        attempt += 1;
        match fetch(&http, &url, &part, &meta, md5.as_deref(), &progress).await {
            Ok(size) => {
                std::fs::rename(&part, output).map_err(|e| {
                    Failure::Other(format!("cannot rename {} to its name: {e}", part.display()))
                })?;
                let _ = std::fs::remove_file(&meta);
                progress.done(size);
                return Ok(size);
            }
            Err(Attempt::Expired) => match refresh {
                Some(refresh) if attempt < ATTEMPTS => {
                    eprintln!("the backup URL has expired: asking for a new one");
                    (url, md5) = refresh().await?;
                }
                _ => return Err(Failure::Other("the backup URL has expired".into())),
            },
            Err(Attempt::Broken(why)) if attempt < ATTEMPTS => {
                let wait = Duration::from_millis(200 << (attempt - 1).min(5));
                eprintln!("{why}; resuming in {} ms", wait.as_millis());
                tokio::time::sleep(wait).await;
            }
            Err(Attempt::Broken(why)) => {
                return Err(Failure::Network(format!(
                    "{why} (gave up after {attempt} attempts)"
                )));
            }
            Err(Attempt::Failed(failure)) => return Err(failure),
        }
    }
}

/// How one attempt ended, short of success.
enum Attempt {
    /// The URL has expired.
    Expired,
    /// The connection failed or broke off: worth resuming.
    Broken(String),
    /// Not worth retrying.
    Failed(Failure),
}

async fn fetch(
    http: &reqwest::Client,
    url: &str,
    part: &Path,
    meta: &Path,
    md5: Option<&str>,
    progress: &Progress,
) -> Result<u64, Attempt> {
    let have = std::fs::metadata(part).map_or(0, |m| m.len());
    let known = std::fs::read_to_string(meta).ok().filter(|_| have > 0);
    let mut request = http.get(url);
    if let Some(version) = &known {
        request = request
            .header(reqwest::header::RANGE, format!("bytes={have}-"))
            .header(reqwest::header::IF_RANGE, version.as_str());
    }
    let mut response = request
        .send()
        .await
        .map_err(|e| Attempt::Broken(format!("connection failed: {e}")))?;
    let status = response.status().as_u16();
    let resumed = match status {
        206 => true,
        200 => {
            if known.is_some() {
                eprintln!(
                    "the server sent the whole file (it ignores ranges, or the file changed): starting over"
                );
            }
            false
        }
        403 => return Err(Attempt::Expired),
        416 if known.is_some() => {
            // The .part holds at least the whole file: check it as it is.
            return finish(part, have, md5).map_err(Attempt::Failed);
        }
        _ => {
            return Err(Attempt::Failed(Failure::Other(format!(
                "the download answered HTTP {status}"
            ))));
        }
    };
    let version = validator(response.headers());
    let total = response
        .content_length()
        .map(|len| if resumed { have + len } else { len });
    let file = std::fs::OpenOptions::new()
        .create(true)
        .append(resumed)
        .write(true)
        .truncate(!resumed)
        .open(part)
        .map_err(|e| {
            Attempt::Failed(Failure::Other(format!(
                "cannot write {}: {e}",
                part.display()
            )))
        })?;
    // One write per MiB rather than per network chunk; what a killed run had buffered is
    // simply downloaded again on the rerun.
    let mut file = std::io::BufWriter::with_capacity(1 << 20, file);
    match &version {
        Some(v) => std::fs::write(meta, v),
        None => std::fs::remove_file(meta).or(Ok(())),
    }
    .map_err(|e| {
        Attempt::Failed(Failure::Other(format!(
            "cannot write {}: {e}",
            meta.display()
        )))
    })?;
    let mut written = if resumed { have } else { 0 };
    // Hashed as it arrives (the part already on disk first), so the check needs no second
    // pass over the file.
    let mut hasher = match md5 {
        Some(_) if resumed => Some(hash_file(part, have).map_err(Attempt::Failed)?),
        Some(_) => Some(md5::Md5::new()),
        None => None,
    };
    progress.start(written, total);
    loop {
        match response.chunk().await {
            Ok(Some(chunk)) => {
                if let Some(hasher) = &mut hasher {
                    hasher.update(&chunk);
                }
                file.write_all(&chunk).map_err(|e| {
                    Attempt::Failed(Failure::Other(format!(
                        "cannot write {}: {e}",
                        part.display()
                    )))
                })?;
                written += chunk.len() as u64;
                progress.advance(written, total);
            }
            Ok(None) => break,
            Err(e) => {
                let _ = file.flush();
                return Err(Attempt::Broken(format!(
                    "the download broke off after {written} bytes: {e}"
                )));
            }
        }
    }
    file.flush().map_err(|e| {
        Attempt::Failed(Failure::Other(format!(
            "cannot write {}: {e}",
            part.display()
        )))
    })?;
    if let Some(total) = total.filter(|t| written < *t) {
        return Err(Attempt::Broken(format!(
            "the download ended after {written} of {total} bytes"
        )));
    }
    if let (Some(hasher), Some(expected)) = (hasher, md5) {
        verify(part, &hex(hasher), expected).map_err(Attempt::Failed)?;
    }
    Ok(written)
}

/// Checks a complete `.part` that needs no more bytes against the MD5.
fn finish(part: &Path, size: u64, md5: Option<&str>) -> Result<u64, Failure> {
    if let Some(expected) = md5 {
        verify(part, &hex(hash_file(part, size)?), expected)?;
    }
    Ok(size)
}

/// The MD5 state after the first `len` bytes of `path`, read in one streaming pass.
fn hash_file(path: &Path, len: u64) -> Result<md5::Md5, Failure> {
    let file = std::fs::File::open(path)
        .map_err(|e| Failure::Other(format!("cannot read {}: {e}", path.display())))?;
    let mut hasher = md5::Md5::new();
    let mut reader = file.take(len);
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = reader
            .read(&mut buf)
            .map_err(|e| Failure::Other(format!("cannot read {}: {e}", path.display())))?;
        if n == 0 {
            return Ok(hasher);
        }
        hasher.update(&buf[..n]);
    }
}

fn hex(hasher: md5::Md5) -> String {
    hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Compares the MD5; a corrupt download is removed.
fn verify(part: &Path, got: &str, expected: &str) -> Result<(), Failure> {
    if got != expected {
        let _ = std::fs::remove_file(part);
        return Err(Failure::Verification(format!(
            "the download's MD5 is {got}, the service says {expected}: the file is corrupt and was removed"
        )));
    }
    Ok(())
}

fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

/// The output file's default name: the last segment of the URL's path.
pub(crate) fn default_output(url: &str) -> Option<PathBuf> {
    let path = url.split(['?', '#']).next()?;
    let name = path.rsplit('/').next()?.trim();
    (!name.is_empty() && name != "." && name != "..").then(|| PathBuf::from(name))
}

/// Progress on stderr: a bar on a terminal, a line every few seconds otherwise.
struct Progress {
    bar: Option<indicatif::ProgressBar>,
    started: Instant,
    last: std::cell::Cell<Instant>,
}

impl Progress {
    fn new() -> Self {
        let bar = std::io::stderr().is_terminal().then(|| {
            let bar = indicatif::ProgressBar::new(0);
            if let Ok(style) = indicatif::ProgressStyle::with_template(
                "{bytes}/{total_bytes} {wide_bar} {bytes_per_sec} ETA {eta}",
            ) {
                bar.set_style(style);
            }
            bar
        });
        Self {
            bar,
            started: Instant::now(),
            last: std::cell::Cell::new(Instant::now()),
        }
    }

    fn start(&self, at: u64, total: Option<u64>) {
        if let Some(bar) = &self.bar {
            bar.set_length(total.unwrap_or(0));
            bar.set_position(at);
        } else if at > 0 {
            eprintln!("resuming at {at} bytes");
        }
    }

    fn advance(&self, at: u64, total: Option<u64>) {
        if let Some(bar) = &self.bar {
            bar.set_position(at);
        } else if self.last.get().elapsed() >= Duration::from_secs(5) {
            self.last.set(Instant::now());
            let of = total.map_or(String::new(), |t| format!(" of {t}"));
            eprintln!("{at}{of} bytes");
        }
    }

    fn done(&self, size: u64) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
        let seconds = self.started.elapsed().as_secs_f64().max(1e-3);
        eprintln!(
            "downloaded {size} bytes in {seconds:.1} s ({:.1} MB/s)",
            size as f64 / seconds / 1e6
        );
    }
}

/// Runs `backup download <kind>`.
pub(crate) fn run(global: &ArgMatches, kind: &str, sub: &ArgMatches) -> Result<PathBuf, Failure> {
    let (product, action_name) =
        action_of(kind).ok_or_else(|| Failure::Other(format!("unknown backup kind `{kind}`")))?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Failure::Other(format!("cannot start the async runtime: {e}")))?;
    let force = sub.get_flag("force");
    let output_flag = sub.get_one::<String>("output").map(PathBuf::from);
    if let Some(url) = sub.get_one::<String>("url") {
        let output = output_flag
            .or_else(|| default_output(url))
            .ok_or_else(|| Failure::Other("the URL names no file: pass --output".into()))?;
        runtime.block_on(download(url.clone(), None, &output, force, None))?;
        return Ok(output);
    }
    let spec = catalog::product(product)
        .ok_or_else(|| Failure::Other(format!("no spec for `{product}`")))?;
    let action = spec
        .actions
        .iter()
        .find(|a| a.name == action_name)
        .ok_or_else(|| Failure::Other(format!("no `{action_name}` in the specs")))?;
    let request: Map<String, Value> = flags::request(action, sub);
    let takes_zone = flags::takes_zone(action);
    let (client, options) = crate::client(global, false, takes_zone).map_err(Failure::Other)?;
    let ask = || -> Pending<'_> {
        let (client, options, request) = (&client, options.clone(), request.clone());
        Box::pin(async move {
            let answer = client
                .invoke_with(action_name, Value::Object(request), options)
                .await
                .map_err(Failure::Api)?;
            url_and_md5(&answer).ok_or_else(|| {
                Failure::Other(format!("the answer of {action_name} holds no download URL"))
            })
        })
    };
    runtime.block_on(async {
        let (url, md5) = ask().await?;
        let output = output_flag
            .or_else(|| default_output(&url))
            .ok_or_else(|| Failure::Other("the URL names no file: pass --output".into()))?;
        download(url, md5, &output, force, Some(&ask)).await?;
        Ok(output)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_url_and_md5_of_each_seed_answer() {
        let udb = serde_json::json!({"BackupPath": "http://a/b/full.xb", "InnerBackupPath": "http://10.0.0.1/x", "Md5": "ABC"});
        assert_eq!(
            url_and_md5(&udb),
            Some(("http://a/b/full.xb".into(), Some("abc".into())))
        );
        let umem = serde_json::json!({"BackupURL": ["https://u/1.rdb"]});
        assert_eq!(url_and_md5(&umem), Some(("https://u/1.rdb".into(), None)));
        let mongo = serde_json::json!({"IntranetAddress": "http://10/x", "InternetAddress": "http://pub/y"});
        assert_eq!(url_and_md5(&mongo).unwrap().0, "http://pub/y");
        assert_eq!(
            url_and_md5(&serde_json::json!({"BackupPath": "ftp://x"})),
            None
        );
    }

    #[test]
    fn the_default_name_is_the_last_segment() {
        assert_eq!(
            default_output("http://h/backups/1/2/full.xb?sig=1"),
            Some(PathBuf::from("full.xb"))
        );
        assert_eq!(default_output("http://h/"), None);
    }
}
