//! Every resource a test creates, by the conventions of `dezai_spec::resources`: a create
//! action adds one (a new id in the shape of the document's example, the request's values), its
//! listings and state reads answer from it, changes move its state through the documents'
//! own states after the world's delay, and removals take it away. Resources of a kind's
//! instance type are that kind's world instances, so their backups work as before.
//!
//! Found and not found: a listing filtered by an id the world does not hold answers RetCode 0
//! and no item; an action on one unknown id answers RetCode 230 naming it.

use std::time::Instant;

use dezai_spec::backups::{BackupKind, KINDS};
use dezai_spec::resources::{ResourceType, Transition, Verb, listed, transition};
use dezai_spec::{Action, Field, Type};
use serde_json::{Map, Value, json};

use super::{Inner, NOT_FOUND, Params, Refusal, page};
use crate::catalog::{Catalog, example_answer};
use crate::world::WorldInstance;

/// A resource type as the world keeps it.
pub(crate) struct Modeled {
    ty: ResourceType,
    /// The kind whose instances these are, if any: its listing is the kind's.
    kind: Option<&'static BackupKind>,
    /// What [`WorldInstance::kind`] holds for one of these.
    store: String,
    /// A new item's fields before its own values: the listing example's first item.
    template: Map<String, Value>,
    /// The items' fields, as the listing's model documents them.
    fields: Vec<Field>,
    /// The create example's id, whose shape new ids take.
    example_id: String,
}

impl Modeled {
    /// Every resource type of the catalog's specs, ready to answer.
    pub(crate) fn all(catalog: &Catalog) -> Vec<Self> {
        catalog
            .resources()
            .iter()
            .map(|ty| {
                let kind = KINDS.iter().find(|k| {
                    k.product == ty.product
                        && k.instances.id == ty.id
                        && ty.listings.iter().any(|l| l.action == k.instances.action)
                });
                let listing = ty
                    .listings
                    .first()
                    .and_then(|l| Some((l, catalog.get(&l.action)?)));
                let (template, fields) = listing.map_or_else(Default::default, |(l, action)| {
                    (template(action, &l.items), model_fields(action, &l.model))
                });
                let example_id = catalog
                    .get(&ty.create)
                    .map(example_answer)
                    .and_then(|a| {
                        let created = &ty.created;
                        let mut value = a.get(&created.field)?;
                        if created.many {
                            value = value.get(0)?;
                        }
                        if let Some(inner) = &created.inner {
                            value = value.get(inner)?;
                        }
                        value.as_str().map(str::to_owned)
                    })
                    .unwrap_or_default();
                Self {
                    store: kind.map_or_else(
                        || format!("{}/{}", ty.product, ty.id),
                        |k| k.name.to_owned(),
                    ),
                    kind,
                    ty: ty.clone(),
                    template,
                    fields,
                    example_id,
                }
            })
            .collect()
    }

    /// The type's transition for a verb, as its state field's description names the states.
    fn moves(&self, verb: Verb) -> Option<(Option<&'static str>, Option<&'static str>)> {
        let (_, description) = self.ty.state.as_ref()?;
        let Transition { through, to } = transition(verb)?;
        Some((listed(description, through), listed(description, to)))
    }
}

/// The first item of the listing example's `items` field, read as the service sends it.
fn template(action: &Action, items: &str) -> Map<String, Value> {
    let answer = example_answer(action);
    match answer.get(items).and_then(|i| i.get(0)) {
        Some(Value::Object(item)) => item.clone(),
        _ => Map::new(),
    }
}

/// The action's example answer, naming the resource where the example has its id field.
fn answer_naming(modeled: &Modeled, spec: &Action, id: &str) -> Value {
    let mut answer = example_answer(spec);
    if let Value::Object(map) = &mut answer {
        if map.contains_key(&modeled.ty.id) {
            map.insert(modeled.ty.id.clone(), json!(id));
        }
    }
    answer
}

