//! The product's data models: one Rust type per distinct model, at the product's level
//! (`udb::UdbInstanceSet`).
//!
//! Documents repeat models: `UDBInstanceSet` is defined in every document of an action that
//! returns instances. Models of one name whose fields are the same (names, types, aliases,
//! deprecation, and the models they hold being the same in turn) become one type. When models
//! of one name differ, the one most actions use keeps the plain name (ties: the first in the
//! spec's order of actions), and each other one is named after the first action that uses
//! it: `DescribeUdbSlaveUdbInstanceSet`. A name that another type of the product already has
//! gets `Model` appended (`Model2`, … if need be). Each action's module re-exports its models
//! under the names its document gives them.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use dezai_spec::{Action, Field, Model, ProductSpec, Type};
use proc_macro2::{Ident, TokenStream};
use quote::quote;

use super::collect_models;
use super::readable::{Readable, direct_model};
use crate::Ctx;
use crate::names::{MODEL_RESERVED, field_idents, ident};
use crate::scope::Scope;

/// One Rust type for a set of identical models.
struct Class {
    ident: Ident,
    /// The first (action, model) of the set, whose fields and descriptions the type shows.
    action: usize,
    model: usize,
    /// The actions using it, in spec order.
    users: Vec<usize>,
    /// Reachable from some request: written as parameters, and `PartialEq`.
    in_request: bool,
    /// Fields holding (without a list in between) a model that holds this one again: boxed.
    boxed: BTreeSet<String>,
}

/// The product's model types, and which one each action's models are.
pub(crate) struct ProductModels {
    classes: Vec<Class>,
    /// Per action: document model name → class index.
    of: Vec<BTreeMap<String, usize>>,
}

impl ProductModels {
    /// Groups and names the models of `spec`; `taken` holds the product's other type names
    /// and receives the models'.
    pub(crate) fn new(ctx: &Ctx, spec: &ProductSpec, taken: &mut BTreeSet<String>) -> Self {
        let nodes: Vec<(usize, usize)> = spec
            .actions
            .iter()
            .enumerate()
            .flat_map(|(a, action)| (0..action.models.len()).map(move |m| (a, m)))
            .collect();
        let class_of = equivalence(&spec.actions, &nodes);
        // Classes in the order of their first member, so everything below is deterministic.
        let mut order: Vec<usize> = Vec::new();
        let mut index: HashMap<usize, usize> = HashMap::new();
        let mut members: Vec<Vec<(usize, usize)>> = Vec::new();
        for (node, &class) in nodes.iter().zip(&class_of) {
            let i = *index.entry(class).or_insert_with(|| {
                order.push(class);
                members.push(Vec::new());
                members.len() - 1
            });
            members[i].push(*node);
        }
        let mut of = vec![BTreeMap::new(); spec.actions.len()];
        for (i, set) in members.iter().enumerate() {
            for &(a, m) in set {
                of[a].insert(spec.actions[a].models[m].name.clone(), i);
            }
        }
        let names = class_names(ctx, spec, &members, taken);
        let mut classes: Vec<Class> = members
            .iter()
            .zip(names)
            .map(|(set, name)| {
                let mut users: Vec<usize> = set.iter().map(|(a, _)| *a).collect();
                users.dedup();
                Class {
                    ident: ident(&name),
                    action: set[0].0,
                    model: set[0].1,
                    users,
                    in_request: false,
                    boxed: BTreeSet::new(),
                }
            })
            .collect();
        let mut facts = Facts {
            spec,
            of: &of,
            classes: &mut classes,
        };
        facts.mark_in_request();
        facts.mark_boxed();
        Self { classes, of }
    }

    /// The Rust type of each model the document of action `a` names.
    pub(crate) fn of_action(&self, a: usize) -> BTreeMap<String, Ident> {
        self.of[a]
            .iter()
            .map(|(name, &c)| (name.clone(), self.classes[c].ident.clone()))
            .collect()
    }

