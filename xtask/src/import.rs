//! `cargo xtask import DIR`: brings a checkout of the publisher's repository into `specs/docs/`.
//!
//! The publisher keeps one `<product>-api` folder per product next to index pages, shared
//! pages and site files (`docs/format.md`, "How the publisher keeps the documents"). An import
//! takes every action document from those folders — recognised by its content, never by its
//! file name — and matches it with the local document of the same product and action, whatever
//! either file is called. It reports what it added, changed and left unchanged, and the local
//! documents upstream no longer has (kept unless `--prune`). Documents listed in
//! `specs/exclude.txt` are left alone; an action documented twice upstream gets the line to add
//! there. Codegen runs afterwards (see `main.rs`), so its API change report shows what the
//! update changes.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::path::{Path, PathBuf};

use dezai_docs::publisher::{documented_action, product_of_folder};

use crate::codegen::exclude::{self, Exclusion};

/// How an import runs.
#[derive(Debug, Clone, Copy, Default)]
pub struct Options {
    /// Report what would happen; write and remove nothing.
    pub dry_run: bool,
    /// Remove local documents whose action upstream no longer documents.
    pub prune: bool,
}

/// One document an import looked at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// Its path in the docs folder, `<product>/<file>.md`.
    pub path: String,
    /// The action it documents (empty for a local document that names none).
    pub action: String,
    /// Where upstream keeps it, relative to the repository (empty for local-only documents).
    pub upstream: String,
}

/// An action documented twice upstream in one product, which the exclude list does not settle.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Twice {
    /// The action.
    pub action: String,
    /// The document kept (the first by file name: `add_targets.md` before
    /// `add_targets_json.md`).
    pub keep: String,
    /// The others, each needing a line in the exclude list.
    pub others: Vec<String>,
}

impl Twice {
    /// The exclude-list lines that settle it.
    pub fn exclude_lines(&self) -> Vec<String> {
        self.others
            .iter()
            .map(|path| {
                format!(
                    "{path}  documented twice: {} is also in {}",
                    self.action, self.keep
                )
            })
            .collect()
    }
}

/// What an import did (or, with `--dry-run`, would do).
#[derive(Debug, Default)]
pub struct Import {
    /// The repository imported from.
    pub from: PathBuf,
    /// Action documents upstream.
    pub documents: usize,
    /// The products they belong to.
    pub products: BTreeSet<String>,
    /// Documents new to the docs folder.
    pub added: Vec<Entry>,
    /// Documents whose text upstream differs from the local one.
    pub changed: Vec<Entry>,
    /// Documents that are the same.
    pub unchanged: Vec<Entry>,
    /// Local documents whose action upstream no longer documents.
    pub gone_upstream: Vec<Entry>,
    /// Upstream documents left alone because the exclude list names them, with its line.
    pub excluded: Vec<(Entry, usize)>,
    /// Actions documented twice upstream that the exclude list does not settle.
    pub twice: Vec<Twice>,
    /// Markdown pages in product folders that document no action (index pages, sidebars).
    pub pages_skipped: Vec<String>,
    /// Other files and folders: site pages, shared pages, non-Markdown files.
    pub others_skipped: usize,
    /// How it ran.
    pub options: Options,
}

impl Import {
    /// Whether the docs folder changed (or would change).
    pub fn changes_docs(&self) -> bool {
        !self.added.is_empty()
            || !self.changed.is_empty()
            || (self.options.prune && !self.gone_upstream.is_empty())
    }
}

