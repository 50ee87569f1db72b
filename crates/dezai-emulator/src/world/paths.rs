//! The parts of the world's file URLs (`/world/<kind>/<backup id in hex>/<shard>/<network>/…`):
//! ids written so that any id survives a path, and the seed of each shard's bytes.

use dezai_spec::backups::BackupKind;

/// The seed of a shard's bytes: its kind, backup id and index, hashed (FNV-1a).
pub(super) fn seed(kind: &BackupKind, id: &str, shard: u32) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    let bytes = kind.name.bytes().chain([0]).chain(id.bytes());
    for byte in bytes.chain([0]).chain(shard.to_le_bytes()) {
        hash = (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3);
    }
    hash
}

/// An id as hex: any id is one plain path segment.
pub(super) fn hex(text: &str) -> String {
    text.bytes().map(|b| format!("{b:02x}")).collect()
}

/// The id a hex segment holds; `None` for one that is not hex of UTF-8.
pub(super) fn unhex(text: &str) -> Option<String> {
    let bytes: Option<Vec<u8>> = (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(text.get(i..i + 2)?, 16).ok())
        .collect();
    String::from_utf8(bytes?).ok()
}

/// A file-name-safe form of an id.
pub(super) fn safe(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect()
}
