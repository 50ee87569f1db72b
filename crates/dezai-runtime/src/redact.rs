//! What logs may show: parameters and response fields with secrets and password-like values
//! masked.

use std::fmt;

use serde_json::Value;

use crate::params::Params;

/// Names whose values are never logged: the signature, the token, and anything that looks
/// like a password or a key.
pub(crate) fn is_sensitive(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    // The last segment decides for flattened names (`Users.0.Password`).
    let last = lower.rsplit('.').next().unwrap_or(&lower);
    [
        "signature",
        "securitytoken",
        "password",
        "passwd",
        "secret",
        "privatekey",
        "token",
        "credential",
    ]
    .iter()
    .any(|word| last.contains(word))
}

/// Displays parameters as `Name=value&…` with sensitive values replaced by `***`.
pub(crate) struct RedactedParams<'a>(pub &'a Params);

impl fmt::Display for RedactedParams<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, (name, value)) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str("&")?;
            }
            let value = if is_sensitive(name) { "***" } else { value };
            write!(f, "{name}={value}")?;
        }
        Ok(())
    }
}

/// A copy of a JSON value with sensitive fields masked, at any depth.
pub(crate) fn redact_json(value: &Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| {
                    let v = if is_sensitive(k) && !v.is_null() {
                        Value::String("***".into())
                    } else {
                        redact_json(v)
                    };
                    (k.clone(), v)
                })
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(redact_json).collect()),
        other => other.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_secrets_and_password_like_names() {
        let params: Params = [
            ("Action", "X"),
            ("Password", "hunter2"),
            ("Users.0.UserPassword", "p"),
            ("Signature", "abc"),
            ("Limit", "1"),
        ]
        .into_iter()
        .collect();
        assert_eq!(
            RedactedParams(&params).to_string(),
            "Action=X&Password=***&Users.0.UserPassword=***&Signature=***&Limit=1"
        );
        let json = serde_json::json!({"Data": [{"Password": "p", "Name": "n"}]});
        assert_eq!(
            redact_json(&json),
            serde_json::json!({"Data": [{"Password": "***", "Name": "n"}]})
        );
    }
}
