//! The manifest: one JSON file in the mirror's folder recording every copy (kind, region,
//! project, instance, backup id, name, time, size, MD5, path, when copied). It is replaced
//! atomically (written beside, flushed, renamed, the folder flushed), so a crash leaves the
//! old one or the new one; and a copy is recorded only once its file is complete and verified.

use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

/// The manifest's file name in the mirror's folder.
pub const MANIFEST_FILE: &str = "dezai-backups.json";
/// The format this code writes; a manifest of a newer format is refused, not overwritten.
const FORMAT: u32 = 1;

/// Every copy in a mirror's folder.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    /// The manifest's format.
    pub format: u32,
    /// The copies, in the order they were made.
    pub copies: Vec<Copy>,
}

/// One copy of a backup.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Copy {
    /// The kind (`udb`).
    pub kind: String,
    /// The region its instance lives in.
    pub region: String,
    /// The zone its instance lives in, when its listing says.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub zone: Option<String>,
    /// The project, when one was selected.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub project: Option<String>,
    /// The instance's id.
    pub instance: String,
    /// The backup's id.
    pub backup_id: String,
    /// The backup's name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// When the backup was made, Unix seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time: Option<i64>,
    /// The file's size in bytes.
    pub size: u64,
    /// The file's MD5 (hex).
    pub md5: String,
    /// Whether the MD5 was checked against the one the service gave.
    pub md5_from_service: bool,
    /// The file, relative to the folder, `/`-separated.
    pub path: String,
    /// When it was copied, Unix seconds.
    pub copied_at: i64,
}

impl Default for Manifest {
    fn default() -> Self {
        Self {
            format: FORMAT,
            copies: Vec::new(),
        }
    }
}

impl Copy {
    /// The copy's file under `dir`.
    pub fn file(&self, dir: &Path) -> PathBuf {
        self.path
            .split('/')
            .fold(dir.to_path_buf(), |p, c| p.join(c))
    }

    /// Whether this is a copy of that backup.
    pub fn is_of(&self, kind: &str, instance: &str, backup_id: &str) -> bool {
        self.kind == kind && self.instance == instance && self.backup_id == backup_id
    }
}

impl Manifest {
    /// The manifest of `dir`: empty when there is none yet.
    pub fn load(dir: &Path) -> std::io::Result<Self> {
        let path = dir.join(MANIFEST_FILE);
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Self::default()),
            Err(e) => return Err(e),
        };
        let manifest: Self = serde_json::from_str(&text).map_err(|e| {
            std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                format!("{} is not a manifest: {e}", path.display()),
            )
        })?;
        if manifest.format > FORMAT {
            return Err(std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                format!(
                    "{} has format {}, newer than this build's {FORMAT}",
                    path.display(),
                    manifest.format
                ),
            ));
        }
        Ok(manifest)
    }

    /// Replaces the manifest of `dir` atomically.
    pub fn save(&self, dir: &Path) -> std::io::Result<()> {
        let path = dir.join(MANIFEST_FILE);
        let temporary = dir.join(format!(".{MANIFEST_FILE}.tmp"));
        let text = serde_json::to_vec_pretty(self).map_err(std::io::Error::other)?;
        {
            let mut file = std::fs::File::create(&temporary)?;
            file.write_all(&text)?;
            file.sync_all()?;
        }
        std::fs::rename(&temporary, &path)?;
        // The rename itself is durable once the folder is flushed (where the system allows it).
        if let Ok(folder) = std::fs::File::open(dir) {
            let _ = folder.sync_all();
        }
        Ok(())
    }

    /// The copy of that backup, if recorded.
    pub fn find(&self, kind: &str, instance: &str, backup_id: &str) -> Option<&Copy> {
        self.copies
            .iter()
            .find(|c| c.is_of(kind, instance, backup_id))
    }

    /// Records `copy`, replacing an earlier record of the same backup.
    pub fn record(&mut self, copy: Copy) {
        self.copies
            .retain(|c| !c.is_of(&copy.kind, &copy.instance, &copy.backup_id));
        self.copies.push(copy);
    }

    /// The copies of one instance, newest backup first.
    pub fn of_instance(&self, kind: &str, instance: &str) -> Vec<&Copy> {
        let mut copies: Vec<&Copy> = self
            .copies
            .iter()
            .filter(|c| c.kind == kind && c.instance == instance)
            .collect();
        copies.sort_by_key(|c| std::cmp::Reverse(c.time.unwrap_or(i64::MIN)));
        copies
    }
}