/// splitmix64: a counter's well-spread hash (ids look random, and stay reproducible).
fn mix(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

fn model_fields(action: &Action, model: &str) -> Vec<Field> {
    action
        .models
        .iter()
        .find(|m| m.name == model)
        .map(|m| m.fields.clone())
        .unwrap_or_default()
}

/// A request value as a field of type `ty` holds it.
fn typed(ty: &Type, text: &str) -> Value {
    match ty {
        Type::Int => text
            .parse::<i64>()
            .map_or_else(|_| json!(text), |n| json!(n)),
        Type::Float => text
            .parse::<f64>()
            .map_or_else(|_| json!(text), |n| json!(n)),
        Type::Bool => json!(matches!(text, "true" | "True" | "1")),
        _ => json!(text),
    }
}

impl Inner {
    /// The answer of `action` when a resource type models it.
    pub(super) fn resource_answer(
        &mut self,
        types: &[Modeled],
        action: &str,
        spec: &Action,
        params: &Params<'_>,
    ) -> Option<Result<Value, Refusal>> {
        let modeled = types.iter().find(|t| t.ty.actions().any(|a| a == action))?;
        let ty = &modeled.ty;
        Some(if ty.create == action {
            Ok(self.create_resource(modeled, spec, params))
        } else if let Some(listing) = ty.listings.iter().find(|l| l.action == action) {
            Ok(self.list_resources(modeled, listing, spec, params))
        } else if let Some(read) = ty.states.iter().find(|s| s.action == action) {
            self.resource_state(modeled, &read.field, spec, params)
        } else if ty.removals.iter().any(|a| a == action) {
            self.remove_resource(modeled, spec, params)
        } else {
            let verb = ty
                .changes
                .iter()
                .find(|(a, _)| a == action)
                .map(|(_, v)| *v)?;
            self.change_resource(modeled, verb, spec, params)
        })
    }

    fn create_resource(&mut self, modeled: &Modeled, spec: &Action, params: &Params<'_>) -> Value {
        let id = self.new_id(modeled);
        let mut item = modeled.template.clone();
        let mut name = None;
        for field in &modeled.fields {
            if let Some(text) = params.get(&field.name) {
                item.insert(field.name.clone(), typed(&field.ty, text));
                if field.name == "Name" {
                    name = Some(text.to_owned());
                }
            }
        }
        item.insert(modeled.ty.id.clone(), json!(id));
        let mut instance = WorldInstance::new(&modeled.store, &id);
        instance.name = name.or_else(|| params.get("Name").map(str::to_owned));
        instance.region = params.get("Region").map(str::to_owned);
        instance.zone = params.get("Zone").map(str::to_owned);
        for (field, value) in [("Zone", &instance.zone), ("Region", &instance.region)] {
            if let (Some(value), true) = (value, item.contains_key(field)) {
                item.insert(field.into(), json!(value));
            }
        }
        instance.item = item;
        self.world.instances.push(instance);
        self.move_state(modeled, &id, Verb::Create);
        let mut answer = example_answer(spec);
        if let Value::Object(map) = &mut answer {
            let created = &modeled.ty.created;
            let value = match &created.inner {
                None => json!(id),
                // The example's item (or model) with the new id in it.
                Some(inner) => {
                    let mut held = map.get(&created.field).cloned().unwrap_or(json!({}));
                    if created.many {
                        held = held.get(0).cloned().unwrap_or(json!({}));
                    }
                    if let Value::Object(fields) = &mut held {
                        fields.insert(inner.clone(), json!(id));
                    } else {
                        held = json!({ inner.as_str(): id });
                    }
                    held
                }
            };
            let value = if created.many { json!([value]) } else { value };
            map.insert(created.field.clone(), value);
        }
        answer
    }

    /// A new id in the example's shape: its prefix up to the last `-`, then as many characters
    /// of a counter's hash as the example has after it (at least 8).
    fn new_id(&mut self, modeled: &Modeled) -> String {
        let example = &modeled.example_id;
        let (prefix, rest) = match example.rfind('-') {
            Some(at) => example.split_at(at + 1),
            None => ("", example.as_str()),
        };
        let length = rest.len().max(8);
        loop {
            self.next_id += 1;
            let mut n = mix(self.next_id);
            let suffix: String = (0..length)
                .map(|i| {
                    // Twelve base-36 digits a 64-bit number: mixed again for more.
                    if i > 0 && i % 12 == 0 {
                        n = mix(n ^ self.next_id);
                    }
                    let c = b"abcdefghijklmnopqrstuvwxyz0123456789"[(n % 36) as usize];
                    n /= 36;
                    c as char
                })
                .collect();
            let id = format!("{prefix}{suffix}");
            if !self.world.instances.iter().any(|i| i.id == id) {
                return id;
            }
        }
    }

    fn stored(&self, modeled: &Modeled, params: &Params<'_>) -> Option<&WorldInstance> {
        let region = params.get("Region");
        self.world
            .instances
            .iter()
            .filter(move |i| i.kind == modeled.store)
            .find(|i| {
                Some(i.id.as_str()) == params.get(&modeled.ty.id)
                    && (i.region.is_none() || region.is_none() || i.region.as_deref() == region)
            })
    }

    /// The id of the resource the request names, or the refusal naming the unknown one.
    fn stored_id(&self, modeled: &Modeled, params: &Params<'_>) -> Result<String, Refusal> {
        self.stored(modeled, params)
            .map(|i| i.id.clone())
            .ok_or_else(|| Self::unknown(modeled, params))
    }

    fn unknown(modeled: &Modeled, params: &Params<'_>) -> Refusal {
        let id = params.get(&modeled.ty.id).unwrap_or_default();
        (NOT_FOUND, format!("{} [{id}] not found", modeled.ty.id))
    }

    fn list_resources(
        &self,
        modeled: &Modeled,
        listing: &dezai_spec::resources::Listing,
        spec: &Action,
        params: &Params<'_>,
    ) -> Value {
        let wanted: Option<Vec<&str>> = listing.filter.as_ref().and_then(|(name, many)| {
            if *many {
                let ids: Vec<&str> = (0..)
                    .map_while(|i| params.get(&format!("{name}.{i}")))
                    .collect();
                (!ids.is_empty()).then_some(ids)
            } else {
                params.get(name).map(|id| vec![id])
            }
        });
        let (region, zone) = (params.get("Region"), params.get("Zone"));
        let items: Vec<Value> = self
            .world
            .instances
            .iter()
            .filter(|i| i.kind == modeled.store)
            .filter(|i| {
                wanted
                    .as_ref()
                    .is_none_or(|ids| ids.contains(&i.id.as_str()))
            })
            .filter(|i| i.region.is_none() || region.is_none() || i.region.as_deref() == region)
            .filter(|i| i.zone.is_none() || zone.is_none() || i.zone.as_deref() == zone)
            .map(|i| self.resource_item(modeled, i))
            .collect();
        let paged = dezai_spec::paging::paged_list(&spec.request, &spec.response).is_some();
        let Value::Object(listed) = page(&listing.items, items, paged, self.world.page_cap, params)
        else {
            unreachable!("a page is an object");
        };
        let mut answer = example_answer(spec);
        if let Value::Object(map) = &mut answer {
            for (key, value) in listed {
                if key != "TotalCount" || map.contains_key("TotalCount") {
                    map.insert(key, value);
                }
            }
        }
        answer
    }

    /// A resource as its listing's items write it.
    fn resource_item(&self, modeled: &Modeled, instance: &WorldInstance) -> Value {
        let mut item = Value::Object(instance.item.clone());
        if let (Some(name), Value::Object(map)) = (&instance.name, &mut item) {
            if map.contains_key("Name") || modeled.fields.iter().any(|f| f.name == "Name") {
                map.insert("Name".into(), json!(name));
            }
        }
        item
    }

    fn resource_state(
        &self,
        modeled: &Modeled,
        field: &str,
        spec: &Action,
        params: &Params<'_>,
    ) -> Result<Value, Refusal> {
        let found = self
            .stored(modeled, params)
            .ok_or_else(|| Self::unknown(modeled, params))?;
        let state = modeled
            .ty
            .state
            .as_ref()
            .and_then(|(f, _)| found.item.get(f))
            .cloned()
            .unwrap_or(Value::Null);
        let mut answer = example_answer(spec);
        if let Value::Object(map) = &mut answer {
            let many = spec
                .response
                .iter()
                .any(|f| f.name == field && matches!(f.ty, Type::List { .. }));
            map.insert(field.into(), if many { json!([state]) } else { state });
        }
        Ok(answer)
    }

    fn change_resource(
        &mut self,
        modeled: &Modeled,
        verb: Verb,
        spec: &Action,
        params: &Params<'_>,
    ) -> Result<Value, Refusal> {
        let id = self.stored_id(modeled, params)?;
        let store = &modeled.store;
        if let Some(instance) = self
            .world
            .instances
            .iter_mut()
            .find(|i| &i.kind == store && i.id == id)
        {
            for field in &modeled.fields {
                if field.name == modeled.ty.id {
                    continue;
                }
                if let Some(text) = params.get(&field.name) {
                    instance
                        .item
                        .insert(field.name.clone(), typed(&field.ty, text));
                }
            }
            // A rename names its field after the resource (`UDiskName`): it sets `Name`.
            let renamed = spec
                .request
                .iter()
                .filter(|f| f.name.ends_with("Name") && f.name != "Name")
                .find_map(|f| params.get(&f.name))
                .or_else(|| params.get("Name"));
            if let (Verb::Modify, Some(name)) = (verb, renamed) {
                instance.name = Some(name.to_owned());
                if instance.item.contains_key("Name") {
                    instance.item.insert("Name".into(), json!(name));
                }
            }
        }
        self.move_state(modeled, &id, verb);
        Ok(answer_naming(modeled, spec, &id))
    }

    fn remove_resource(
        &mut self,
        modeled: &Modeled,
        spec: &Action,
        params: &Params<'_>,
    ) -> Result<Value, Refusal> {
        let id = self.stored_id(modeled, params)?;
        // Gone at once: a listing right after a removal no longer holds it.
        self.world
            .instances
            .retain(|i| !(i.kind == modeled.store && i.id == id));
        Ok(answer_naming(modeled, spec, &id))
    }

    /// Puts the resource in the verb's transitional state, to settle after the world's delay
    /// (at once without a delay, or without a transitional state the document lists).
    fn move_state(&mut self, modeled: &Modeled, id: &str, verb: Verb) {
        let Some((Some(field), _)) = modeled.ty.state.as_ref().map(|(f, d)| (Some(f.clone()), d))
        else {
            return;
        };
        let Some((through, to)) = modeled.moves(verb) else {
            return;
        };
        let delay = self.world.create_delay;
        let Some(instance) = self
            .world
            .instances
            .iter_mut()
            .find(|i| i.kind == modeled.store && i.id == id)
        else {
            return;
        };
        // A resize ends where it began.
        let settled = to.map(str::to_owned).or_else(|| {
            instance
                .item
                .get(&field)
                .and_then(Value::as_str)
                .map(str::to_owned)
        });
        match (through, settled) {
            (Some(through), Some(settled)) if !delay.is_zero() => {
                instance.item.insert(field.clone(), json!(through));
                instance.settles = Some((Instant::now() + delay, field, settled));
            }
            (_, Some(settled)) => {
                instance.item.insert(field, json!(settled));
                instance.settles = None;
            }
            _ => {}
        }
    }

    /// Resources whose delay has passed reach their settled state.
    pub(super) fn settle_resources(&mut self) {
        let now = Instant::now();
        for instance in &mut self.world.instances {
            if let Some((at, field, state)) = instance.settles.take() {
                if at <= now {
                    instance.item.insert(field, json!(state));
                } else {
                    instance.settles = Some((at, field, state));
                }
            }
        }
    }
}

/// Per product, which actions the world models (and how) and which answer their example.
pub(crate) fn coverage(catalog: &Catalog) -> String {
    let mut out = String::new();
    let modeled = Modeled::all(catalog);
    let mut products: Vec<&str> = catalog.products().collect();
    products.dedup();
    for product in products {
        let types: Vec<&Modeled> = modeled.iter().filter(|m| m.ty.product == product).collect();
        out.push_str(&format!("{product}:\n"));
        for m in &types {
            let ty = &m.ty;
            let kind = m
                .kind
                .map_or(String::new(), |k| format!(" (the {} instances)", k.name));
            out.push_str(&format!("  resource {}{kind}: create {}", ty.id, ty.create));
            let list = |names: Vec<&str>| names.join(", ");
            out.push_str(&format!(
                "; list {}; state {}; change {}; remove {}\n",
                list(ty.listings.iter().map(|l| l.action.as_str()).collect()),
                list(ty.states.iter().map(|s| s.action.as_str()).collect()),
                list(ty.changes.iter().map(|(a, _)| a.as_str()).collect()),
                list(ty.removals.iter().map(String::as_str).collect()),
            ));
        }
        let by_kinds: Vec<&str> = KINDS
            .iter()
            .filter(|k| k.product == product)
            .flat_map(super::names)
            .collect();
        let example: Vec<&str> = catalog
            .actions_of(product)
            .filter(|a| !by_kinds.contains(a))
            .filter(|a| !types.iter().any(|m| m.ty.actions().any(|b| b == *a)))
            .collect();
        if !by_kinds.is_empty() {
            out.push_str(&format!(
                "  backups (kinds table): {}\n",
                by_kinds.join(", ")
            ));
        }
        out.push_str(&format!(
            "  example answers: {}\n",
            if example.is_empty() {
                "none".to_owned()
            } else {
                example.join(", ")
            }
        ));
    }
    out
}
