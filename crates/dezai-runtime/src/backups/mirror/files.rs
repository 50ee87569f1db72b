//! The mirror's files: where a copy goes (the stable layout, each part a safe component), and
//! what is read back of one (its size, its MD5).

use std::path::Path;

use super::component;
use crate::backups::Backup;

/// `<kind>/<region>/<instance>/<time>-<backup id>.<ext>`, each part a safe component; the
/// extension is the URL's file name's, when it has a short one.
pub(super) fn layout(
    kind: &str,
    region: &str,
    instance: &str,
    backup: &Backup,
    url: &str,
) -> String {
    let name = url
        .split(['?', '#'])
        .next()
        .and_then(|path| path.rsplit('/').next())
        .unwrap_or_default();
    let ext = name
        .rsplit_once('.')
        .map(|(_, ext)| ext)
        .filter(|e| !e.is_empty() && e.len() <= 10 && e.chars().all(|c| c.is_ascii_alphanumeric()))
        .unwrap_or("backup");
    let time = backup.time.unwrap_or(0);
    let file = component(&format!("{time}-{}.{ext}", backup.id));
    [kind, region, instance]
        .map(component)
        .into_iter()
        .chain([file])
        .collect::<Vec<_>>()
        .join("/")
}

/// A file's size, if it is there.
pub(super) fn size_of(path: &Path) -> Option<u64> {
    std::fs::metadata(path).ok().map(|m| m.len())
}

/// A file's MD5 (hex), read in chunks.
pub(crate) fn hash(path: &Path) -> std::io::Result<String> {
    use md5::Digest;
    use std::io::Read;
    let mut file = std::fs::File::open(path)?;
    let mut hasher = md5::Md5::new();
    let mut buf = vec![0u8; 256 * 1024];
    loop {
        let n = file.read(&mut buf)?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
    }
    Ok(hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect())
}
