//! A document's JSON example exactly as written.
//!
//! Documents write numbers with up to 17 significant digits (`0.000013680915448685166`), and
//! going through `f64` would print some of them differently (`1.3680915448685166e-5`) — and,
//! depending on how serde_json was built, round some of them. So a spec keeps each number's
//! text, and each object's keys in the order the document wrote them; [`ExampleJson::to_value`]
//! gives the usual `serde_json::Value` for code that reads the example's meaning.
//!
//! In a spec file the example is plain JSON: the numbers are written back as their text
//! (serde_json's raw values), so the file stays readable and its bytes do not depend on the
//! build.

use serde::de::{Deserialize, Deserializer, MapAccess, Visitor};
use serde::ser::{Serialize, SerializeMap, SerializeSeq, Serializer};
use serde_json::Value;
use serde_json::value::RawValue;
use std::fmt;

/// A JSON value as a document writes it: numbers keep their text, objects their key order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExampleJson {
    /// `null`.
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// A number's text as written, e.g. `0.000013680915448685166`; always valid JSON.
    Number(String),
    /// A string, unescaped.
    String(String),
    /// A list, in order.
    Array(Vec<ExampleJson>),
    /// Keys in the order written; a key written twice keeps its first place and last value,
    /// as a JSON reader would see it.
    Object(Vec<(String, ExampleJson)>),
}

impl ExampleJson {
    /// Reads JSON text, keeping numbers and key order as written.
    pub fn parse(text: &str) -> serde_json::Result<Self> {
        let raw: Box<RawValue> = serde_json::from_str(text)?;
        Self::from_raw(&raw)
    }

    /// Builds the tree from one raw value, reading each child as raw text in turn so that a
    /// number is never held as a float.
    fn from_raw(raw: &RawValue) -> serde_json::Result<Self> {
        let text = raw.get();
        Ok(match text.as_bytes().first() {
            Some(b'{') => {
                let Pairs(pairs) = serde_json::from_str(text)?;
                let mut object: Vec<(String, ExampleJson)> = Vec::with_capacity(pairs.len());
                for (key, raw) in pairs {
                    let value = Self::from_raw(&raw)?;
                    match object.iter_mut().find(|(k, _)| *k == key) {
                        Some(slot) => slot.1 = value,
                        None => object.push((key, value)),
                    }
                }
                Self::Object(object)
            }
            Some(b'[') => {
                let items: Vec<Box<RawValue>> = serde_json::from_str(text)?;
                Self::Array(
                    items
                        .iter()
                        .map(|raw| Self::from_raw(raw))
                        .collect::<serde_json::Result<_>>()?,
                )
            }
            Some(b'"') => Self::String(serde_json::from_str(text)?),
            Some(b't' | b'f') => Self::Bool(serde_json::from_str(text)?),
            Some(b'n') => Self::Null,
            _ => Self::Number(text.to_owned()),
        })
    }

    /// The example as a `serde_json::Value`: numbers read as serde_json reads them (correctly
    /// rounded floats), objects keyed as serde_json keys them.
    pub fn to_value(&self) -> Value {
        match self {
            Self::Null => Value::Null,
            Self::Bool(b) => Value::Bool(*b),
            // Always parses: the text came from a JSON number.
            Self::Number(text) => serde_json::from_str(text).unwrap_or(Value::Null),
            Self::String(s) => Value::String(s.clone()),
            Self::Array(items) => Value::Array(items.iter().map(Self::to_value).collect()),
            Self::Object(pairs) => Value::Object(
                pairs
                    .iter()
                    .map(|(k, v)| (k.clone(), v.to_value()))
                    .collect(),
            ),
        }
    }

