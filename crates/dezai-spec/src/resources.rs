//! Resources by convention: what a product's documents say about the things its actions make,
//! read, change and remove, found from names and shapes alone, so that an emulator (or a
//! report) can model any product without code of its own. The one home of these conventions;
//! `docs/testing.md` explains them.
//!
//! - **A resource type** is made by a create action: a name starting `Create` or `Allocate`
//!   whose answer holds a new id (a text, or a list of texts, named `…Id` or `…Ids`). Its id is
//!   that name in the singular (`UHostIds` → `UHostId`). A kind's backups are not one: the
//!   kinds table models them (`crate::backups`), and its backup actions belong to no type.
//! - **Listings** read many: a `Describe`/`List`/`Get`/`Query` action named after what the
//!   create makes (`DescribeUDBInstance` of `CreateUDBInstance`), answering a list of a model
//!   that has the id field; it filters by a request field named as the id (one) or the id plus
//!   `s` (a list).
//! - **State reads** read one: such an action with the id required and a `State` or `Status`
//!   field in its answer.
//! - **Changes** and **removals**: an action whose name starts with a verb of [`Verb`] and whose
//!   request requires the id.
//! - **States** are the documents' own: the listing's `State`/`Status` field describes its
//!   values, and [`Transition`] picks, per verb, the first of a few usual names that the
//!   description lists (`Starting` then `Running` for a start).

use crate::types::Type;
use crate::{Action, Field, ProductSpec};

/// What an action does to a resource, by the first word of its name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verb {
    /// `Create`, `Allocate`.
    Create,
    /// `Describe`, `List`, `Get`, `Query`.
    Read,
    /// `Start`.
    Start,
    /// `Stop`, `Shutdown`, `Poweroff`.
    Stop,
    /// `Restart`, `Reboot`.
    Restart,
    /// `Resize`, `Upgrade`, `Extend`.
    Resize,
    /// `Modify`, `Rename`, `Update`, `Set`, `Enable`, `Disable`: fields change, the state
    /// does not.
    Modify,
    /// `Attach`.
    Attach,
    /// `Detach`.
    Detach,
    /// `Delete`, `Release`, `Terminate`, `Destroy`, `Del`; and `Remove` followed by the name
    /// the create action makes (`RemoveUFSVolume` of `CreateUFSVolume`): another `Remove…`
    /// takes a member out of a resource (`RemoveTargets`), which is no removal of it.
    Remove,
}

/// The first words of action names, and the verb each is.
const VERBS: &[(&str, Verb)] = &[
    ("Create", Verb::Create),
    ("Allocate", Verb::Create),
    ("Describe", Verb::Read),
    ("List", Verb::Read),
    ("Get", Verb::Read),
    ("Query", Verb::Read),
    ("Start", Verb::Start),
    ("Stop", Verb::Stop),
    ("Shutdown", Verb::Stop),
    ("Poweroff", Verb::Stop),
    ("PowerOff", Verb::Stop),
    ("Restart", Verb::Restart),
    ("Reboot", Verb::Restart),
    ("Resize", Verb::Resize),
    ("Upgrade", Verb::Resize),
    ("Extend", Verb::Resize),
    ("Modify", Verb::Modify),
    ("Rename", Verb::Modify),
    ("Update", Verb::Modify),
    ("Set", Verb::Modify),
    ("Enable", Verb::Modify),
    ("Disable", Verb::Modify),
    ("Attach", Verb::Attach),
    ("Detach", Verb::Detach),
    ("Delete", Verb::Remove),
    ("Release", Verb::Remove),
    ("Terminate", Verb::Remove),
    ("Destroy", Verb::Remove),
    ("Del", Verb::Remove),
];

/// The verb an action's name starts with (the word ends where an upper-case letter starts
/// the next: `GetUMemSpaceState`, not `Getaway`).
pub fn verb(action: &str) -> Option<Verb> {
    VERBS.iter().find_map(|(word, verb)| {
        let rest = action.strip_prefix(word)?;
        rest.starts_with(|c: char| c.is_ascii_uppercase())
            .then_some(*verb)
    })
}

/// How a verb moves a resource's state: through the first of `through` that the state field's
/// description lists (if any) to the first of `to` it lists. An empty `to` keeps the state the
/// resource had (a resize), or removes it (a removal).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Transition {
    /// Transitional states, the usual names first.
    pub through: &'static [&'static str],
    /// Settled states.
    pub to: &'static [&'static str],
}

