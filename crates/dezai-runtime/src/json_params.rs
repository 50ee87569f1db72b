//! Parameters from JSON text, for calls built from data rather than types (how the Python
//! SDK's users pass a dict). Objects and arrays flatten as typed requests do (`Disks.0.Size`),
//! and numbers reach the wire exactly as written: the text is read through
//! `serde_json::value::RawValue`, so `18446744073709551617` is never rounded through an `f64`.

use serde::de::Error as _;
use serde_json::value::RawValue;

use crate::params::{ParamValue, ParamWriter, Params};

impl Params {
    /// Parameters from a JSON object's text: `{"DBId": "udb-1", "Disks": [{"Size": 20}]}`
    /// gives `DBId=udb-1`, `Disks.0.Size=20`. Strings are sent as they are, booleans as
    /// `true`/`false`, `null` not at all, integers exactly as written (any size), other
    /// numbers as the protocol writes floats (`42.0` → `42`, never `1e-05`).
    pub fn from_json(text: &str) -> Result<Params, serde_json::Error> {
        let root: &RawValue = serde_json::from_str(text)?;
        if !root.get().trim_start().starts_with('{') {
            return Err(serde_json::Error::custom(
                "parameters must be a JSON object of names and values",
            ));
        }
        let mut params = Params::new();
        let mut writer = ParamWriter::new(&mut params);
        root.write_param(&mut writer);
        let problems = writer.into_problems();
        if !problems.is_empty() {
            return Err(serde_json::Error::custom(problems.join("; ")));
        }
        Ok(params)
    }
}

/// A JSON value written as parameters by the same writer typed requests use, reading numbers
/// from their text so that integers keep every digit.
impl ParamValue for RawValue {
    fn write_param(&self, w: &mut ParamWriter<'_>) {
        let text = self.get().trim();
        let bad = |w: &mut ParamWriter<'_>, e: serde_json::Error| w.invalid(&e.to_string());
        match text.as_bytes().first() {
            Some(b'{') => match serde_json::from_str::<ordered::Entries<'_>>(text) {
                Ok(entries) => {
                    for (key, item) in entries.0 {
                        w.field(&key, item);
                    }
                }
                Err(e) => bad(w, e),
            },
            Some(b'[') => match serde_json::from_str::<Vec<&RawValue>>(text) {
                Ok(items) => {
                    for (i, item) in items.into_iter().enumerate() {
                        w.item(i, item);
                    }
                }
                Err(e) => bad(w, e),
            },
            Some(b'"') => match serde_json::from_str::<String>(text) {
                Ok(s) => w.scalar(&s),
                Err(e) => bad(w, e),
            },
            Some(b't' | b'f') => w.scalar(text),
            Some(b'n') => {}
            _ if text
                .strip_prefix('-')
                .unwrap_or(text)
                .bytes()
                .all(|b| b.is_ascii_digit()) =>
            {
                w.scalar(text)
            }
            _ => match serde_json::from_str::<f64>(text) {
                Ok(value) => value.write_param(w),
                Err(e) => bad(w, e),
            },
        }
    }
}

/// A JSON object's entries in the order written (serde_json's `Map` sorts them unless its
/// `preserve_order` feature is on; parameters keep the caller's order).
mod ordered {
    use serde::de::{Deserialize, Deserializer, MapAccess, Visitor};
    use serde_json::value::RawValue;

    pub(super) struct Entries<'a>(pub Vec<(String, &'a RawValue)>);

    impl<'de: 'a, 'a> Deserialize<'de> for Entries<'a> {
        fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            struct V;
            impl<'de> Visitor<'de> for V {
                type Value = Entries<'de>;
                fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                    f.write_str("a JSON object")
                }
                fn visit_map<M: MapAccess<'de>>(self, mut map: M) -> Result<Self::Value, M::Error> {
                    let mut entries = Vec::new();
                    while let Some((key, value)) = map.next_entry::<String, &'de RawValue>()? {
                        entries.push((key, value));
                    }
                    Ok(Entries(entries))
                }
            }
            d.deserialize_map(V)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(text: &str) -> Vec<(String, String)> {
        Params::from_json(text)
            .unwrap()
            .iter()
            .map(|(n, v)| (n.to_owned(), v.to_owned()))
            .collect()
    }

    #[test]
    fn integers_of_any_size_reach_the_wire_exactly() {
        assert_eq!(
            pairs(r#"{"Big": 18446744073709551617, "Neg": -99999999999999999999999}"#),
            [
                ("Big".into(), "18446744073709551617".into()),
                ("Neg".into(), "-99999999999999999999999".into())
            ]
        );
    }

    #[test]
    fn nested_values_flatten_like_typed_requests() {
        assert_eq!(
            pairs(
                r#"{"DBId": "udb-1", "Disks": [{"Size": 20, "Type": "SSD"}], "Network": {"VPCId": "v"},
                    "Force": true, "Skip": null, "Ratio": 42.0, "Tiny": 1e-5}"#
            ),
            [
                ("DBId".into(), "udb-1".into()),
                ("Disks.0.Size".into(), "20".into()),
                ("Disks.0.Type".into(), "SSD".into()),
                ("Network.VPCId".into(), "v".into()),
                ("Force".into(), "true".into()),
                ("Ratio".into(), "42".into()),
                ("Tiny".into(), "0.00001".into()),
            ]
        );
    }

    #[test]
    fn not_an_object_is_an_error() {
        assert!(Params::from_json("[1]").is_err());
        assert!(Params::from_json("{").is_err());
    }
}
