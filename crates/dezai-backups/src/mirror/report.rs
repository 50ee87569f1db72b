//! What a mirror run says: an outcome per instance (and per failed listing), and the report
//! that holds them all.

use super::manifest::Copy;
use crate::listing::Backup;

/// What happened to one instance (or, with no instance, to a listing of instances).
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Outcome {
    /// The kind (for an instance no listing returned, the kinds it was looked for in, joined
    /// by `,`).
    pub kind: String,
    /// The region (likewise).
    pub region: String,
    /// The instance; `None` when listing the instances failed.
    pub instance: Option<String>,
    /// What happened.
    pub status: Status,
    /// The instance's newest complete copy once this run is done with it: the new or
    /// existing copy, or for a failed instance the newest an earlier run made (`None` when
    /// there is none, or for a failed listing). What a metric of a copy's age reads.
    pub newest: Option<Copy>,
}

impl Status {
    /// One word for it: `copied`, `up to date`, `planned` or `failed`.
    pub fn word(&self) -> &'static str {
        match self {
            Status::Copied { .. } => "copied",
            Status::UpToDate { .. } => "up to date",
            Status::Planned { .. } => "planned",
            Status::Failed { .. } => "failed",
        }
    }
}

impl Outcome {
    pub(super) fn of(
        kind: &str,
        region: &str,
        instance: Option<String>,
        status: Status,
        newest: Option<Copy>,
    ) -> Self {
        Self {
            kind: kind.to_owned(),
            region: region.to_owned(),
            instance,
            status,
            newest,
        }
    }
}

/// What happened to one instance.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum Status {
    /// Its newest backup was copied, every file verified (and older copies removed, if any).
    Copied {
        /// The new copy.
        copy: Copy,
        /// Copies removed by retention.
        removed: Vec<Copy>,
    },
    /// Its newest backup was already copied.
    UpToDate {
        /// The copy.
        copy: Copy,
        /// Copies removed by retention.
        removed: Vec<Copy>,
    },
    /// A dry run: this backup would be copied to this path.
    Planned {
        /// The backup.
        backup: Backup,
        /// Its path (its folder, for a backup of several files), relative to the mirror.
        path: String,
    },
    /// It failed; the others went on.
    Failed {
        /// Why.
        error: String,
    },
}

/// Every outcome of a run.
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct Report {
    /// One per instance (and per failed listing), in the order they finished.
    pub outcomes: Vec<Outcome>,
}

impl Report {
    /// How many failed.
    pub fn failed(&self) -> usize {
        let failed = self.outcomes.iter();
        failed
            .filter(|o| matches!(o.status, Status::Failed { .. }))
            .count()
    }
}

impl std::fmt::Display for Outcome {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let instance = self.instance.as_deref().unwrap_or("(instance listing)");
        write!(f, "{} {} {instance}: ", self.kind, self.region)?;
        let removed = |removed: &[Copy]| match removed.len() {
            0 => String::new(),
            n => format!(", {n} older removed"),
        };
        let files = |copy: &Copy| match copy.shards.len() {
            0 => String::new(),
            n => format!(", {n} files"),
        };
        match &self.status {
            Status::Copied { copy, removed: r } => write!(
                f,
                "copied backup {} ({} bytes{}) to {}{}",
                copy.backup_id,
                copy.size,
                files(copy),
                copy.path,
                removed(r)
            ),
            Status::UpToDate { copy, removed: r } => {
                write!(f, "up to date (backup {}){}", copy.backup_id, removed(r))
            }
            Status::Planned { backup, path } => {
                write!(f, "would copy backup {} to {path}", backup.id)
            }
            Status::Failed { error } => write!(f, "failed: {error}"),
        }
    }
}
