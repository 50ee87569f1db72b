//! Which fields of an answer are a backup's download URL and its MD5: one rule, used by the
//! generator, the command line and the emulator (`docs/protocol.md`, "Backup download URLs").
//!
//! - A **URL field** is a field whose name ends in `Path`, `URL`, `Url` or `Address` and whose
//!   value is an `http://` or `https://` URL, or a list whose first item is one. Public
//!   addresses come before internal ones (`BackupPath` before `InnerBackupPath`; names starting
//!   with `Inner` or `Intranet` are internal); otherwise fields keep their order.
//! - The **MD5 field** is `MD5`, `Md5` or `md5`, holding a non-empty string (compared in lower
//!   case).
//!
//! In a spec, an action is a backup-URL action when its response has a URL field of type
//! `string` or `array[string]` ([`download_fields`]) that its response example does not show
//! to be something else: a value there is a URL, or a placeholder (published examples fill
//! fields with random letters, `GElzOkvy`); a value with `/`, `.`, `:`, `@` or a space that is
//! not a URL (an IP address, a host name, a file path) rules the field out.

use serde_json::{Map, Value};

use crate::example::ExampleJson;
use crate::types::Type;
use crate::{Action, Field};

/// Name endings of URL fields.
const URL_ENDINGS: [&str; 4] = ["Path", "URL", "Url", "Address"];
/// Names of the MD5 field.
const MD5_NAMES: [&str; 3] = ["MD5", "Md5", "md5"];
/// Name prefixes of internal addresses, tried after public ones.
const INTERNAL_PREFIXES: [&str; 2] = ["Inner", "Intranet"];

/// Whether a field of this name may hold a download URL (its value decides).
pub fn is_url_name(name: &str) -> bool {
    URL_ENDINGS.iter().any(|end| name.ends_with(end))
}

/// Whether a field may hold download URLs: a URL field's name, holding text or a list of it
/// (its values decide). The generated `Debug` leaves such values' queries out, as logs do.
pub fn may_hold_url(field: &Field) -> bool {
    is_url_name(&field.name) && holds_text(&field.ty)
}

/// Whether a field of this name holds the download's MD5.
pub fn is_md5_name(name: &str) -> bool {
    MD5_NAMES.contains(&name)
}

/// Whether a URL field of this name is an internal address.
pub fn is_internal_name(name: &str) -> bool {
    INTERNAL_PREFIXES.iter().any(|p| name.starts_with(p))
}

/// A download URL and MD5 found in an answer. `Debug` leaves out the URL's query, which is a
/// credential for the file.
#[derive(Clone, PartialEq, Eq)]
pub struct DownloadLink {
    /// The URL, as the answer gave it (a pre-signed URL is a credential: do not log its query).
    pub url: String,
    /// The file's MD5, lower-case hex, when the answer gives one.
    pub md5: Option<String>,
}

/// The download URL and MD5 of an answer, by the rule of the [module](self).
pub fn find_in_answer(answer: &Map<String, Value>) -> Option<DownloadLink> {
    let mut keys: Vec<&String> = answer.keys().collect();
    // Stable: public addresses first, the answer's order otherwise.
    keys.sort_by_key(|k| is_internal_name(k));
    let url = keys.iter().find_map(|key| {
        let value = &answer[key.as_str()];
        is_url_name(key)
            .then(|| as_url(value).or_else(|| value.as_array()?.first().and_then(as_url)))
            .flatten()
    })?;
    let md5 = MD5_NAMES
        .iter()
        .find_map(|k| normalize_md5(answer.get(*k)?.as_str()?));
    Some(DownloadLink {
        url: url.to_owned(),
        md5,
    })
}

impl std::fmt::Debug for DownloadLink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let shown = match self.url.split_once('?') {
            Some((before, _)) => format!("{before}?…"),
            None => self.url.clone(),
        };
        f.debug_struct("DownloadLink")
            .field("url", &shown)
            .field("md5", &self.md5)
            .finish()
    }
}

fn as_url(value: &Value) -> Option<&str> {
    value.as_str().filter(|s| is_download_url(s))
}