/// Imports the publisher's repository at `upstream` into `docs`, honouring the exclude list at
/// `exclude_file`. Errors are I/O errors and a repository without a single product folder.
pub fn import(
    upstream: &Path,
    docs: &Path,
    exclude_file: &Path,
    options: Options,
) -> Result<Import, String> {
    let exclusions = exclude::read(exclude_file)?;
    let excluded_line = |path: &str| {
        exclusions
            .iter()
            .find(|e: &&Exclusion| e.path == path)
            .map(|e| e.line)
    };
    let mut import = Import {
        from: upstream.to_owned(),
        options,
        ..Import::default()
    };
    let found = scan_upstream(upstream, &mut import)?;
    let local = scan_local(docs)?;

    let mut by_action: BTreeMap<(String, String), Vec<&Found>> = BTreeMap::new();
    for doc in &found {
        by_action
            .entry((doc.product.clone(), doc.action.clone()))
            .or_default()
            .push(doc);
    }
    let mut taken: BTreeSet<String> = BTreeSet::new();
    let mut writes: Vec<(String, &str)> = Vec::new();
    for ((product, action), mut docs_upstream) in by_action {
        docs_upstream.sort_by(|a, b| a.file.cmp(&b.file));
        let mut locals: Vec<&Local> = local
            .iter()
            .filter(|l| l.product == product && l.action.as_deref() == Some(action.as_str()))
            .collect();
        let mut kept = Vec::new();
        for doc in docs_upstream {
            // The local document of this action: the one with the same file name, else any.
            let same_name = locals.iter().position(|l| l.file == doc.file);
            let path = match same_name.or((!locals.is_empty()).then_some(0)) {
                Some(i) => locals.remove(i).path.clone(),
                None => free_path(&product, &doc.file, &local, &taken),
            };
            taken.insert(path.clone());
            let entry = Entry {
                path: path.clone(),
                action: action.clone(),
                upstream: doc.upstream.clone(),
            };
            if let Some(line) = excluded_line(&path) {
                import.excluded.push((entry, line));
                continue;
            }
            kept.push(path.clone());
            match local.iter().find(|l| l.path == path) {
                Some(l) if l.text == doc.text => import.unchanged.push(entry),
                Some(_) => {
                    writes.push((path, &doc.text));
                    import.changed.push(entry);
                }
                None => {
                    writes.push((path, &doc.text));
                    import.added.push(entry);
                }
            }
        }
        if kept.len() > 1 {
            import.twice.push(Twice {
                action,
                keep: kept.remove(0),
                others: kept,
            });
        }
    }
    import.gone_upstream = local
        .iter()
        .filter(|l| !taken.contains(&l.path))
        .map(|l| Entry {
            path: l.path.clone(),
            action: l.action.clone().unwrap_or_default(),
            upstream: String::new(),
        })
        .collect();

    if !options.dry_run {
        for (path, text) in writes {
            let file = docs.join(&path);
            if let Some(dir) = file.parent() {
                std::fs::create_dir_all(dir)
                    .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
            }
            std::fs::write(&file, text)
                .map_err(|e| format!("cannot write {}: {e}", file.display()))?;
        }
        if options.prune {
            for entry in &import.gone_upstream {
                let file = docs.join(&entry.path);
                std::fs::remove_file(&file)
                    .map_err(|e| format!("cannot remove {}: {e}", file.display()))?;
            }
        }
    }
    Ok(import)
}

/// An action document found upstream.
struct Found {
    product: String,
    action: String,
    /// Its file name.
    file: String,
    /// Its path relative to the repository.
    upstream: String,
    text: String,
}

/// A document of the docs folder.
struct Local {
    product: String,
    file: String,
    path: String,
    /// The action it documents, when it reads as an action document.
    action: Option<String>,
    text: String,
}

fn scan_upstream(root: &Path, import: &mut Import) -> Result<Vec<Found>, String> {
    let mut found = Vec::new();
    for entry in sorted_entries(root)? {
        let name = file_name(&entry);
        let product = entry.is_dir().then(|| product_of_folder(&name)).flatten();
        let Some(product) = product else {
            // Site pages, navigation, shared pages (`summary/`), the repository's own files.
            if !name.starts_with('.') {
                import.others_skipped += 1;
            }
            continue;
        };
        let mut files = Vec::new();
        walk(&entry, &mut files)?;
        for file in files {
            let upstream = relative(root, &file);
            let is_markdown = file.extension().is_some_and(|e| e == "md");
            let text = is_markdown
                .then(|| std::fs::read_to_string(&file).ok())
                .flatten();
            let Some(text) = text else {
                import.others_skipped += 1;
                continue;
            };
            match documented_action(&text) {
                Some(action) => {
                    import.products.insert(product.clone());
                    found.push(Found {
                        product: product.clone(),
                        action,
                        file: file_name(&file),
                        upstream,
                        text,
                    });
                }
                None => import.pages_skipped.push(upstream),
            }
        }
    }
    if found.is_empty() {
        return Err(format!(
            "{} holds no action document in a `<product>-api` folder; is it a checkout of the publisher's repository?",
            root.display()
        ));
    }
    import.documents = found.len();
    Ok(found)
}

