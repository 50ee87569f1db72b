//! Which instances a run copies: every instance the listings give, or the ones named. A name
//! is an id, or `<kind>/<id>` or `<kind>/<region>/<id>` (the mirror's own layout) to look in
//! one kind and region only. A named instance that no listing returned is reported under the
//! kind and region it was looked for in: its own, or the run's (joined by `,` when several).

use dezai_spec::backups::kind;

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
