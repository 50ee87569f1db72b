//! The kinds of database backup the SDK and the command line can list, make, wait for and
//! download, as one declarative table: for each kind, which action lists an instance's backups
//! and which fields of its items are the id, name, time, size and state, which states mean a
//! completed, an unfinished and a failed backup, which action makes a backup on demand (if the
//! kind has one) and which tells one backup's state (if any), and which action gives a
//! backup's download URL. A maintainer adds a kind with one more row (`docs/backups.md`); the
//! engine that runs a row is the crate `dezai-backups`, the emulator's world is driven by the
//! same rows, and a kind whose actions are not in the specs is not offered.

/// One kind of backup: see the [module docs](self).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BackupKind {
    /// The kind's name on the command line and in code (`udb`).
    pub name: &'static str,
    /// The product whose documents define both actions.
    pub product: &'static str,
    /// How the instances of the kind are listed.
    pub instances: InstanceListing,
    /// How an instance's backups are listed.
    pub listing: Listing,
    /// Which fields of a listed backup say what.
    pub fields: BackupFields,
    /// The values of [`BackupFields::state`] that mean the backup completed.
    pub success: &'static [&'static str],
    /// The values that mean it is still being made.
    pub in_progress: &'static [&'static str],
    /// The values that mean it will not complete.
    pub failed: &'static [&'static str],
    /// How a listed backup's download URL is asked for.
    pub download: UrlAction,
    /// How a backup is made on demand; `None` when the product publishes no such action.
    pub create: Option<CreateAction>,
    /// How one backup's state is asked for, when the product has an action for it (otherwise
    /// a wait reads the listing).
    pub state: Option<StateAction>,
}

/// Where a state stands, by a kind's lists: see [`BackupKind::phase`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// One of [`BackupKind::success`].
    Completed,
    /// One of [`BackupKind::in_progress`].
    InProgress,
    /// One of [`BackupKind::failed`].
    Failed,
    /// A value no list names: a wait keeps waiting (until its timeout), a listing does not
    /// count it as completed.
    Unknown,
}

impl BackupKind {
    /// Where `state` stands for this kind.
    pub fn phase(&self, state: &str) -> Phase {
        if self.success.contains(&state) {
            Phase::Completed
        } else if self.in_progress.contains(&state) {
            Phase::InProgress
        } else if self.failed.contains(&state) {
            Phase::Failed
        } else {
            Phase::Unknown
        }
    }
}

/// The action that makes a backup now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CreateAction {
    /// Its name (`BackupUDBInstance`).
    pub action: &'static str,
    /// The request parameter naming the instance (`DBId`).
    pub instance: &'static str,
    /// The request parameter naming the backup (`BackupName`).
    pub name: &'static str,
    /// The answer's field holding the new backup's id (`BackupId`).
    pub id: &'static str,
}

/// The action that tells one backup's state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StateAction {
    /// Its name (`DescribeUDBInstanceBackupState`).
    pub action: &'static str,
    /// The request parameter taking the backup's id.
    pub id: &'static str,
    /// The answer's field holding the state, in the listing's words.
    pub state: &'static str,
}

/// The action that lists a kind's instances.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InstanceListing {
    /// Its name (`DescribeUDBInstance`).
    pub action: &'static str,
    /// The response fields that may hold the instances, tried in order.
    pub items: &'static [&'static str],
    /// The field of an item holding the instance's id, as the backup listing takes it.
    pub id: &'static str,
    /// The field holding its name.
    pub name: Option<&'static str>,
    /// The field holding the zone it lives in (its backups are asked for there).
    pub zone: Option<&'static str>,
    /// Whether the action pages with `Offset` and `Limit` (and answers `TotalCount`).
    pub paged: bool,
    /// Fixed parameters the listing needs, one set per call: the instances are those of every
    /// call (`DescribeUDBInstance` lists one `ClassType` at a time). Empty: one call without.
    pub variants: &'static [&'static [(&'static str, &'static str)]],
}

/// The listing action of a kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Listing {
    /// Its name (`DescribeUDBBackup`).
    pub action: &'static str,
    /// The request parameter naming the instance (`DBId`).
    pub instance: &'static str,
    /// The response fields that may hold the backups, tried in order (a document may write
    /// another name in its example than in its table).
    pub items: &'static [&'static str],
    /// Whether the action pages with `Offset` and `Limit` (and answers `TotalCount`).
    pub paged: bool,
}

