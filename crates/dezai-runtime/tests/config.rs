//! Configuration sources and their precedence: defaults → profile files → environment →
//! builder calls; profile selection; malformed files; secrets kept out of messages.

use std::path::{Path, PathBuf};
use std::time::Duration;

use dezai_runtime::{Config, Credentials, Environment};

fn make_home(name: &str, config: Option<&str>, credential: Option<&str>) -> PathBuf {
    let dir =
        std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("dezai-config-{name}"));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join(".dezai")).unwrap();
    if let Some(text) = config {
        std::fs::write(dir.join(".dezai/config.json"), text).unwrap();
    }
    if let Some(text) = credential {
        std::fs::write(dir.join(".dezai/credential.json"), text).unwrap();
    }
    dir
}

const PROFILES: &str = r#"[
  {"profile": "default", "project_id": "org-default", "region": "cn-bj2", "zone": "cn-bj2-04",
   "base_url": "https://profile.example", "timeout_sec": 15, "active": true},
  {"profile": "other", "project_id": "org-other", "region": "cn-sh2", "zone": "", "base_url": "",
   "timeout_sec": 0, "active": false}
]"#;
const CREDENTIALS: &str = r#"[
  {"profile": "default", "public_key": "pub-default", "private_key": "priv-default-SECRET"},
  {"profile": "other", "public_key": "pub-other", "private_key": "priv-other-SECRET"}
]"#;

fn load(vars: &[(&str, &str)], home: Option<&Path>) -> Result<Config, dezai_runtime::ConfigError> {
    Config::builder()
        .environment(&Environment::new(vars.iter().copied(), home))?
        .build()
}

#[test]
fn built_in_defaults() {
    let config = load(&[], None).unwrap();
    assert!(config.credentials().is_none());
    assert_eq!(config.region(), None);
    assert_eq!(config.timeout(), Config::DEFAULT_TIMEOUT);
    assert_eq!(config.connect_timeout(), Config::DEFAULT_CONNECT_TIMEOUT);
    assert_eq!(config.encoding(), dezai_runtime::BodyEncoding::Form);
    assert_eq!(config.retry().max_attempts, 3);
}

#[test]
fn the_active_profile_is_read() {
    let home = make_home("active", Some(PROFILES), Some(CREDENTIALS));
    let config = load(&[], Some(&home)).unwrap();
    assert_eq!(config.credentials().unwrap().public_key(), "pub-default");
    assert_eq!(
        config.credentials().unwrap().private_key().expose(),
        "priv-default-SECRET"
    );
    assert_eq!(config.region(), Some("cn-bj2"));
    assert_eq!(config.zone(), Some("cn-bj2-04"));
    assert_eq!(config.project_id(), Some("org-default"));
    assert_eq!(config.base_url(), Some("https://profile.example"));
    assert_eq!(config.timeout(), Duration::from_secs(15));
}

#[test]
fn dezai_profile_chooses_another_profile() {
    let home = make_home("chosen", Some(PROFILES), Some(CREDENTIALS));
    let config = load(&[("DEZAI_PROFILE", "other")], Some(&home)).unwrap();
    assert_eq!(config.credentials().unwrap().public_key(), "pub-other");
    assert_eq!(config.region(), Some("cn-sh2"));
    assert_eq!(config.zone(), None, "empty strings in the file mean unset");
    assert_eq!(config.timeout(), Config::DEFAULT_TIMEOUT);
}

#[test]
fn an_unknown_dezai_profile_is_an_error() {
    let home = make_home("unknown", Some(PROFILES), Some(CREDENTIALS));
    let err = load(&[("DEZAI_PROFILE", "nope")], Some(&home))
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("config.json") && err.contains("profile `nope`"),
        "{err}"
    );
}

#[test]
fn missing_files_are_fine() {
    let home = make_home("missing", None, None);
    let config = load(&[("DEZAI_REGION", "cn-gd")], Some(&home)).unwrap();
    assert_eq!(config.region(), Some("cn-gd"));
}

