//! The profile files of the cloud's command-line tool: `~/.dezai/config.json` (settings per
//! profile) and `~/.dezai/credential.json` (key pairs per profile).

use std::path::Path;
use std::time::Duration;

use serde::Deserialize;

use crate::config::{ConfigError, Layer};
use crate::credentials::Secret;

#[derive(Deserialize)]
struct ProfileSettings {
    profile: String,
    #[serde(default)]
    project_id: Option<String>,
    #[serde(default)]
    region: Option<String>,
    #[serde(default)]
    zone: Option<String>,
    #[serde(default)]
    base_url: Option<String>,
    #[serde(default)]
    timeout_sec: Option<u64>,
    #[serde(default)]
    ca_file: Option<String>,
    #[serde(default)]
    client_cert_file: Option<String>,
    #[serde(default)]
    client_key_file: Option<String>,
    #[serde(default)]
    active: bool,
}

#[derive(Deserialize)]
struct ProfileCredential {
    profile: String,
    #[serde(default)]
    public_key: Option<String>,
    #[serde(default)]
    private_key: Option<String>,
}

/// Reads the chosen profile (`wanted`, or the active one) from the files in `dir`.
pub(crate) fn load(dir: &Path, wanted: Option<&str>) -> Result<Layer, ConfigError> {
    let config_path = dir.join("config.json");
    let credential_path = dir.join("credential.json");
    let settings: Vec<ProfileSettings> = read_array(&config_path)?.unwrap_or_default();
    let credentials: Vec<ProfileCredential> = read_array(&credential_path)?.unwrap_or_default();

    let name = match wanted {
        Some(name) => {
            let known = settings.iter().any(|s| s.profile == name)
                || credentials.iter().any(|c| c.profile == name);
            if !known {
                return Err(ConfigError::new(
                    Some(config_path.display().to_string()),
                    format!(
                        "profile `{name}` (from DEZAI_PROFILE) is not defined here or in credential.json"
                    ),
                ));
            }
            Some(name.to_owned())
        }
        None => settings
            .iter()
            .find(|s| s.active)
            .map(|s| s.profile.clone()),
    };
    let Some(name) = name else {
        return Ok(Layer::default());
    };
    let mut layer = Layer::default();
    if let Some(s) = settings.into_iter().find(|s| s.profile == name) {
        layer.region = s.region.filter(|v| !v.is_empty());
        layer.zone = s.zone.filter(|v| !v.is_empty());
        layer.project_id = s.project_id.filter(|v| !v.is_empty());
        layer.base_url = s.base_url.filter(|v| !v.is_empty());
        // Relative paths are relative to the profile folder, where the user keeps them.
        let path = |v: Option<String>| v.filter(|v| !v.is_empty()).map(|v| dir.join(v));
        layer.ca_file = path(s.ca_file);
        layer.client_cert_file = path(s.client_cert_file);
        layer.client_key_file = path(s.client_key_file);
        layer.timeout = match s.timeout_sec {
            None | Some(0) => None,
            Some(t) if Duration::from_secs(t) <= crate::Config::MAX_TIMEOUT => {
                Some(Duration::from_secs(t))
            }
            Some(t) => {
                return Err(ConfigError::new(
                    Some(config_path.display().to_string()),
                    format!(
                        "timeout_sec {t} of profile `{name}` is more than {} seconds",
                        crate::Config::MAX_TIMEOUT.as_secs()
                    ),
                ));
            }
        };
    }
    if let Some(c) = credentials.into_iter().find(|c| c.profile == name) {
        if c.private_key.as_deref().is_some_and(|k| !k.is_empty()) {
            warn_if_others_can_read(&credential_path);
        }
        layer.public_key = c.public_key.filter(|v| !v.is_empty());
        layer.private_key = c.private_key.filter(|v| !v.is_empty()).map(Secret::new);
    }
    Ok(layer)
}

/// One warning per process when the file holding a private key can be read by the file's
/// group or by everyone, as ssh warns about a private key with loose permissions.
#[cfg(unix)]
fn warn_if_others_can_read(path: &Path) {
    use std::os::unix::fs::PermissionsExt;
    static WARNED: std::sync::Once = std::sync::Once::new();
    let Ok(meta) = std::fs::metadata(path) else {
        return;
    };
    let mode = meta.permissions().mode() & 0o777;
    if mode & 0o077 != 0 {
        WARNED.call_once(|| {
            tracing::warn!(
                file = %path.display(),
                mode = format!("{mode:o}"),
                "the credentials file is readable by other users; restrict it with `chmod 600`"
            );
        });
    }
}

#[cfg(not(unix))]
fn warn_if_others_can_read(_path: &Path) {}

/// Reads a JSON array file; `None` when the file does not exist.
fn read_array<T: for<'de> Deserialize<'de>>(path: &Path) -> Result<Option<Vec<T>>, ConfigError> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => {
            return Err(ConfigError::new(
                Some(path.display().to_string()),
                format!("cannot read: {e}"),
            ));
        }
    };
    serde_json::from_str(&text).map(Some).map_err(|e| {
        // serde_json's messages can quote the offending value, which in credential.json may
        // be a private key: report only where and what kind of problem it is.
        let what = match e.classify() {
            serde_json::error::Category::Syntax | serde_json::error::Category::Eof => {
                "not valid JSON"
            }
            _ => "not a JSON array of profiles with the expected fields",
        };
        ConfigError::new(
            Some(path.display().to_string()),
            format!("{what} (line {}, column {})", e.line(), e.column()),
        )
    })
}
