//! The actions the emulator knows, from the JSON specs, and how a request's parameters are
//! checked against them: required parameters present, values of the documented types.
//!
//! The wire has only `Action=`: an action documented in two products (a product and its
//! versioned successor) is one name, answered from the first product that documents it, in
//! the order the specs are read (a folder's files by name; `spec_json` in the order given).

use std::collections::BTreeMap;
use std::path::Path;

use dezai_spec::{Action, Field, ProductSpec, ScalarType, Type};

/// Every action of every spec in a folder, by name.
#[derive(Debug, Clone, Default)]
pub(crate) struct Catalog {
    actions: BTreeMap<String, Action>,
    /// Actions documented, a name counted once per product that documents it.
    documented: usize,
    /// Each action's usual answer (its document's example with `Action` and `RetCode`),
    /// serialized once: answering a call is then a reference count, not a JSON tree copied
    /// and written out per request.
    answers: BTreeMap<String, bytes::Bytes>,
    /// The resource types each spec's documents model (`dezai_spec::resources`).
    resources: Vec<dezai_spec::resources::ResourceType>,
    /// The products, in the order read, with their actions' names.
    products: Vec<(String, Vec<String>)>,
}

impl Catalog {
    /// Reads every `*.json` spec in `dir` (the schema file and other JSON are skipped).
    pub(crate) fn load(dir: &Path) -> Result<Self, String> {
        let mut catalog = Self::default();
        let mut entries: Vec<_> = std::fs::read_dir(dir)
            .map_err(|e| format!("cannot read specs folder {}: {e}", dir.display()))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|e| e == "json"))
            .collect();
        entries.sort();
        for path in entries {
            let text =
                std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
            // Not every JSON file in the folder is a spec (the schema is there too).
            let Ok(spec) = ProductSpec::from_json(&text) else {
                continue;
            };
            catalog.add(spec);
        }
        Ok(catalog)
    }

    /// Adds the actions of one spec given as JSON text (a spec embedded in a program, such as
    /// `dezai_sdk::specs()`).
    pub(crate) fn add_json(&mut self, text: &str) -> Result<(), String> {
        let spec = ProductSpec::from_json(text).map_err(|e| format!("not a spec: {e}"))?;
        self.add(spec);
        Ok(())
    }

    /// Adds a spec's actions; a name already known keeps its first definition.
    fn add(&mut self, spec: ProductSpec) {
        self.resources
            .extend(dezai_spec::resources::resource_types(&spec));
        let names = spec.actions.iter().map(|a| a.name.clone()).collect();
        self.products.push((spec.product.clone(), names));
        for action in spec.actions {
            self.documented += 1;
            if !self.actions.contains_key(&action.name) {
                self.answers.insert(action.name.clone(), answer(&action));
                self.actions.insert(action.name.clone(), action);
            }
        }
    }

    pub(crate) fn get(&self, name: &str) -> Option<&Action> {
        self.actions.get(name)
    }

    /// Every action, by name.
    pub(crate) fn actions(&self) -> impl Iterator<Item = &Action> {
        self.actions.values()
    }

    /// The serialized usual answer of `name`: see [`example_answer`].
    pub(crate) fn answer(&self, name: &str) -> Option<bytes::Bytes> {
        self.answers.get(name).cloned()
    }

    /// The resource types the specs' documents model.
    pub(crate) fn resources(&self) -> &[dezai_spec::resources::ResourceType] {
        &self.resources
    }

    /// The products, in the order read.
    pub(crate) fn products(&self) -> impl Iterator<Item = &str> {
        self.products.iter().map(|(p, _)| p.as_str())
    }

    /// The actions a product documents.
    pub(crate) fn actions_of<'a>(&'a self, product: &str) -> impl Iterator<Item = &'a str> {
        self.products
            .iter()
            .filter(move |(p, _)| p == product)
            .flat_map(|(_, names)| names.iter().map(String::as_str))
    }

    /// Distinct action names: what the wire can ask for.
    pub(crate) fn names(&self) -> usize {
        self.actions.len()
    }

    /// Actions documented, one per product that documents it.
    pub(crate) fn documented(&self) -> usize {
        self.documented
    }
}

