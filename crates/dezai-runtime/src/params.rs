//! The flat parameter set of a call, and how typed values are written into it.
//!
//! Requests are trees (lists of structures holding lists); the wire is flat: `Key.0`,
//! `Key.0.Field`, `Key.Field`. A [`ParamWriter`] keeps the current key prefix while values
//! write themselves through [`ParamValue`], so a generated request type only lists its fields
//! and all the flattening and formatting lives here, once.
//!
//! Values follow the wire protocol: booleans `true`/`false`; integers in decimal; floats with
//! no fractional part as integers (`42`), never in scientific notation (`0.00001`); strings as
//! they are; an unset value is absent, not empty.

use std::fmt::Write as _;

use smallvec::SmallVec;

/// Parameters a request usually has at most: their positions live in the [`Params`] value
/// itself up to this many, without an allocation of their own.
const INLINE_PAIRS: usize = 24;

/// An ordered list of `name=value` parameters, as they will be sent.
///
/// All names and values live in one text buffer: a call allocates a handful of times, not
/// twice per parameter, which matters under load (see BENCHMARKS.md).
#[derive(Clone, Default)]
pub struct Params {
    text: String,
    /// Per parameter: where its name starts, where its value starts (= the name's end), and
    /// where its value ends, in `text`.
    pairs: SmallVec<[[u32; 3]; INLINE_PAIRS]>,
}

impl Params {
    /// An empty set.
    pub fn new() -> Self {
        Self::default()
    }

    /// An empty set with room for `pairs` parameters of `text` bytes in all.
    pub fn with_capacity(pairs: usize, text: usize) -> Self {
        Self {
            text: String::with_capacity(text),
            pairs: SmallVec::with_capacity(pairs),
        }
    }

    /// Appends a parameter.
    pub fn push(&mut self, name: impl AsRef<str>, value: impl AsRef<str>) {
        let start = self.offset();
        self.text.push_str(name.as_ref());
        let middle = self.offset();
        self.text.push_str(value.as_ref());
        self.pairs.push([start, middle, self.offset()]);
    }

    /// Appends a parameter whose value is written by `Display` straight into the buffer.
    pub fn push_display(&mut self, name: &str, value: impl std::fmt::Display) {
        let start = self.offset();
        self.text.push_str(name);
        let middle = self.offset();
        let _ = write!(self.text, "{value}");
        self.pairs.push([start, middle, self.offset()]);
    }

    fn offset(&self) -> u32 {
        // A request body beyond 4 GiB is not something this API sends.
        u32::try_from(self.text.len()).unwrap_or(u32::MAX)
    }

    fn pair(&self, [start, middle, end]: [u32; 3]) -> (&str, &str) {
        (
            &self.text[start as usize..middle as usize],
            &self.text[middle as usize..end as usize],
        )
    }

    /// Whether a parameter of that name is present.
    pub fn contains(&self, name: &str) -> bool {
        self.iter().any(|(n, _)| n == name)
    }

    /// The first value of the named parameter.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.iter().find(|(n, _)| *n == name).map(|(_, v)| v)
    }

    /// The parameters in order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.pairs.iter().map(|p| self.pair(*p))
    }

    /// The parameters in order, as bytes (no character-boundary checks): what the form body
    /// is written from.
    pub(crate) fn byte_pairs(&self) -> impl Iterator<Item = (&[u8], &[u8])> {
        let text = self.text.as_bytes();
        self.pairs.iter().map(move |[start, middle, end]| {
            (
                &text[*start as usize..*middle as usize],
                &text[*middle as usize..*end as usize],
            )
        })
    }

    /// Each parameter's name and value as one run of bytes (they are stored together): what
    /// the signature hashes, one update per parameter instead of two.
    pub(crate) fn joined(&self) -> impl Iterator<Item = &[u8]> {
        self.pairs
            .iter()
            .map(|[start, _, end]| &self.text.as_bytes()[*start as usize..*end as usize])
    }

    /// The number of parameters.
    pub fn len(&self) -> usize {
        self.pairs.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.pairs.is_empty()
    }

    /// Removes every parameter of that name.
    pub fn remove(&mut self, name: &str) {
        let text = &self.text;
        self.pairs
            .retain(|[start, middle, _]| &text[*start as usize..*middle as usize] != name);
    }

    /// The total length of names and values, for sizing buffers.
    pub(crate) fn text_len(&self) -> usize {
        self.text.len()
    }

    /// Sorts by name in ascending byte order (the signature's order). Stable, so repeated
    /// names keep their relative order.
    pub(crate) fn sort(&mut self) {
        let text = &self.text;
        self.pairs.sort_by(|a, b| {
            text.as_bytes()[a[0] as usize..a[1] as usize]
                .cmp(&text.as_bytes()[b[0] as usize..b[1] as usize])
        });
    }

    /// Writes a typed value under `name` (flattening lists and structures).
    pub fn write<V: ParamValue + ?Sized>(&mut self, name: &str, value: &V) {
        let mut writer = ParamWriter::new(self);
        writer.field(name, value);
    }
}

