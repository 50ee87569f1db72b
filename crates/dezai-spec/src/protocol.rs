//! The protocol's rules that several crates need, written once: the parameters the runtime
//! sets itself, the ones the configuration fills in, and the response envelope
//! (`docs/protocol.md`). The runtime signs with them, the generator leaves them out of typed
//! requests, the command line makes them global flags, the parser and the API diff skip them.

/// The API host every call goes to unless the user configures another; a document's example
/// host is information only.
pub const DEFAULT_ENDPOINT: &str = "https://api.dezai.com";

/// The public parameters every call carries; the runtime adds them, so they are never fields of
/// a typed request.
pub const PUBLIC_PARAMETERS: [&str; 3] = ["Action", "PublicKey", "Signature"];

/// The parameters the runtime sets on every call itself: the public ones and the security
/// token. A caller's copy would be sent twice.
pub const RESERVED_PARAMETERS: [&str; 4] = ["Action", "PublicKey", "Signature", "SecurityToken"];

/// The response fields every action shares: the envelope the runtime reads before the typed
/// response.
pub const ENVELOPE_FIELDS: [&str; 3] = ["RetCode", "Action", "Message"];

/// Whether a parameter or field's values are secrets, never shown in logs or `Debug`: the
/// signature, the token, and anything that looks like a password, a key or a certificate.
/// Matched case-insensitively as a part of the name's last segment: `Password`, `Passwd`,
/// `Pwd` (`AdminPwd`), `Secret`, `PrivateKey`, `SSLContent` (a private key in `CreateSSL`),
/// `Token`, `Cert`, `Credential`, `Signature`. The runtime masks them in logs, the generator in
/// the `Debug` of typed requests and responses.
pub fn is_sensitive(name: &str) -> bool {
    // The last segment decides for flattened names (`Users.0.Password`).
    let last = name.rsplit('.').next().unwrap_or(name);
    SENSITIVE_WORDS.iter().any(|word| {
        last.as_bytes()
            .windows(word.len())
            .any(|window| window.eq_ignore_ascii_case(word.as_bytes()))
    })
}

/// The parts of a name that make it sensitive (`is_sensitive`), lowercase.
const SENSITIVE_WORDS: [&str; 11] = [
    "signature",
    "securitytoken",
    "password",
    "passwd",
    "secret",
    "pwd",
    "privatekey",
    "sslcontent",
    "token",
    "cert",
    "credential",
];

/// A parameter the configuration can fill in: the request's own value wins, then the call's
/// setting, then the client's configuration (profile, environment, builder).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ConfigParam {
    /// `Region`.
    Region,
    /// `Zone`.
    Zone,
    /// `ProjectId`.
    ProjectId,
}

impl ConfigParam {
    /// All of them, in the order they are filled in and listed.
    pub const ALL: [Self; 3] = [Self::Region, Self::Zone, Self::ProjectId];

    /// The parameter's name on the wire (`ProjectId`).
    pub const fn wire_name(self) -> &'static str {
        match self {
            Self::Region => "Region",
            Self::Zone => "Zone",
            Self::ProjectId => "ProjectId",
        }
    }

    /// The configuration's key for it, in profile files and in code (`project_id`).
    pub const fn key(self) -> &'static str {
        match self {
            Self::Region => "region",
            Self::Zone => "zone",
            Self::ProjectId => "project_id",
        }
    }

    /// The environment variable that sets it (`DEZAI_PROJECT_ID`).
    pub const fn env_var(self) -> &'static str {
        match self {
            Self::Region => "DEZAI_REGION",
            Self::Zone => "DEZAI_ZONE",
            Self::ProjectId => "DEZAI_PROJECT_ID",
        }
    }

    /// The command line's global flag for it, without dashes (`project-id`).
    pub const fn flag(self) -> &'static str {
        match self {
            Self::Region => "region",
            Self::Zone => "zone",
            Self::ProjectId => "project-id",
        }
    }

    /// The configuration parameter with this wire name, if it is one.
    pub fn from_wire_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.wire_name() == name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for param in ConfigParam::ALL {
            assert_eq!(ConfigParam::from_wire_name(param.wire_name()), Some(param));
            assert!(param.env_var().ends_with(&param.key().to_ascii_uppercase()));
            assert_eq!(param.flag(), param.key().replace('_', "-"));
        }
        assert_eq!(ConfigParam::from_wire_name("region"), None);
    }

    #[test]
    fn password_like_names_are_sensitive() {
        for name in [
            "SSLContent",
            "AdminPwd",
            "UserPasswd",
            "ClientCert",
            "Disks.0.Password",
            "AccessToken",
            "password",
            "SecurityToken",
        ] {
            assert!(is_sensitive(name), "{name}");
        }
        for name in ["Region", "Password.0.Name", "", "Pw"] {
            assert!(!is_sensitive(name), "{name}");
        }
    }
}