    /// The model types, for the product's module.
    pub(crate) fn emit(&self, ctx: &Ctx, spec: &ProductSpec) -> TokenStream {
        let rt = &ctx.rt;
        let types = self.classes.iter().map(|class| {
            let action = &spec.actions[class.action];
            let model = &action.models[class.model];
            let models = self.of_action(class.action);
            let scope = Scope {
                models: &models,
                model_qual: quote!(),
                structs: None,
                own_qual: quote!(),
            };
            let users: Vec<String> = class
                .users
                .iter()
                .map(|&a| format!("`{}`", spec.actions[a].name))
                .collect();
            let doc = format!(
                "The data model `{}`, in {}.",
                model.name,
                users.join(", ")
            );
            let name = &class.ident;
            let body = Readable {
                name,
                fields: &model.fields,
                doc,
                boxed: &class.boxed,
                partial_eq: class.in_request,
                response: false,
            }
            .emit(ctx, &scope);
            let writer = if class.in_request {
                let ids = field_idents(&ctx.namer, &model.fields, MODEL_RESERVED);
                let writes = model.fields.iter().zip(ids).map(|(f, id)| {
                    let wire = &f.name;
                    quote!(w.field(#wire, &self.#id);)
                });
                // Not `#[inline]`, like the request's writer (`crate::action`).
                quote! {
                    impl #rt::ParamValue for #name {
                        fn write_param(&self, w: &mut #rt::ParamWriter<'_>) {
                            #(#writes)*
                        }
                    }
                }
            } else {
                quote!()
            };
            quote! {
                #body
                impl #rt::de::Lenient for #name {
                    #[inline]
                    fn from_json(value: #rt::serde_json::Value) -> ::std::option::Option<Self> {
                        match value {
                            #rt::serde_json::Value::Object(map) => ::std::option::Option::Some(Self::from_object(map)),
                            _ => ::std::option::Option::None,
                        }
                    }
                }
                #writer
            }
        });
        quote!(#(#types)*)
    }
}

/// Partition refinement: models start grouped by name and field shape (model references
/// left out), then groups split until every member's referenced models are in the same
/// groups too. Returns a group number per node.
fn equivalence(actions: &[Action], nodes: &[(usize, usize)]) -> Vec<usize> {
    let model = |(a, m): (usize, usize)| -> &Model { &actions[a].models[m] };
    let position: HashMap<(usize, &str), usize> = nodes
        .iter()
        .enumerate()
        .map(|(i, &(a, m))| ((a, actions[a].models[m].name.as_str()), i))
        .collect();
    let mut keys: HashMap<String, usize> = HashMap::new();
    let mut class: Vec<usize> = nodes
        .iter()
        .map(|&node| {
            let key = shape(model(node));
            let next = keys.len();
            *keys.entry(key).or_insert(next)
        })
        .collect();
    let mut count = keys.len();
    loop {
        let mut refined: HashMap<(usize, Vec<Option<usize>>), usize> = HashMap::new();
        let next: Vec<usize> = nodes
            .iter()
            .enumerate()
            .map(|(i, &(a, m))| {
                let mut refs = Vec::new();
                model_refs(&actions[a].models[m].fields, &mut refs);
                let targets = refs
                    .iter()
                    .map(|name| position.get(&(a, name.as_str())).map(|&t| class[t]))
                    .collect();
                let len = refined.len();
                *refined.entry((class[i], targets)).or_insert(len)
            })
            .collect();
        let new_count = refined.len();
        class = next;
        if new_count == count {
            return class;
        }
        count = new_count;
    }
}

/// A model's name and fields as text, model references by name only.
fn shape(model: &Model) -> String {
    let mut out = model.name.clone();
    for f in &model.fields {
        out.push_str(&format!(
            "|{}:{}:{:?}:{}",
            f.name,
            type_shape(&f.ty),
            f.aliases,
            f.deprecated.is_some()
        ));
    }
    out
}

fn type_shape(ty: &Type) -> String {
    match ty {
        Type::String => "s".into(),
        Type::Int => "i".into(),
        Type::Float => "f".into(),
        Type::Bool => "b".into(),
        Type::Object => "o".into(),
        Type::List { item } => format!("[{}]", type_shape(item)),
        Type::Model { name } => format!("m({name})"),
        Type::Struct { fields } => {
            let inner: Vec<String> = fields
                .iter()
                .map(|f| format!("{}:{}", f.name, type_shape(&f.ty)))
                .collect();
            format!("{{{}}}", inner.join(","))
        }
    }
}

/// The model names the fields refer to, in order, through lists and structures.
fn model_refs(fields: &[Field], out: &mut Vec<String>) {
    collect_models(fields, out);
}

/// A name per class: see the module docs.
fn class_names(
    ctx: &Ctx,
    spec: &ProductSpec,
    members: &[Vec<(usize, usize)>],
    taken: &mut BTreeSet<String>,
) -> Vec<String> {
    let base = |set: &Vec<(usize, usize)>| -> String {
        let (a, m) = set[0];
        let model = &spec.actions[a].models[m];
        model
            .type_name
            .clone()
            .unwrap_or_else(|| ctx.namer.type_name(&model.name))
    };
    // Which class of each name keeps the plain name: the most used, then the first.
    let mut plain: BTreeMap<String, usize> = BTreeMap::new();
    for (i, set) in members.iter().enumerate() {
        let users = |set: &Vec<(usize, usize)>| {
            let mut a: Vec<usize> = set.iter().map(|(a, _)| *a).collect();
            a.dedup();
            a.len()
        };
        plain
            .entry(base(set))
            .and_modify(|best| {
                if users(set) > users(&members[*best]) {
                    *best = i;
                }
            })
            .or_insert(i);
    }
    let mut next: HashMap<String, usize> = HashMap::new();
    members
        .iter()
        .enumerate()
        .map(|(i, set)| {
            let b = base(set);
            let wanted = if plain[&b] == i {
                b
            } else {
                let action = &spec.actions[set[0].0];
                format!("{}{b}", ctx.namer.type_name(&action.name))
            };
            let mut name = wanted.clone();
            while taken.contains(&name) || taken.contains(&format!("{name}Builder")) {
                let n = next.entry(wanted.clone()).or_insert(1);
                name = if *n == 1 {
                    format!("{wanted}Model")
                } else {
                    format!("{wanted}Model{n}")
                };
                *n += 1;
            }
            taken.insert(name.clone());
            taken.insert(format!("{name}Builder"));
            name
        })
        .collect()
}

/// The facts that need the whole product: which classes requests reach, and which fields must
/// be boxed.
struct Facts<'a> {
    spec: &'a ProductSpec,
    of: &'a [BTreeMap<String, usize>],
    classes: &'a mut [Class],
}