/// What [`crate::Client::invoke`] takes: [`Params`], or a JSON object (`serde_json::Value`
/// or `serde_json::Map`) whose values are flattened like a typed request's.
pub trait IntoParams {
    /// The parameters, or why these cannot be parameters.
    fn into_params(self) -> Result<Params, String>;
}

impl IntoParams for Params {
    fn into_params(self) -> Result<Params, String> {
        Ok(self)
    }
}

impl IntoParams for serde_json::Map<String, serde_json::Value> {
    fn into_params(self) -> Result<Params, String> {
        let mut params = Params::new();
        for (name, value) in &self {
            params.write(name, value);
        }
        Ok(params)
    }
}

impl IntoParams for serde_json::Value {
    fn into_params(self) -> Result<Params, String> {
        match self {
            serde_json::Value::Object(map) => map.into_params(),
            other => Err(format!(
                "parameters must be a JSON object of names and values, not {}",
                match other {
                    serde_json::Value::Array(_) => "an array",
                    serde_json::Value::String(_) => "a string",
                    serde_json::Value::Number(_) => "a number",
                    serde_json::Value::Bool(_) => "a boolean",
                    _ => "null",
                }
            )),
        }
    }
}

impl PartialEq for Params {
    fn eq(&self, other: &Self) -> bool {
        self.iter().eq(other.iter())
    }
}

impl Eq for Params {}

impl std::fmt::Debug for Params {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

impl<K: AsRef<str>, V: AsRef<str>> FromIterator<(K, V)> for Params {
    fn from_iter<I: IntoIterator<Item = (K, V)>>(iter: I) -> Self {
        let mut params = Params::new();
        for (k, v) in iter {
            params.push(k, v);
        }
        params
    }
}

/// Writes values into a [`Params`] under a key prefix that grows as it descends into lists
/// and structures.
pub struct ParamWriter<'a> {
    params: &'a mut Params,
    /// The current key, `Disks.0.Size`; held inline (no allocation) up to 64 bytes.
    key: SmallVec<[u8; 64]>,
    problems: Vec<String>,
}

/// A key as text: always UTF-8, since it is built from names (`&str`), dots and digits.
fn key_text(key: &[u8]) -> &str {
    std::str::from_utf8(key).unwrap_or_default()
}

/// Writes formatted text onto a key.
struct KeyText<'k>(&'k mut SmallVec<[u8; 64]>);

impl std::fmt::Write for KeyText<'_> {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        self.0.extend_from_slice(s.as_bytes());
        Ok(())
    }
}

impl<'a> ParamWriter<'a> {
    /// A writer at the top level of `params`.
    pub fn new(params: &'a mut Params) -> Self {
        Self {
            params,
            key: SmallVec::new(),
            problems: Vec::new(),
        }
    }

    /// Writes `value` as the field `name` of the current structure.
    pub fn field<V: ParamValue + ?Sized>(&mut self, name: &str, value: &V) {
        // The generic part is the call in the middle: everything else is compiled once, not
        // once per field type in every crate that sends requests.
        let len = self.enter_field(name);
        value.write_param(self);
        self.key.truncate(len);
    }

    /// Writes `value` as item `index` of the current list.
    pub fn item<V: ParamValue + ?Sized>(&mut self, index: usize, value: &V) {
        let len = self.enter_item(index);
        value.write_param(self);
        self.key.truncate(len);
    }

    /// Extends the key by `.name` (or `name` at the top) and returns the length to go back to.
    fn enter_field(&mut self, name: &str) -> usize {
        let len = self.key.len();
        if !self.key.is_empty() {
            self.key.push(b'.');
        }
        self.key.extend_from_slice(name.as_bytes());
        len
    }

    /// Extends the key by `.index` and returns the length to go back to.
    fn enter_item(&mut self, index: usize) -> usize {
        let len = self.key.len();
        let _ = write!(KeyText(&mut self.key), ".{index}");
        len
    }

    /// Writes a scalar at the current key.
    pub fn scalar(&mut self, value: &str) {
        let key = key_text(&self.key);
        self.params.push(key, value);
    }

    /// Writes a scalar at the current key through its `Display`, without an intermediate
    /// string.
    pub fn scalar_display(&mut self, value: impl std::fmt::Display) {
        let key = key_text(&self.key);
        self.params.push_display(key, value);
    }

    /// Records a value that cannot be sent (a NaN float); the call fails locally with an
    /// invalid-request error naming the key.
    pub fn invalid(&mut self, why: &str) {
        self.problems
            .push(format!("`{}`: {why}", key_text(&self.key)));
    }

    /// What could not be written, if anything.
    pub fn into_problems(self) -> Vec<String> {
        self.problems
    }
}

