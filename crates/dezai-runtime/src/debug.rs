//! `Debug` for generated types: their fields in declaration order, with the values of
//! sensitive names (`dezai_spec::protocol::is_sensitive`: passwords, keys, tokens,
//! certificates) masked — the same names logs mask — and a response's unknown fields masked
//! by name at any depth. The generator decides which fields are sensitive from their wire
//! names, so a typed request holding a password prints `admin_password: Some(***)`.
//!
//! One call per struct with two slices, the shape `#[derive(Debug)]` expands to: it compiles
//! as fast as the derive across thousands of generated types.

use std::fmt;

use serde_json::{Map, Value};

use crate::redact::mask_sensitive;

/// Writes `name { field: value, … }` from parallel slices of field names and values.
pub fn fields(
    f: &mut fmt::Formatter<'_>,
    name: &str,
    names: &[&str],
    values: &[&dyn fmt::Debug],
) -> fmt::Result {
    let mut out = f.debug_struct(name);
    for (field, value) in names.iter().zip(values) {
        out.field(field, value);
    }
    out.finish()
}

/// A value that is set but not shown: prints `***`.
#[derive(Clone, Copy)]
pub struct Masked;

impl fmt::Debug for Masked {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

/// An optional sensitive field as `Some(***)` or `None`: whether it is set is worth seeing.
pub fn masked<T>(value: &Option<T>) -> Option<Masked> {
    value.as_ref().map(|_| Masked)
}

/// A response's unknown fields, sensitive names masked at any depth.
pub struct UnknownFields<'a>(pub &'a Map<String, Value>);

impl fmt::Debug for UnknownFields<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // A masked copy: `Debug` is for people reading, not a hot path.
        fmt::Debug::fmt(&mask_sensitive(self.0), f)
    }
}
