//! A local emulator of the Dezai cloud API, driven by the same JSON specs as the SDK.
//!
//! It behaves like the service on the points a client can observe: POST form, POST JSON and
//! GET query requests; signatures checked against its key pairs (RetCode 170 missing, 171
//! wrong, 172 unknown public key); unknown actions (161); missing or mistyped parameters
//! (230, naming the parameter); a request id header on every response; each action's
//! documented response example as the default answer. Tests script answers, inject faults for
//! the next N calls, and inspect every request received. A [`World`] of instances and backups
//! answers the backup kinds' actions and changes as clients create backups.
//!
//! ```no_run
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! let emulator = dezai_emulator::Emulator::builder()
//!     .specs("specs")
//!     .key_pair("my-public-key", "my-private-key")
//!     .start()
//!     .await?;
//! println!("listening on {}", emulator.url());
//! emulator.fault("DescribeUDBInstanceBackupURL", dezai_emulator::Fault::Status(503), 2);
//! # Ok(()) }
//! ```

mod answers;
mod backups;
mod catalog;
mod listings;
mod server;
mod world;

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicU64;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::Value;

use catalog::Catalog;

/// The RetCodes the emulator answers with: the protocol's named codes, shared with the
/// runtime (`dezai_runtime::ret_code`).
pub use backups::{BackupFault, BackupFile, Download};
pub use dezai_spec::ret_code;
pub use listings::backup_items;
pub use world::{World, WorldBackup, WorldInstance};

/// The size of the file URL actions outside a world point at, when a world is served and no
/// backup file is set.
const DEFAULT_BACKUP_SIZE: u64 = 1024 * 1024;

/// How many requests an emulator keeps for inspection; older ones are forgotten.
pub const RECORDED_LIMIT: usize = 10_000;

/// How many bytes of recorded requests (parameters and headers) an emulator keeps; older
/// requests are forgotten first, so memory stays bounded whatever clients send.
pub const RECORDED_BYTES_LIMIT: usize = 64 * 1024 * 1024;

/// What an emulator accepts from a client before it gives up on it.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// The largest request body; a larger one is answered with HTTP 413 (default 8 MiB).
    pub max_body_bytes: usize,
    /// How long a connection may take to send a request's headers, or sit idle between
    /// requests, before it is closed (default 10 s).
    pub header_read_timeout: std::time::Duration,
    /// How long a request body may take to arrive (default 30 s).
    pub body_read_timeout: std::time::Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_body_bytes: 8 * 1024 * 1024,
            header_read_timeout: std::time::Duration::from_secs(10),
            body_read_timeout: std::time::Duration::from_secs(30),
        }
    }
}

/// The recorded requests and their total size.
#[derive(Default)]
pub(crate) struct RecordedLog {
    pub entries: VecDeque<Recorded>,
    pub bytes: usize,
}

/// A failure to rehearse, for the next N calls of an action.
#[derive(Debug, Clone, PartialEq)]
pub enum Fault {
    /// Wait, then answer normally.
    Delay(Duration),
    /// Answer with this HTTP status (429, 500, 502, 503, 504, …).
    Status(u16),
    /// Answer HTTP 200 with this RetCode (`ret_code::THROTTLED`, …).
    RetCode(i64),
    /// Close the connection without answering.
    Drop,
    /// Announce the full response but send only its first half, then close.
    Truncated,
    /// Answer HTTP 200 with a body that is not JSON.
    NotJson,
    /// Answer with this status and a `Retry-After` header of so many seconds.
    RetryAfter {
        /// The HTTP status (429 or 503, usually).
        status: u16,
        /// The header's value in seconds.
        seconds: u64,
    },
}

/// Computes a scripted answer from a request's parameters.
pub type Responder = Arc<dyn Fn(&[(String, String)]) -> Value + Send + Sync>;

/// A scripted answer for an action, in place of its response example.
#[derive(Clone)]
pub enum Script {
    /// This JSON (RetCode 0 and Action are added when absent).
    Json(Value),
    /// JSON computed from the request's parameters.
    With(Responder),
}

impl std::fmt::Debug for Script {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Script::Json(v) => f.debug_tuple("Json").field(v).finish(),
            Script::With(_) => f.write_str("With(..)"),
        }
    }
}