/// An action's usual answer: the document's response example (an empty object without one),
/// read as the service sends it (`crate::answers`), with `Action` set to `<name>Response` and
/// `RetCode` 0 unless the example says otherwise.
pub(crate) fn example_answer(action: &Action) -> serde_json::Value {
    let mut body = action
        .response_example
        .as_ref()
        .map(dezai_spec::ExampleJson::to_value)
        .unwrap_or_else(|| serde_json::json!({}));
    crate::answers::read(&mut body, action);
    if let serde_json::Value::Object(map) = &mut body {
        map.insert(
            "Action".into(),
            serde_json::Value::String(format!("{}Response", action.name)),
        );
        map.entry("RetCode").or_insert(serde_json::json!(0));
    }
    body
}

fn answer(action: &Action) -> bytes::Bytes {
    bytes::Bytes::from(example_answer(action).to_string())
}

/// The first problem with a request's parameters, as the message of an error response.
pub(crate) fn check_params(action: &Action, params: &[(String, String)]) -> Option<String> {
    for field in &action.request {
        if field.required
            && !params
                .iter()
                .any(|(n, _)| n == &field.name || n.starts_with(&format!("{}.", field.name)))
        {
            return Some(format!("Missing required parameter `{}`", field.name));
        }
    }
    for (name, value) in params {
        let segments: Vec<&str> = name.split('.').collect();
        // Scalars are read by the protocol's rules for their type (`dezai_spec::value`),
        // as the command line reads its flags; strings and free-form objects take any text.
        let scalar = type_at(&action.request, &segments).and_then(Type::scalar);
        if let Some(scalar @ (ScalarType::Int | ScalarType::Float | ScalarType::Bool)) = scalar {
            if scalar.parse_value(value).is_err() {
                return Some(format!(
                    "Parameter `{name}` must be {}, got `{value}`",
                    scalar.expected()
                ));
            }
        }
    }
    None
}

/// The scalar type a flattened name lands on, if the spec knows it.
fn type_at<'a>(fields: &'a [Field], segments: &[&str]) -> Option<&'a Type> {
    let (first, mut rest) = segments.split_first()?;
    let mut ty = &fields.iter().find(|f| f.name == *first)?.ty;
    loop {
        match (ty, rest.first()) {
            (Type::List { item }, Some(index)) if index.parse::<usize>().is_ok() => {
                ty = item;
                rest = &rest[1..];
            }
            (Type::Struct { fields }, Some(_)) => return type_at(fields, rest),
            (_, None) => return Some(ty),
            _ => return None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;

    fn spaced_key(value: &Value) -> Option<String> {
        match value {
            Value::Object(map) => map
                .iter()
                .find_map(|(k, v)| (k.trim() != k).then(|| k.clone()).or_else(|| spaced_key(v))),
            Value::Array(items) => items.iter().find_map(spaced_key),
            _ => None,
        }
    }

    #[test]
    fn no_answer_of_any_document_has_a_key_with_spaces_or_lacks_a_required_field() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../specs");
        let mut checked = 0;
        for entry in std::fs::read_dir(dir).expect("specs/") {
            let text = std::fs::read_to_string(entry.expect("an entry").path()).unwrap_or_default();
            let Ok(spec) = dezai_spec::ProductSpec::from_json(&text) else {
                continue;
            };
            for action in &spec.actions {
                let answer = example_answer(action);
                assert_eq!(spaced_key(&answer), None, "{}", action.name);
                for field in action.response.iter().filter(|f| f.required) {
                    assert!(
                        answer.get(&field.name).is_some(),
                        "{}: {}",
                        action.name,
                        field.name
                    );
                }
                checked += 1;
            }
        }
        assert!(checked > 0);
    }

    fn spec(product: &str, example: &str) -> String {
        format!(
            r#"{{"format_version": {}, "product": "{product}", "actions": [{{"name": "DescribeThing",
            "summary": "", "description": "", "source": "{product}/describe_thing.md", "endpoint": null,
            "request": [], "response": [], "models": [], "request_example": [],
            "response_example": {{"From": "{example}"}}, "warnings": []}}]}}"#,
            dezai_spec::FORMAT_VERSION
        )
    }

    #[test]
    fn an_action_in_two_products_is_one_name_answered_from_the_first() {
        let mut catalog = Catalog::default();
        catalog.add_json(&spec("vpc", "first")).unwrap();
        catalog.add_json(&spec("vpc2", "second")).unwrap();
        assert_eq!((catalog.documented(), catalog.names()), (2, 1));
        let answer = catalog.answer("DescribeThing").unwrap();
        assert!(
            String::from_utf8_lossy(&answer).contains("first"),
            "{answer:?}"
        );
    }
}