fn scan_local(docs: &Path) -> Result<Vec<Local>, String> {
    if !docs.exists() {
        return Ok(Vec::new());
    }
    let sources = dezai_docs::read_docs_dir(docs)
        .map_err(|e| format!("cannot read {}: {e}", docs.display()))?;
    Ok(sources
        .into_iter()
        .map(|s| {
            let text = String::from_utf8_lossy(&s.bytes).into_owned();
            Local {
                file: s.path.rsplit('/').next().unwrap_or_default().to_owned(),
                action: documented_action(&text),
                product: s.product,
                path: s.path,
                text,
            }
        })
        .collect())
}

/// `<product>/<file>`, or, when a local document of another action or an earlier import has
/// that name, `<product>/<stem>_2.md` and so on.
fn free_path(product: &str, file: &str, local: &[Local], taken: &BTreeSet<String>) -> String {
    let stem = file.strip_suffix(".md").unwrap_or(file);
    (1..)
        .map(|n| match n {
            1 => format!("{product}/{stem}.md"),
            n => format!("{product}/{stem}_{n}.md"),
        })
        .find(|path| !taken.contains(path) && !local.iter().any(|l| &l.path == path))
        .unwrap_or_default()
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), String> {
    for entry in sorted_entries(dir)? {
        if file_name(&entry).starts_with('.') {
            continue;
        }
        if entry.is_dir() {
            walk(&entry, out)?;
        } else {
            out.push(entry);
        }
    }
    Ok(())
}

fn sorted_entries(dir: &Path) -> Result<Vec<PathBuf>, String> {
    let mut entries = std::fs::read_dir(dir)
        .and_then(|d| {
            d.map(|e| e.map(|e| e.path()))
                .collect::<Result<Vec<_>, _>>()
        })
        .map_err(|e| format!("cannot read {}: {e}", dir.display()))?;
    entries.sort();
    Ok(entries)
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

fn relative(root: &Path, path: &Path) -> String {
    path.strip_prefix(root)
        .unwrap_or(path)
        .to_string_lossy()
        .replace('\\', "/")
}

impl fmt::Display for Import {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "import from {}: {} action document(s) in {} product(s)",
            self.from.display(),
            self.documents,
            self.products.len()
        )?;
        writeln!(
            f,
            "skipped: {} page(s) that document no action (index pages, sidebars), {} other file(s) and folder(s)",
            self.pages_skipped.len(),
            self.others_skipped
        )?;
        let list = |f: &mut fmt::Formatter<'_>, title: &str, entries: &[Entry]| {
            if entries.is_empty() {
                return Ok(());
            }
            writeln!(f, "{title} ({}):", entries.len())?;
            for e in entries {
                match (e.action.as_str(), e.upstream.as_str()) {
                    ("", _) => writeln!(f, "  {}", e.path)?,
                    (action, "") => writeln!(f, "  {}  {action}", e.path)?,
                    (action, from) => writeln!(f, "  {}  {action}  (from {from})", e.path)?,
                }
            }
            Ok(())
        };
        list(f, "added", &self.added)?;
        list(f, "changed", &self.changed)?;
        writeln!(f, "unchanged: {}", self.unchanged.len())?;
        let gone = if self.options.prune {
            "upstream no longer has these; removed (--prune)"
        } else {
            "upstream no longer has these; kept (`--prune` removes them)"
        };
        list(f, gone, &self.gone_upstream)?;
        if !self.excluded.is_empty() {
            writeln!(
                f,
                "left alone, listed in specs/exclude.txt ({}):",
                self.excluded.len()
            )?;
            for (e, line) in &self.excluded {
                writeln!(f, "  {}  {}  (exclude.txt line {line})", e.path, e.action)?;
            }
        }
        if !self.twice.is_empty() {
            writeln!(
                f,
                "documented twice upstream ({}); keep one by adding to specs/exclude.txt:",
                self.twice.len()
            )?;
            for line in self.twice.iter().flat_map(Twice::exclude_lines) {
                writeln!(f, "{line}")?;
            }
        }
        if self.options.dry_run {
            writeln!(f, "dry run: nothing was written or removed")?;
        }
        Ok(())
    }
}
