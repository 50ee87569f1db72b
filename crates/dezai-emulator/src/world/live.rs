//! The world while the emulator runs: the answers of the actions the kinds' rows name, the
//! backups made on demand and their progress, and the files the URL actions point at
//! (`/world/<kind>/<backup id in hex>/<shard>/<network>/<expires>/<name>`, served as object
//! storage serves a file: each shard of each backup its own bytes, and each network its own
//! address, so that a test can tell which was fetched).

use std::collections::HashMap;
use std::time::Instant;

use dezai_spec::backups::{BackupKind, KINDS, Phase};
use dezai_spec::download::{Network, is_internal_name};
use dezai_spec::{Action, Type};
use hyper::Response;
use serde_json::{Value, json};

use super::paths::{hex, safe, seed, unhex};
use super::{World, WorldBackup, WorldInstance, id_text};
use crate::backups::{BackupBody, Backups, Source, digest, now};
use crate::catalog::example_answer;
use crate::lock;

/// The RetCode of an answer about an instance or backup the world does not hold: the protocol
/// names no per-product "not found" code, and the service answers a bad id as a parameter
/// error.
const NOT_FOUND: i64 = dezai_spec::ret_code::INVALID_PARAMETER;
/// Items per page when a paged request gives no `Limit` (the documents' default).
const DEFAULT_LIMIT: usize = 20;
/// Where ids of backups made on demand start.
const FIRST_NEW_ID: u64 = 900_001;
/// The size of a backup made on demand, before its number's share.
const NEW_SIZE: u64 = 256 * 1024;

/// An error answer: RetCode and message.
pub(crate) type Refusal = (i64, String);

mod resources;

pub(crate) use resources::coverage;

/// The world, changing as clients call.
pub(crate) struct Live {
    inner: std::sync::Mutex<Inner>,
    /// The resource types the specs model.
    types: Vec<resources::Modeled>,
}

struct Inner {
    world: World,
    /// Backups being made, by kind and id: when they finish, and whether they fail.
    pending: HashMap<(String, String), (Instant, bool)>,
    next_id: u64,
    /// Each shard's MD5, by kind, backup id and shard.
    md5: HashMap<(String, String, u32), String>,
}

/// The parameters of a request, by name.
struct Params<'a>(&'a [(String, String)]);

impl Params<'_> {
    fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    fn number(&self, name: &str) -> Option<usize> {
        self.get(name).and_then(|v| v.parse().ok())
    }
}

impl Live {
    pub(crate) fn new(world: World, catalog: &crate::catalog::Catalog) -> Self {
        Self {
            inner: std::sync::Mutex::new(Inner {
                world,
                pending: HashMap::new(),
                next_id: FIRST_NEW_ID,
                md5: HashMap::new(),
            }),
            types: resources::Modeled::all(catalog),
        }
    }

    /// The answer of `action` when a kind's row names it (`None`: not a world action).
    pub(crate) fn answer(
        &self,
        action: &str,
        spec: &Action,
        params: &[(String, String)],
        base: &str,
        files: &Backups,
    ) -> Option<Result<Value, Refusal>> {
        let params = Params(params);
        let Some(kind) = KINDS.iter().find(|k| names(k).contains(&action)) else {
            let mut inner = lock(&self.inner);
            inner.settle();
            return inner.resource_answer(&self.types, action, spec, &params);
        };
        let mut inner = lock(&self.inner);
        inner.settle();
        let answer = if action == kind.instances.action {
            inner.list_instances(kind, &params)
        } else if action == kind.listing.action {
            inner.list_backups(kind, &params)
        } else if kind.create.is_some_and(|c| c.action == action) {
            inner.create(kind, spec, &params)
        } else if kind.state.is_some_and(|s| s.action == action) {
            inner.state(kind, spec, &params)
        } else {
            let target = inner.url_target(kind, &params);
            drop(inner);
            return Some(target.and_then(|(instance, backup)| {
                self.url_answer(kind, spec, &params, &instance, &backup, base, files)
            }));
        };
        Some(answer)
    }

