//! The mirror's files: where a copy goes (the stable layout, each part a safe component), and
//! what is read back of one (its MD5).
//!
//! - A backup of one file: `<kind>/<region>/<instance>/<time>-<backup id>.<ext>`.
//! - A backup of several (one per shard): the folder `<kind>/<region>/<instance>/<time>-<backup
//!   id>/` holding `shard-0.<ext>`, `shard-1.<ext>`, … in the URL action's order.
//!
//! The extension is the URL's file name's, when it has a short one (`backup` otherwise).

use std::path::Path;

use crate::listing::Backup;
use crate::names::{component, shard_file_name, url_extension};

/// Where a copy of `backup` goes, relative to the mirror's folder, `/`-separated: the file
/// (one URL) or the folder (several), and each file's path (one per URL).
pub(super) fn layout(
    kind: &str,
    region: &str,
    instance: &str,
    backup: &Backup,
    urls: &[&str],
) -> (String, Vec<String>) {
    let time = backup.time.unwrap_or(0);
    let folder = [kind, region, instance].map(component).join("/");
    if let [url] = urls {
        let ext = url_extension(url).unwrap_or("backup");
        let file = format!(
            "{folder}/{}",
            component(&format!("{time}-{}.{ext}", backup.id))
        );
        return (file.clone(), vec![file]);
    }
    let copy = format!("{folder}/{}", component(&format!("{time}-{}", backup.id)));
    let files = urls
        .iter()
        .enumerate()
        .map(|(i, url)| format!("{copy}/{}", shard_file_name(i, url)))
        .collect();
    (copy, files)
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
    Ok(hex(&hasher.finalize()))
}

/// Bytes as lower-case hex (an MD5 as the service writes it).
pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
