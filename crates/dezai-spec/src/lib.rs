//! The spec of the Dezai cloud API: what the published Markdown documents say, in a form that
//! code can read.
//!
//! One [`ProductSpec`] per product (`specs/<product>.json`) holds that product's [`Action`]s. The
//! document parser (`dezai-docs`, driven by `cargo xtask codegen`) writes these files; the SDK
//! generator, the runtime's tests and the emulator read them and never look at Markdown again.
//!
//! The model is deliberately explicit about everything a later stage might need: wire names are
//! kept verbatim, every field records whether the document actually listed it, and the drift
//! between a document's examples and its tables is kept as [`Warning`]s rather than silently
//! resolved.
//!
//! ```
//! let json = r#"{"format_version": 3, "product": "udb", "actions": []}"#;
//! let spec = dezai_spec::ProductSpec::from_json(json).unwrap();
//! assert_eq!(spec.product, "udb");
//! ```

// Library code must not panic on input a user supplies.
#![warn(clippy::unwrap_used)]

pub mod backups;
pub mod download;
mod example;
pub mod names;
pub mod paging;
pub mod protocol;
pub mod resources;
pub mod ret_code;
mod types;
pub mod units;
pub mod value;
mod warning;

pub use example::ExampleJson;
pub use protocol::{ENVELOPE_FIELDS, PUBLIC_PARAMETERS};
pub use types::{ScalarType, Type};
pub use warning::{Part, Subject, Warning, WarningKind};

use serde::{Deserialize, Serialize};

/// The version of the spec format this crate reads and writes.
///
/// Bumped on any change that an older reader would misread; readers refuse other versions.
pub const FORMAT_VERSION: u32 = 3;

/// Everything known about one product (one folder of documents, one SDK module).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct ProductSpec {
    /// Always [`FORMAT_VERSION`] for files this crate writes.
    pub format_version: u32,
    /// The product's name: the folder under `specs/docs/`, and the SDK module's name.
    pub product: String,
    /// A reminder for people who open the file: where it comes from and how to regenerate it.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub generated: String,
    /// The product's actions, sorted by name.
    pub actions: Vec<Action>,
}

/// Why a spec file could not be read.
#[derive(Debug)]
pub enum ReadError {
    /// The text is not a spec (bad JSON, or the wrong shape).
    Json(serde_json::Error),
    /// The file is a spec, but of a format this crate does not know.
    UnsupportedVersion {
        /// The version the file declares.
        found: u64,
    },
}

impl std::fmt::Display for ReadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Json(e) => write!(f, "not a valid spec: {e}"),
            Self::UnsupportedVersion { found } => write!(
                f,
                "spec format version {found} is not supported (this build reads version \
                 {FORMAT_VERSION}); regenerate with `cargo xtask codegen`"
            ),
        }
    }
}

impl std::error::Error for ReadError {}

impl ProductSpec {
    /// Reads a spec from its JSON text, checking the format version before anything else so
    /// that a spec from a newer generator gets a clear message rather than a confusing shape
    /// error.
    pub fn from_json(text: &str) -> Result<Self, ReadError> {
        #[derive(Deserialize)]
        struct VersionOnly {
            format_version: Option<u64>,
        }
        let version: VersionOnly = serde_json::from_str(text).map_err(ReadError::Json)?;
        match version.format_version {
            Some(v) if v == u64::from(FORMAT_VERSION) => {}
            Some(found) => return Err(ReadError::UnsupportedVersion { found }),
            // Let serde name the missing field.
            None => {}
        }
        serde_json::from_str(text).map_err(ReadError::Json)
    }

    /// The canonical JSON text of this spec: pretty-printed, two-space indent, trailing newline.
    /// Same spec, same bytes.
    pub fn to_json(&self) -> String {
        to_canonical_json(self)
    }
}

/// The JSON Schema of [`ProductSpec`], derived from these types, as canonical JSON text.
/// Needs the `schema` feature (the xtask turns it on; users of the SDK never build schemars).
#[cfg(feature = "schema")]
pub fn json_schema() -> String {
    to_canonical_json(&schemars::schema_for!(ProductSpec))
}