/// States a resource is in when it runs: what a placeholder in an example becomes.
pub const RUNNING: &[&str] = &["Running", "Available", "Normal", "Active", "InUse"];

/// The transition of a verb; `None` for one that leaves the state alone.
pub fn transition(verb: Verb) -> Option<Transition> {
    let (through, to): (&'static [&'static str], &'static [&'static str]) = match verb {
        Verb::Create => (
            &[
                "Initializing",
                "Initializating",
                "Init",
                "Creating",
                "Allocating",
                "Starting",
            ],
            RUNNING,
        ),
        Verb::Start => (&["Starting"], &["Running"]),
        Verb::Stop => (
            &["Stopping", "Shutdown", "ShuttingDown"],
            &["Stopped", "Shutoff", "Shutdown"],
        ),
        Verb::Restart => (&["Restarting", "Rebooting", "Starting"], &["Running"]),
        Verb::Resize => (&["Resizing", "Upgrading"], &[]),
        Verb::Attach => (&["Attaching"], &["InUse", "Attached"]),
        Verb::Detach => (&["Detaching"], &["Available", "Detached"]),
        Verb::Remove => (&["Deleting", "Terminating", "Releasing"], &[]),
        Verb::Read | Verb::Modify => return None,
    };
    Some(Transition { through, to })
}

/// The first of `names` that `description` lists as a whole word.
pub fn listed<'a>(description: &str, names: &[&'a str]) -> Option<&'a str> {
    names.iter().copied().find(|name| {
        description.match_indices(name).any(|(at, _)| {
            let before = description[..at].chars().next_back();
            let after = description[at + name.len()..].chars().next();
            !before.is_some_and(char::is_alphanumeric) && !after.is_some_and(char::is_alphanumeric)
        })
    })
}

/// Whether a field is a state field by its name.
pub fn is_state_field(name: &str) -> bool {
    matches!(name, "State" | "Status")
}

/// Whether `value` may be the state a field with this description holds: one of the words
/// it lists (an example's filler, such as `PkNmCXOe`, is not).
pub fn is_listed_state(description: &str, value: &str) -> bool {
    !value.is_empty() && listed(description, &[value]).is_some()
}

/// A listing of a resource type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listing {
    /// The action.
    pub action: String,
    /// The answer's list field (`DataSet`, `UHostSet`).
    pub items: String,
    /// The model of its items.
    pub model: String,
    /// The request field filtering by one id, or by a list of ids.
    pub filter: Option<(String, bool)>,
}

/// An action answering one resource's state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StateRead {
    /// The action.
    pub action: String,
    /// The answer's state field (text, or a list of texts).
    pub field: String,
}

/// Where a create answer holds the new id: a field of its own (`DBId`, or a list, `UHostIds`),
/// or a field of the first item of a list of models or of a model (`EIPSet.0.EIPId`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Created {
    /// The answer's field.
    pub field: String,
    /// Whether it is a list (of ids, or of models).
    pub many: bool,
    /// The id's field in the model, when the answer's field is one.
    pub inner: Option<String>,
}

/// A kind of resource a product's documents model: see the [module docs](self).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResourceType {
    /// The product.
    pub product: String,
    /// The id's name in requests and items (`DBId`, `UHostId`).
    pub id: String,
    /// The create action.
    pub create: String,
    /// Where the create answer holds the new id.
    pub created: Created,
    /// Its listings, the one named closest to the created thing (its items are the
    /// resource's) first.
    pub listings: Vec<Listing>,
    /// Its state reads.
    pub states: Vec<StateRead>,
    /// The actions changing it, with their verbs.
    pub changes: Vec<(String, Verb)>,
    /// The actions removing it.
    pub removals: Vec<String>,
    /// The items' state field and its description, from the first listing.
    pub state: Option<(String, String)>,
}

impl ResourceType {
    /// Every action this type models.
    pub fn actions(&self) -> impl Iterator<Item = &str> {
        std::iter::once(self.create.as_str())
            .chain(self.listings.iter().map(|l| l.action.as_str()))
            .chain(self.states.iter().map(|s| s.action.as_str()))
            .chain(self.changes.iter().map(|(a, _)| a.as_str()))
            .chain(self.removals.iter().map(String::as_str))
    }
}