/// What the emulator made of a request's signature.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignatureVerdict {
    /// Signed with a configured key pair.
    Valid,
    /// No `Signature` parameter.
    Missing,
    /// A signature that does not match.
    Wrong,
    /// A public key no key pair has.
    UnknownPublicKey,
}

/// One request as received.
#[derive(Debug, Clone)]
pub struct Recorded {
    /// The request id sent back.
    pub request_id: String,
    /// `GET` or `POST`.
    pub method: String,
    /// Request headers, names lower-cased.
    pub headers: BTreeMap<String, String>,
    /// The parameters, in the order received.
    pub params: Vec<(String, String)>,
    /// The signature check's verdict.
    pub signature: SignatureVerdict,
}

impl Recorded {
    /// About how many bytes this record holds, for the recording budget.
    pub(crate) fn size(&self) -> usize {
        let pairs = |it: &mut dyn Iterator<Item = (&String, &String)>| {
            it.map(|(k, v)| k.len() + v.len() + 16).sum::<usize>()
        };
        128 + self.request_id.len()
            + pairs(&mut self.headers.iter())
            + pairs(&mut self.params.iter().map(|(k, v)| (k, v)))
    }

    /// The first value of a parameter.
    pub fn param(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// Why the emulator could not start.
#[derive(Debug)]
pub struct StartError(String);

impl std::fmt::Display for StartError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for StartError {}

/// Shared by the server and the handle tests hold.
#[derive(Default)]
pub(crate) struct State {
    pub catalog: Catalog,
    pub key_pairs: HashMap<String, String>,
    pub scripts: Mutex<HashMap<String, Script>>,
    pub faults: Mutex<HashMap<String, Vec<Fault>>>,
    pub recorded: Mutex<RecordedLog>,
    pub next_id: AtomicU64,
    pub limits: Limits,
    pub backups: Option<backups::Backups>,
    /// The instances and backups the kinds' actions answer from, if any.
    pub world: Option<world::live::Live>,
    /// The emulator's own URL, for the backup URLs it hands out.
    pub base_url: std::sync::OnceLock<String>,
    /// Whether an action no spec defines is answered (RetCode 0) rather than refused.
    pub lenient: bool,
    /// The undocumented actions answered leniently, with how often.
    pub undocumented: Mutex<std::collections::BTreeMap<String, usize>>,
}

/// Configures an [`Emulator`].
#[derive(Debug, Default)]
pub struct EmulatorBuilder {
    specs: Option<PathBuf>,
    spec_texts: Vec<String>,
    key_pairs: Vec<(String, String)>,
    port: u16,
    limits: Limits,
    backups: Option<BackupFile>,
    world: Option<WorldSource>,
    page_cap: Option<usize>,
    per_connection_rate: Option<u64>,
    lenient: bool,
}

/// Where the world comes from.
#[derive(Debug)]
enum WorldSource {
    Given(World),
    Examples(Duration),
}

impl EmulatorBuilder {
    /// Serves `file` as the backup every URL action points at: URL fields of the answers (by
    /// the SDK's rule, `dezai_spec::download`) point at the emulator, the MD5 field holds the
    /// file's MD5, and the file is served with ranges and expiry as object storage serves one.
    pub fn backups(mut self, file: BackupFile) -> Self {
        self.backups = Some(file);
        self
    }

    /// Answers the actions of the kinds of backup from `world` (see [`World`]). URL actions
    /// then point at files the emulator serves: the world's backups, and for URL actions
    /// outside it the [`Self::backups`] file (a generated 1 MiB file unless set).
    pub fn world(mut self, world: World) -> Self {
        self.world = Some(WorldSource::Given(world));
        self
    }

    /// [`Self::world`] with the world the specs' own examples show ([`World::from_examples`]):
    /// what the `dezai-emulator` binary serves without `--world`.
    /// Backups made on demand take `create_delay` to complete.
    pub fn example_world(mut self, create_delay: Duration) -> Self {
        self.world = Some(WorldSource::Examples(create_delay));
        self
    }

    /// Answers an action that no spec defines with RetCode 0 and `Action` echoed
    /// (`<Name>Response`) and nothing else, so that a scenario calling an undocumented action
    /// goes on; each is counted ([`Emulator::undocumented`]). Default: refused, as the service
    /// refuses an unknown action.
    pub fn lenient(mut self, lenient: bool) -> Self {
        self.lenient = lenient;
        self
    }

    /// Answers at most `cap` items a page of the world's paged listings, whatever `Limit` asks
    /// for ([`World::page_cap`]), whichever world is served.
    pub fn page_cap(mut self, cap: usize) -> Self {
        self.page_cap = Some(cap);
        self
    }

    /// The folder of JSON specs (`specs/` of this repository).
    pub fn specs(mut self, dir: impl Into<PathBuf>) -> Self {
        self.specs = Some(dir.into());
        self
    }

    /// Adds one spec given as JSON text, for programs that carry their specs rather than a
    /// folder: `for (_, json) in dezai_sdk::specs() { builder = builder.spec_json(json); }`.
    /// May be combined with [`Self::specs`]; later specs win for an action named twice.
    pub fn spec_json(mut self, json: impl Into<String>) -> Self {
        self.spec_texts.push(json.into());
        self
    }

    /// Accepts requests signed with this key pair (may be called more than once).
    pub fn key_pair(
        mut self,
        public_key: impl Into<String>,
        private_key: impl Into<String>,
    ) -> Self {
        self.key_pairs.push((public_key.into(), private_key.into()));
        self
    }

    /// Sets the limits on what clients may send (see [`Limits`] for the defaults).
    pub fn limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }

    /// Caps each download connection at this many bytes per second, as object storage serves
    /// one connection at a fraction of a host's bandwidth (default: no cap).
    pub fn per_connection_rate(mut self, bytes_per_second: u64) -> Self {
        self.per_connection_rate = Some(bytes_per_second);
        self
    }

    /// Listens on this port of 127.0.0.1 (default: any free port).
    pub fn port(mut self, port: u16) -> Self {
        self.port = port;
        self
    }

    /// Starts serving on 127.0.0.1.
    pub async fn start(self) -> Result<Emulator, StartError> {
        let mut catalog = match &self.specs {
            Some(dir) => Catalog::load(dir).map_err(StartError)?,
            None => Catalog::default(),
        };
        for text in &self.spec_texts {
            catalog.add_json(text).map_err(StartError)?;
        }
        let world = match self.world {
            Some(WorldSource::Given(world)) => Some(world),
            Some(WorldSource::Examples(delay)) => {
                Some(world::examples::world(catalog.actions()).create_delay(delay))
            }
            None => None,
        };
        let world = match (world, self.page_cap) {
            (Some(world), Some(cap)) => Some(world.page_cap(cap)),
            (world, _) => world,
        };
        // A world's URL actions point here; so do the others', at the default file.
        let backups = match (self.backups, &world) {
            (Some(file), _) => Some(file),
            (None, Some(_)) => Some(BackupFile::generated(DEFAULT_BACKUP_SIZE)),
            (None, None) => None,
        };
        let world = world.map(|world| world::live::Live::new(world, &catalog));
        let state = Arc::new(State {
            catalog,
            key_pairs: self.key_pairs.into_iter().collect(),
            limits: self.limits,
            backups: backups.map(|file| {
                backups::Backups::new(file).per_connection_rate(self.per_connection_rate)
            }),
            world,
            lenient: self.lenient,
            ..State::default()
        });
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", self.port))
            .await
            .map_err(|e| StartError(format!("cannot listen on 127.0.0.1:{}: {e}", self.port)))?;
        let address = listener
            .local_addr()
            .map_err(|e| StartError(e.to_string()))?;
        let url = format!("http://{address}");
        let _ = state.base_url.set(url.clone());
        let (stop, stopped) = tokio::sync::oneshot::channel();
        let task = tokio::spawn(server::serve(listener, state.clone(), stopped));
        Ok(Emulator {
            url,
            state,
            stop: Some(stop),
            task,
        })
    }
}

/// A running emulator. Stops when dropped, or with [`Emulator::shutdown`].
pub struct Emulator {
    url: String,
    state: Arc<State>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    task: tokio::task::JoinHandle<()>,
}

impl Emulator {
    /// Per product of the specs in `dir`: the resource types the world models by convention
    /// (create, listings, state reads, changes, removals), the backup actions of the kinds
    /// table, and the actions that still answer their document's example.
    pub fn coverage(dir: impl AsRef<Path>) -> Result<String, String> {
        let catalog = catalog::Catalog::load(dir.as_ref())?;
        Ok(world::live::coverage(&catalog))
    }

