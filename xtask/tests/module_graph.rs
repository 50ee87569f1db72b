//! The modules of each crate depend on each other in one direction: following every
//! `crate::` path of every module, no two modules reach each other (cargo forbids circles
//! between crates; nothing else stops them inside one). And modules name each other by module
//! path, never through the root's re-exports, so that the imports show the real dependencies.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::str::FromStr;

use proc_macro2::{Delimiter, TokenStream, TokenTree};

/// A crate's modules (`a`, `a/b`; the root is ``) and their source.
fn modules(crate_dir: &Path) -> BTreeMap<String, String> {
    let src = crate_dir.join("src");
    let has_lib = src.join("lib.rs").exists();
    let mut found = BTreeMap::new();
    let mut stack = vec![src.clone()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                // `src/bin/*` are crates of their own.
                if path != src.join("bin") {
                    stack.push(path);
                }
                continue;
            }
            if path.extension().is_none_or(|e| e != "rs") {
                continue;
            }
            let relative = path.strip_prefix(&src).unwrap().with_extension("");
            let mut parts: Vec<String> = relative
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect();
            if parts.last().is_some_and(|p| p == "mod") {
                parts.pop();
            }
            let name = parts.join("/");
            let name = match name.as_str() {
                "lib" => String::new(),
                // With a library, `main.rs` is a crate of its own.
                "main" if has_lib => continue,
                "main" => String::new(),
                _ => name,
            };
            found.insert(name, std::fs::read_to_string(&path).unwrap());
        }
    }
    found
}

/// The first names after every `crate::` in `tokens` (`crate::a::b` → `a`; `crate::{a, b::c}`
/// → `a`, `b`). A macro's `$crate::` is left out: it names the crate from another crate, where
/// only the public paths exist.
fn crate_paths(tokens: TokenStream, names: &mut Vec<String>) {
    let tokens: Vec<TokenTree> = tokens.into_iter().collect();
    for (i, token) in tokens.iter().enumerate() {
        match token {
            TokenTree::Group(group) => crate_paths(group.stream(), names),
            TokenTree::Ident(ident)
                if ident == "crate"
                    && !matches!(
                        i.checked_sub(1).and_then(|p| tokens.get(p)),
                        Some(TokenTree::Punct(p)) if p.as_char() == '$'
                    ) =>
            {
                let colons = matches!(
                    (tokens.get(i + 1), tokens.get(i + 2)),
                    (Some(TokenTree::Punct(a)), Some(TokenTree::Punct(b)))
                        if a.as_char() == ':' && b.as_char() == ':'
                );
                match (colons, tokens.get(i + 3)) {
                    (true, Some(TokenTree::Ident(name))) => names.push(name.to_string()),
                    (true, Some(TokenTree::Group(group)))
                        if group.delimiter() == Delimiter::Brace =>
                    {
                        let mut first = true;
                        for inner in group.stream() {
                            match inner {
                                TokenTree::Ident(name) if first => {
                                    names.push(name.to_string());
                                    first = false;
                                }
                                TokenTree::Punct(p) if p.as_char() == ',' => first = true,
                                _ => {}
                            }
                        }
                    }
                    _ => {}
                }
            }
            _ => {}
        }
    }
}

/// Every name the root re-exports with `pub use` (the items and the paths' modules).
fn root_reexports(root: &str) -> BTreeSet<String> {
    let tokens: Vec<TokenTree> = TokenStream::from_str(root).unwrap().into_iter().collect();
    let mut names = BTreeSet::new();
    let mut i = 0;
    while i + 1 < tokens.len() {
        let is_pub_use = matches!(&tokens[i], TokenTree::Ident(p) if p == "pub")
            && matches!(&tokens[i + 1], TokenTree::Ident(u) if u == "use");
        if is_pub_use {
            let mut j = i + 2;
            while j < tokens.len()
                && !matches!(&tokens[j], TokenTree::Punct(p) if p.as_char() == ';')
            {
                collect_idents(&tokens[j], &mut names);
                j += 1;
            }
            i = j;
        }
        i += 1;
    }
    names
}