impl Facts<'_> {
    fn mark_in_request(&mut self) {
        let mut stack: Vec<usize> = Vec::new();
        for (a, action) in self.spec.actions.iter().enumerate() {
            let mut names = Vec::new();
            collect_models(&action.request, &mut names);
            stack.extend(names.iter().filter_map(|n| self.of[a].get(n).copied()));
        }
        while let Some(c) = stack.pop() {
            if std::mem::replace(&mut self.classes[c].in_request, true) {
                continue;
            }
            let (a, m) = (self.classes[c].action, self.classes[c].model);
            let mut names = Vec::new();
            collect_models(&self.spec.actions[a].models[m].fields, &mut names);
            stack.extend(names.iter().filter_map(|n| self.of[a].get(n).copied()));
        }
    }

    /// A field must be boxed when it holds (without a list in between) a model of the same
    /// strongly connected component of the direct-reference graph: that model contains this
    /// one again. Tarjan's algorithm finds the components in linear time.
    fn mark_boxed(&mut self) {
        let edges: Vec<Vec<(String, usize)>> = self
            .classes
            .iter()
            .map(|class| {
                let model = &self.spec.actions[class.action].models[class.model];
                model
                    .fields
                    .iter()
                    .filter_map(|f| {
                        let target = direct_model(f)?;
                        let c = *self.of[class.action].get(target)?;
                        Some((f.name.clone(), c))
                    })
                    .collect()
            })
            .collect();
        let component = components(&edges);
        for (c, out) in edges.iter().enumerate() {
            for (field, target) in out {
                if component[*target] == component[c] {
                    self.classes[c].boxed.insert(field.clone());
                }
            }
        }
    }
}

/// The strongly connected component of every node of a graph, as a number per node.
/// Iterative Tarjan, so that a long chain of models cannot exhaust the stack.
fn components(edges: &[Vec<(String, usize)>]) -> Vec<usize> {
    let n = edges.len();
    let mut index = vec![usize::MAX; n];
    let mut low = vec![0; n];
    let mut on_stack = vec![false; n];
    let mut stack = Vec::new();
    let mut component = vec![usize::MAX; n];
    let (mut counter, mut components) = (0, 0);
    for root in 0..n {
        if index[root] != usize::MAX {
            continue;
        }
        // (node, next edge to visit)
        let mut work = vec![(root, 0usize)];
        index[root] = counter;
        low[root] = counter;
        counter += 1;
        stack.push(root);
        on_stack[root] = true;
        while let Some(&mut (node, ref mut next)) = work.last_mut() {
            if let Some((_, target)) = edges[node].get(*next) {
                let target = *target;
                *next += 1;
                if index[target] == usize::MAX {
                    index[target] = counter;
                    low[target] = counter;
                    counter += 1;
                    stack.push(target);
                    on_stack[target] = true;
                    work.push((target, 0));
                } else if on_stack[target] {
                    low[node] = low[node].min(index[target]);
                }
                continue;
            }
            work.pop();
            if let Some(&(parent, _)) = work.last() {
                low[parent] = low[parent].min(low[node]);
            }
            if low[node] == index[node] {
                while let Some(member) = stack.pop() {
                    on_stack[member] = false;
                    component[member] = components;
                    if member == node {
                        break;
                    }
                }
                components += 1;
            }
        }
    }
    component
}