/// The fields of one listed backup.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BackupFields {
    /// The backup's id, which the URL action takes.
    pub id: &'static str,
    /// Its name.
    pub name: Option<&'static str>,
    /// When it was made (Unix seconds): newest first, and "latest" is the newest.
    pub time: &'static str,
    /// Its size in bytes.
    pub size: Option<&'static str>,
    /// Its state.
    pub state: &'static str,
    /// How many files (shards) it is, when the kind's backups can be several (UMem's
    /// `BlockCount`): the URL action answers one URL per shard.
    pub blocks: Option<&'static str>,
}

/// The action that gives a backup's download URL.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UrlAction {
    /// Its name (`DescribeUDBInstanceBackupURL`).
    pub action: &'static str,
    /// The request parameter taking the backup's id.
    pub id: &'static str,
    /// The request parameter taking the instance, when the action takes one.
    pub instance: Option<&'static str>,
    /// The request parameter that asks for one shard's URL alone (UMem's `BlockId`); without
    /// it the action answers every shard's.
    pub shard: Option<&'static str>,
}

/// Every kind, by name. States are the documents' own words; where a document names none
/// (`ListUMongoDBBackup` names no state, `DescribeUMemBackup` no failure), the values the
/// other products use (`docs/backups.md` lists which are assumed).
pub const KINDS: &[BackupKind] = &[
    BackupKind {
        name: "udb",
        product: "udb",
        instances: InstanceListing {
            action: "DescribeUDBInstance",
            items: &["DataSet"],
            id: "DBId",
            name: Some("Name"),
            zone: Some("Zone"),
            paged: true,
            variants: &[
                &[("ClassType", "SQL")],
                &[("ClassType", "NOSQL")],
                &[("ClassType", "postgresql")],
            ],
        },
        listing: Listing {
            action: "DescribeUDBBackup",
            instance: "DBId",
            items: &["DataSet"],
            paged: true,
        },
        fields: BackupFields {
            id: "BackupId",
            name: Some("BackupName"),
            time: "BackupTime",
            size: Some("BackupSize"),
            state: "State",
            blocks: None,
        },
        success: &["Success"],
        download: UrlAction {
            action: "DescribeUDBInstanceBackupURL",
            id: "BackupId",
            instance: Some("DBId"),
            shard: None,
        },
        in_progress: &["Backuping"],
        failed: &["Failed", "Expired"],
        create: Some(CreateAction {
            action: "BackupUDBInstance",
            instance: "DBId",
            name: "BackupName",
            id: "BackupId",
        }),
        state: Some(StateAction {
            action: "DescribeUDBInstanceBackupState",
            id: "BackupId",
            state: "State",
        }),
    },
    BackupKind {
        name: "umem",
        product: "umem",
        instances: InstanceListing {
            action: "DescribeUMemSpace",
            items: &["DataSet"],
            id: "SpaceId",
            name: Some("Name"),
            zone: Some("Zone"),
            paged: true,
            variants: &[],
        },
        listing: Listing {
            action: "DescribeUMemBackup",
            instance: "SpaceId",
            items: &["DataSet"],
            paged: true,
        },
        fields: BackupFields {
            id: "BackupId",
            name: Some("BackupName"),
            time: "CreateTime",
            size: Some("BlockSize"),
            state: "State",
            blocks: Some("BlockCount"),
        },
        success: &["Done"],
        download: UrlAction {
            action: "DescribeUMemBackupURL",
            id: "BackupId",
            instance: Some("SpaceId"),
            shard: Some("BlockId"),
        },
        in_progress: &["Starting"],
        failed: &["Failed", "Error", "Expired"],
        create: Some(CreateAction {
            action: "CreateUMemBackup",
            instance: "SpaceId",
            name: "BackupName",
            id: "BackupId",
        }),
        state: None,
    },
    BackupKind {
        name: "uredis",
        product: "umem",
        instances: InstanceListing {
            action: "DescribeURedisGroup",
            items: &["DataSet"],
            id: "GroupId",
            name: Some("Name"),
            zone: Some("Zone"),
            paged: true,
            variants: &[],
        },
        listing: Listing {
            action: "DescribeURedisBackup",
            instance: "GroupId",
            items: &["DataSet"],
            paged: true,
        },
        fields: BackupFields {
            id: "BackupId",
            name: Some("BackupName"),
            time: "BackupTime",
            size: Some("BackupSize"),
            state: "State",
            blocks: None,
        },
        success: &["Success"],
        download: UrlAction {
            action: "DescribeURedisBackupURL",
            id: "BackupId",
            instance: Some("GroupId"),
            shard: None,
        },
        in_progress: &["Backuping"],
        failed: &["Error", "Expired"],
        create: Some(CreateAction {
            action: "CreateURedisBackup",
            instance: "GroupId",
            name: "BackupName",
            id: "BackupId",
        }),
        state: None,
    },
    BackupKind {
        name: "umongodb",
        product: "umongodb",
        instances: InstanceListing {
            action: "ListUMongoDBInstances",
            items: &["DataSet"],
            id: "ClusterId",
            name: Some("Name"),
            zone: Some("Zone"),
            paged: false,
            variants: &[],
        },
        listing: Listing {
            action: "ListUMongoDBBackup",
            instance: "ClusterId",
            items: &["DataSet"],
            paged: false,
        },
        fields: BackupFields {
            id: "BackupId",
            name: Some("BackupName"),
            time: "StartTime",
            size: Some("BackupSize"),
            state: "State",
            blocks: None,
        },
        success: &["Success"],
        download: UrlAction {
            action: "DescribeUMongoDBBackupURL",
            id: "BackupId",
            instance: Some("ClusterId"),
            shard: None,
        },
        in_progress: &["Backuping"],
        failed: &["Failed", "Error", "Expired"],
        create: Some(CreateAction {
            action: "BackupUMongoDBCluster",
            instance: "ClusterId",
            name: "BackupName",
            id: "BackupId",
        }),
        state: None,
    },
    BackupKind {
        name: "upgsql",
        product: "upgsql",
        instances: InstanceListing {
            action: "ListUPgSQLInstance",
            items: &["DataSet"],
            id: "InstanceID",
            name: Some("Name"),
            zone: Some("Zone"),
            paged: false,
            variants: &[],
        },
        listing: Listing {
            action: "ListUPgSQLBackup",
            instance: "InstanceID",
            items: &["DataSet", "Data"],
            paged: true,
        },
        fields: BackupFields {
            id: "BackupID",
            name: Some("BackupName"),
            time: "BackupStartTime",
            size: Some("BackupSize"),
            state: "State",
            blocks: None,
        },
        success: &["Success"],
        download: UrlAction {
            action: "GetUPgSQLBackupURL",
            id: "BackupID",
            instance: Some("InstanceID"),
            shard: None,
        },
        in_progress: &["Backuping"],
        failed: &["Failed", "Expired"],
        create: None,
        state: None,
    },
];

