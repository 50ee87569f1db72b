//! An instance's backups as its kind's listing gives them: every page, each item read by the
//! row's fields (leniently: ids and times as strings or numbers), newest first; and the newest
//! completed one.

use dezai_runtime::{CallOptions, Client, Error, ErrorKind};
use dezai_spec::backups::{BackupKind, Phase, integer_of as integer, text_of as text};
use serde_json::{Map, Value};

use crate::pages;

/// One listed backup, as its kind's fields say.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Backup {
    /// Its id, as the URL action takes it.
    pub id: String,
    /// Its name.
    pub name: Option<String>,
    /// When it was made, Unix seconds.
    pub time: Option<i64>,
    /// Its size in bytes.
    pub size: Option<i64>,
    /// Its state, as the service writes it.
    pub state: Option<String>,
    /// How many files (shards) it is, when the listing says (`BlockCount`); a copy is
    /// complete only with every one.
    pub blocks: Option<u32>,
    /// Whether the state is one of the kind's success values.
    pub completed: bool,
    /// The whole item as the service sent it.
    pub item: Map<String, Value>,
}

/// Every backup of an instance, all pages, newest first. `filters` are more request parameters
/// of the listing action (`BackupType`, …); `Offset` and `Limit` are the pager's.
pub async fn list_with(
    client: &Client,
    kind: &BackupKind,
    instance: &str,
    filters: Map<String, Value>,
    options: CallOptions,
) -> Result<Vec<Backup>, Error> {
    let listing = &kind.listing;
    let options = with_zone(client, of_kind(kind, options));
    let mut params = filters;
    params.insert(listing.instance.into(), Value::String(instance.into()));
    let items = pages::every_item(
        client,
        listing.action,
        listing.items,
        listing.paged,
        &params,
        &options,
    )
    .await?;
    let mut backups: Vec<Backup> = items.into_iter().filter_map(|i| read(kind, i)).collect();
    // Newest first; a backup without a time last. Stable: the service's order otherwise.
    backups.sort_by(|a, b| b.time.unwrap_or(i64::MIN).cmp(&a.time.unwrap_or(i64::MIN)));
    Ok(backups)
}

/// [`list_with`] without filters or per-call settings.
pub async fn list(
    client: &Client,
    kind: &BackupKind,
    instance: &str,
) -> Result<Vec<Backup>, Error> {
    list_with(client, kind, instance, Map::new(), CallOptions::default()).await
}

/// The newest completed backup of an instance; an [`ErrorKind::InvalidRequest`] error naming
/// the instance when it has none.
pub async fn latest(client: &Client, kind: &BackupKind, instance: &str) -> Result<Backup, Error> {
    let backups = list(client, kind, instance).await?;
    newest_completed(kind, instance, backups)
}

/// The newest completed backup of a listing (newest first), or the error that says there is
/// none.
pub fn newest_completed(
    kind: &BackupKind,
    instance: &str,
    backups: Vec<Backup>,
) -> Result<Backup, Error> {
    let listed = backups.len();
    backups.into_iter().find(|b| b.completed).ok_or_else(|| {
        Error::local(
            ErrorKind::InvalidRequest,
            kind.listing.action,
            format!(
                "{} `{instance}` has no completed backup ({listed} listed; completed means a state of {})",
                kind.name,
                kind.success.join(" or ")
            ),
        )
    })
}

/// The call's settings with the configured zone, unless they set one: the listing and URL
/// actions are called by name, which sends `Region` and `ProjectId` only, and several of them
/// require `Zone`.
pub(crate) fn with_zone(client: &Client, options: CallOptions) -> CallOptions {
    match (options.get_zone(), client.config().zone()) {
        (None, Some(zone)) => options.zone(zone),
        _ => options,
    }
}

/// The call's settings for one of `kind`'s actions, which are called by name: its product
/// named, so that the call's span is `<product>.<Action>` as a typed call's.
pub(crate) fn of_kind(kind: &BackupKind, options: CallOptions) -> CallOptions {
    match options.get_service() {
        Some(_) => options,
        None => options.service(kind.product),
    }
}

fn read(kind: &BackupKind, item: Map<String, Value>) -> Option<Backup> {
    let fields = &kind.fields;
    let text = |name: &str| item.get(name).and_then(text);
    let id = text(fields.id)?;
    let state = text(fields.state);
    Some(Backup {
        completed: state
            .as_deref()
            .is_some_and(|s| kind.phase(s) == Phase::Completed),
        name: fields.name.and_then(text),
        time: item.get(fields.time).and_then(integer),
        size: fields.size.and_then(|f| item.get(f)).and_then(integer),
        blocks: fields
            .blocks
            .and_then(|f| item.get(f))
            .and_then(integer)
            .and_then(|n| u32::try_from(n).ok()),
        state,
        id,
        item,
    })
}
