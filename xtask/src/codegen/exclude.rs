//! `specs/exclude.txt`: documents a maintainer keeps out of the run because they are not in
//! the published format (an object-storage API documented as raw HTTP headers, say). One
//! document per line, its path relative to the docs folder, then the reason:
//!
//! ```text
//! # path                      reason
//! ufile/put_file.md           raw HTTP API (headers, no Response Field table)
//! ```
//!
//! Listed documents are reported as skipped on every run, never dropped silently; a line that
//! names no document is reported too, so the list does not rot.

use std::path::Path;

/// One line of the exclude list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Exclusion {
    /// The document's path relative to the docs folder, with `/` separators.
    pub path: String,
    /// Why it is excluded.
    pub reason: String,
    /// The line of the exclude file.
    pub line: usize,
}

/// Reads an exclude list; a missing file is an empty list.
pub fn read(file: &Path) -> Result<Vec<Exclusion>, String> {
    let text = match std::fs::read_to_string(file) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(format!("cannot read {}: {e}", file.display())),
    };
    let mut list = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let (path, reason) = line.split_once(char::is_whitespace).unwrap_or((line, ""));
        let reason = reason.trim();
        if reason.is_empty() {
            return Err(format!(
                "{}:{}: `{path}` is excluded without a reason; write the reason after the path",
                file.display(),
                i + 1
            ));
        }
        list.push(Exclusion {
            path: path.replace('\\', "/"),
            reason: reason.to_owned(),
            line: i + 1,
        });
    }
    Ok(list)
}
