//! An instance's backups, listed, made, waited for and downloaded by kind: the engine that
//! runs a row of `dezai_spec::backups::KINDS` through [`Client::invoke`] (every page of the
//! listing, the items read leniently, newest first), picks the newest completed backup, makes
//! one on demand and waits for it ([`create`], [`wait`]), and downloads it with
//! [`crate::download`]. It knows no action of its own: everything about a kind is the
//! row (`docs/backups.md`).
//!
//! ```no_run
//! # async fn demo(client: dezai_runtime::Client) -> Result<(), Box<dyn std::error::Error>> {
//! let kind = dezai_runtime::backups::kind("udb").expect("a known kind");
//! let latest = dezai_runtime::backups::latest(&client, kind, "udb-1").await?;
//! println!("{} made at {:?}", latest.id, latest.time);
//! let done = dezai_runtime::backups::download(&client, kind, "udb-1", &latest, "full.xb").await?;
//! # Ok(()) }
//! ```

mod fresh;
mod instances;
pub mod mirror;
mod pages;

use std::path::PathBuf;

pub use dezai_spec::backups::{BackupKind, KINDS, Phase, kind};
use dezai_spec::backups::{integer_of as integer, text_of as text};
pub use fresh::{create, create_with, no_create_action, wait};
pub use instances::{Instance, instances};
pub use mirror::mirror;
use serde_json::{Map, Value};

use crate::call_options::CallOptions;
use crate::client::Client;
use crate::download::Download;
use crate::error::{Error, ErrorKind};

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
    let options = with_zone(client, options);
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
        Error::new(ErrorKind::InvalidRequest, kind.listing.action).with_message(format!(
            "{} `{instance}` has no completed backup ({listed} listed; completed means a state of {})",
            kind.name,
            kind.success.join(" or ")
        ))
    })
}

/// The parameters of the URL action for `backup` of `instance`.
pub fn url_request(kind: &BackupKind, instance: &str, backup: &Backup) -> Map<String, Value> {
    let mut params = Map::new();
    params.insert(kind.download.id.into(), Value::String(backup.id.clone()));
    if let Some(name) = kind.download.instance {
        params.insert(name.into(), Value::String(instance.into()));
    }
    params
}

/// Downloads `backup` to `output`: its URL asked for with [`url_request`] (and asked for again
/// when it expires), the file checked against the answer's MD5.
pub async fn download<'a>(
    client: &'a Client,
    kind: &'a BackupKind,
    instance: &str,
    backup: &Backup,
    output: impl Into<PathBuf>,
) -> Result<crate::download::Downloaded, crate::download::DownloadError> {
    download_with(
        client,
        kind,
        url_request(kind, instance, backup),
        CallOptions::default(),
        output,
    )
    .await
}

/// The download of the backup `params` (the URL action's request) name: see [`download`].
pub fn download_with<'a>(
    client: &'a Client,
    kind: &'a BackupKind,
    params: Map<String, Value>,
    options: CallOptions,
    output: impl Into<PathBuf>,
) -> Download<'a> {
    let options = with_zone(client, options);
    let ask = move || {
        let (params, options) = (params.clone(), options.clone());
        async move { ask_link(client, kind, params, options).await }
    };
    client.download_asking(output.into(), ask)
}

/// The download link the kind's URL action answers for `params`: `None` when its answer holds
/// none.
async fn ask_link(
    client: &Client,
    kind: &BackupKind,
    params: Map<String, Value>,
    options: CallOptions,
) -> Result<Option<crate::download::DownloadLink>, Error> {
    let answer = client
        .invoke_with(kind.download.action, Value::Object(params), options)
        .await?;
    Ok(answer
        .as_object()
        .and_then(dezai_spec::download::find_in_answer))
}

/// The call's settings with the configured zone, unless they set one: the listing and URL
/// actions are called by name, which sends `Region` and `ProjectId` only, and several of them
/// require `Zone`.
fn with_zone(client: &Client, options: CallOptions) -> CallOptions {
    match (options.get_zone(), client.config().zone()) {
        (None, Some(zone)) => options.zone(zone),
        _ => options,
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
        state,
        id,
        item,
    })
}
