//! The last release, read from git: a release is an annotated or plain tag
//! `dezai-sdk-v<version>` on the commit it was made from (the facade's version, which every
//! release bumps). Files of that commit are read with `git show`, whole trees are checked out in
//! a temporary worktree, and "changed since" is `git diff` against it.

use std::path::{Path, PathBuf};
use std::process::Command;

use super::version::Version;

/// The prefix of a release tag; the facade's version follows it.
pub const TAG_PREFIX: &str = "dezai-sdk-v";

/// The newest release reachable from `HEAD`: its tag and version. `None` before the first.
pub fn last_release(root: &Path) -> Result<Option<(String, Version)>, String> {
    let tags = git(
        root,
        &[
            "tag",
            "--merged",
            "HEAD",
            "--list",
            &format!("{TAG_PREFIX}*"),
        ],
    )?;
    Ok(tags
        .lines()
        .filter_map(|tag| {
            let version = Version::parse(tag.strip_prefix(TAG_PREFIX)?)?;
            Some((tag.to_owned(), version))
        })
        .max_by_key(|(_, version)| *version))
}

/// The file at `path` (relative to the root) in `rev`; `None` when it did not exist.
pub fn show(root: &Path, rev: &str, path: &str) -> Result<Option<String>, String> {
    let out = Command::new("git")
        .args(["show", &format!("{rev}:{path}")])
        .current_dir(root)
        .output()
        .map_err(|e| format!("git show: {e}"))?;
    Ok(out
        .status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).into_owned()))
}

/// The files under `dir` in `rev`, relative to the root.
pub fn files_under(root: &Path, rev: &str, dir: &str) -> Result<Vec<String>, String> {
    let out = git(root, &["ls-tree", "-r", "--name-only", rev, "--", dir])?;
    Ok(out.lines().map(str::to_owned).collect())
}

/// Whether anything a crate ships under `dir` differs between `rev` and the working tree
/// (uncommitted edits count: a release is planned from the tree as it is). Its tests and
/// benches are not published, so a change there releases nothing.
pub fn changed_since(root: &Path, rev: &str, dir: &str) -> Result<bool, String> {
    let shipped = [
        dir.to_owned(),
        format!(":(exclude){dir}/tests"),
        format!(":(exclude){dir}/benches"),
    ];
    let status = Command::new("git")
        .args(["diff", "--quiet", rev, "--"])
        .args(&shipped)
        .current_dir(root)
        .status()
        .map_err(|e| format!("git diff: {e}"))?;
    let differs = match status.code() {
        Some(0) => false,
        Some(1) => true,
        _ => return Err(format!("git diff {rev} -- {dir} failed")),
    };
    // New files git does not track yet are not in a diff.
    let mut args = vec!["ls-files", "--others", "--exclude-standard", "--"];
    args.extend(shipped.iter().map(String::as_str));
    Ok(differs || !git(root, &args)?.trim().is_empty())
}

/// A checkout of `rev` in a temporary folder, removed when dropped.
pub struct Worktree {
    root: PathBuf,
    /// The checkout.
    pub dir: PathBuf,
}

impl Worktree {
    /// Checks `rev` out under `parent`.
    pub fn add(root: &Path, rev: &str, parent: &Path) -> Result<Worktree, String> {
        std::fs::create_dir_all(parent).map_err(|e| format!("{}: {e}", parent.display()))?;
        let dir = parent.join("baseline");
        // A worktree left by an interrupted run would refuse the name.
        let _ = git(
            root,
            &["worktree", "remove", "--force", &dir.to_string_lossy()],
        );
        let _ = std::fs::remove_dir_all(&dir);
        git(
            root,
            &["worktree", "add", "--detach", &dir.to_string_lossy(), rev],
        )?;
        Ok(Worktree {
            root: root.to_owned(),
            dir,
        })
    }
}

impl Drop for Worktree {
    fn drop(&mut self) {
        let _ = git(
            &self.root,
            &["worktree", "remove", "--force", &self.dir.to_string_lossy()],
        );
    }
}

/// Runs git in `root`; its standard output, or an error with its standard error.
pub fn git(root: &Path, args: &[&str]) -> Result<String, String> {
    let out = Command::new("git")
        .args(args)
        .current_dir(root)
        .output()
        .map_err(|e| format!("git {}: {e}", args.join(" ")))?;
    if !out.status.success() {
        return Err(format!(
            "git {} failed: {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}
