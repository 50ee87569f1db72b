//! The instances of a kind: every page of its instance listing (once per set of fixed
//! parameters the row names, such as UDB's `ClassType`), read leniently, each instance once.

use dezai_spec::backups::{BackupKind, text_of};
use serde_json::{Map, Value};

use dezai_runtime::{CallOptions, Client, Error};

use crate::listing::of_kind;
use crate::pages::every_item;

/// One instance of a kind, as its listing writes it.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Instance {
    /// Its id, as the backup listing takes it.
    pub id: String,
    /// Its name.
    pub name: Option<String>,
    /// The zone it lives in, when its item says: its backups are asked for there.
    pub zone: Option<String>,
    /// The whole item as the service sent it.
    pub item: Map<String, Value>,
}

/// Every instance of `kind` the settings' region and project hold, in every zone (no zone is
/// sent unless the settings give one), in the service's order; an item without an id is
/// skipped, and an instance listed by two calls is kept once.
pub async fn instances(
    client: &Client,
    kind: &BackupKind,
    options: CallOptions,
) -> Result<Vec<Instance>, Error> {
    read(client, kind, options, true).await
}

/// [`instances`], each item kept (`keep_items`) or dropped as it is read (a mirror of a
/// thousand instances needs their ids and zones, not their whole descriptions).
pub(crate) async fn read(
    client: &Client,
    kind: &BackupKind,
    options: CallOptions,
    keep_items: bool,
) -> Result<Vec<Instance>, Error> {
    let listing = &kind.instances;
    let options = of_kind(kind, options);
    // No configured zone is added: without one the listings answer every zone's instances.
    let no_variant: &[(&str, &str)] = &[];
    let variants: Vec<&[(&str, &str)]> = if listing.variants.is_empty() {
        vec![no_variant]
    } else {
        listing.variants.to_vec()
    };
    let mut found: Vec<Instance> = Vec::new();
    for fixed in variants {
        let params: Map<String, Value> = fixed
            .iter()
            .map(|(k, v)| ((*k).to_owned(), Value::String((*v).to_owned())))
            .collect();
        let items = every_item(
            client,
            listing.action,
            listing.items,
            listing.paged,
            &params,
            &options,
        )
        .await?;
        for item in items {
            let Some(id) = item.get(listing.id).and_then(text_of) else {
                continue;
            };
            if found.iter().any(|i| i.id == id) {
                continue;
            }
            let name = listing.name.and_then(|f| item.get(f)).and_then(text_of);
            let zone = listing.zone.and_then(|f| item.get(f)).and_then(text_of);
            found.push(Instance {
                id,
                name,
                zone,
                item: if keep_items { item } else { Map::new() },
            });
        }
    }
    Ok(found)
}
