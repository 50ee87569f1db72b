//! `Debug` for generated types: their fields in declaration order, with the values of
//! sensitive names (`dezai_spec::protocol::is_sensitive`: passwords, keys, tokens,
//! certificates) masked — the same names logs mask —, download URLs without their query (a
//! pre-signed URL's query is a credential for the file, `docs/protocol.md`), and a response's
//! unknown fields as logs show them. The generator decides from the wire names which fields are
//! sensitive and which may hold URLs (`dezai_spec::download::may_hold_url`), so a typed request
//! holding a password prints `admin_password: Some(***)` and a backup's link
//! `backup_path: Some("https://host/file?***")`.
//!
//! One call per struct with two slices, the shape `#[derive(Debug)]` expands to: it compiles
//! as fast as the derive across thousands of generated types.

use std::fmt;

use serde_json::{Map, Value};

use crate::redact::{redact_object, shown_url};

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

/// A response's unknown fields as logs show them: sensitive names masked at any depth, download
/// URLs without their query.
pub struct UnknownFields<'a>(pub &'a Map<String, Value>);

impl fmt::Debug for UnknownFields<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // A masked copy, as logs show it: `Debug` is for people reading, not a hot path.
        fmt::Debug::fmt(&redact_object(self.0), f)
    }
}

/// A field that may hold download URLs (text, or a list of it; optional or not), each shown
/// without its query.
pub struct Urls<'a, T: ?Sized>(pub &'a T);

impl<T: UrlText + ?Sized> fmt::Debug for Urls<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt_urls(f)
    }
}

/// What a URL field can be: text, a list of it, optional.
pub trait UrlText {
    /// `Debug` with each download URL's query left out.
    fn fmt_urls(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result;
}

impl UrlText for String {
    fn fmt_urls(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&shown_url(self), f)
    }
}

impl<T: UrlText> UrlText for Vec<T> {
    fn fmt_urls(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter().map(Urls)).finish()
    }
}

impl<T: UrlText> UrlText for Option<T> {
    fn fmt_urls(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Some(value) => f.debug_tuple("Some").field(&Urls(value)).finish(),
            None => f.write_str("None"),
        }
    }
}
