//! The world file (`--world FILE`): JSON, described in `docs/testing.md`. Unknown keys and
//! kinds are errors, so a typo is not a silently empty world.

use std::time::Duration;

use serde::Deserialize;
use serde_json::Value;

use super::{World, WorldBackup, WorldInstance};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct WorldFile {
    #[serde(default)]
    create_delay_ms: u64,
    page_cap: Option<usize>,
    #[serde(default)]
    instances: Vec<InstanceEntry>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct InstanceEntry {
    kind: String,
    id: String,
    name: Option<String>,
    region: Option<String>,
    zone: Option<String>,
    #[serde(default)]
    fail_backups: bool,
    #[serde(default)]
    backups: Vec<BackupEntry>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct BackupEntry {
    id: Value,
    name: Option<String>,
    time: i64,
    size: u64,
    blocks: Option<u32>,
    state: Option<String>,
}

pub(super) fn parse(text: &str) -> Result<World, String> {
    let file: WorldFile =
        serde_json::from_str(text).map_err(|e| format!("not a world file: {e}"))?;
    let mut world = World::new().create_delay(Duration::from_millis(file.create_delay_ms));
    if let Some(cap) = file.page_cap {
        world = world.page_cap(cap);
    }
    for entry in file.instances {
        if dezai_spec::backups::kind(&entry.kind).is_none() {
            let known: Vec<&str> = dezai_spec::backups::KINDS.iter().map(|k| k.name).collect();
            return Err(format!(
                "instance `{}`: unknown kind `{}` (the kinds are {})",
                entry.id,
                entry.kind,
                known.join(", ")
            ));
        }
        let mut instance = WorldInstance::new(&entry.kind, &entry.id);
        instance.name = entry.name;
        instance.region = entry.region;
        instance.zone = entry.zone;
        instance.failing = entry.fail_backups;
        for b in entry.backups {
            if !matches!(b.id, Value::String(_) | Value::Number(_)) {
                return Err(format!(
                    "instance `{}`: a backup id must be a string or a number, got {}",
                    entry.id, b.id
                ));
            }
            let mut backup = WorldBackup::new(b.id, b.time, b.size);
            backup.name = b.name;
            backup.state = b.state;
            if let Some(blocks) = b.blocks {
                backup = backup.blocks(blocks);
            }
            instance.backups.push(backup);
        }
        world.instances.push(instance);
    }
    Ok(world)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_reads_into_instances_and_a_typo_is_an_error() {
        let world = parse(
            r#"{"create_delay_ms": 1500, "instances": [
                {"kind": "udb", "id": "udb-1", "region": "cn-bj2", "fail_backups": true,
                 "backups": [{"id": 1001, "name": "nightly", "time": 1700000000, "size": 4096}]}
            ]}"#,
        )
        .unwrap();
        assert_eq!(world.create_delay, Duration::from_millis(1500));
        let instance = &world.instances[0];
        assert!(instance.failing && instance.region.as_deref() == Some("cn-bj2"));
        assert_eq!(instance.backups[0].id_text(), "1001");

        let typo = parse(r#"{"instances": [{"kind": "udb", "id": "x", "fail_backup": true}]}"#);
        assert!(typo.unwrap_err().contains("fail_backup"));
        let kind = parse(r#"{"instances": [{"kind": "mysql", "id": "x"}]}"#).unwrap_err();
        assert!(kind.contains("unknown kind `mysql`"), "{kind}");
    }
}
