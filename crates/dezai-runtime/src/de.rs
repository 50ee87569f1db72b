//! Lenient decoding for generated response types.
//!
//! Responses are looser than the documents: numbers sent as strings, strings as numbers,
//! `null`, missing fields, `"true"` or `1` for booleans. None of that may fail a call. Every
//! field of a generated response is an `Option` read through [`lenient`]: a value that can be
//! read as the documented type is, and one that cannot becomes `None` (the raw response is
//! still available through the unknown-fields map of the enclosing type, or
//! [`crate::Client::invoke`]).
//!
//! ```
//! #[derive(serde::Deserialize)]
//! struct Backup {
//!     #[serde(rename = "Size", default, deserialize_with = "dezai_runtime::de::lenient")]
//!     size: Option<i64>,
//!     #[serde(rename = "Ready", default, deserialize_with = "dezai_runtime::de::lenient")]
//!     ready: Option<bool>,
//! }
//! let b: Backup = serde_json::from_str(r#"{"Size": "1024", "Ready": 1}"#).unwrap();
//! assert_eq!((b.size, b.ready), (Some(1024), Some(true)));
//! let b: Backup = serde_json::from_str(r#"{"Size": null, "Ready": "maybe"}"#).unwrap();
//! assert_eq!((b.size, b.ready), (None, None));
//! ```

use serde::{Deserialize, Deserializer};
use serde_json::Value;

/// A type that can be read leniently from any JSON value.
pub trait Lenient: Sized {
    /// The value as this type, if it can be read as one.
    fn from_json(value: Value) -> Option<Self>;
}

/// Reads a field leniently: for `#[serde(default, deserialize_with = "…")]` on `Option<T>`.
pub fn lenient<'de, D, T>(deserializer: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Lenient,
{
    // Any JSON value deserializes into `Value`; the conversion after it cannot fail.
    Ok(T::from_json(Value::deserialize(deserializer)?))
}

/// Reads a data model leniently: `None` when the value is not an object the model accepts.
pub fn model<T: serde::de::DeserializeOwned>(value: Value) -> Option<T> {
    match value {
        Value::Object(_) => serde_json::from_value(value).ok(),
        _ => None,
    }
}

/// A JSON object, as generated response types and models read themselves: anything that is
/// not an object reads as an empty one, so a response never fails on its shape.
///
/// Generated code deserializes through this and [`take`] instead of `#[derive(Deserialize)]`:
/// one small function per type instead of a derived visitor, which keeps the SDK quick to
/// compile (see BENCHMARKS.md).
pub fn object<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<serde_json::Map<String, Value>, D::Error> {
    Ok(match Value::deserialize(deserializer)? {
        Value::Object(map) => map,
        _ => serde_json::Map::new(),
    })
}

/// Takes the field `name` (or the first alias present) out of `map` and reads it leniently.
/// What is left in the map afterwards is what the type does not know.
pub fn take<T: Lenient>(
    map: &mut serde_json::Map<String, Value>,
    name: &str,
    aliases: &[&str],
) -> Option<T> {
    // Only the conversion is generic; the lookup is compiled once. A `match`, not
    // `and_then`: no closure shim instantiated per type read.
    match take_value(map, name, aliases) {
        Some(value) => T::from_json(value),
        None => None,
    }
}

/// The value of `name` (or the first alias present), taken out of `map`.
fn take_value(
    map: &mut serde_json::Map<String, Value>,
    name: &str,
    aliases: &[&str],
) -> Option<Value> {
    if let Some(value) = map.remove(name) {
        return Some(value);
    }
    for alias in aliases {
        if let Some(value) = map.remove(*alias) {
            return Some(value);
        }
    }
    None
}

impl Lenient for String {
    fn from_json(value: Value) -> Option<Self> {
        match value {
            Value::String(s) => Some(s),
            Value::Number(n) => Some(n.to_string()),
            Value::Bool(b) => Some(b.to_string()),
            Value::Null | Value::Array(_) | Value::Object(_) => None,
        }
    }
}