/// A listed value as text, read leniently: a non-empty string, or a number written as one (ids
/// are numbers in some products). What the SDK and the emulator both read ids and states with.
pub fn text_of(value: &serde_json::Value) -> Option<String> {
    match value {
        serde_json::Value::String(s) if !s.is_empty() => Some(s.clone()),
        serde_json::Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// A listed value as an integer, read leniently: a number (a float's whole part), or one sent
/// as a string. Times and sizes are read so.
pub fn integer_of(value: &serde_json::Value) -> Option<i64> {
    match value {
        serde_json::Value::Number(n) => n.as_i64().or_else(|| n.as_f64().map(|f| f as i64)),
        serde_json::Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// The kind of this name.
pub fn kind(name: &str) -> Option<&'static BackupKind> {
    KINDS.iter().find(|k| k.name == name)
}

/// The kinds whose two actions are among `actions` (the names of the actions a build has):
/// the ones to offer.
pub fn offered<'a>(actions: &'a [&str]) -> impl Iterator<Item = &'static BackupKind> + 'a {
    KINDS.iter().filter(move |k| {
        actions.contains(&k.listing.action) && actions.contains(&k.download.action)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_every_kind_says_what_success_is() {
        for (i, kind) in KINDS.iter().enumerate() {
            assert!(
                KINDS[..i].iter().all(|k| k.name != kind.name),
                "{}",
                kind.name
            );
            assert!(!kind.success.is_empty() && !kind.listing.items.is_empty());
            // A state means one thing: no value in two of a kind's lists.
            for state in kind
                .success
                .iter()
                .chain(kind.in_progress)
                .chain(kind.failed)
            {
                let lists = [kind.success, kind.in_progress, kind.failed];
                let named = lists.iter().filter(|l| l.contains(state)).count();
                assert_eq!(named, 1, "{}: {state}", kind.name);
            }
        }
        assert_eq!(
            kind("udb").map(|k| k.download.action),
            Some("DescribeUDBInstanceBackupURL")
        );
        let offered: Vec<&str> = offered(&[
            "DescribeUDBBackup",
            "DescribeUDBInstanceBackupURL",
            "DescribeUMemBackup",
        ])
        .map(|k| k.name)
        .collect();
        assert_eq!(offered, ["udb"], "a kind needs both of its actions");
        let udb = kind("udb").unwrap();
        assert_eq!(udb.phase("Success"), Phase::Completed);
        assert_eq!(udb.phase("Backuping"), Phase::InProgress);
        assert_eq!(udb.phase("Failed"), Phase::Failed);
        assert_eq!(
            udb.phase("success"),
            Phase::Unknown,
            "states are the service's words"
        );
    }
}
