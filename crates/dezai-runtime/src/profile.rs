//! The profile files of the cloud's command-line tool: `~/.dezai/config.json` (settings per
//! profile) and `~/.dezai/credential.json` (key pairs per profile). [`ProfileFiles`] reads and
//! writes them through [`ProfileSettings`] and [`ProfileCredential`], the types the
//! configuration is loaded with, so a profile written by `dezai configure` is one the SDK reads.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::credentials::Secret;
use crate::environment::Environment;
use crate::error::ConfigError;
use crate::layer::{Layer, MAX_TIMEOUT};

/// One profile of `config.json`: the settings of a named profile. Keys this SDK does not know
/// are kept in `other`, so a file written back loses nothing another tool put there.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ProfileSettings {
    /// The profile's name.
    pub profile: String,
    /// The default project.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub project_id: Option<String>,
    /// The default region.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// The default zone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub zone: Option<String>,
    /// The API endpoint.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub base_url: Option<String>,
    /// The attempt timeout in seconds (0: the default).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeout_sec: Option<u64>,
    /// Extra trusted roots (PEM), relative to the profile folder.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ca_file: Option<String>,
    /// A client certificate (PEM), relative to the profile folder.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_cert_file: Option<String>,
    /// The client certificate's key (PEM), relative to the profile folder.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_key_file: Option<String>,
    /// Whether this is the profile used when none is named.
    #[serde(default)]
    pub active: bool,
    /// Keys of other tools, kept as they are.
    #[serde(flatten)]
    pub other: serde_json::Map<String, serde_json::Value>,
}

impl ProfileSettings {
    /// A profile of this name with nothing set.
    pub fn named(profile: &str) -> Self {
        Self {
            profile: profile.to_owned(),
            ..Self::default()
        }
    }
}

/// One profile of `credential.json`: the key pair of a named profile. `Debug` masks the
/// private key.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ProfileCredential {
    /// The profile's name.
    pub profile: String,
    /// The public key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub public_key: Option<String>,
    /// The private key.
    #[serde(default, skip_serializing_if = "Option::is_none", with = "secret")]
    pub private_key: Option<Secret>,
    /// Keys of other tools, kept as they are.
    #[serde(flatten)]
    pub other: serde_json::Map<String, serde_json::Value>,
}

impl ProfileCredential {
    /// A profile of this name with nothing set.
    pub fn named(profile: &str) -> Self {
        Self {
            profile: profile.to_owned(),
            ..Self::default()
        }
    }
}

/// A private key in the file: the plain string (the file is the one place it is written).
mod secret {
    use serde::{Deserialize, Deserializer, Serializer};

    use crate::credentials::Secret;

    pub(super) fn serialize<S: Serializer>(
        value: &Option<Secret>,
        s: S,
    ) -> Result<S::Ok, S::Error> {
        match value {
            Some(secret) => s.serialize_str(secret.expose()),
            None => s.serialize_none(),
        }
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Secret>, D::Error> {
        Ok(Option::<String>::deserialize(d)?.map(Secret::new))
    }
}

/// The profile files of one folder (`~/.dezai`): read and written through the same types.
#[derive(Debug, Clone)]
pub struct ProfileFiles {
    dir: PathBuf,
}

impl ProfileFiles {
    /// The files in `dir`.
    pub fn in_dir(dir: impl Into<PathBuf>) -> Self {
        Self { dir: dir.into() }
    }

    /// The folder the SDK reads profiles from: `.dezai` in the home folder of `env`.
    pub fn of_home(env: &Environment) -> Option<Self> {
        env.home().map(|home| Self::in_dir(home.join(".dezai")))
    }

    /// The folder.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn settings_path(&self) -> PathBuf {
        self.dir.join("config.json")
    }

    fn credentials_path(&self) -> PathBuf {
        self.dir.join("credential.json")
    }