/// The envelope every answer has.
fn envelope(name: &str) -> bool {
    matches!(name, "RetCode" | "Action" | "Message" | "Request_uuid")
}

/// Where a create action's answer holds the new id: a text or list of texts named `…Id`/`…Ids`
/// first; else a model (or list of models) field whose model has an `<X>Id` text field with
/// `X` in the answer field's name (`EIPSet` holding `EIPId`).
fn created_id(action: &Action) -> Option<Created> {
    let text = |t: &Type| matches!(t, Type::String);
    let own = action.response.iter().find_map(|f| {
        let many = match &f.ty {
            t if text(t) => false,
            Type::List { item } if text(item) => true,
            _ => return None,
        };
        let id = f.name.ends_with("Id") || f.name.ends_with("Ids");
        (id && !envelope(&f.name)).then(|| Created {
            field: f.name.clone(),
            many,
            inner: None,
        })
    });
    own.or_else(|| {
        action.response.iter().find_map(|f| {
            let (model, many) = match &f.ty {
                Type::Model { name } => (name, false),
                Type::List { item } => match item.as_ref() {
                    Type::Model { name } => (name, true),
                    _ => return None,
                },
                _ => return None,
            };
            let model = action.models.iter().find(|m| &m.name == model)?;
            let inner = model.fields.iter().find(|g| {
                text(&g.ty)
                    && g.name
                        .strip_suffix("Id")
                        .is_some_and(|stem| !stem.is_empty() && f.name.contains(stem))
            })?;
            Some(Created {
                field: f.name.clone(),
                many,
                inner: Some(inner.name.clone()),
            })
        })
    })
}

/// What an action's name says it acts on: the name after its verb (`UFSVolume` of
/// `CreateUFSVolume`).
fn noun(action: &str) -> &str {
    VERBS
        .iter()
        .find_map(|(word, _)| {
            let rest = action.strip_prefix(word)?;
            rest.starts_with(|c: char| c.is_ascii_uppercase())
                .then_some(rest)
        })
        .unwrap_or(action)
}

/// `UHostIds` → `UHostId`.
fn singular(name: &str) -> &str {
    name.strip_suffix('s')
        .filter(|n| n.ends_with("Id"))
        .unwrap_or(name)
}

/// The model of a list field's items.
fn list_model(field: &Field) -> Option<&str> {
    match &field.ty {
        Type::List { item } => match item.as_ref() {
            Type::Model { name } => Some(name),
            _ => None,
        },
        _ => None,
    }
}

/// Whether the request requires the id.
fn takes(action: &Action, id: &str) -> bool {
    action.request.iter().any(|f| f.required && f.name == id)
}

/// Every resource type `spec`'s documents model: see the [module docs](self).
pub fn resource_types(spec: &ProductSpec) -> Vec<ResourceType> {
    // The kinds table models backups: their create, listing, state and URL actions are not a
    // resource type's (a kind's instance listing is, of its instances).
    let backup_actions: Vec<&str> = crate::backups::KINDS
        .iter()
        .flat_map(|k| {
            [Some(k.listing.action), Some(k.download.action)]
                .into_iter()
                .chain([k.create.map(|c| c.action), k.state.map(|s| s.action)])
                .flatten()
        })
        .collect();
    let mut types: Vec<ResourceType> = Vec::new();
    for action in &spec.actions {
        if verb(&action.name) != Some(Verb::Create)
            || backup_actions.contains(&action.name.as_str())
        {
            continue;
        }
        let Some(created) = created_id(action) else {
            continue;
        };
        let id = singular(created.inner.as_ref().unwrap_or(&created.field)).to_owned();
        if types.iter().any(|t| t.id == id) {
            continue;
        }
        types.push(ResourceType {
            product: spec.product.clone(),
            id,
            create: action.name.clone(),
            created,
            listings: Vec::new(),
            states: Vec::new(),
            changes: Vec::new(),
            removals: Vec::new(),
            state: None,
        });
    }
    // An action belongs to the one type it fits; when it fits several (`DeleteVServer` takes a
    // `ULBId` and a `VServerId`), to the one whose created name its own begins with, the
    // longest (`VServer`); when none does, to none.
    let nouns: Vec<String> = types.iter().map(|t| noun(&t.create).to_owned()).collect();
    for action in &spec.actions {
        if backup_actions.contains(&action.name.as_str()) {
            continue;
        }
        let fits: Vec<(usize, Verb)> = (0..types.len())
            .filter_map(|i| Some((i, fit(action, &types[i], &nouns[i])?)))
            .collect();
        let chosen = match fits.as_slice() {
            [one] => Some(*one),
            _ => {
                let named = noun(&action.name);
                let named = named.strip_prefix("Remove").unwrap_or(named);
                fits.iter()
                    .filter(|(i, _)| named.starts_with(nouns[*i].as_str()))
                    .max_by_key(|(i, _)| nouns[*i].len())
                    .copied()
            }
        };
        let Some((owner, verb)) = chosen else {
            continue;
        };
        let resource = &mut types[owner];
        match verb {
            Verb::Read => {
                if let Some(listing) = listing(action, &resource.id) {
                    if resource.state.is_none() {
                        resource.state = state_field(action, &listing.model);
                    }
                    resource.listings.push(listing);
                } else if let Some(field) = action.response.iter().find(|f| is_state_field(&f.name))
                {
                    resource.states.push(StateRead {
                        action: action.name.clone(),
                        field: field.name.clone(),
                    });
                }
            }
            Verb::Remove => resource.removals.push(action.name.clone()),
            Verb::Create => {}
            verb => resource.changes.push((action.name.clone(), verb)),
        }
    }
    // The listing named closest to the created thing first: its items are the resource's.
    for resource in &mut types {
        resource.listings.sort_by_key(|l| noun(&l.action).len());
    }
    types
}