    /// Each instance's kind, id and number of backups, in the world's order.
    pub(crate) fn instances(&self) -> Vec<(String, String, usize)> {
        let inner = lock(&self.inner);
        let all = inner.world.instances.iter();
        all.map(|i| (i.kind.clone(), i.id.clone(), i.backups.len()))
            .collect()
    }

    /// Answers `GET /world/…`.
    pub(crate) fn serve(
        &self,
        path: &str,
        range: Option<&str>,
        if_range: Option<&str>,
        files: &Backups,
    ) -> Response<BackupBody> {
        let parts: Vec<&str> = path.trim_start_matches("/world/").split('/').collect();
        let (Some(kind), Some(id), Some(shard), Some(expires)) = (
            parts
                .first()
                .and_then(|k| KINDS.iter().find(|kind| kind.name == *k)),
            parts.get(1).and_then(|h| unhex(h)),
            parts.get(2).and_then(|s| s.parse::<u32>().ok()),
            parts.get(4).and_then(|e| e.parse::<u64>().ok()),
        ) else {
            return files.not_found(path, range);
        };
        if now() > expires {
            return files.expired(path, range);
        }
        let found = {
            let mut inner = lock(&self.inner);
            inner.settle();
            inner
                .find(kind, &id)
                .filter(|(_, b)| inner.phase(kind, b) == Phase::Completed)
                .filter(|(_, b)| shard < b.blocks)
                .map(|(_, b)| b.shard_size(shard))
        };
        let Some(size) = found else {
            return files.not_found(path, range);
        };
        let seed = seed(kind, &id, shard);
        let etag = format!("\"w{seed:x}-{size}\"");
        let modified = "Mon, 02 Nov 2026 08:00:00 GMT";
        files.respond(
            path,
            Source::Generated(seed),
            size,
            &etag,
            modified,
            range,
            if_range,
        )
    }

    /// The URL action's answer: the example's, its URL fields pointing at the backup's file
    /// here and its MD5 field holding the file's MD5.
    #[allow(clippy::too_many_arguments)]
    fn url_answer(
        &self,
        kind: &BackupKind,
        spec: &Action,
        params: &Params<'_>,
        instance: &WorldInstance,
        backup: &WorldBackup,
        base: &str,
        files: &Backups,
    ) -> Result<Value, Refusal> {
        if lock(&self.inner).phase(kind, backup) != Phase::Completed {
            return Err((
                NOT_FOUND,
                format!("Backup [{}] is not completed", backup.id_text()),
            ));
        }
        let id = backup.id_text();
        // The shards the request asks for: the one its shard parameter names, or all.
        let asked = kind
            .download
            .shard
            .and_then(|p| params.get(p))
            .map(|s| s.parse::<u32>().map_err(|_| s.to_owned()));
        let shards: Vec<u32> = match asked {
            None => (0..backup.blocks).collect(),
            Some(Ok(shard)) if shard < backup.blocks => vec![shard],
            Some(Ok(shard)) => {
                return Err((
                    NOT_FOUND,
                    format!("Block [{shard}] of backup [{id}] not found"),
                ));
            }
            Some(Err(text)) => return Err((NOT_FOUND, format!("Block [{text}] not found"))),
        };
        let expires = files.expires();
        let url = |shard: u32, network: Network| {
            format!(
                "{base}/world/{}/{}/{shard}/{network}/{expires}/{}-{}-{shard}.backup",
                kind.name,
                hex(&id),
                safe(&instance.id),
                safe(&id)
            )
        };
        // One MD5 checks one file: the field holds it only when the answer is one file.
        let md5 = match shards.as_slice() {
            [shard] => self.md5(kind, backup, *shard),
            _ => String::new(),
        };
        let mut answer = example_answer(spec);
        let fields = dezai_spec::download::download_fields(spec);
        if let (Value::Object(map), Some(fields)) = (&mut answer, fields) {
            for field in &fields.urls {
                let names = std::iter::once(&field.name).chain(&field.aliases);
                let Some(key) = names.into_iter().find(|n| map.contains_key(*n)).cloned() else {
                    continue;
                };
                let Some(value) = map.get_mut(&key) else {
                    continue;
                };
                let network = if is_internal_name(&field.name) {
                    Network::Intranet
                } else {
                    Network::Internet
                };
                *value = match value {
                    Value::Array(_) => {
                        Value::Array(shards.iter().map(|s| json!(url(*s, network))).collect())
                    }
                    _ => json!(url(shards[0], network)),
                };
            }
            if let Some(field) = fields.md5 {
                map.insert(field.name.clone(), Value::String(md5));
            }
        }
        Ok(answer)
    }

