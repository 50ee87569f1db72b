//! A world: database instances and their backups, per kind of `dezai_spec::backups::KINDS`,
//! held in memory so that sequences (make a backup, wait for it, list, download) can be tested
//! against the emulator.
//!
//! See [`World`].
//!
//! ```
//! use dezai_emulator::{World, WorldBackup, WorldInstance};
//! let world = World::new()
//!     .create_delay(std::time::Duration::from_millis(200))
//!     .instance(
//!         WorldInstance::new("udb", "udb-1")
//!             .backup(WorldBackup::new("1001", 1_700_000_000, 4096)),
//!     );
//! # let _ = world;
//! ```

pub(crate) mod examples;
mod file;
pub(crate) mod live;
mod paths;

use std::time::Duration;

use serde_json::{Map, Value};

/// Instances and backups per kind, in memory.
///
/// With a world, every action a kind's row names answers from it: the instance listing and the
/// backup listing (page by page, `Offset`/`Limit`/`TotalCount` where the row says the action
/// pages), the create action (a new backup in the kind's in-progress state that completes
/// after [`World::create_delay`], or fails when its instance says so), the state action, and
/// the URL action (a URL the emulator serves, with that backup's own bytes, size and MD5). An
/// instance or backup the world does not hold gets an error answer. Everything is driven by
/// the rows, so a kind added to the table has its world with no edit here. Other actions keep
/// answering from their examples.
#[derive(Debug, Clone, Default)]
pub struct World {
    pub(crate) instances: Vec<WorldInstance>,
    pub(crate) create_delay: Duration,
    pub(crate) page_cap: Option<usize>,
}

/// One database instance of a kind.
#[derive(Debug, Clone)]
pub struct WorldInstance {
    pub(crate) kind: String,
    pub(crate) id: String,
    pub(crate) name: Option<String>,
    pub(crate) region: Option<String>,
    pub(crate) zone: Option<String>,
    pub(crate) failing: bool,
    pub(crate) backups: Vec<WorldBackup>,
    /// More fields of its item in the instance listing (from a document's example).
    pub(crate) item: Map<String, Value>,
    /// A change under way: when its state field settles, and in which state.
    pub(crate) settles: Option<(std::time::Instant, String, String)>,
}

/// One backup of an instance.
#[derive(Debug, Clone)]
pub struct WorldBackup {
    /// As the listing writes it: a number where the documents type the id `int`.
    pub(crate) id: Value,
    pub(crate) name: Option<String>,
    pub(crate) time: i64,
    /// Every shard together.
    pub(crate) size: u64,
    /// How many files (shards) it is: at least 1.
    pub(crate) blocks: u32,
    /// `None`: the kind's first success state.
    pub(crate) state: Option<String>,
    /// More fields of its item in the listing (from a document's example).
    pub(crate) item: Map<String, Value>,
}

impl World {
    /// An empty world: every instance is unknown. Created backups complete at once.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds an instance.
    pub fn instance(mut self, instance: WorldInstance) -> Self {
        self.instances.push(instance);
        self
    }

    /// Answers at most `cap` items a page of a paged listing, whatever `Limit` asks for, as
    /// many services do (default: as many as asked).
    pub fn page_cap(mut self, cap: usize) -> Self {
        self.page_cap = Some(cap.max(1));
        self
    }

    /// How long a created backup stays in its kind's in-progress state.
    pub fn create_delay(mut self, delay: Duration) -> Self {
        self.create_delay = delay;
        self
    }

    /// The world a file describes; a clear error names what is wrong (unknown keys and kinds
    /// included). `kind` is a name of the kinds table, a backup's `id` a string or a number,
    /// its `state` by default the kind's first success state, `time` Unix seconds:
    ///
    /// ```
    /// let world = dezai_emulator::World::from_json(r#"{
    ///   "create_delay_ms": 2000,
    ///   "instances": [
    ///     {"kind": "udb", "id": "udb-1", "name": "orders", "region": "cn-bj2", "fail_backups": false,
    ///      "backups": [{"id": 1001, "name": "nightly", "time": 1700000000, "size": 1048576}]}
    ///   ]
    /// }"#)?;
    /// assert_eq!(world.instances()[0].backup_count(), 1);
    /// # Ok::<(), String>(())
    /// ```
    pub fn from_json(text: &str) -> Result<Self, String> {
        file::parse(text)
    }

