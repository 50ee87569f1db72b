//! Scripted backup listings: an instance's backups for a kind of `dezai_spec::backups::KINDS`,
//! answered page by page as the service pages them (`Offset`, `Limit`, `TotalCount`), so that
//! code listing backups is tested with several pages, every state and any order.

use std::sync::Arc;

use dezai_spec::backups::BackupKind;
use serde_json::{Map, Value, json};

use crate::{Emulator, Script};

/// `count` backups of `kind` as its listing writes them: ids `1000`, `1001`, … (numbers: some
/// URL actions type the id `int`), made a minute apart from 2023-11-14T22:13:20Z, named
/// `backup <i>`, sized `1024 × (i + 1)`, each in the state `state_of(i)` says.
pub fn backup_items<S: Into<String>>(
    kind: &BackupKind,
    count: usize,
    state_of: impl Fn(usize) -> S,
) -> Vec<Value> {
    let f = &kind.fields;
    (0..count)
        .map(|i| {
            let mut item = Map::new();
            item.insert(f.id.into(), json!(format!("{}", 1000 + i)));
            item.insert(f.time.into(), json!(1_700_000_000 + 60 * i as i64));
            item.insert(f.state.into(), Value::String(state_of(i).into()));
            if let Some(name) = f.name {
                item.insert(name.into(), json!(format!("backup {i}")));
            }
            if let Some(size) = f.size {
                item.insert(size.into(), json!(1024 * (i + 1)));
            }
            Value::Object(item)
        })
        .collect()
}

impl Emulator {
    /// Answers `kind`'s listing with `items`, in a shuffled order (order must come from the
    /// times, not from the service), at most `page` items a page when the kind pages.
    pub fn script_listing(&self, kind: &'static BackupKind, mut items: Vec<Value>, page: usize) {
        items.reverse();
        let third = items.len() / 3;
        items.rotate_left(third);
        let items = Arc::new(items);
        self.script(
            kind.listing.action,
            Script::With(Arc::new(move |params: &[(String, String)]| {
                let get = |name: &str| {
                    params
                        .iter()
                        .find(|(n, _)| n == name)
                        .and_then(|(_, v)| v.parse::<usize>().ok())
                };
                let (offset, limit) = if kind.listing.paged {
                    (
                        get("Offset").unwrap_or(0),
                        get("Limit").unwrap_or(10).min(page),
                    )
                } else {
                    (0, items.len())
                };
                let shown: Vec<Value> = items.iter().skip(offset).take(limit).cloned().collect();
                json!({ kind.listing.items[0]: shown, "TotalCount": items.len() })
            })),
        );
    }
}
