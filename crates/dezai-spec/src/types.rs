//! Field types: the scalars of the wire, lists, named data models, and structures rebuilt from
//! flattened request names.

use serde::{Deserialize, Serialize};

use crate::Field;

/// The type of a field.
///
/// Serialized with a `kind` tag, e.g. `{"kind": "list", "item": {"kind": "string"}}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Type {
    /// Text.
    String,
    /// A 64-bit signed integer (documents use `int` for timestamps and byte sizes too).
    Int,
    /// A 64-bit float.
    Float,
    /// `true` / `false`.
    Bool,
    /// Free-form JSON.
    Object,
    /// A list of the item type.
    List {
        /// The type of each item.
        item: Box<Type>,
    },
    /// A data model defined in the same document ([`crate::Action::models`]).
    Model {
        /// The model's name.
        name: String,
    },
    /// A structure rebuilt from flattened request names: `Network.VPCId` makes `Network` a
    /// structure with a field `VPCId`; `Disks.N.Size` makes `Disks` a list of such structures.
    /// The structure has no name of its own in the documents; generators name it after the
    /// field that holds it.
    Struct {
        /// The structure's fields, in document order.
        fields: Vec<Field>,
    },
}

/// The scalar types, as a document writes them in a type column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScalarType {
    /// `string`
    String,
    /// `int` or `integer`
    Int,
    /// `float`
    Float,
    /// `boolean` or `bool`
    Bool,
    /// `object`
    Object,
}

impl ScalarType {
    /// Reads a scalar type name as documents write it (case-insensitive).
    pub fn parse(written: &str) -> Option<Self> {
        Some(match written.to_ascii_lowercase().as_str() {
            "string" => Self::String,
            // Published documents also write the long form and other cases (`Integer`, `Int`).
            "int" | "integer" => Self::Int,
            "float" => Self::Float,
            "boolean" | "bool" => Self::Bool,
            "object" => Self::Object,
            _ => return None,
        })
    }
}

impl From<ScalarType> for Type {
    fn from(s: ScalarType) -> Self {
        match s {
            ScalarType::String => Type::String,
            ScalarType::Int => Type::Int,
            ScalarType::Float => Type::Float,
            ScalarType::Bool => Type::Bool,
            ScalarType::Object => Type::Object,
        }
    }
}

impl Type {
    /// The fields of a rebuilt structure, or of a list of them (`Disks.N.Size` makes `Disks`
    /// a list of structures): where flattened names continue.
    pub fn struct_fields(&self) -> Option<&[Field]> {
        match self {
            Type::Struct { fields } => Some(fields),
            Type::List { item } => item.struct_fields(),
            _ => None,
        }
    }

    /// [`Type::struct_fields`], to change them.
    pub fn struct_fields_mut(&mut self) -> Option<&mut Vec<Field>> {
        match self {
            Type::Struct { fields } => Some(fields),
            Type::List { item } => item.struct_fields_mut(),
            _ => None,
        }
    }

    /// A short human-readable form, as the documents would write it (`array[string]`,
    /// `BackupFile`, `{…}` for a rebuilt structure). Used in warnings and error messages.
    pub fn describe(&self) -> String {
        match self {
            Type::String => "string".into(),
            Type::Int => "int".into(),
            Type::Float => "float".into(),
            Type::Bool => "boolean".into(),
            Type::Object => "object".into(),
            Type::List { item } => format!("array[{}]", item.describe()),
            Type::Model { name } => name.clone(),
            Type::Struct { fields } => {
                let names: Vec<&str> = fields.iter().map(|f| f.name.as_str()).collect();
                format!("{{{}}}", names.join(", "))
            }
        }
    }
}
