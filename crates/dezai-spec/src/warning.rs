//! Warnings: places where a document disagrees with itself (or with other documents) and the
//! generator resolved the disagreement in a defined way instead of failing.

use serde::{Deserialize, Serialize};

/// One resolved disagreement, with the line of the document it was found on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Warning {
    /// What kind of disagreement this is.
    pub kind: WarningKind,
    /// The 1-based line of the document.
    pub line: u32,
    /// What was found and how it was resolved, in a sentence.
    pub message: String,
    /// The field the warning is about, when it is about one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub about: Option<Subject>,
}

/// The kinds of [`Warning`], each with its documented resolution.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum WarningKind {
    /// An example key matches a table field only case-insensitively (`Md5` vs `MD5`).
    /// Resolution: the example's spelling becomes an alias of the field.
    CaseAlias,
    /// The response example shows a field no table lists (`InnerBackupPath`).
    /// Resolution: added as an optional field with `documented: false`, type inferred from the
    /// example value.
    UndocumentedField,
    /// The request example names a parameter no table lists.
    /// Resolution: ignored; the tables are the contract.
    UnknownExampleParameter,
    /// The request example repeats a parameter (`&ValidTime=5&ValidTime=8`).
    /// Resolution: the example keeps every repeat as written; a reader that wants one value
    /// takes the first.
    RepeatedParameter,
    /// A field the table marks required is absent from the response example.
    /// Resolution: it stays required in the spec; response readers treat it as optional.
    RequiredMissingFromExample,
    /// An example value does not fit the documented type (`"abc"` for an `int`).
    /// Resolution: the table's type wins.
    ExampleTypeMismatch,
    /// The same request parameter has different types in different actions (`BackupId` is
    /// `int` in one, `string` in another). Resolution: each action keeps its own documented
    /// type.
    TypeDiffersAcrossActions,
    /// The request example points at a host other than the one most documents use.
    /// Resolution: the action's `endpoint` records its host as information; requests go only
    /// to the configured base URL.
    EndpointDiffers,
    /// A field's description says it is going offline.
    /// Resolution: the field is kept and marked deprecated with that text.
    Deprecated,
    /// A table that is not a name/type/description/required field table, or a field table
    /// under a heading the format does not define. Resolution: skipped.
    SkippedTable,
    /// The request example's `Action` differs from the document's action name.
    /// Resolution: the title's name is used.
    ExampleActionMismatch,
    /// A table row repeated verbatim (the same `Master.N.Zone` row three times).
    /// Resolution: the repeats are merged into the first row.
    RepeatedRow,
    /// An example that is not valid JSON (a trailing comma, an HTTP transcript around it).
    /// Resolution: examples illustrate and tables are the contract, so the document is read
    /// without it; a transcript's body, or JSON with its trailing commas removed, is used when
    /// that reads.
    InvalidExample,
    /// A data model whose Rust name would collide with a type the generator derives
    /// (`DescribeResourceMetricResponse` as a model of `DescribeResourceMetric`) or with
    /// another model. Resolution: the model keeps its name in the spec and gets the
    /// deterministic Rust name recorded in its `type_name`.
    RenamedModel,
    /// Two fields of one structure whose names become the same Rust identifier (`BackupId` and
    /// `BackupID`). Resolution: the first keeps the identifier, later ones get `_2`, `_3`, … in
    /// document order; wire names are unchanged.
    NameCollision,
    /// The same action documented twice in one product by byte-identical documents.
    /// Resolution: the first file (in path order) is used.
    DuplicateDocument,
}

impl std::fmt::Display for WarningKind {
    /// The kind's name as the spec files write it (`case_alias`).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match serde_json::to_value(self) {
            Ok(serde_json::Value::String(name)) => f.write_str(&name),
            _ => write!(f, "{self:?}"),
        }
    }
}

/// What a warning is about when it is about one field: the part of the action and the field's
/// path there. Tools decide on this, never on the message's words.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Subject {
    /// The request or the response.
    pub part: Part,
    /// The field's path from the top of its part, as the examples write it: `BackupPath`,
    /// `DataSet[0].Name` in a response, `Disks.0.Size` in a request.
    pub path: String,
}

/// The part of an action a [`Subject`] is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum Part {
    /// The request's parameters.
    Request,
    /// The response's fields (through data models).
    Response,
    /// A data model's fields, wherever the model is used; the path starts with the model's
    /// name (`BackupFile.Name`).
    Model,
}

impl Subject {
    /// A field of the request.
    pub fn request(path: impl Into<String>) -> Self {
        Self {
            part: Part::Request,
            path: path.into(),
        }
    }

    /// A field of the response.
    pub fn response(path: impl Into<String>) -> Self {
        Self {
            part: Part::Response,
            path: path.into(),
        }
    }

    /// A field of a data model: `path` is the field's path inside the model.
    pub fn model(model: &str, path: &str) -> Self {
        Self {
            part: Part::Model,
            path: format!("{model}.{path}"),
        }
    }

    /// The top-level field the path starts in (`DataSet` of `DataSet[0].Name`; the model's
    /// name for a data model's field).
    pub fn field(&self) -> &str {
        let end = self.path.find(['.', '[']).unwrap_or(self.path.len());
        &self.path[..end]
    }
}
