//! Versions and bumps by cargo's rules: what a change allows cargo to hand to a user who wrote
//! `dep = "x.y.z"` (a caret requirement).
//!
//! Cargo treats the left-most non-zero component as the major version: `1.4.2 → 2.0.0`,
//! `0.3.1 → 0.4.0` and `0.0.7 → 0.0.8` are each incompatible with what came before; `1.4.2 →
//! 1.5.0` adds, `1.4.2 → 1.4.3` and `0.3.1 → 0.3.2` are compatible.

use std::fmt;

/// How much a crate changed, from the least to the most.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    /// Nothing the API exposes changed: fixes, documentation, dependencies.
    Patch,
    /// Public API added; code written against the previous release still compiles.
    Additions,
    /// Code written against the previous release may no longer compile.
    Breaking,
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Level::Patch => "patch",
            Level::Additions => "additions",
            Level::Breaking => "breaking",
        })
    }
}

/// A crate's `major.minor.patch` (pre-release and build suffixes are not used here).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Version {
    /// The major number.
    pub major: u64,
    /// The minor number.
    pub minor: u64,
    /// The patch number.
    pub patch: u64,
}

impl Version {
    /// Reads `1.2.3`; anything else (pre-release suffixes included) is `None`.
    pub fn parse(text: &str) -> Option<Version> {
        let mut parts = text.trim().split('.').map(|p| p.parse::<u64>().ok());
        let version = Version {
            major: parts.next()??,
            minor: parts.next()??,
            patch: parts.next()??,
        };
        parts.next().is_none().then_some(version)
    }

    /// The next version after a change of this level, by cargo's rules (module docs).
    pub fn bump(self, level: Level) -> Version {
        let Version {
            major,
            minor,
            patch,
        } = self;
        match (major, minor, level) {
            (0, 0, _) => Version::new(0, 0, patch + 1),
            (0, _, Level::Breaking) => Version::new(0, minor + 1, 0),
            (0, _, _) => Version::new(0, minor, patch + 1),
            (_, _, Level::Breaking) => Version::new(major + 1, 0, 0),
            (_, _, Level::Additions) => Version::new(major, minor + 1, 0),
            (_, _, Level::Patch) => Version::new(major, minor, patch + 1),
        }
    }

    const fn new(major: u64, minor: u64, patch: u64) -> Version {
        Version {
            major,
            minor,
            patch,
        }
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}.{}", self.major, self.minor, self.patch)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(text: &str) -> Version {
        Version::parse(text).unwrap()
    }

    #[test]
    fn bumps_follow_cargos_caret_rules() {
        for (from, level, to) in [
            ("1.4.2", Level::Breaking, "2.0.0"),
            ("1.4.2", Level::Additions, "1.5.0"),
            ("1.4.2", Level::Patch, "1.4.3"),
            ("0.3.1", Level::Breaking, "0.4.0"),
            ("0.3.1", Level::Additions, "0.3.2"),
            ("0.3.1", Level::Patch, "0.3.2"),
            ("0.0.7", Level::Patch, "0.0.8"),
            ("0.0.7", Level::Breaking, "0.0.8"),
        ] {
            let next = v(from).bump(level);
            assert_eq!(next.to_string(), to, "{from} after {level}");
        }
    }

    #[test]
    fn only_plain_versions_are_read() {
        assert_eq!(v("0.1.0"), Version::new(0, 1, 0));
        for bad in ["0.1", "0.1.0-beta.1", "1.2.3.4", "x.1.2", ""] {
            assert!(Version::parse(bad).is_none(), "{bad}");
        }
    }
}
