//! The manifest: one JSON file in the mirror's folder recording every copy (kind, region,
//! project, instance, backup id, name, time, size, MD5, path, when copied) and, for a backup of
//! several files, each file (path, size, MD5). It is replaced atomically (written to a temp
//! file of this process, flushed, renamed, the folder flushed), so a crash leaves the old one
//! or the new one; and a copy is recorded only once every file of it is complete and verified.
//!
//! A copy of one file is recorded as it always was (format 1). A manifest with a copy of
//! several files is format 2, which builds that do not know shards refuse rather than misread.

use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

/// The manifest's file name in the mirror's folder.
pub const MANIFEST_FILE: &str = "dezai-backups.json";
/// The format of a manifest whose copies are each one file.
const FORMAT_FILES: u32 = 1;
/// The format of a manifest with a copy of several files (shards); the newest this code reads.
/// A manifest of a newer format is refused, not overwritten.
const FORMAT: u32 = 2;

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
    /// Its size in bytes, every file together.
    pub size: u64,
    /// The file's MD5 (hex); empty for a backup of several files (each has its own).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub md5: String,
    /// Whether the MD5 was checked against the one the service gave (every file's, for a
    /// backup of several).
    pub md5_from_service: bool,
    /// The file, relative to the folder, `/`-separated; for a backup of several files, the
    /// folder holding them.
    pub path: String,
    /// The files of a backup of several (one per shard, in the URL action's order); empty for
    /// a backup of one file, which is [`Copy::path`] itself.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub shards: Vec<CopyFile>,
    /// When it was copied, Unix seconds.
    pub copied_at: i64,
}

/// One file of a copy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct CopyFile {
    /// The file, relative to the mirror's folder, `/`-separated.
    pub path: String,
    /// Its size in bytes.
    pub size: u64,
    /// Its MD5 (hex).
    pub md5: String,
    /// Whether the MD5 was checked against the one the service gave.
    pub md5_from_service: bool,
}

impl CopyFile {
    /// A file of a copy.
    pub fn new(path: String, size: u64, md5: String, md5_from_service: bool) -> Self {
        Self {
            path,
            size,
            md5,
            md5_from_service,
        }
    }

    /// The file under `dir`.
    pub fn file(&self, dir: &Path) -> PathBuf {
        under(dir, &self.path)
    }
}

/// A `/`-separated relative path under `dir`.
pub(super) fn under(dir: &Path, path: &str) -> PathBuf {
    path.split('/').fold(dir.to_path_buf(), |p, c| p.join(c))
}

impl Default for Manifest {
    fn default() -> Self {
        Self {
            format: FORMAT_FILES,
            copies: Vec::new(),
        }
    }
}

impl Copy {
    /// The copy's file under `dir` (its folder, for a backup of several files).
    pub fn file(&self, dir: &Path) -> PathBuf {
        under(dir, &self.path)
    }

    /// Every file of the copy: [`Copy::shards`], or the one file the copy is.
    pub fn files(&self) -> Vec<CopyFile> {
        if !self.shards.is_empty() {
            return self.shards.clone();
        }
        vec![CopyFile::new(
            self.path.clone(),
            self.size,
            self.md5.clone(),
            self.md5_from_service,
        )]
    }

    /// Whether every file is there with its recorded size: a copy with a file missing or cut
    /// short is no copy.
    pub fn is_present(&self, dir: &Path) -> bool {
        self.files()
            .iter()
            .all(|f| std::fs::metadata(f.file(dir)).is_ok_and(|m| m.is_file() && m.len() == f.size))
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
        Self::parse(text.as_bytes(), &path.display().to_string())
            .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, e))
    }

    /// A manifest's text (`name` says where it is from); one of a newer format is refused
    /// rather than misread.
    pub(crate) fn parse(text: &[u8], name: &str) -> Result<Self, String> {
        let manifest: Self =
            serde_json::from_slice(text).map_err(|e| format!("{name} is not a manifest: {e}"))?;
        if manifest.format > FORMAT {
            return Err(format!(
                "{name} has format {}, newer than this build's {FORMAT}",
                manifest.format
            ));
        }
        Ok(manifest)
    }

    /// The copies of one instance of one region alone: its record in a bucket.
    #[cfg(feature = "s3")]
    pub(crate) fn record_of(&self, kind: &str, region: &str, instance: &str) -> Self {
        let copies = self
            .copies
            .iter()
            .filter(|c| c.kind == kind && c.region == region && c.instance == instance)
            .cloned()
            .collect();
        Self {
            format: self.format,
            copies,
        }
    }

    /// The manifest as written: its format by what it holds (format 2 only with a copy of
    /// several files).
    pub(crate) fn to_json(&self) -> serde_json::Result<Vec<u8>> {
        /// The manifest as written.
        #[derive(Serialize)]
        struct Written<'a> {
            format: u32,
            copies: &'a [Copy],
        }
        let sharded = self.copies.iter().any(|c| !c.shards.is_empty());
        serde_json::to_vec_pretty(&Written {
            format: if sharded { FORMAT } else { FORMAT_FILES },
            copies: &self.copies,
        })
    }

    /// Replaces the manifest of `dir` atomically, through a temp file of this process (two
    /// processes never write one temp file).
    pub fn save(&self, dir: &Path) -> std::io::Result<()> {
        let path = dir.join(MANIFEST_FILE);
        let temporary = dir.join(format!(".{MANIFEST_FILE}.{}.tmp", std::process::id()));
        let text = self.to_json().map_err(std::io::Error::other)?;
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

    /// Removes the temp files a run killed while saving left (the caller holds the lock: no
    /// other process is writing one).
    pub(crate) fn remove_stale_temp_files(dir: &Path) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        let prefix = format!(".{MANIFEST_FILE}.");
        for entry in entries.flatten() {
            let name = entry.file_name();
            let name = name.to_string_lossy();
            if name.starts_with(&prefix) && name.ends_with(".tmp") {
                let _ = std::fs::remove_file(entry.path());
            }
        }
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
        newest_first(&mut copies);
        copies
    }
}

/// Copies of one instance in the order retention and `status` read them: newest backup first,
/// copies without a time last, the manifest's order otherwise.
pub(super) fn newest_first(copies: &mut [&Copy]) {
    copies.sort_by_key(|c| std::cmp::Reverse(c.time.unwrap_or(i64::MIN)));
}