/// What `action` does to resources of `resource`'s type (`noun`: the name its create makes),
/// if it acts on them: lists them, reads one's state, changes or removes one.
fn fit(action: &Action, resource: &ResourceType, noun: &str) -> Option<Verb> {
    // `Remove` + the created name removes it; other `Remove…` are no verb here.
    let removes_it = action.name.strip_prefix("Remove") == Some(noun);
    let verb = verb(&action.name).or(removes_it.then_some(Verb::Remove))?;
    let fits = match verb {
        Verb::Create => false,
        // A listing of another thing can hold the id too (`DescribeBandwidthUsage` items name
        // their `EIPId`): a listing of the type is named after what the create makes.
        Verb::Read => {
            (listing(action, &resource.id).is_some() && self::noun(&action.name).starts_with(noun))
                || (takes(action, &resource.id)
                    && action.response.iter().any(|f| is_state_field(&f.name)))
        }
        _ => takes(action, &resource.id),
    };
    fits.then_some(verb)
}

/// A listing of the resource with id field `id`, when `action` is one.
fn listing(action: &Action, id: &str) -> Option<Listing> {
    let (items, model) = action.response.iter().find_map(|f| {
        let model = list_model(f)?;
        let found = action.models.iter().find(|m| m.name == model)?;
        found
            .fields
            .iter()
            .any(|g| g.name == id)
            .then(|| (f.name.clone(), model.to_owned()))
    })?;
    let plural = format!("{id}s");
    let filter = action.request.iter().find_map(|f| {
        if f.name == id {
            Some((f.name.clone(), matches!(f.ty, Type::List { .. })))
        } else if f.name == plural {
            Some((f.name.clone(), true))
        } else {
            None
        }
    });
    Some(Listing {
        action: action.name.clone(),
        items,
        model,
        filter,
    })
}

