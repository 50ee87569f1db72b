//! Which instances a run copies: every instance the listings give, or the ones named, and of
//! those the ones of its shard.
//!
//! - A name is an id, or `<kind>/<id>` or `<kind>/<region>/<id>` (the mirror's own layout) to
//!   look in one kind and region only. A named instance that no listing returned is reported
//!   under the kind and region it was looked for in: its own, or the run's (joined by `,` when
//!   several).
//! - A [`Shard`] `K/N` owns the instances whose kind, region and id hash (MD5, the first eight
//!   bytes as a big-endian number) to `K` modulo `N`: the same split on every machine and
//!   version, each instance in exactly one shard, and an instance added or removed moves no
//!   other one to another shard.

use dezai_spec::backups::kind;
use md5::Digest;

/// One of `N` parts of a fleet split among runs (Kubernetes' Indexed Job: one pod a part).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    index: u32,
    count: u32,
}

impl Shard {
    /// Part `index` of `count`, counted from 0 as Kubernetes' `JOB_COMPLETION_INDEX` is;
    /// `None` unless `index < count`.
    pub fn new(index: u32, count: u32) -> Option<Self> {
        (index < count).then_some(Self { index, count })
    }

    /// `K/N`, as `--shard` takes it.
    pub fn parse(text: &str) -> Result<Self, String> {
        let parsed = text.split_once('/').and_then(|(k, n)| {
            Some((k.trim().parse::<u32>().ok()?, n.trim().parse::<u32>().ok()?))
        });
        let Some((index, count)) = parsed else {
            return Err(format!("`{text}` is not a shard: K/N, such as 0/4"));
        };
        Self::new(index, count).ok_or_else(|| {
            format!(
                "shard `{text}`: K counts from 0 and is less than N (0/{count} … {}/{count})",
                count.saturating_sub(1)
            )
        })
    }

    /// Its index, from 0.
    pub fn index(self) -> u32 {
        self.index
    }

    /// How many parts the fleet is split into.
    pub fn count(self) -> u32 {
        self.count
    }

    /// Whether this part copies that instance: see the [module docs](self).
    pub fn owns(self, kind: &str, region: &str, instance: &str) -> bool {
        let mut hasher = md5::Md5::new();
        for part in [kind, region, instance] {
            hasher.update(part.as_bytes());
            hasher.update([0]);
        }
        let digest = hasher.finalize();
        let mut first = [0u8; 8];
        first.copy_from_slice(&digest[..8]);
        u64::from_be_bytes(first) % u64::from(self.count) == u64::from(self.index)
    }
}

impl std::fmt::Display for Shard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

/// The instances a run looks for.
pub(super) struct Wanted {
    /// Empty: every instance.
    named: Vec<Named>,
}

struct Named {
    kind: Option<String>,
    region: Option<String>,
    id: String,
    found: bool,
}

impl Named {
    fn parse(text: &str) -> Self {
        let parts: Vec<&str> = text.splitn(3, '/').collect();
        let (kind_name, region, id) = match parts.as_slice() {
            [k, id] if kind(k).is_some() => (Some(*k), None, *id),
            [k, region, id] if kind(k).is_some() => (Some(*k), Some(*region), *id),
            _ => (None, None, text),
        };
        Self {
            kind: kind_name.map(str::to_owned),
            region: region.map(str::to_owned),
            id: id.to_owned(),
            found: false,
        }
    }

    fn is_in(&self, kind: &str, region: &str) -> bool {
        self.kind.as_deref().is_none_or(|k| k == kind)
            && self.region.as_deref().is_none_or(|r| r == region)
    }
}

impl Wanted {
    /// The names given (none: every instance).
    pub(super) fn parse(names: &[String]) -> Self {
        Self {
            named: names.iter().map(|n| Named::parse(n)).collect(),
        }
    }

    /// Whether a listing of `kind` in `region` can hold an instance looked for.
    pub(super) fn looks_in(&self, kind: &str, region: &str) -> bool {
        self.named.is_empty() || self.named.iter().any(|n| n.is_in(kind, region))
    }

