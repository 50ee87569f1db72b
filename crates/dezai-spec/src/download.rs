//! Which fields of an answer are a backup's download URL and its MD5: one rule, used by the
//! generator, the command line and the emulator (`docs/protocol.md`, "Backup download URLs").
//!
//! - A **URL field** is a field whose name ends in `Path`, `URL`, `Url` or `Address` and whose
//!   value is an `http://` or `https://` URL, or a list of them. Names starting with `Inner` or
//!   `Intranet` are intranet addresses, the others internet ones.
//! - The **links** of an answer on a [`Network`] ([`links`]): every download URL of the first
//!   URL field of that network that holds one, in its order. A list is one URL per file: a
//!   sharded backup has a file per shard (`BackupURL`, "one download URL for each shard"). The
//!   two networks are never mixed: on the internet only public addresses are fetched; on the
//!   intranet the intranet address, or the public one where the answer has no intranet one
//!   (some products publish only public addresses).
//! - The **MD5 field** is `MD5`, `Md5` or `md5`, holding a non-empty string (compared in lower
//!   case). It is the file's when the answer has one file; one MD5 cannot check several.
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

/// Which addresses of a backup-URL answer a download fetches: see the [module docs](self).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum Network {
    /// Public addresses: from anywhere (the default).
    #[default]
    Internet,
    /// Intranet addresses, where the answer has them: from inside the cloud, where the
    /// traffic costs nothing.
    Intranet,
}

impl Network {
    /// Its name on the command line and in files: `internet` or `intranet`.
    pub fn as_str(self) -> &'static str {
        match self {
            Network::Internet => "internet",
            Network::Intranet => "intranet",
        }
    }

    /// Whether a URL field of this name is on this network.
    fn holds(self, name: &str) -> bool {
        is_internal_name(name) == (self == Network::Intranet)
    }
}

impl std::fmt::Display for Network {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for Network {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, String> {
        match text {
            "internet" => Ok(Network::Internet),
            "intranet" => Ok(Network::Intranet),
            other => Err(format!("unknown network `{other}` (internet or intranet)")),
        }
    }
}

/// The links of an answer's URL fields on `network`, by the rule of the [module](self):
/// `fields` are each URL field's name and values in the answer's order, `md5` the MD5 field's
/// value. Empty when no field of the network (or, on the intranet, of either) holds a URL.
pub fn links<'a>(
    fields: impl IntoIterator<Item = (&'a str, Vec<&'a str>)>,
    md5: Option<&str>,
    network: Network,
) -> Vec<DownloadLink> {
    let fields: Vec<(&str, Vec<&str>)> = fields
        .into_iter()
        .map(|(name, values)| {
            let urls = values.into_iter().filter(|v| is_download_url(v)).collect();
            (name, urls)
        })
        .filter(|(name, urls): &(&str, Vec<&str>)| is_url_name(name) && !urls.is_empty())
        .collect();
    let on = |network: Network| fields.iter().find(|(name, _)| network.holds(name));
    let chosen = match network {
        Network::Internet => on(Network::Internet),
        Network::Intranet => on(Network::Intranet).or_else(|| on(Network::Internet)),
    };
    let Some((_, urls)) = chosen else {
        return Vec::new();
    };
    let md5 = md5.and_then(normalize_md5).filter(|_| urls.len() == 1);
    urls.iter()
        .map(|url| DownloadLink {
            url: (*url).to_owned(),
            md5: md5.clone(),
        })
        .collect()
}

/// The links of a JSON answer on `network`: [`links`] over its URL fields (a string, or a
/// list of strings) and its MD5 field.
pub fn links_in_answer(answer: &Map<String, Value>, network: Network) -> Vec<DownloadLink> {
    let fields = answer
        .iter()
        .filter(|(key, _)| is_url_name(key))
        .map(|(key, value)| {
            let values: Vec<&str> = match value {
                Value::String(text) => vec![text.as_str()],
                Value::Array(items) => items.iter().filter_map(Value::as_str).collect(),
                _ => Vec::new(),
            };
            (key.as_str(), values)
        });
    let md5 = MD5_NAMES.iter().find_map(|k| answer.get(*k)?.as_str());
    links(fields, md5, network)
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
    fn each_network_its_own_addresses_and_md5_lower_case() {
        let answer = map(json!({
            "InnerBackupPath": "http://10.0.0.1/b.xb",
            "BackupPath": "https://files.example/b.xb?Signature=x",
            "MD5": "ABC",
            "RetCode": 0
        }));
        let public = links_in_answer(&answer, Network::Internet);
        assert_eq!(public.len(), 1);
        assert_eq!(public[0].url, "https://files.example/b.xb?Signature=x");
        assert_eq!(public[0].md5.as_deref(), Some("abc"));
        let inner = links_in_answer(&answer, Network::Intranet);
        assert_eq!(inner[0].url, "http://10.0.0.1/b.xb");
        let mongo =
            map(json!({"IntranetAddress": "http://10/x", "InternetAddress": "http://pub/y"}));
        assert_eq!(
            links_in_answer(&mongo, Network::Internet)[0].url,
            "http://pub/y"
        );
        assert_eq!(
            links_in_answer(&mongo, Network::Intranet)[0].url,
            "http://10/x"
        );
        let only_inner = map(json!({"InnerBackupPath": "http://10.0.0.1/b.xb"}));
        assert!(
            links_in_answer(&only_inner, Network::Internet).is_empty(),
            "an intranet address is never fetched from the internet"
        );
    }

    #[test]
    fn a_list_is_a_file_per_shard_and_one_md5_checks_none_of_several() {
        let answer = map(json!({
            "BackupURL": ["https://a/0.rdb", "https://a/1.rdb", "https://a/2.rdb"],
            "MD5": "abc"
        }));
        let shards = links_in_answer(&answer, Network::Internet);
        let urls: Vec<&str> = shards.iter().map(|l| l.url.as_str()).collect();
        assert_eq!(
            urls,
            ["https://a/0.rdb", "https://a/1.rdb", "https://a/2.rdb"]
        );
        assert!(shards.iter().all(|l| l.md5.is_none()));
        // No intranet address: the intranet takes the public ones.
        assert_eq!(links_in_answer(&answer, Network::Intranet).len(), 3);
    }

    #[test]
    fn values_that_are_not_urls_are_no_links() {
        let answer = map(json!({"BackupPath": "not a url", "BackupURL": ["https://a/b"]}));
        let found = links_in_answer(&answer, Network::Internet);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].url, "https://a/b");
        assert_eq!(found[0].md5, None);
        assert!(links_in_answer(&map(json!({"Path": 3})), Network::Internet).is_empty());
        assert!(
            links_in_answer(&map(json!({"BackupPath": "ftp://x"})), Network::Internet).is_empty()
        );
        assert_eq!("intranet".parse(), Ok(Network::Intranet));
        assert!("lan".parse::<Network>().is_err());
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