/// Whether an example value is consistent with a download URL: a URL, nothing, or a
/// placeholder without the marks of another kind of value (see the [module docs](self)).
fn could_be_url(value: &Value) -> bool {
    match value {
        Value::Null => true,
        Value::String(text) => is_download_url(text) || !text.contains(['/', '.', ':', '@', ' ']),
        _ => false,
    }
}

/// Whether a value is a download URL: `http://` or `https://`.
pub fn is_download_url(value: &str) -> bool {
    value.starts_with("http://") || value.starts_with("https://")
}

/// The MD5 as compared: lower case; an empty value is none.
pub fn normalize_md5(value: &str) -> Option<String> {
    (!value.is_empty()).then(|| value.to_ascii_lowercase())
}

/// The fields of a backup-URL action's response.
#[derive(Debug, Clone, PartialEq)]
pub struct DownloadFields<'a> {
    /// The URL fields, public before internal.
    pub urls: Vec<&'a Field>,
    /// The MD5 field, when the response has one.
    pub md5: Option<&'a Field>,
}

/// The download fields of an action, when its response has a URL field (see the
/// [module](self)); `None` for actions that are not backup-URL actions.
pub fn download_fields(action: &Action) -> Option<DownloadFields<'_>> {
    let example = action.response_example.as_ref();
    let mut urls: Vec<&Field> = action
        .response
        .iter()
        .filter(|f| may_hold_url(f))
        .filter(|f| {
            // Where the example shows the field, nothing says it is something else.
            // Only the value looked at is converted, not the whole example.
            let shown = example.and_then(|e| {
                std::iter::once(&f.name)
                    .chain(&f.aliases)
                    .find_map(|name| e.get(name))
                    .map(ExampleJson::to_value)
            });
            shown.is_none_or(|v| match v {
                Value::Array(items) => items.first().is_none_or(could_be_url),
                other => could_be_url(&other),
            })
        })
        .collect();
    urls.sort_by_key(|f| is_internal_name(&f.name));
    if urls.is_empty() {
        return None;
    }
    let md5 = action.response.iter().find(|f| {
        f.ty == Type::String && (is_md5_name(&f.name) || f.aliases.iter().any(|a| is_md5_name(a)))
    });
    Some(DownloadFields { urls, md5 })
}

fn holds_text(ty: &Type) -> bool {
    match ty {
        Type::String => true,
        Type::List { item } => **item == Type::String,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn map(value: Value) -> Map<String, Value> {
        match value {
            Value::Object(map) => map,
            _ => Map::new(),
        }
    }

    #[test]
    fn public_url_before_internal_and_md5_lower_case() {
        let answer = map(json!({
            "InnerBackupPath": "http://10.0.0.1/b.xb",
            "BackupPath": "https://files.example/b.xb?Signature=x",
            "MD5": "ABC",
            "RetCode": 0
        }));
        let link = find_in_answer(&answer).unwrap();
        assert_eq!(link.url, "https://files.example/b.xb?Signature=x");
        assert_eq!(link.md5.as_deref(), Some("abc"));
    }

    #[test]
    fn lists_and_non_urls() {
        let answer = map(json!({"BackupPath": "not a url", "BackupURL": ["https://a/b"]}));
        let link = find_in_answer(&answer).unwrap();
        assert_eq!(link.url, "https://a/b");
        assert_eq!(link.md5, None);
        assert_eq!(find_in_answer(&map(json!({"Path": 3}))), None);
        assert_eq!(find_in_answer(&map(json!({"BackupPath": "ftp://x"}))), None);
        let mongo =
            map(json!({"IntranetAddress": "http://10/x", "InternetAddress": "http://pub/y"}));
        assert_eq!(find_in_answer(&mongo).unwrap().url, "http://pub/y");
    }

    #[test]
    fn example_values_rule_out_addresses_that_are_not_urls_but_not_placeholders() {
        assert!(could_be_url(&json!("https://f/x")));
        assert!(could_be_url(&json!("GElzOkvy")), "a published placeholder");
        assert!(could_be_url(&Value::Null));
        assert!(!could_be_url(&json!("10.0.0.1")), "an IP address");
        assert!(!could_be_url(&json!("/data/backup")), "a path");
        assert!(!could_be_url(&json!(3)));
    }
}