    /// The world the documents' own examples show: each kind's instance listing example and
    /// backup listing example, from `specs` (the JSON specs).
    pub fn from_examples<'a>(specs: impl IntoIterator<Item = &'a dezai_spec::ProductSpec>) -> Self {
        examples::world(specs.into_iter().flat_map(|spec| &spec.actions))
    }

    /// The instances, for a banner or a test.
    pub fn instances(&self) -> &[WorldInstance] {
        &self.instances
    }
}

impl WorldInstance {
    /// An instance of `kind` (a name of the kinds table: `udb`, `uredis`, …) with this id.
    pub fn new(kind: &str, id: &str) -> Self {
        Self {
            kind: kind.to_owned(),
            id: id.to_owned(),
            name: None,
            region: None,
            zone: None,
            failing: false,
            backups: Vec::new(),
            item: Map::new(),
            settles: None,
        }
    }

    /// Its name.
    pub fn name(mut self, name: &str) -> Self {
        self.name = Some(name.to_owned());
        self
    }

    /// The region it lives in: listings of another region do not show it (default: every
    /// region shows it).
    pub fn region(mut self, region: &str) -> Self {
        self.region = Some(region.to_owned());
        self
    }

    /// The zone it lives in, as its listing item says (listings asked for another zone do not
    /// show it).
    pub fn zone(mut self, zone: &str) -> Self {
        self.zone = Some(zone.to_owned());
        self
    }

    /// Backups made on demand of this instance fail (after the create delay).
    pub fn failing_backups(mut self) -> Self {
        self.failing = true;
        self
    }

    /// Adds a backup.
    pub fn backup(mut self, backup: WorldBackup) -> Self {
        self.backups.push(backup);
        self
    }

    /// Its kind's name.
    pub fn kind(&self) -> &str {
        &self.kind
    }

    /// Its id.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// How many backups it holds.
    pub fn backup_count(&self) -> usize {
        self.backups.len()
    }
}

impl WorldBackup {
    /// A completed backup with this id, time (Unix seconds) and size in bytes.
    pub fn new(id: impl Into<Value>, time: i64, size: u64) -> Self {
        Self {
            id: id.into(),
            name: None,
            time,
            size,
            blocks: 1,
            state: None,
            item: Map::new(),
        }
    }

    /// Its name.
    pub fn name(mut self, name: &str) -> Self {
        self.name = Some(name.to_owned());
        self
    }

    /// How many files (shards) it is (default 1): the listing's block-count field says so
    /// (where the kind has one), and the URL action answers a URL per shard, each serving its
    /// own bytes ([`WorldBackup::new`]'s size split among them).
    pub fn blocks(mut self, blocks: u32) -> Self {
        self.blocks = blocks.max(1);
        self
    }

    /// Its state, in the kind's words (default: the kind's first success state).
    pub fn state(mut self, state: &str) -> Self {
        self.state = Some(state.to_owned());
        self
    }

    /// Its id as text.
    pub(crate) fn id_text(&self) -> String {
        id_text(&self.id)
    }

    /// The size of shard `index`: an equal share of the backup's, the last one taking what
    /// is left.
    pub(crate) fn shard_size(&self, index: u32) -> u64 {
        let share = self.size / u64::from(self.blocks);
        if index + 1 == self.blocks {
            self.size - share * u64::from(self.blocks - 1)
        } else {
            share
        }
    }
}

/// An id as the wire carries it: a string's text, a number's digits.
pub(crate) fn id_text(id: &Value) -> String {
    match id {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}
