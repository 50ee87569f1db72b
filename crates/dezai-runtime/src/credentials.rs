//! Credentials: the key pair that signs every call, and the optional security token of
//! temporary credentials. The private key and the token never appear in `Debug` or `Display`.

use std::fmt;

/// A string that must never be printed: `Debug` and `Display` show `***`.
///
/// The value is still an ordinary `String` inside; [`Secret::expose`] is the one way to read it,
/// which keeps every use easy to find.
#[derive(Clone, PartialEq, Eq, Default)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret value.
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The secret value. Call it only where the value is used (signing, sending).
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("\"***\"")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

impl From<String> for Secret {
    fn from(value: String) -> Self {
        Self(value)
    }
}

impl From<&str> for Secret {
    fn from(value: &str) -> Self {
        Self(value.to_owned())
    }
}

/// The credentials calls are signed with.
///
/// ```
/// use dezai_runtime::Credentials;
/// let creds = Credentials::new("my-public-key", "my-private-key").with_security_token("tok");
/// let shown = format!("{creds:?} {creds}");
/// assert!(shown.contains("my-public-key"));
/// assert!(!shown.contains("my-private-key") && !shown.contains("tok\""));
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct Credentials {
    public_key: String,
    private_key: Secret,
    security_token: Option<Secret>,
}

impl Credentials {
    /// A key pair.
    pub fn new(public_key: impl Into<String>, private_key: impl Into<Secret>) -> Self {
        Self {
            public_key: public_key.into(),
            private_key: private_key.into(),
            security_token: None,
        }
    }

    /// Adds the security token of temporary credentials; it is sent as `SecurityToken` and
    /// signed like any other parameter.
    pub fn with_security_token(mut self, token: impl Into<Secret>) -> Self {
        self.security_token = Some(token.into());
        self
    }

    /// The public key (not secret: it is sent with every call).
    pub fn public_key(&self) -> &str {
        &self.public_key
    }

    /// The private key.
    pub fn private_key(&self) -> &Secret {
        &self.private_key
    }

    /// The security token, for temporary credentials.
    pub fn security_token(&self) -> Option<&Secret> {
        self.security_token.as_ref()
    }
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("public_key", &self.public_key)
            .field("private_key", &self.private_key)
            .field("security_token", &self.security_token)
            .finish()
    }
}

impl fmt::Display for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "public key {} (private key ***", self.public_key)?;
        if self.security_token.is_some() {
            f.write_str(", security token ***")?;
        }
        f.write_str(")")
    }
}