fn collect_idents(token: &TokenTree, names: &mut BTreeSet<String>) {
    match token {
        TokenTree::Ident(ident) => {
            names.insert(ident.to_string());
        }
        TokenTree::Group(group) => {
            for inner in group.stream() {
                collect_idents(&inner, names);
            }
        }
        _ => {}
    }
}

/// What is wrong with one crate's module graph, in words.
fn problems(crate_dir: &Path) -> Vec<String> {
    let modules = modules(crate_dir);
    let top = |m: &str| m.split('/').next().unwrap_or("").to_owned();
    let tops: BTreeSet<String> = modules.keys().map(|m| top(m)).collect();
    let reexports = modules
        .get("")
        .map(|r| root_reexports(r))
        .unwrap_or_default();
    let mut edges: BTreeSet<(String, String)> = BTreeSet::new();
    let mut problems = Vec::new();
    for (module, text) in &modules {
        if module.is_empty() {
            continue;
        }
        let Ok(tokens) = TokenStream::from_str(text) else {
            problems.push(format!("{module}: does not lex"));
            continue;
        };
        let mut names = Vec::new();
        crate_paths(tokens, &mut names);
        for name in names {
            if tops.contains(&name) {
                if name != top(module) {
                    edges.insert((top(module), name));
                }
            } else if reexports.contains(&name) {
                problems.push(format!(
                    "{module}: `crate::{name}` is the root's re-export; name its module"
                ));
            }
        }
    }
    // Two modules in a circle: each reaches the other.
    let reaches = |from: &str, to: &str| {
        let mut seen = BTreeSet::new();
        let mut stack = vec![from.to_owned()];
        while let Some(at) = stack.pop() {
            if at == to {
                return true;
            }
            if seen.insert(at.clone()) {
                stack.extend(
                    edges
                        .iter()
                        .filter(|(a, _)| *a == at)
                        .map(|(_, b)| b.clone()),
                );
            }
        }
        false
    };
    for (a, b) in &edges {
        if reaches(b, a) {
            problems.push(format!("{a} → {b} closes a circle: {b} reaches {a} again"));
        }
    }
    problems.sort();
    problems.dedup();
    problems
}

fn crate_dirs() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(root.join("crates"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.join("src").is_dir())
        .collect();
    dirs.push(root.join("xtask"));
    dirs.sort();
    dirs
}

#[test]
fn no_two_modules_of_a_crate_reach_each_other() {
    let dirs = crate_dirs();
    assert!(dirs.len() > 3, "{dirs:?}");
    let mut all = Vec::new();
    for dir in dirs {
        for problem in problems(&dir) {
            all.push(format!("{}: {problem}", dir.display()));
        }
    }
    assert!(all.is_empty(), "{}", all.join("\n"));
}

#[test]
fn a_circle_and_a_root_reexport_are_found() {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("dezai-module-graph");
    // A fixed place under the target folder that reruns reuse.
    let _ = std::fs::remove_dir_all(&dir);
    let src = dir.join("src");
    std::fs::create_dir_all(&src).unwrap();
    let write = |name: &str, text: &str| std::fs::write(src.join(name), text).unwrap();
    write("lib.rs", "mod a;\nmod b;\nmod c;\npub use c::Thing;\n");
    write(
        "a.rs",
        "use crate::b::f;\n/// `crate::c` in a comment counts for nothing.\n",
    );
    write("b.rs", "pub fn f() { crate::a::g(); }\n");
    write(
        "c.rs",
        "use crate::Thing as _;\npub struct Thing;\nmacro_rules! m { () => { $crate::Thing }; }\n",
    );
    let found = problems(&dir);
    std::fs::remove_dir_all(&dir).unwrap();
    assert!(
        found.iter().any(|p| p.contains("a → b closes a circle")),
        "{found:?}"
    );
    assert!(
        found.iter().any(|p| p.contains("b → a closes a circle")),
        "{found:?}"
    );
    assert!(
        found.iter().any(|p| p.contains("c: `crate::Thing`")),
        "{found:?}"
    );
    assert_eq!(found.len(), 3, "{found:?}");
}
