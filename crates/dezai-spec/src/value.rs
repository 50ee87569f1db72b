//! A request value of a spec type, as text: how it is printed on the wire and how text (a
//! command-line flag, a parameter the emulator received) is read back. One set of rules for
//! every crate (`docs/protocol.md`, "Values").
//!
//! - integers: optional sign and decimal digits, within `i64`;
//! - floats: a finite decimal (no `inf`/`NaN`, which the protocol cannot carry), printed as
//!   the shortest decimal that reads back, without exponent or a trailing `.0` (`42`, `0.00001`);
//! - booleans: `true` or `false`, any case;
//! - strings: as they are.
//!
//! Surrounding white space is ignored around numbers and booleans.

use serde_json::Value;

use crate::types::{ScalarType, Type};

/// Why a text is not a value of its type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValueError {
    expected: &'static str,
    text: String,
}

impl std::fmt::Display for ValueError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "expected {}, got `{}`", self.expected, self.text)
    }
}

impl std::error::Error for ValueError {}

impl ScalarType {
    /// What a value of the type is, in words for a message (`an integer`).
    pub fn expected(self) -> &'static str {
        match self {
            Self::String => "text",
            Self::Int => "an integer",
            Self::Float => "a number",
            Self::Bool => "true or false",
            Self::Object => "JSON",
        }
    }

    /// Reads `text` as a value of the type, by the rules of the [module](self).
    pub fn parse_value(self, text: &str) -> Result<Value, ValueError> {
        let fail = || ValueError {
            expected: self.expected(),
            text: text.to_owned(),
        };
        match self {
            Self::String => Ok(Value::String(text.to_owned())),
            Self::Int => text
                .trim()
                .parse::<i64>()
                .map(Value::from)
                .map_err(|_| fail()),
            Self::Float => text
                .trim()
                .parse::<f64>()
                .ok()
                .filter(|f| f.is_finite())
                .map(Value::from)
                .ok_or_else(fail),
            Self::Bool => match text.trim().to_ascii_lowercase().as_str() {
                "true" => Ok(Value::Bool(true)),
                "false" => Ok(Value::Bool(false)),
                _ => Err(fail()),
            },
            Self::Object => serde_json::from_str(text).map_err(|_| fail()),
        }
    }
}

impl Type {
    /// The scalar type, for the scalar kinds.
    pub fn scalar(&self) -> Option<ScalarType> {
        Some(match self {
            Type::String => ScalarType::String,
            Type::Int => ScalarType::Int,
            Type::Float => ScalarType::Float,
            Type::Bool => ScalarType::Bool,
            Type::Object => ScalarType::Object,
            Type::List { .. } | Type::Model { .. } | Type::Struct { .. } => return None,
        })
    }
}

/// Prints a float for the wire: integral values without `.0`, never scientific notation.
/// `None` for NaN and infinities, which the protocol cannot carry.
pub fn format_float(value: f64) -> Option<String> {
    // Rust's `Display` for floats is the shortest round-tripping decimal and never uses an
    // exponent (1e-5 prints as 0.00001, 1e21 as 1000000000000000000000), and prints 42.0 as
    // 42: exactly the protocol's rules. -0.0 would keep its sign.
    value.is_finite().then(|| {
        if value == 0.0 {
            "0".to_owned()
        } else {
            value.to_string()
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_and_booleans_read_trimmed_and_finite() {
        assert_eq!(ScalarType::Int.parse_value(" 12 "), Ok(Value::from(12)));
        assert!(ScalarType::Int.parse_value("1.5").is_err());
        assert_eq!(ScalarType::Float.parse_value("2.5"), Ok(Value::from(2.5)));
        let inf = ScalarType::Float.parse_value("inf").unwrap_err();
        assert_eq!(inf.to_string(), "expected a number, got `inf`");
        assert_eq!(ScalarType::Bool.parse_value("TRUE"), Ok(Value::Bool(true)));
        assert_eq!(
            ScalarType::String.parse_value(" a "),
            Ok(Value::String(" a ".into()))
        );
    }

    #[test]
    fn floats_print_as_the_protocol_writes_them() {
        assert_eq!(format_float(42.0).as_deref(), Some("42"));
        assert_eq!(format_float(0.00001).as_deref(), Some("0.00001"));
        assert_eq!(
            format_float(1e21).as_deref(),
            Some("1000000000000000000000")
        );
        assert_eq!(format_float(-0.0).as_deref(), Some("0"));
        assert_eq!(format_float(f64::NAN), None);
    }
}