    /// The MD5 of one shard of a backup, computed once.
    fn md5(&self, kind: &BackupKind, backup: &WorldBackup, shard: u32) -> String {
        let key = (kind.name.to_owned(), backup.id_text(), shard);
        if let Some(md5) = lock(&self.inner).md5.get(&key) {
            return md5.clone();
        }
        let seed = seed(kind, &key.1, shard);
        let md5 = digest(Source::Generated(seed), backup.shard_size(shard));
        lock(&self.inner).md5.insert(key, md5.clone());
        md5
    }
}

impl Inner {
    /// Backups and resources whose delay has passed reach their end state.
    fn settle(&mut self) {
        self.settle_resources();
        let now = Instant::now();
        let done: Vec<(String, String)> = self
            .pending
            .iter()
            .filter(|(_, (at, _))| *at <= now)
            .map(|(key, _)| key.clone())
            .collect();
        for key in done {
            let Some((_, fails)) = self.pending.remove(&key) else {
                continue;
            };
            let Some(kind) = dezai_spec::backups::kind(&key.0) else {
                continue;
            };
            let state = if fails { kind.failed } else { kind.success };
            let state = state.first().map(|s| (*s).to_owned());
            for instance in self.world.instances.iter_mut().filter(|i| i.kind == key.0) {
                for backup in instance.backups.iter_mut().filter(|b| b.id_text() == key.1) {
                    backup.state.clone_from(&state);
                }
            }
        }
    }

    fn phase(&self, kind: &BackupKind, backup: &WorldBackup) -> Phase {
        backup
            .state
            .as_deref()
            .map_or(Phase::Completed, |s| kind.phase(s))
    }

