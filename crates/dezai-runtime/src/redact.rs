//! What logs may show: parameters and response fields with secrets and password-like values
//! masked.

use std::borrow::Cow;
use std::fmt;

use serde_json::{Map, Value};

use crate::params::Params;

/// Names whose values are never logged (the rule's home is `dezai_spec::protocol`).
pub(crate) use dezai_spec::protocol::is_sensitive;

/// A response body as an error may quote it: JSON with sensitive fields masked and download
/// URLs without their queries (as logs show it); other text — a gateway's error page that
/// echoes the signed request, JSON cut off or broken — with the value of every `name=value`
/// pair and every `"Name": value` member of a sensitive name masked. An error outlives the
/// call in logs and reports, so it carries no secret the server happened to send back.
pub(crate) fn redact_body(body: &[u8]) -> String {
    if let Ok(json) = serde_json::from_slice::<Value>(body) {
        return redact_json(&json).to_string();
    }
    mask_members(&mask_pairs(&String::from_utf8_lossy(body)))
}

/// `name=value` pairs of sensitive names, value masked up to the next `&`.
fn mask_pairs(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for (i, piece) in text.split('&').enumerate() {
        if i > 0 {
            out.push('&');
        }
        match piece.split_once('=') {
            // The name is the word just before `=` (`…rejected: Password=…`).
            Some((before, _))
                if is_sensitive(
                    before
                        .rsplit(|c: char| !(c.is_ascii_alphanumeric() || c == '.' || c == '_'))
                        .next()
                        .unwrap_or(before),
                ) =>
            {
                out.push_str(before);
                out.push_str("=***");
            }
            _ => out.push_str(piece),
        }
    }
    out
}

/// `"Name": value` members of sensitive names in text that is not valid JSON, the value masked
/// to its closing quote (or, bare, to the next `,`, `}` or `]`), or to the end where it is cut
/// off. Every index used is at an ASCII byte, so slicing never splits a character.
fn mask_members(text: &str) -> String {
    let bytes = text.as_bytes();
    let skip_space = |mut at: usize| {
        while bytes.get(at).is_some_and(u8::is_ascii_whitespace) {
            at += 1;
        }
        at
    };
    let mut out = String::with_capacity(text.len());
    let (mut copied, mut at) = (0, 0);
    while let Some(open) = text[at..].find('"').map(|i| at + i) {
        let Some(close) = text[open + 1..].find('"').map(|i| open + 1 + i) else {
            break;
        };
        let colon = skip_space(close + 1);
        if bytes.get(colon) != Some(&b':') || !is_sensitive(&text[open + 1..close]) {
            at = close + 1;
            continue;
        }
        let value = skip_space(colon + 1);
        let end = if bytes.get(value) == Some(&b'"') {
            // The closing quote: the first one not escaped by a backslash.
            let mut i = value + 1;
            while i < bytes.len() && bytes[i] != b'"' {
                i += if bytes[i] == b'\\' { 2 } else { 1 };
            }
            (i + 1).min(bytes.len())
        } else {
            text[value..]
                .find([',', '}', ']'])
                .map_or(bytes.len(), |i| value + i)
        };
        out.push_str(&text[copied..value]);
        out.push_str("\"***\"");
        (copied, at) = (end, end);
    }
    out.push_str(&text[copied..]);
    out
}

/// A value as logs and `Debug` show it: a download URL (`http://`, `https://`) without its
/// query (a pre-signed URL's query is a credential for the file) or user and password; any
/// other text as it is.
pub(crate) fn shown_url(text: &str) -> Cow<'_, str> {
    if !dezai_spec::download::is_download_url(text) {
        return Cow::Borrowed(text);
    }
    match text.split_once('?') {
        Some((before, _)) => Cow::Owned(format!("{}?***", redact_url(before))),
        None => Cow::Owned(redact_url(text)),
    }
}

