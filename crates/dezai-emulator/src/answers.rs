//! Examples read as the service would send them: a document's response example is written by
//! hand, so before it is answered its keys are trimmed (`"DataSet "` is `DataSet`), a required
//! field it leaves out gets a value of its type, and a state field holding something its
//! description does not list (an example's filler, `PkNmCXOe`) holds the first running state
//! the description does list (`dezai_spec::resources`).

use dezai_spec::resources::{RUNNING, is_listed_state, is_state_field, listed};
use dezai_spec::{Action, Field, Type};
use serde_json::{Map, Value, json};

/// An action's answer read as the service sends it: see the [module docs](self).
pub(crate) fn read(answer: &mut Value, action: &Action) {
    trim_all(answer);
    normalize(answer, &action.response, action);
}

/// Every key at every depth trimmed, documented or not.
fn trim_all(value: &mut Value) {
    match value {
        Value::Object(map) => {
            trim_keys(map);
            map.values_mut().for_each(trim_all);
        }
        Value::Array(items) => items.iter_mut().for_each(trim_all),
        _ => {}
    }
}

/// `value`, an answer or item of `fields`, with what the schema asks: required fields there,
/// states that are states.
fn normalize(value: &mut Value, fields: &[Field], action: &Action) {
    let Value::Object(map) = value else {
        return;
    };
    for field in fields {
        match map.get_mut(&field.name) {
            Some(found) => normalize_field(found, field, action),
            None if field.required => {
                map.insert(field.name.clone(), default_of(&field.ty, action, 0));
            }
            None => {}
        }
    }
}

fn normalize_field(value: &mut Value, field: &Field, action: &Action) {
    if is_state_field(&field.name) {
        if let Value::String(state) = value {
            if !is_listed_state(&field.description, state) {
                if let Some(running) = listed(&field.description, RUNNING) {
                    *state = running.to_owned();
                }
            }
        }
    }
    match (&field.ty, value) {
        (Type::Model { name }, value @ Value::Object(_)) => {
            if let Some(model) = action.models.iter().find(|m| &m.name == name) {
                normalize(value, &model.fields, action);
            }
        }
        (Type::List { item }, Value::Array(items)) => {
            if let Type::Model { name } = item.as_ref() {
                if let Some(model) = action.models.iter().find(|m| &m.name == name) {
                    for item in items {
                        normalize(item, &model.fields, action);
                    }
                }
            }
        }
        _ => {}
    }
}

/// Keys without surrounding spaces (a later key wins over an earlier one of the same name).
fn trim_keys(map: &mut Map<String, Value>) {
    if !map.keys().any(|k| k.trim() != k) {
        return;
    }
    let entries: Vec<(String, Value)> = std::mem::take(map).into_iter().collect();
    for (key, value) in entries {
        map.insert(key.trim().to_owned(), value);
    }
}

/// A value of a type: empty text, zero, false, an empty list, a model's required fields.
pub(crate) fn default_of(ty: &Type, action: &Action, depth: usize) -> Value {
    match ty {
        Type::String => json!(""),
        Type::Int => json!(0),
        Type::Float => json!(0.0),
        Type::Bool => json!(false),
        Type::List { .. } => json!([]),
        Type::Model { name } if depth < 8 => {
            let mut map = Map::new();
            if let Some(model) = action.models.iter().find(|m| &m.name == name) {
                for field in model.fields.iter().filter(|f| f.required) {
                    map.insert(field.name.clone(), default_of(&field.ty, action, depth + 1));
                }
            }
            Value::Object(map)
        }
        _ => json!({}),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_trimmed_required_fields_filled_and_fillers_are_no_state() {
        let spec = dezai_spec::ProductSpec::from_json(include_str!("../../../specs/umem.json"))
            .expect("the umem spec");
        let action = spec
            .actions
            .iter()
            .find(|a| a.name == "DescribeUMemSpace")
            .expect("DescribeUMemSpace");
        let mut answer = json!({
            "DataSet ": [{"SpaceId": "s-1", "State": "PkNmCXOe"}],
            "RetCode": 0
        });
        read(&mut answer, action);
        let item = &answer["DataSet"][0];
        assert_eq!(item["State"], "Running", "{answer}");
        assert!(answer.get("DataSet ").is_none());
        let required: Vec<&Field> = action.response.iter().filter(|f| f.required).collect();
        assert!(
            required.iter().all(|f| answer.get(&f.name).is_some()),
            "{answer}"
        );
    }
}
