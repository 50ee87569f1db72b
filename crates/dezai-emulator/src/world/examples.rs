//! The world the documents' own examples show: for each kind of the table, the instances its
//! instance listing's example lists, and the backups its backup listing's example lists (each
//! owned by the instance its item names, or the one the example request asks about). A state
//! the kind's lists do not know (examples often hold placeholder text) is read as completed,
//! and a size is capped, so that every example backup can be downloaded quickly.

use std::collections::HashMap;

use dezai_spec::Action;
use dezai_spec::backups::{KINDS, Phase, integer_of as integer, text_of as text};
use serde_json::{Map, Value};

use super::{World, WorldBackup, WorldInstance};

/// The largest file an example backup is served as.
const MAX_EXAMPLE_SIZE: u64 = 16 * 1024 * 1024;
/// The size of an example backup whose example gives none.
const DEFAULT_SIZE: u64 = 1024 * 1024;

pub(crate) fn world<'a>(all: impl IntoIterator<Item = &'a Action>) -> World {
    let mut actions: HashMap<&str, &Action> = HashMap::new();
    for action in all {
        actions.entry(action.name.as_str()).or_insert(action);
    }
    let mut world = World::new();
    for kind in KINDS {
        let mut instances: Vec<WorldInstance> = Vec::new();
        if let Some(action) = actions.get(kind.instances.action) {
            for item in example_items(action, kind.instances.items) {
                let Some(id) = item.get(kind.instances.id).and_then(text) else {
                    continue;
                };
                if instances.iter().all(|i| i.id != id) {
                    let mut instance = WorldInstance::new(kind.name, &id);
                    instance.name = kind.instances.name.and_then(|n| item.get(n)).and_then(text);
                    instance.item = item;
                    instances.push(instance);
                }
            }
        }
        if let Some(action) = actions.get(kind.listing.action) {
            let asked = action
                .request_example
                .iter()
                .find(|p| p.name == kind.listing.instance)
                .map(|p| p.value.clone());
            let fallback = asked
                .or_else(|| instances.first().map(|i| i.id.clone()))
                .unwrap_or_else(|| format!("{}-example", kind.name));
            let fields = &kind.fields;
            for item in example_items(action, kind.listing.items) {
                let Some(id) = item.get(fields.id).filter(|v| text(v).is_some()).cloned() else {
                    continue;
                };
                let owner = item
                    .get(kind.listing.instance)
                    .and_then(text)
                    .unwrap_or_else(|| fallback.clone());
                let position = match instances.iter().position(|i| i.id == owner) {
                    Some(position) => position,
                    None => {
                        instances.push(WorldInstance::new(kind.name, &owner));
                        instances.len() - 1
                    }
                };
                let size = fields
                    .size
                    .and_then(|f| item.get(f))
                    .and_then(integer)
                    .and_then(|s| u64::try_from(s).ok())
                    .filter(|s| *s > 0)
                    .unwrap_or(DEFAULT_SIZE)
                    .min(MAX_EXAMPLE_SIZE);
                let time = item.get(fields.time).and_then(integer).unwrap_or(0);
                let mut backup = WorldBackup::new(id, time, size);
                backup.name = fields.name.and_then(|f| item.get(f)).and_then(text);
                backup.state = item
                    .get(fields.state)
                    .and_then(text)
                    .filter(|s| kind.phase(s) != Phase::Unknown);
                backup.item = item;
                instances[position].backups.push(backup);
            }
        }
        world.instances.extend(instances);
    }
    world
}

/// The objects of an example answer's list field.
fn example_items(action: &Action, fields: &[&str]) -> Vec<Map<String, Value>> {
    let Some(example) = &action.response_example else {
        return Vec::new();
    };
    let answer = example.to_value();
    let list = fields
        .iter()
        .find_map(|f| answer.get(*f)?.as_array().cloned())
        .unwrap_or_default();
    list.into_iter()
        .filter_map(|item| match item {
            Value::Object(map) => Some(map),
            _ => None,
        })
        .collect()
}