/// A value that can be written as request parameters.
///
/// Implemented for the scalar types, `Option` (unset = absent), `Vec` and slices (`Key.0…`),
/// `serde_json::Value` (objects as `Key.Field`), and by generated code for request structures.
pub trait ParamValue {
    /// Writes the value at the writer's current key.
    fn write_param(&self, w: &mut ParamWriter<'_>);
}

impl ParamValue for str {
    fn write_param(&self, w: &mut ParamWriter<'_>) {
        w.scalar(self);
    }
}

impl ParamValue for String {
    fn write_param(&self, w: &mut ParamWriter<'_>) {
        w.scalar(self.as_str());
    }
}

impl ParamValue for bool {
    fn write_param(&self, w: &mut ParamWriter<'_>) {
        w.scalar(if *self { "true" } else { "false" });
    }
}

macro_rules! integer_param {
    ($($t:ty),*) => {$(
        impl ParamValue for $t {
            fn write_param(&self, w: &mut ParamWriter<'_>) {
                // itoa, not `Display`: `fmt`'s machinery cost ~150 instructions more per
                // integer, on every call (BENCHMARKS.md, the client's CPU per call).
                w.scalar(itoa::Buffer::new().format(*self));
            }
        }
    )*};
}
integer_param!(i8, i16, i32, i64, u8, u16, u32, u64, usize, isize);

impl ParamValue for f64 {
    fn write_param(&self, w: &mut ParamWriter<'_>) {
        if !self.is_finite() {
            w.invalid("a float parameter must be finite");
        } else if *self == 0.0 {
            // Also -0.0, which Display would write with its sign.
            w.scalar("0");
        } else {
            // Display is exactly the protocol's format (`dezai_spec::value::format_float`).
            w.scalar_display(self);
        }
    }
}

impl ParamValue for f32 {
    fn write_param(&self, w: &mut ParamWriter<'_>) {
        // Through the shortest decimal of the f32, so 0.1f32 is sent as 0.1, not 0.10000000149.
        match self.to_string().parse::<f64>() {
            Ok(v) => v.write_param(w),
            Err(_) => w.invalid("a float parameter must be finite"),
        }
    }
}

impl<T: ParamValue> ParamValue for Option<T> {
    fn write_param(&self, w: &mut ParamWriter<'_>) {
        if let Some(value) = self {
            value.write_param(w);
        }
    }
}

impl<T: ParamValue> ParamValue for [T] {
    #[allow(clippy::needless_range_loop)] // on purpose, see below
    fn write_param(&self, w: &mut ParamWriter<'_>) {
        // An index loop rather than `iter().enumerate()`: fewer generic functions for every
        // list type a program sends.
        for i in 0..self.len() {
            w.item(i, &self[i]);
        }
    }
}

/// A data model that contains itself is boxed in the generated types.
impl<T: ParamValue + ?Sized> ParamValue for Box<T> {
    fn write_param(&self, w: &mut ParamWriter<'_>) {
        (**self).write_param(w);
    }
}

impl<T: ParamValue> ParamValue for Vec<T> {
    fn write_param(&self, w: &mut ParamWriter<'_>) {
        self.as_slice().write_param(w);
    }
}

impl<T: ParamValue + ?Sized> ParamValue for &T {
    fn write_param(&self, w: &mut ParamWriter<'_>) {
        (**self).write_param(w);
    }
}

impl ParamValue for serde_json::Value {
    fn write_param(&self, w: &mut ParamWriter<'_>) {
        use serde_json::Value;
        match self {
            Value::Null => {}
            Value::Bool(b) => b.write_param(w),
            Value::Number(n) => match (n.as_i64(), n.as_u64(), n.as_f64()) {
                (Some(i), _, _) => i.write_param(w),
                (_, Some(u), _) => u.write_param(w),
                (_, _, Some(f)) => f.write_param(w),
                _ => w.scalar_display(n),
            },
            Value::String(s) => w.scalar(s.as_str()),
            Value::Array(items) => items.write_param(w),
            Value::Object(map) => {
                for (k, v) in map {
                    w.field(k, v);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nested_values_flatten() {
        let mut params = Params::new();
        params.write("Tags", &vec!["a".to_owned(), "b".to_owned()]);
        params.write(
            "Rules",
            &serde_json::json!([{"Ports": [80, 443], "Open": true}]),
        );
        params.write("Unset", &None::<i64>);
        params.write("Ratio", &1.0f32);
        let pairs: Vec<(&str, &str)> = params.iter().collect();
        assert_eq!(
            pairs,
            [
                ("Tags.0", "a"),
                ("Tags.1", "b"),
                ("Rules.0.Open", "true"),
                ("Rules.0.Ports.0", "80"),
                ("Rules.0.Ports.1", "443"),
                ("Ratio", "1")
            ]
        );
    }
}