#[test]
fn a_malformed_file_is_an_error_naming_it_without_quoting_secrets() {
    let home = make_home(
        "malformed",
        Some(PROFILES),
        Some(r#"[{"profile": "default", "public_key": "p", "private_key": 1234567}]"#),
    );
    let err = load(&[], Some(&home)).unwrap_err().to_string();
    assert!(err.contains("credential.json"), "{err}");
    assert!(err.contains("line 1"), "{err}");
    assert!(
        !err.contains("1234567"),
        "the private key's value must not be quoted: {err}"
    );

    let home = make_home("syntax", Some("[{\"profile\": "), None);
    let err = load(&[], Some(&home)).unwrap_err().to_string();
    assert!(
        err.contains("config.json") && err.contains("not valid JSON"),
        "{err}"
    );
}

#[test]
fn environment_overrides_profile() {
    let home = make_home("env", Some(PROFILES), Some(CREDENTIALS));
    let vars = [
        ("DEZAI_PUBLIC_KEY", "pub-env"),
        ("DEZAI_PRIVATE_KEY", "priv-env"),
        ("DEZAI_REGION", "cn-gd"),
        ("DEZAI_ZONE", "cn-gd-02"),
        ("DEZAI_PROJECT_ID", "org-env"),
        ("DEZAI_BASE_URL", "http://127.0.0.1:1"),
        ("DEZAI_TIMEOUT_SECONDS", "2.5"),
    ];
    let config = load(&vars, Some(&home)).unwrap();
    assert_eq!(config.credentials().unwrap().public_key(), "pub-env");
    assert_eq!(config.region(), Some("cn-gd"));
    assert_eq!(config.zone(), Some("cn-gd-02"));
    assert_eq!(config.project_id(), Some("org-env"));
    assert_eq!(config.base_url(), Some("http://127.0.0.1:1"));
    assert_eq!(config.timeout(), Duration::from_millis(2500));
}

#[test]
fn builder_calls_override_environment_whatever_the_order() {
    let home = make_home("builder", Some(PROFILES), Some(CREDENTIALS));
    let env = Environment::new(
        [("DEZAI_REGION", "cn-gd"), ("DEZAI_TIMEOUT_SECONDS", "9")],
        Some(&home),
    );
    let config = Config::builder()
        .region("cn-explicit")
        .environment(&env)
        .unwrap()
        .timeout(Duration::from_secs(3))
        .build()
        .unwrap();
    assert_eq!(config.region(), Some("cn-explicit"));
    assert_eq!(config.timeout(), Duration::from_secs(3));
    assert_eq!(
        config.zone(),
        Some("cn-bj2-04"),
        "unset explicitly and in the environment: from the profile"
    );
}

#[test]
fn the_security_token_survives_the_merge() {
    let home = make_home("token", Some(PROFILES), Some(CREDENTIALS));
    let config = load(&[("DEZAI_SECURITY_TOKEN", "tok-SECRET")], Some(&home)).unwrap();
    let creds = config.credentials().unwrap();
    assert_eq!(creds.public_key(), "pub-default");
    assert_eq!(creds.security_token().unwrap().expose(), "tok-SECRET");

    let env = Environment::new([("DEZAI_SECURITY_TOKEN", "tok-SECRET")], Some(&home));
    let config = Config::builder()
        .environment(&env)
        .unwrap()
        .credentials(Credentials::new("pub-explicit", "priv-explicit"))
        .build()
        .unwrap();
    assert_eq!(config.credentials().unwrap().public_key(), "pub-explicit");
    assert_eq!(
        config
            .credentials()
            .unwrap()
            .security_token()
            .unwrap()
            .expose(),
        "tok-SECRET"
    );
}

#[test]
fn bad_timeout_variable_is_an_error_naming_it() {
    let err = load(&[("DEZAI_TIMEOUT_SECONDS", "soon")], None)
        .unwrap_err()
        .to_string();
    assert!(err.starts_with("DEZAI_TIMEOUT_SECONDS:"), "{err}");
}

#[test]
fn half_a_key_pair_is_an_error() {
    let err = load(&[("DEZAI_PUBLIC_KEY", "pub")], None)
        .unwrap_err()
        .to_string();
    assert!(err.contains("no private key"), "{err}");
}

#[test]
fn debug_and_display_never_show_secrets() {
    let config = Config::builder()
        .credentials(
            Credentials::new("pub-visible", "priv-SECRET").with_security_token("tok-SECRET"),
        )
        .proxy("http://user:proxy-SECRET@127.0.0.1:3128")
        .build()
        .unwrap();
    let shown = format!(
        "{config:?} {:?} {}",
        config.credentials().unwrap(),
        config.credentials().unwrap()
    );
    assert!(shown.contains("pub-visible"), "{shown}");
    assert!(!shown.contains("SECRET"), "{shown}");
}