impl Lenient for i64 {
    fn from_json(value: Value) -> Option<Self> {
        match value {
            Value::Number(n) => n.as_i64().or_else(|| {
                n.as_f64()
                    .filter(|f| f.fract() == 0.0 && f.abs() < 9.2e18)
                    .map(|f| f as i64)
            }),
            Value::String(s) => {
                let s = s.trim();
                s.parse::<i64>().ok().or_else(|| {
                    s.parse::<f64>()
                        .ok()
                        .filter(|f| f.fract() == 0.0 && f.abs() < 9.2e18)
                        .map(|f| f as i64)
                })
            }
            Value::Bool(b) => Some(i64::from(b)),
            Value::Null | Value::Array(_) | Value::Object(_) => None,
        }
    }
}

impl Lenient for f64 {
    fn from_json(value: Value) -> Option<Self> {
        match value {
            Value::Number(n) => n.as_f64(),
            Value::String(s) => s.trim().parse::<f64>().ok().filter(|f| f.is_finite()),
            Value::Bool(b) => Some(if b { 1.0 } else { 0.0 }),
            Value::Null | Value::Array(_) | Value::Object(_) => None,
        }
    }
}

impl Lenient for bool {
    fn from_json(value: Value) -> Option<Self> {
        match value {
            Value::Bool(b) => Some(b),
            Value::Number(n) => n.as_f64().map(|f| f != 0.0),
            Value::String(s) => match s.trim().to_ascii_lowercase().as_str() {
                "true" | "1" | "yes" | "on" => Some(true),
                "false" | "0" | "no" | "off" | "" => Some(false),
                _ => None,
            },
            Value::Null | Value::Array(_) | Value::Object(_) => None,
        }
    }
}

impl Lenient for Value {
    fn from_json(value: Value) -> Option<Self> {
        (!value.is_null()).then_some(value)
    }
}

/// A data model that contains itself is boxed in the generated types.
impl<T: Lenient> Lenient for Box<T> {
    fn from_json(value: Value) -> Option<Self> {
        T::from_json(value).map(Box::new)
    }
}

impl<T: Lenient> Lenient for Vec<T> {
    /// A list keeps the items it can read. A single value where a list was documented is
    /// read as a list of one.
    fn from_json(value: Value) -> Option<Self> {
        // One plain loop for both shapes: the fewest generic functions for every list type a
        // program reads (no closure, no `vec![]`).
        let (items, single) = match value {
            Value::Array(items) => (items, false),
            Value::Null => return None,
            single => (vec![single], true),
        };
        let mut read = Vec::with_capacity(items.len());
        for item in items {
            if let Some(item) = T::from_json(item) {
                read.push(item);
            }
        }
        // A single value that cannot be read is no value, not an empty list.
        if single && read.is_empty() {
            return None;
        }
        Some(read)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn scalars_accept_drift() {
        assert_eq!(i64::from_json(json!("42")), Some(42));
        assert_eq!(i64::from_json(json!(42.0)), Some(42));
        assert_eq!(i64::from_json(json!(" 7 ")), Some(7));
        assert_eq!(i64::from_json(json!("x")), None);
        assert_eq!(
            i64::from_json(json!(9007199254740993i64)),
            Some(9007199254740993)
        );
        assert_eq!(String::from_json(json!(12)), Some("12".into()));
        assert_eq!(bool::from_json(json!("true")), Some(true));
        assert_eq!(bool::from_json(json!(1)), Some(true));
        assert_eq!(bool::from_json(json!(0)), Some(false));
        assert_eq!(f64::from_json(json!("2.5")), Some(2.5));
        assert_eq!(
            Vec::<i64>::from_json(json!([1, "2", "x", null])),
            Some(vec![1, 2])
        );
        assert_eq!(
            Vec::<String>::from_json(json!("solo")),
            Some(vec!["solo".into()])
        );
        // A single value that cannot be read is no list at all; an empty list stays one.
        assert_eq!(Vec::<i64>::from_json(json!("x")), None);
        assert_eq!(Vec::<i64>::from_json(json!([])), Some(vec![]));
        assert_eq!(Vec::<i64>::from_json(json!(["x"])), Some(vec![]));
        assert_eq!(Value::from_json(Value::Null), None);
    }
}