/// A URL with any user and password in it (`http://user:pass@host`) replaced by `***`.
pub(crate) fn redact_url(url: &str) -> String {
    let Some(scheme_end) = url.find("://") else {
        return url.to_owned();
    };
    let after = scheme_end + 3;
    let authority_end = url[after..]
        .find(['/', '?', '#'])
        .map_or(url.len(), |i| after + i);
    match url[after..authority_end].rfind('@') {
        Some(at) => format!("{}***@{}", &url[..after], &url[after + at + 1..]),
        None => url.to_owned(),
    }
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

/// A copy of a JSON value with sensitive fields masked, at any depth, and the query of every
/// URL left out: a pre-signed download URL's query is a credential for the file
/// (`docs/protocol.md`, "Backup download URLs").
pub(crate) fn redact_json(value: &Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(redact_object(map)),
        Value::Array(items) => Value::Array(items.iter().map(redact_json).collect()),
        Value::String(text) => Value::String(shown_url(text).into_owned()),
        other => other.clone(),
    }
}

/// [`redact_json`] of an object: also what `Debug` shows of a response's unknown fields.
pub(crate) fn redact_object(map: &Map<String, Value>) -> Map<String, Value> {
    map.iter()
        .map(|(k, v)| {
            let v = if is_sensitive(k) && !v.is_null() {
                Value::String("***".into())
            } else {
                redact_json(v)
            };
            (k.clone(), v)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn logged_answers_lose_the_query_of_their_urls() {
        let answer = serde_json::json!({
            "BackupPath": "https://files.example/b.xb?Signature=s3cret&Expires=1",
            "BackupURL": ["http://f/x?UCloudPublicKey=k&Signature=s"],
            "Name": "kept?as=is"
        });
        let shown = redact_json(&answer).to_string();
        assert!(
            !shown.contains("s3cret") && !shown.contains("UCloudPublicKey"),
            "{shown}"
        );
        assert!(shown.contains("https://files.example/b.xb?***"), "{shown}");
        assert!(shown.contains("kept?as=is"), "{shown}");
    }

    proptest::proptest! {
        /// Whatever a server sends, quoting it never panics (JSON-like text most of all).
        #[test]
        fn any_body_is_quoted_without_panicking(
            bytes in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..120),
            text in "[\"a-zA-Z:,{}=& é\\\\]{0,60}",
        ) {
            let _ = redact_body(&bytes);
            let _ = redact_body(format!("{text}\"Pwd\":{text}").as_bytes());
        }
    }

    #[test]
    fn quoted_bodies_lose_their_secrets() {
        let echoed = b"<p>Bad request: Action=X&Password=hunter2&Signature=abc&Limit=1</p>";
        assert_eq!(
            redact_body(echoed),
            "<p>Bad request: Action=X&Password=***&Signature=***&Limit=1</p>"
        );
        let json = br#"{"Message": "no", "Users": [{"Pwd": "p"}], "Name": "a=b"}"#;
        let shown = redact_body(json);
        assert!(!shown.contains("\"p\""), "{shown}");
        assert!(shown.contains("a=b"), "{shown}");
        assert_eq!(redact_body(b"Bad Gateway"), "Bad Gateway");
        // Cut off or broken JSON is not parsed, but its sensitive members are still masked.
        assert_eq!(
            redact_body(br#"{"RetCode": 0, "Users": [{"Name": "a", "Password": "hun"#),
            r#"{"RetCode": 0, "Users": [{"Name": "a", "Password": "***""#
        );
        assert_eq!(
            redact_body(br#"{"Token" : 12345, "Pwd": "a\"b", "N": 1,}"#),
            r#"{"Token" : "***", "Pwd": "***", "N": 1,}"#
        );
        // Characters of several bytes next to the marks split nothing.
        assert_eq!(
            redact_body("«\"Secret\":»".as_bytes()),
            "«\"Secret\":\"***\""
        );
        assert_eq!(redact_body("é\"ü".as_bytes()), "é\"ü");
    }

    #[test]
    fn urls_lose_their_user_and_password() {
        assert_eq!(
            redact_url("http://user:pass@h:8/x?a=b@c"),
            "http://***@h:8/x?a=b@c"
        );
        assert_eq!(
            redact_url("https://api.dezai.com/"),
            "https://api.dezai.com/"
        );
        assert_eq!(redact_url("not a url"), "not a url");
    }

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
