//! A profile of the AWS shared files, as other S3 tools read it: keys from the credentials
//! file (`AWS_SHARED_CREDENTIALS_FILE`, else `~/.aws/credentials`, section `[NAME]`), region
//! and endpoint from the config file (`AWS_CONFIG_FILE`, else `~/.aws/config`, section
//! `[profile NAME]`, or `[default]`). The profile is the one named, else `AWS_PROFILE`, else
//! `default`. A file that is missing or unreadable gives nothing; the environment and settings
//! come first.

use std::path::PathBuf;

/// What a profile says.
#[derive(Default)]
pub(super) struct Profile {
    pub(super) access_key_id: Option<String>,
    pub(super) secret_access_key: Option<String>,
    pub(super) session_token: Option<String>,
    pub(super) region: Option<String>,
    pub(super) endpoint: Option<String>,
}

impl Profile {
    pub(super) fn read(name: Option<&str>) -> Self {
        let name = name
            .map(str::to_owned)
            .or_else(|| std::env::var("AWS_PROFILE").ok())
            .unwrap_or_else(|| "default".into());
        let file = |variable: &str, default: &str| {
            std::env::var_os(variable)
                .map(PathBuf::from)
                .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(default)))
                .and_then(|path| std::fs::read_to_string(path).ok())
                .unwrap_or_default()
        };
        let credentials = file("AWS_SHARED_CREDENTIALS_FILE", ".aws/credentials");
        let config = file("AWS_CONFIG_FILE", ".aws/config");
        let keys = section(&credentials, &name);
        let config_section = if name == "default" {
            name.clone()
        } else {
            format!("profile {name}")
        };
        let settings = section(&config, &config_section);
        let get = |pairs: &[(String, String)], key: &str| {
            pairs.iter().find(|(k, _)| k == key).map(|(_, v)| v.clone())
        };
        Self {
            access_key_id: get(&keys, "aws_access_key_id"),
            secret_access_key: get(&keys, "aws_secret_access_key"),
            session_token: get(&keys, "aws_session_token"),
            region: get(&settings, "region"),
            endpoint: get(&settings, "endpoint_url"),
        }
    }
}

/// The `key = value` lines of section `[name]` of an INI text (comments `#`/`;` skipped).
fn section(text: &str, name: &str) -> Vec<(String, String)> {
    let mut inside = false;
    let mut pairs = Vec::new();
    for line in text.lines().map(str::trim) {
        if line.is_empty() || line.starts_with('#') || line.starts_with(';') {
            continue;
        }
        if let Some(header) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            inside = header.trim() == name;
            continue;
        }
        if let (true, Some((key, value))) = (inside, line.split_once('=')) {
            pairs.push((key.trim().to_ascii_lowercase(), value.trim().to_owned()));
        }
    }
    pairs
}

#[cfg(test)]
mod tests {
    use super::section;

    #[test]
    fn a_section_is_read_alone_and_comments_are_skipped() {
        let text = "[default]\naws_access_key_id = A\n# note\n[profile x]\nregion=r1\n; c\n";
        assert_eq!(
            section(text, "profile x"),
            vec![("region".to_owned(), "r1".to_owned())]
        );
        assert_eq!(section(text, "default")[0].1, "A");
        assert!(section(text, "other").is_empty());
    }
}