    /// The value of `key` when this is an object that has it.
    pub fn get(&self, key: &str) -> Option<&ExampleJson> {
        match self {
            Self::Object(pairs) => pairs.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    /// The pairs, when this is an object.
    pub fn as_object(&self) -> Option<&[(String, ExampleJson)]> {
        match self {
            Self::Object(pairs) => Some(pairs),
            _ => None,
        }
    }

    /// Compact JSON text with every number as written.
    pub fn to_json_string(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }
}

impl Serialize for ExampleJson {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Self::Null => serializer.serialize_unit(),
            Self::Bool(b) => serializer.serialize_bool(*b),
            Self::Number(text) => match RawValue::from_string(text.clone()) {
                Ok(raw) => raw.serialize(serializer),
                Err(e) => Err(serde::ser::Error::custom(e)),
            },
            Self::String(s) => serializer.serialize_str(s),
            Self::Array(items) => {
                let mut seq = serializer.serialize_seq(Some(items.len()))?;
                for item in items {
                    seq.serialize_element(item)?;
                }
                seq.end()
            }
            Self::Object(pairs) => {
                let mut map = serializer.serialize_map(Some(pairs.len()))?;
                for (k, v) in pairs {
                    map.serialize_entry(k, v)?;
                }
                map.end()
            }
        }
    }
}

/// Reads from serde_json only (numbers need its raw values): a spec file is JSON.
impl<'de> Deserialize<'de> for ExampleJson {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw = Box::<RawValue>::deserialize(deserializer)?;
        Self::from_raw(&raw).map_err(serde::de::Error::custom)
    }
}

/// An object's members in the order written, each value still raw.
struct Pairs(Vec<(String, Box<RawValue>)>);

impl<'de> Deserialize<'de> for Pairs {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct PairsVisitor;
        impl<'de> Visitor<'de> for PairsVisitor {
            type Value = Pairs;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Pairs, A::Error> {
                let mut pairs = Vec::with_capacity(map.size_hint().unwrap_or(0));
                while let Some(pair) = map.next_entry()? {
                    pairs.push(pair);
                }
                Ok(Pairs(pairs))
            }
        }
        deserializer.deserialize_map(PairsVisitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const WRITTEN: &str = r#"{"Zeta": 1.2239025941412993, "Alpha": [0.000013680915448685166, 12345678901234567890123, -0, 1E400], "Name": "a\"b", "On": true, "None": null}"#;

    #[test]
    fn numbers_and_key_order_survive_a_round_trip_through_a_spec() {
        let example = ExampleJson::parse(WRITTEN).unwrap();
        let text = serde_json::to_string_pretty(&example).unwrap();
        for literal in [
            "1.2239025941412993",
            "0.000013680915448685166",
            "12345678901234567890123",
            "-0",
            "1E400",
        ] {
            assert!(text.contains(literal), "{literal} lost in {text}");
        }
        assert!(text.find("Zeta") < text.find("Alpha"), "{text}");
        let back: ExampleJson = serde_json::from_str(&text).unwrap();
        assert_eq!(back, example);
        assert_eq!(serde_json::to_string_pretty(&back).unwrap(), text);
    }

    #[test]
    fn the_value_reads_the_meaning() {
        let example = ExampleJson::parse(WRITTEN).unwrap();
        let value = example.to_value();
        assert_eq!(value["Zeta"].as_f64(), Some(1.2239025941412993));
        assert_eq!(value["Alpha"][0].as_f64(), Some(0.000013680915448685166));
        assert_eq!(value["Name"], "a\"b");
        assert_eq!(example.get("On"), Some(&ExampleJson::Bool(true)));
    }

    #[test]
    fn a_repeated_key_keeps_its_place_and_last_value() {
        let example = ExampleJson::parse(r#"{"A": 1, "B": 2, "A": 3}"#).unwrap();
        assert_eq!(example.to_json_string(), r#"{"A":3,"B":2}"#);
    }

    #[test]
    fn invalid_text_is_an_error() {
        assert!(ExampleJson::parse("{\"A\": }").is_err());
        assert!(ExampleJson::parse("{\"A\": 1,}").is_err());
    }
}