    /// A builder: no specs, no key pairs, any free port.
    pub fn builder() -> EmulatorBuilder {
        EmulatorBuilder::default()
    }

    /// The base URL to configure clients with (`http://127.0.0.1:<port>`).
    pub fn url(&self) -> &str {
        &self.url
    }

    /// How many actions the specs document (an action documented in two products counts
    /// twice).
    pub fn action_count(&self) -> usize {
        self.state.catalog.documented()
    }

    /// How many distinct action names it answers: what the wire can ask for (an action
    /// documented in two products is one name, answered from the first of them).
    pub fn name_count(&self) -> usize {
        self.state.catalog.names()
    }

    /// Answers `action` with `script` from now on, instead of its response example.
    pub fn script(&self, action: &str, script: Script) {
        lock(&self.state.scripts).insert(action.to_owned(), script);
    }

    /// Makes the next `times` calls of `action` fail with `fault`; then service resumes.
    /// Faults queue: two calls of this method rehearse one after the other.
    pub fn fault(&self, action: &str, fault: Fault, times: usize) {
        let mut faults = lock(&self.state.faults);
        let queue = faults.entry(action.to_owned()).or_default();
        queue.extend(std::iter::repeat_n(fault, times));
    }

    /// The requests received so far, oldest first: all of them, up to the most recent
    /// [`RECORDED_LIMIT`] and [`RECORDED_BYTES_LIMIT`] (so a long-running emulator does not
    /// grow without bound).
    pub fn requests(&self) -> Vec<Recorded> {
        lock(&self.state.recorded).entries.iter().cloned().collect()
    }