/// The state field of a listing's items, and its description.
fn state_field(action: &Action, model: &str) -> Option<(String, String)> {
    let model = action.models.iter().find(|m| m.name == model)?;
    model
        .fields
        .iter()
        .find(|f| is_state_field(&f.name))
        .map(|f| (f.name.clone(), f.description.clone()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verbs_are_whole_words_and_states_are_the_documents() {
        assert_eq!(verb("GetUMemSpaceState"), Some(Verb::Read));
        assert_eq!(verb("PoweroffUHostInstance"), Some(Verb::Stop));
        assert_eq!(verb("Getaway"), None);
        assert_eq!(verb("BackupUDBInstance"), None);
        let udb =
            "Init：初始化中，Starting：启动中，Running：运行，Shutdown：关闭中，Shutoff：已关闭";
        let stop = transition(Verb::Stop).unwrap();
        assert_eq!(listed(udb, stop.through), Some("Shutdown"));
        assert_eq!(listed(udb, stop.to), Some("Shutoff"));
        let uhost = "初始化: Initializing; 启动中: Starting; 运行中: Running; 关机中: Stopping; 关机: Stopped";
        assert_eq!(listed(uhost, stop.through), Some("Stopping"));
        assert_eq!(listed(uhost, stop.to), Some("Stopped"));
        assert!(is_listed_state(uhost, "Running"));
        assert!(!is_listed_state(uhost, "PkNmCXOe"));
        assert!(!is_listed_state(uhost, "Run"), "a whole word");
        assert_eq!(singular("UHostIds"), "UHostId");
        assert_eq!(singular("Status"), "Status");
    }

    /// Every spec of the repository's `specs/`.
    fn specs() -> Vec<ProductSpec> {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../specs");
        std::fs::read_dir(dir)
            .expect("specs/")
            .filter_map(|e| std::fs::read_to_string(e.ok()?.path()).ok())
            .filter_map(|text| ProductSpec::from_json(&text).ok())
            .collect()
    }

    #[test]
    fn each_action_belongs_to_one_type_and_a_types_actions_act_on_its_id() {
        for spec in specs() {
            let types = resource_types(&spec);
            let mut seen: Vec<&str> = Vec::new();
            for ty in &types {
                for action in ty.actions() {
                    assert!(!seen.contains(&action), "{action} belongs to two types");
                    seen.push(action);
                    let action = spec.actions.iter().find(|a| a.name == action).unwrap();
                    let keyed = action.name == ty.create
                        || ty.listings.iter().any(|l| l.action == action.name)
                        || takes(action, &ty.id);
                    assert!(keyed, "{} does not act on {}", action.name, ty.id);
                }
            }
            if let Some(db) = types.iter().find(|t| t.id == "DBId") {
                assert_eq!(db.create, "CreateUDBInstance");
                assert!(
                    db.changes
                        .iter()
                        .any(|(a, v)| a == "StopUDBInstance" && *v == Verb::Stop)
                );
                assert!(db.removals.iter().any(|a| a == "DeleteUDBInstance"));
                assert!(db.state.as_ref().is_some_and(|(f, _)| f == "State"));
            }
        }
    }

    #[test]
    fn a_new_id_inside_a_list_of_models_makes_a_type_and_names_its_listing() {
        let field = |name: &str, ty: serde_json::Value, required: bool| {
            serde_json::json!({"name": name, "type": ty, "required": required,
                "description": "", "line": 1})
        };
        let set =
            serde_json::json!({"kind": "list", "item": {"kind": "model", "name": "WidgetSet"}});
        let text = serde_json::json!({"kind": "string"});
        let model = serde_json::json!({"name": "WidgetSet", "line": 1, "fields": [
            field("WidgetId", text.clone(), true), field("Name", text.clone(), false)]});
        let action = |name: &str, request: Vec<serde_json::Value>| {
            serde_json::json!({"name": name, "summary": "", "description": "", "source": "x.md",
                "request": request, "response": [field("WidgetSet", set.clone(), false)],
                "models": [model.clone()], "request_example": [], "warnings": []})
        };
        let ids = serde_json::json!({"kind": "list", "item": {"kind": "string"}});
        let spec = serde_json::json!({"format_version": 3, "product": "madeup", "generated": "",
        "actions": [
            action("AllocateWidget", vec![field("Name", text.clone(), false)]),
            action("DescribeWidget", vec![field("WidgetIds", ids, false)]),
            action("DescribeWidgetUsage", vec![]),
            action("ReleaseWidget", vec![field("WidgetId", text.clone(), true)]),
        ]});
        let spec = ProductSpec::from_json(&spec.to_string()).expect("a spec");
        let types = resource_types(&spec);
        let [widget] = types.as_slice() else {
            panic!("{types:?}");
        };
        assert_eq!(widget.id, "WidgetId");
        let inner = Some("WidgetId".to_owned());
        assert_eq!(
            (widget.created.field.as_str(), widget.created.many),
            ("WidgetSet", true)
        );
        assert_eq!(widget.created.inner, inner);
        let listed: Vec<&str> = widget.listings.iter().map(|l| l.action.as_str()).collect();
        assert_eq!(
            listed,
            ["DescribeWidget", "DescribeWidgetUsage"],
            "closest name first"
        );
        assert_eq!(
            widget.listings[0].filter,
            Some(("WidgetIds".to_owned(), true))
        );
        assert_eq!(widget.removals, ["ReleaseWidget"]);
    }
}