    /// The profiles of `config.json` (none when the file does not exist).
    pub fn settings(&self) -> Result<Vec<ProfileSettings>, ConfigError> {
        Ok(read_array(&self.settings_path())?.unwrap_or_default())
    }

    /// The profiles of `credential.json` (none when the file does not exist).
    pub fn credentials(&self) -> Result<Vec<ProfileCredential>, ConfigError> {
        Ok(read_array(&self.credentials_path())?.unwrap_or_default())
    }

    /// Writes `config.json`, through a temporary file and a rename.
    pub fn write_settings(&self, settings: &[ProfileSettings]) -> Result<(), ConfigError> {
        write_array(&self.settings_path(), settings, false)
    }

    /// Writes `credential.json` readable by its owner only (mode 0600), through a temporary
    /// file and a rename, so an interrupted write never leaves half a file.
    pub fn write_credentials(&self, credentials: &[ProfileCredential]) -> Result<(), ConfigError> {
        write_array(&self.credentials_path(), credentials, true)
    }
}

/// Reads the chosen profile (`wanted`, or the active one) from the files in `dir`.
pub(crate) fn load(dir: &Path, wanted: Option<&str>) -> Result<Layer, ConfigError> {
    let files = ProfileFiles::in_dir(dir);
    let (config_path, credential_path) = (files.settings_path(), files.credentials_path());
    let settings = files.settings()?;
    let credentials = files.credentials()?;

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
        layer.other = s.other;
        // Relative paths are relative to the profile folder, where the user keeps them.
        let path = |v: Option<String>| v.filter(|v| !v.is_empty()).map(|v| dir.join(v));
        layer.ca_file = path(s.ca_file);
        layer.client_cert_file = path(s.client_cert_file);
        layer.client_key_file = path(s.client_key_file);
        layer.timeout = match s.timeout_sec {
            None | Some(0) => None,
            Some(t) if Duration::from_secs(t) <= MAX_TIMEOUT => Some(Duration::from_secs(t)),
            Some(t) => {
                return Err(ConfigError::new(
                    Some(config_path.display().to_string()),
                    format!(
                        "timeout_sec {t} of profile `{name}` is more than {} seconds",
                        MAX_TIMEOUT.as_secs()
                    ),
                ));
            }
        };
    }
    if let Some(c) = credentials.into_iter().find(|c| c.profile == name) {
        let private_key = c.private_key.filter(|k| !k.expose().is_empty());
        if private_key.is_some() {
            warn_if_others_can_read(&credential_path);
        }
        layer.public_key = c.public_key.filter(|v| !v.is_empty());
        layer.private_key = private_key;
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

/// Writes a JSON array file through a temporary file in the same folder and a rename; `secret`
/// files are created owner-only.
fn write_array<T: Serialize>(path: &Path, items: &[T], secret: bool) -> Result<(), ConfigError> {
    let failed = |e: std::io::Error| {
        ConfigError::new(
            Some(path.display().to_string()),
            format!("cannot write: {e}"),
        )
    };
    let mut text =
        serde_json::to_string_pretty(items).map_err(|e| failed(std::io::Error::other(e)))?;
    text.push('\n');
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(failed)?;
    }
    let temp = path.with_extension("json.tmp");
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    if secret {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let result = options
        .open(&temp)
        .and_then(|mut file| {
            file.write_all(text.as_bytes())?;
            file.sync_all()
        })
        .and_then(|()| restrict(&temp, secret))
        .and_then(|()| std::fs::rename(&temp, path));
    result.map_err(|e| {
        let _ = std::fs::remove_file(&temp);
        failed(e)
    })
}

/// A temporary file that existed before keeps its old mode: set it again.
#[cfg(unix)]
fn restrict(path: &Path, secret: bool) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    if secret {
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))?;
    }
    Ok(())
}

#[cfg(not(unix))]
fn restrict(_path: &Path, _secret: bool) -> std::io::Result<()> {
    Ok(())
}
