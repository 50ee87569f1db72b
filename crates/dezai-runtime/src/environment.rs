//! Where configuration is read from: environment variables and the home folder holding
//! `.dezai/`.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// Where configuration is read from: environment variables and the home folder holding
/// `.dezai/`. [`Environment::system`] is this process's; tests build their own.
#[derive(Debug, Clone, Default)]
pub struct Environment {
    vars: HashMap<String, String>,
    home: Option<PathBuf>,
}

impl Environment {
    /// This process's `DEZAI_*` variables and home folder (`HOME`, or `USERPROFILE`).
    pub fn system() -> Self {
        let vars = std::env::vars()
            .filter(|(k, _)| k.starts_with("DEZAI_"))
            .collect();
        let home = std::env::var_os("HOME")
            .or_else(|| std::env::var_os("USERPROFILE"))
            .map(PathBuf::from);
        Self { vars, home }
    }

    /// Given variables and home folder (for tests of configuration).
    #[cfg(feature = "test-util")]
    pub fn new<K: Into<String>, V: Into<String>>(
        vars: impl IntoIterator<Item = (K, V)>,
        home: Option<&Path>,
    ) -> Self {
        Self {
            vars: vars
                .into_iter()
                .map(|(k, v)| (k.into(), v.into()))
                .collect(),
            home: home.map(Path::to_owned),
        }
    }

    /// This environment with `name` set to `value`, as a command line's flag overrides a
    /// variable (`--profile` for `DEZAI_PROFILE`).
    pub fn with_var(mut self, name: &str, value: &str) -> Self {
        self.vars.insert(name.to_owned(), value.to_owned());
        self
    }

    /// The home folder `.dezai/` is read from, if known.
    pub fn home(&self) -> Option<&Path> {
        self.home.as_deref()
    }

    pub(crate) fn var(&self, name: &str) -> Option<String> {
        self.vars.get(name).filter(|v| !v.is_empty()).cloned()
    }
}
