//! Finding a field of one structure by the name an example writes: exactly, or loosely
//! (ignoring ASCII case, or by the Rust name both spellings become). Hash maps, so that checking
//! an example against a table is linear in both.

use std::collections::HashMap;

use dezai_spec::Field;

use crate::fields::rust_name;

/// The fields of one structure, by name.
#[derive(Default)]
pub(crate) struct FieldIndex {
    exact: HashMap<String, usize>,
    lower: HashMap<String, usize>,
    snake: HashMap<String, usize>,
}

/// How a written name matched.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Match {
    /// Spelled as documented.
    Exact(usize),
    /// Spelled differently (`Md5` for `MD5`): the index, and the written name is an alias.
    Loose(usize),
}

impl FieldIndex {
    pub(crate) fn new(fields: &[Field]) -> Self {
        let mut index = Self::default();
        for (i, field) in fields.iter().enumerate() {
            index.add(&field.name, i);
        }
        index
    }

    /// Adds a field; the first of several fields with one loose spelling keeps it, as a scan in
    /// document order would find it.
    pub(crate) fn add(&mut self, name: &str, i: usize) {
        self.exact.entry(name.to_owned()).or_insert(i);
        self.lower.entry(name.to_ascii_lowercase()).or_insert(i);
        self.snake.entry(rust_name(name)).or_insert(i);
    }

    pub(crate) fn find(&self, written: &str) -> Option<Match> {
        if let Some(&i) = self.exact.get(written) {
            return Some(Match::Exact(i));
        }
        self.lower
            .get(&written.to_ascii_lowercase())
            .or_else(|| self.snake.get(&rust_name(written)))
            .map(|&i| Match::Loose(i))
    }
}

/// Adds `alias` to the field's aliases, kept sorted; false when it was there already.
pub(crate) fn add_alias(field: &mut Field, alias: &str) -> bool {
    match field.aliases.binary_search_by(|a| a.as_str().cmp(alias)) {
        Ok(_) => false,
        Err(at) => {
            field.aliases.insert(at, alias.to_owned());
            true
        }
    }
}