    fn instances<'a>(
        &'a self,
        kind: &'a BackupKind,
        params: &'a Params<'_>,
    ) -> impl Iterator<Item = &'a WorldInstance> + 'a {
        let region = params.get("Region");
        self.world.instances.iter().filter(move |i| {
            i.kind == kind.name
                && (i.region.is_none() || region.is_none() || i.region.as_deref() == region)
        })
    }

    fn instance<'a>(
        &'a self,
        kind: &'a BackupKind,
        params: &'a Params<'_>,
        param: &str,
        id: &str,
    ) -> Result<&'a WorldInstance, Refusal> {
        self.instances(kind, params)
            .find(|i| i.id == id)
            .ok_or_else(|| (NOT_FOUND, format!("{param} [{id}] not found")))
    }

    fn find(&self, kind: &BackupKind, id: &str) -> Option<(&WorldInstance, &WorldBackup)> {
        self.world
            .instances
            .iter()
            .filter(|i| i.kind == kind.name)
            .find_map(|i| Some((i, i.backups.iter().find(|b| b.id_text() == id)?)))
    }

    fn list_instances(&self, kind: &BackupKind, params: &Params<'_>) -> Result<Value, Refusal> {
        let listing = &kind.instances;
        // The variant the request asks for (UDB's `ClassType`); an instance whose item does
        // not say belongs to the first.
        let variant = listing.variants.iter().position(|fixed| {
            fixed
                .iter()
                .all(|(k, v)| params.get(k).is_some_and(|p| p.eq_ignore_ascii_case(v)))
        });
        let matches = |i: &&WorldInstance| {
            let Some(index) = variant else { return true };
            listing.variants[index]
                .iter()
                .all(|(k, v)| match i.item.get(*k) {
                    Some(value) => value.as_str().is_some_and(|s| s.eq_ignore_ascii_case(v)),
                    None => index == 0,
                })
        };
        let zone = params.get("Zone");
        let in_zone =
            |i: &&WorldInstance| i.zone.is_none() || zone.is_none() || i.zone.as_deref() == zone;
        // A listing filtered by an id the world does not hold lists nothing, as the service's.
        let chosen: Vec<&WorldInstance> = match params.get(listing.id) {
            Some(id) => self
                .instances(kind, params)
                .filter(|i| i.id == id)
                .collect(),
            None => self
                .instances(kind, params)
                .filter(matches)
                .filter(in_zone)
                .collect(),
        };
        let items = chosen.into_iter().map(|i| {
            let mut item = i.item.clone();
            item.insert(listing.id.into(), Value::String(i.id.clone()));
            if let (Some(field), Some(name)) = (listing.name, &i.name) {
                item.insert(field.into(), Value::String(name.clone()));
            }
            if let (Some(field), Some(zone)) = (listing.zone, &i.zone) {
                item.insert(field.into(), Value::String(zone.clone()));
            }
            Value::Object(item)
        });
        Ok(page(
            listing.items[0],
            items.collect(),
            listing.paged,
            self.world.page_cap,
            params,
        ))
    }

    fn list_backups(&self, kind: &BackupKind, params: &Params<'_>) -> Result<Value, Refusal> {
        let listing = &kind.listing;
        let owners: Vec<&WorldInstance> = match params.get(listing.instance) {
            Some(id) => vec![self.instance(kind, params, listing.instance, id)?],
            None => self.instances(kind, params).collect(),
        };
        let mut items: Vec<(i64, Value)> = Vec::new();
        for instance in owners {
            for backup in &instance.backups {
                items.push((backup.time, self.item(kind, instance, backup)));
            }
        }
        // Newest first, as the service lists them.
        items.sort_by_key(|item| std::cmp::Reverse(item.0));
        let items = items.into_iter().map(|(_, item)| item).collect();
        Ok(page(
            listing.items[0],
            items,
            listing.paged,
            self.world.page_cap,
            params,
        ))
    }

    /// A backup as its kind's listing writes it.
    fn item(&self, kind: &BackupKind, instance: &WorldInstance, backup: &WorldBackup) -> Value {
        let f = &kind.fields;
        let mut item = backup.item.clone();
        item.insert(f.id.into(), backup.id.clone());
        item.insert(f.time.into(), json!(backup.time));
        let state = backup
            .state
            .clone()
            .or_else(|| kind.success.first().map(|s| (*s).to_owned()));
        item.insert(f.state.into(), json!(state));
        if let (Some(field), Some(name)) = (f.name, &backup.name) {
            item.insert(field.into(), Value::String(name.clone()));
        }
        if let Some(field) = f.size {
            item.insert(field.into(), json!(backup.size));
        }
        if let Some(field) = f.blocks {
            item.insert(field.into(), json!(backup.blocks));
        }
        item.insert(
            kind.listing.instance.into(),
            Value::String(instance.id.clone()),
        );
        Value::Object(item)
    }

    fn create(
        &mut self,
        kind: &BackupKind,
        spec: &Action,
        params: &Params<'_>,
    ) -> Result<Value, Refusal> {
        let Some(create) = kind.create else {
            return Err((NOT_FOUND, "no create action".into()));
        };
        let owner = params.get(create.instance).unwrap_or_default();
        let (failing, newest) = {
            let instance = self.instance(kind, params, create.instance, owner)?;
            let newest = instance.backups.iter().map(|b| b.time).max();
            (instance.failing, newest)
        };
        let number = loop {
            let n = self.next_id;
            self.next_id += 1;
            if self.find(kind, &n.to_string()).is_none() {
                break n;
            }
        };
        // The answer's id has the document's type: a number where it says `int`.
        let numeric = spec
            .response
            .iter()
            .any(|f| f.name == create.id && f.ty == Type::Int);
        let id = if numeric {
            json!(number)
        } else {
            Value::String(format!("{}-{number}", kind.name))
        };
        let delay = self.world.create_delay;
        let mut backup = WorldBackup::new(
            id.clone(),
            (now() as i64).max(newest.map_or(0, |t| t + 1)),
            NEW_SIZE + 1024 * (number % 64),
        );
        backup.name = params.get(create.name).map(str::to_owned);
        let key = (kind.name.to_owned(), id_text(&id));
        if delay.is_zero() {
            let state = if failing { kind.failed } else { kind.success };
            backup.state = state.first().map(|s| (*s).to_owned());
        } else {
            backup.state = kind.in_progress.first().map(|s| (*s).to_owned());
            self.pending.insert(key, (Instant::now() + delay, failing));
        }
        if let Some(instance) = self
            .world
            .instances
            .iter_mut()
            .find(|i| i.kind == kind.name && i.id == owner)
        {
            instance.backups.push(backup);
        }
        let mut answer = example_answer(spec);
        if let Value::Object(map) = &mut answer {
            map.insert(create.id.into(), id);
            if map.contains_key(create.instance) {
                map.insert(create.instance.into(), Value::String(owner.to_owned()));
            }
        }
        Ok(answer)
    }

    fn state(
        &self,
        kind: &BackupKind,
        spec: &Action,
        params: &Params<'_>,
    ) -> Result<Value, Refusal> {
        let Some(action) = kind.state else {
            return Err((NOT_FOUND, "no state action".into()));
        };
        let id = params.get(action.id).unwrap_or_default();
        let Some((_, backup)) = self.find(kind, id) else {
            return Err((NOT_FOUND, format!("{} [{id}] not found", action.id)));
        };
        let state = backup
            .state
            .clone()
            .or_else(|| kind.success.first().map(|s| (*s).to_owned()));
        let mut answer = example_answer(spec);
        if let Value::Object(map) = &mut answer {
            map.insert(action.state.into(), json!(state));
            if let Some(size) = kind.fields.size.filter(|f| map.contains_key(*f)) {
                map.insert(size.into(), json!(backup.size));
            }
        }
        Ok(answer)
    }

    /// The instance and backup a URL request names: the backup by its id, and, where the
    /// request names the instance too, only if that instance holds it.
    fn url_target(
        &self,
        kind: &BackupKind,
        params: &Params<'_>,
    ) -> Result<(WorldInstance, WorldBackup), Refusal> {
        let url = &kind.download;
        let id = params.get(url.id).unwrap_or_default();
        let not_found = || (NOT_FOUND, format!("{} [{id}] not found", url.id));
        let (instance, backup) = self.find(kind, id).ok_or_else(not_found)?;
        if let Some(asked) = url.instance.and_then(|p| params.get(p)) {
            if asked != instance.id {
                return Err(not_found());
            }
        }
        Ok((instance.clone(), backup.clone()))
    }
}

/// The actions a kind's row names.
fn names(kind: &BackupKind) -> Vec<&'static str> {
    let mut names = vec![
        kind.instances.action,
        kind.listing.action,
        kind.download.action,
    ];
    names.extend(kind.create.map(|c| c.action));
    names.extend(kind.state.map(|s| s.action));
    names
}

/// One page of `items` under `field`, with `TotalCount`; at most `cap` items.
fn page(
    field: &str,
    items: Vec<Value>,
    paged: bool,
    cap: Option<usize>,
    params: &Params<'_>,
) -> Value {
    let total = items.len();
    let shown: Vec<Value> = if paged {
        let offset = params.number("Offset").unwrap_or(0);
        let limit = params.number("Limit").unwrap_or(DEFAULT_LIMIT);
        // As many services do: at most the cap, whatever `Limit` asks for.
        let limit = cap.map_or(limit, |cap| limit.min(cap));
        items.into_iter().skip(offset).take(limit).collect()
    } else {
        items
    };
    json!({ field: shown, "TotalCount": total })
}
