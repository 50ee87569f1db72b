//! The kinds of database backup the SDK and the command line can list and download, as one
//! declarative table: for each kind, which action lists an instance's backups and which fields
//! of its items are the id, name, time, size and state, which states mean a completed backup,
//! and which action gives a backup's download URL. A maintainer adds a kind with one more row
//! (`docs/backups.md`); the engine that runs a row is `dezai_runtime::backups`, and a kind
//! whose actions are not in the specs is not offered.

/// One kind of backup: see the [module docs](self).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BackupKind {
    /// The kind's name on the command line and in code (`udb`).
    pub name: &'static str,
    /// The product whose documents define both actions.
    pub product: &'static str,
    /// How an instance's backups are listed.
    pub listing: Listing,
    /// Which fields of a listed backup say what.
    pub fields: BackupFields,
    /// The values of [`BackupFields::state`] that mean the backup completed.
    pub success: &'static [&'static str],
    /// How a listed backup's download URL is asked for.
    pub download: UrlAction,
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
    /// What else the action may need, said to the user when a download of the latest backup
    /// needs it (UMem's per-block URLs).
    pub note: Option<&'static str>,
}

/// Every kind, by name. Success values are the documents' own words; where a document names
/// none (`ListUMongoDBBackup`), the value the other products use.
pub const KINDS: &[BackupKind] = &[
    BackupKind {
        name: "udb",
        product: "udb",
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
        },
        success: &["Success"],
        download: UrlAction {
            action: "DescribeUDBInstanceBackupURL",
            id: "BackupId",
            instance: Some("DBId"),
            note: None,
        },
    },
    BackupKind {
        name: "umem",
        product: "umem",
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
        },
        success: &["Done"],
        download: UrlAction {
            action: "DescribeUMemBackupURL",
            id: "BackupId",
            instance: Some("SpaceId"),
            note: Some(
                "a distributed backup has one file per block: without --block-id the URL \
                 action answers the first block's; pass --block-id for another",
            ),
        },
    },
    BackupKind {
        name: "uredis",
        product: "umem",
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
        },
        success: &["Success"],
        download: UrlAction {
            action: "DescribeURedisBackupURL",
            id: "BackupId",
            instance: Some("GroupId"),
            note: None,
        },
    },
    BackupKind {
        name: "umongodb",
        product: "umongodb",
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
        },
        success: &["Success"],
        download: UrlAction {
            action: "DescribeUMongoDBBackupURL",
            id: "BackupId",
            instance: Some("ClusterId"),
            note: None,
        },
    },
    BackupKind {
        name: "upgsql",
        product: "upgsql",
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
        },
        success: &["Success"],
        download: UrlAction {
            action: "GetUPgSQLBackupURL",
            id: "BackupID",
            instance: Some("InstanceID"),
            note: None,
        },
    },
];

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
    }
}