    /// A fresh URL of the backup file (as the URL actions give), if backups are served.
    pub fn backup_url(&self) -> Option<String> {
        Some(self.state.backups.as_ref()?.url(&self.url))
    }

    /// The backup file's MD5 (hex), as the URL actions give it.
    pub fn backup_md5(&self) -> Option<String> {
        Some(self.state.backups.as_ref()?.md5())
    }

    /// Breaks the next download as `fault` says; faults queue, one per download request.
    pub fn backup_fault(&self, fault: BackupFault) {
        if let Some(backups) = &self.state.backups {
            backups.add_fault(fault);
        }
    }

    /// Hands out the next `n` backup URLs already expired (403 when used), as URLs a user kept
    /// for longer than their validity.
    pub fn expire_next_backup_urls(&self, n: u64) {
        if let Some(backups) = &self.state.backups {
            backups.expire_next_urls(n);
        }
    }

    /// Replaces the backup file with another version: other bytes, another ETag and
    /// Last-Modified; URLs of the old one answer 404.
    pub fn change_backup(&self) {
        if let Some(backups) = &self.state.backups {
            backups.change();
        }
    }

    /// The undocumented actions answered so far under [`EmulatorBuilder::lenient`], each with
    /// how many times, by name.
    pub fn undocumented(&self) -> Vec<(String, usize)> {
        lock(&self.state.undocumented)
            .iter()
            .map(|(name, n)| (name.clone(), *n))
            .collect()
    }

    /// The world's instances as they stand (empty without a world): each one's kind, id and
    /// number of backups, backups made on demand included.
    pub fn world_instances(&self) -> Vec<(String, String, usize)> {
        self.state
            .world
            .as_ref()
            .map(world::live::Live::instances)
            .unwrap_or_default()
    }

    /// The download requests answered so far.
    pub fn backup_downloads(&self) -> Vec<Download> {
        self.state
            .backups
            .as_ref()
            .map(backups::Backups::downloads)
            .unwrap_or_default()
    }

    /// Stops serving and waits until the listener is closed.
    pub async fn shutdown(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        let _ = (&mut self.task).await;
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        self.task.abort();
    }
}

/// A poisoned lock only means a test panicked while holding it; the data is still usable.
pub(crate) fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}
