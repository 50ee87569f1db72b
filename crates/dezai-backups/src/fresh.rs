//! A backup made on demand, and the wait until it completes: the kind's create action (its
//! row's [`CreateAction`](dezai_spec::backups::CreateAction)), then polls of the kind's state
//! action where it has one, of its listing otherwise, judged by the row's state lists.
//!
//! ```no_run
//! # async fn demo(client: dezai_runtime::Client) -> Result<(), Box<dyn std::error::Error>> {
//! use dezai_backups as backups;
//! let kind = backups::kind("udb").expect("a known kind");
//! let id = backups::create(&client, kind, "udb-1", "before-upgrade").await?;
//! let backup = backups::wait(&client, kind, "udb-1", &id).await?;
//! backups::download(&client, kind, "udb-1", &backup, "before-upgrade.xb").await?;
//! # Ok(()) }
//! ```

use dezai_spec::backups::{BackupKind, Phase, text_of as text};
use serde_json::{Map, Value};

use dezai_runtime::waiter::{Verdict, Waiter};
use dezai_runtime::{CallOptions, Client, Error, ErrorKind};

use crate::listing::{Backup, list_with, of_kind, with_zone};

/// Makes a backup of `instance` named `name` now and answers its id. See [`create_with`].
pub async fn create(
    client: &Client,
    kind: &BackupKind,
    instance: &str,
    name: &str,
) -> Result<String, Error> {
    create_with(
        client,
        kind,
        instance,
        name,
        Map::new(),
        CallOptions::default(),
    )
    .await
}

/// [`create`] with more request parameters of the create action (`BackupMethod`, …) and
/// per-call settings. A kind without a create action is an [`ErrorKind::InvalidRequest`]
/// error that says so, before any call. An answer without the id (two of the documents'
/// examples leave it out) is looked up by its name in the kind's listing.
pub async fn create_with(
    client: &Client,
    kind: &BackupKind,
    instance: &str,
    name: &str,
    mut params: Map<String, Value>,
    options: CallOptions,
) -> Result<String, Error> {
    let Some(create) = kind.create else {
        return Err(no_create_action(kind));
    };
    let options = of_kind(kind, options);
    params.insert(create.instance.into(), Value::String(instance.into()));
    params.insert(create.name.into(), Value::String(name.into()));
    let answer = client
        .invoke_with(
            create.action,
            Value::Object(params),
            with_zone(client, options.clone()),
        )
        .await?;
    if let Some(id) = answer.get(create.id).and_then(text) {
        return Ok(id);
    }
    let listed = list_with(client, kind, instance, Map::new(), options).await?;
    listed
        .into_iter()
        .find(|b| b.name.as_deref() == Some(name))
        .map(|b| b.id)
        .ok_or_else(|| {
            Error::local(
                ErrorKind::Decode,
                create.action,
                format!(
                    "the answer has no `{}`, and {} lists no backup named `{name}` for `{instance}`",
                    create.id, kind.listing.action
                ),
            )
        })
}

/// The error for a kind that cannot make a backup on demand.
pub fn no_create_action(kind: &BackupKind) -> Error {
    Error::local(
        ErrorKind::InvalidRequest,
        kind.listing.action,
        format!(
            "{} has no action that makes a backup on demand (its product publishes none); \
             list its backups to use one it made on its schedule",
            kind.name
        ),
    )
}

/// Waits until backup `id` of `instance` completes: the answer is the backup as the last poll
/// saw it, [`WaitError::Failed`](dezai_runtime::waiter::WaitError::Failed) when it reaches one of the
/// kind's failure states, or a timeout. A state no list of the kind names, and a backup the
/// listing does not show yet, keep the wait going. Set delays, timeout and progress on the
/// returned [`Waiter`] (defaults: polls 5 s apart, backing off to 60 s, for 10 minutes).
pub fn wait<'a>(
    client: &'a Client,
    kind: &'a BackupKind,
    instance: &str,
    id: &str,
) -> Waiter<'a, Backup> {
    let (instance, id) = (instance.to_owned(), id.to_owned());
    let what = kind.state.map_or(kind.listing.action, |s| s.action);
    Waiter::polling(
        what,
        move |options| {
            let (instance, id) = (instance.clone(), id.clone());
            Box::pin(async move { poll(client, kind, &instance, &id, options).await })
        },
        move |backup: &Backup| match backup.state.as_deref().map(|s| kind.phase(s)) {
            Some(Phase::Completed) => Verdict::Done,
            Some(Phase::Failed) => Verdict::Failed,
            _ => Verdict::Pending,
        },
    )
}

/// One look at the backup: by the state action, or found in the listing (a backup not listed
/// yet has no state).
async fn poll(
    client: &Client,
    kind: &BackupKind,
    instance: &str,
    id: &str,
    options: CallOptions,
) -> Result<Backup, Error> {
    let options = of_kind(kind, options);
    let Some(state) = kind.state else {
        let listed = list_with(client, kind, instance, Map::new(), options).await?;
        let found = listed.into_iter().find(|b| b.id == id);
        return Ok(found.unwrap_or_else(|| unseen(kind, id, None, Map::new())));
    };
    let mut params = Map::new();
    params.insert(state.id.into(), Value::String(id.into()));
    let answer = client
        .invoke_with(
            state.action,
            Value::Object(params),
            with_zone(client, options),
        )
        .await?;
    let Value::Object(answer) = answer else {
        return Ok(unseen(kind, id, None, Map::new()));
    };
    let value = answer.get(state.state).and_then(text);
    Ok(unseen(kind, id, value, answer))
}

/// A backup known by its id and state only.
fn unseen(kind: &BackupKind, id: &str, state: Option<String>, item: Map<String, Value>) -> Backup {
    Backup {
        id: id.to_owned(),
        name: None,
        time: None,
        size: None,
        blocks: None,
        completed: state
            .as_deref()
            .is_some_and(|s| kind.phase(s) == Phase::Completed),
        state,
        item,
    }
}