fn to_canonical_json<T: Serialize>(value: &T) -> String {
    // Serializing plain data structures to a String cannot fail: there are no maps with
    // non-string keys and no fallible Serialize impls in this crate.
    let mut text = serde_json::to_string_pretty(value).unwrap_or_default();
    text.push('\n');
    text
}

/// One API action: one published document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Action {
    /// The action's name as sent in the `Action` parameter, e.g. `DescribeUDBInstanceBackupURL`.
    pub name: String,
    /// The one-line summary from the document's title.
    pub summary: String,
    /// The overview text (Markdown), possibly empty.
    pub description: String,
    /// The document this action was read from, relative to the docs folder, with `/` separators.
    pub source: String,
    /// The documented endpoint: scheme and host of the request example, e.g.
    /// `https://api.dezai.com`. `None` when the document has no request example. Information
    /// only: generated code never sends to it.
    pub endpoint: Option<String>,
    /// The action's own request parameters (public parameters excluded), in document order.
    /// Flattened names are rebuilt into lists and structures.
    pub request: Vec<Field>,
    /// The response fields, in document order, envelope fields included; fields found only in
    /// the response example follow with `documented: false`.
    pub response: Vec<Field>,
    /// The data models the document defines, in document order.
    pub models: Vec<Model>,
    /// The request example's parameters in the order written, repeats kept.
    pub request_example: Vec<ExampleParam>,
    /// The response example, when the document has one, exactly as written (numbers keep
    /// their text).
    #[cfg_attr(feature = "schema", schemars(with = "Option<serde_json::Value>"))]
    pub response_example: Option<ExampleJson>,
    /// Where the document's examples and tables disagree, and how each case was resolved.
    pub warnings: Vec<Warning>,
}

impl Action {
    /// The named data model, if the document defines it.
    pub fn model(&self, name: &str) -> Option<&Model> {
        self.models.iter().find(|m| m.name == name)
    }
}

/// One field of a request, a response, a data model or a rebuilt structure.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Field {
    /// The name on the wire, exactly as documented (`MD5`, `VPCId`). For a field of a rebuilt
    /// structure this is the last segment of the flattened name (`Size` of `Disks.N.Size`).
    pub name: String,
    /// The field's type.
    #[serde(rename = "type")]
    pub ty: Type,
    /// Whether the document marks the field required.
    pub required: bool,
    /// The description (Markdown), possibly empty.
    pub description: String,
    /// Set when the document says the field is going away; the text says what to use instead.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deprecated: Option<String>,
    /// Other spellings of the name seen in the document's examples (`Md5` for `MD5`). Readers
    /// of responses accept them as the same field.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<String>,
    /// `false` for a field the tables do not list but the response example shows; such a field
    /// is always optional and its type is inferred from the example.
    #[serde(default = "yes", skip_serializing_if = "is_true")]
    pub documented: bool,
    /// The line of the document that defines the field (or shows it, for undocumented fields).
    pub line: u32,
}

impl Field {
    /// Whether the typed API takes this field as a constructor argument: required, and not a
    /// parameter the configuration fills in ([`protocol::ConfigParam`]) when it is a field of
    /// the request itself (`top_level`). The runtime enforces the required-ness of those.
    pub fn is_required_argument(&self, top_level: bool) -> bool {
        self.required && !(top_level && protocol::ConfigParam::from_wire_name(&self.name).is_some())
    }
}

fn yes() -> bool {
    true
}

fn is_true(b: &bool) -> bool {
    *b
}

/// A data model: a named structure defined under the document's Data Model heading.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Model {
    /// The model's name, as in the document's heading and type links.
    pub name: String,
    /// The model's fields, in document order.
    pub fields: Vec<Field>,
    /// The line of the model's heading.
    pub line: u32,
    /// The Rust type name to use instead of the one derived from `name`, when that one would
    /// collide with a generated type (`…Request`, `…Response`, `…Call`) or another model of the
    /// action. Absent when the derived name serves.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub type_name: Option<String>,
}

/// One `name=value` pair of a request example.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct ExampleParam {
    /// The parameter name as written (possibly flattened: `Disks.0.Size`).
    pub name: String,
    /// The value as written.
    pub value: String,
}