    /// Whether a listed instance is one looked for (and notes it found).
    pub(super) fn take(&mut self, kind: &str, region: &str, id: &str) -> bool {
        if self.named.is_empty() {
            return true;
        }
        let mut wanted = false;
        for named in &mut self.named {
            if named.id == id && named.is_in(kind, region) {
                named.found = true;
                wanted = true;
            }
        }
        wanted
    }

    /// The instances named that no listing returned: the kind and region they were looked
    /// for in (theirs, or the run's `kinds` and `regions`), and the id.
    pub(super) fn unlisted(
        &self,
        kinds: &[&str],
        regions: &[String],
    ) -> Vec<(String, String, String)> {
        self.named
            .iter()
            .filter(|n| !n.found)
            .map(|n| {
                let kind = n.kind.clone().unwrap_or_else(|| kinds.join(","));
                let region = n.region.clone().unwrap_or_else(|| regions.join(","));
                (kind, region, n.id.clone())
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shards_split_a_fleet_once_and_stay_put() {
        let ids: Vec<String> = (0..500).map(|i| format!("udb-{i}")).collect();
        for count in [1, 2, 3, 7] {
            let shards: Vec<Shard> = (0..count).map(|k| Shard::new(k, count).unwrap()).collect();
            let mut sizes = vec![0; count as usize];
            for id in &ids {
                let owners: Vec<&Shard> = shards
                    .iter()
                    .filter(|s| s.owns("udb", "cn-bj2", id))
                    .collect();
                assert_eq!(owners.len(), 1, "{id} in exactly one of {count}");
                sizes[owners[0].index() as usize] += 1;
            }
            // Roughly even: no part holds more than twice its share.
            assert!(
                sizes.iter().all(|n| *n <= 2 * 500 / count as usize + 10),
                "{sizes:?}"
            );
        }
        // The same instance in another kind or region is another key.
        let four: Vec<Shard> = (0..4).map(|k| Shard::new(k, 4).unwrap()).collect();
        let places = |kind: &str, region: &str| {
            ids.iter()
                .map(|id| four.iter().position(|s| s.owns(kind, region, id)))
                .collect::<Vec<_>>()
        };
        assert_ne!(places("udb", "cn-bj2"), places("umem", "cn-bj2"));
        assert_ne!(places("udb", "cn-bj2"), places("udb", "cn-sh2"));
        assert_eq!(Shard::parse("2/4"), Ok(Shard::new(2, 4).unwrap()));
        assert_eq!(
            Shard::parse(" 0 / 1 ").map(|s| s.to_string()).as_deref(),
            Ok("0/1")
        );
        for bad in ["4/4", "1", "a/b", "-1/3", "0/0"] {
            assert!(Shard::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_name_may_say_its_kind_and_region() {
        let names =
            ["udb-1", "umem/space-1", "uredis/cn-sh2/group-1", "odd/name"].map(String::from);
        let mut wanted = Wanted::parse(&names);
        assert!(
            wanted.looks_in("umongodb", "cn-bj2"),
            "a bare id is looked for everywhere"
        );
        assert!(wanted.take("udb", "cn-bj2", "udb-1"));
        assert!(
            !wanted.take("udb", "cn-bj2", "space-1"),
            "space-1 is a umem instance"
        );
        assert!(
            !wanted.take("uredis", "cn-bj2", "group-1"),
            "group-1 lives in cn-sh2"
        );
        let unlisted = wanted.unlisted(&["udb", "umem"], &["cn-bj2".into(), "cn-sh2".into()]);
        assert_eq!(
            unlisted,
            [
                ("umem".into(), "cn-bj2,cn-sh2".into(), "space-1".into()),
                ("uredis".into(), "cn-sh2".into(), "group-1".into()),
                ("udb,umem".into(), "cn-bj2,cn-sh2".into(), "odd/name".into()),
            ]
        );
        assert!(Wanted::parse(&[]).take("udb", "r", "any"));
    }
}
