//! Names from the service as file names. A backup file's name comes from its URL (the last
//! segment of the path, percent-decoded), a shard's is `shard-<index>.<extension>`, and every
//! part is made one safe path component.
//!
//! Names from the service as path components: instance ids, regions and backup ids come from
//! API answers, so a value is never trusted as a path. Characters that could leave the folder
//! or confuse a shell or another system (`/`, `\`, NUL and other control characters, `%`,
//! `:*?"<>|`) are written `%XX`, as are a leading dot (no `.`, `..` or hidden names) and
//! trailing spaces and dots; an empty value is `%00`. A name longer than a file name may be is
//! cut and given a hash of the whole, so two long values stay apart. Readable where the value
//! is plain: `udb-1` stays `udb-1`.

use md5::Digest;

/// The longest component written, in bytes: under the 255 of common file systems, with room
/// for a `.part` suffix and a time prefix.
const MAX_BYTES: usize = 180;

/// `text` as one safe path component: `/`, `\\`, `%`, NUL and other control characters,
/// `:*?"<>|`, a leading dot and trailing dots or spaces written `%XX`; an empty value `%00`; a
/// name over 180 bytes cut and given a hash of the whole.
pub fn component(text: &str) -> String {
    if text.is_empty() {
        return "%00".into();
    }
    let last_plain = text.trim_end_matches([' ', '.']).len();
    let mut out = String::with_capacity(text.len());
    for (i, c) in text.char_indices() {
        let escape = c.is_control()
            || matches!(
                c,
                '/' | '\\' | '%' | ':' | '*' | '?' | '"' | '<' | '>' | '|'
            )
            || (i == 0 && c == '.')
            || i >= last_plain;
        if escape {
            let mut buf = [0u8; 4];
            for byte in c.encode_utf8(&mut buf).bytes() {
                out.push_str(&format!("%{byte:02X}"));
            }
        } else {
            out.push(c);
        }
    }
    if out.len() <= MAX_BYTES {
        return out;
    }
    let mut cut = MAX_BYTES - 17;
    while !out.is_char_boundary(cut) {
        cut -= 1;
    }
    // A cut never splits an escape: it backs up to before a `%` within two bytes of it.
    if let Some(percent) = out[cut.saturating_sub(2)..cut].rfind('%') {
        cut = cut.saturating_sub(2) + percent;
    }
    let hash: String = md5::Md5::digest(text.as_bytes())[..8]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    format!("{}~{hash}", &out[..cut])
}

/// The file name a URL names: the last segment of its path, percent-decoded, as one safe
/// component; `None` when the path names no file.
pub fn url_file_name(url: &str) -> Option<String> {
    let path = url.split(['?', '#']).next()?;
    let name = path.rsplit('/').next()?.trim();
    let name = percent_encoding::percent_decode_str(name).decode_utf8_lossy();
    (!name.is_empty()).then(|| component(&name))
}

/// The extension of the file a URL names, when it has a short plain one (`xb`, `rdb`, `gz`).
pub fn url_extension(url: &str) -> Option<&str> {
    let path = url.split(['?', '#']).next()?;
    let name = path.rsplit('/').next()?;
    name.rsplit_once('.')
        .map(|(_, ext)| ext)
        .filter(|e| !e.is_empty() && e.len() <= 10 && e.chars().all(|c| c.is_ascii_alphanumeric()))
}

/// Shard `index`'s file name among a backup's files: `shard-<index>.<the URL's extension>`
/// (`backup` without one). Shards are counted from 0, in the URL action's order.
pub fn shard_file_name(index: usize, url: &str) -> String {
    format!("shard-{index}.{}", url_extension(url).unwrap_or("backup"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_names_stay_and_unsafe_ones_are_escaped_into_one_component() {
        assert_eq!(component("udb-1"), "udb-1");
        assert_eq!(component("cn-bj2"), "cn-bj2");
        for hostile in [
            "..",
            ".",
            "../etc/passwd",
            "a/b",
            "a\\b",
            "a\0b",
            "x\n",
            "",
            "end. ",
        ] {
            let safe = component(hostile);
            assert!(
                !safe.contains(['/', '\\', '\0', '\n']),
                "{hostile:?} → {safe}"
            );
            assert!(
                !safe.starts_with('.') && !safe.is_empty(),
                "{hostile:?} → {safe}"
            );
            assert!(!safe.ends_with([' ', '.']), "{hostile:?} → {safe}");
        }
        assert_eq!(component("../x"), "%2E.%2Fx");
        assert_ne!(
            component("a/b"),
            component("a%2Fb"),
            "the escape itself is escaped"
        );
    }

    #[test]
    fn a_url_names_its_file_and_a_shard_its_index() {
        assert_eq!(
            url_file_name("http://h/backups/1/2/full.xb?sig=1").as_deref(),
            Some("full.xb")
        );
        assert_eq!(url_file_name("http://h/"), None);
        assert_eq!(
            url_file_name("http://h/a%20b.xb").as_deref(),
            Some("a b.xb")
        );
        for hostile in ["..", "%2E%2E", "a%2Fb", "x%00y", &"n".repeat(400)] {
            let name = url_file_name(&format!("http://h/backups/{hostile}")).unwrap_or_default();
            assert!(!name.starts_with('.') && !name.contains(['/', '\0']) && name.len() <= 200);
        }
        assert_eq!(shard_file_name(2, "https://h/b/0.rdb?x=1"), "shard-2.rdb");
        assert_eq!(shard_file_name(0, "https://h/b/dump"), "shard-0.backup");
    }

    #[test]
    fn long_names_are_cut_with_a_hash_and_stay_distinct() {
        let a = "é".repeat(200);
        let b = format!("{}x", "é".repeat(199));
        let (sa, sb) = (component(&a), component(&b));
        assert!(
            sa.len() <= MAX_BYTES && sb.len() <= MAX_BYTES,
            "{}",
            sa.len()
        );
        assert_ne!(sa, sb);
        let escaped = component(&"/".repeat(300));
        assert!(escaped.len() <= MAX_BYTES);
        assert!(!escaped.contains('/'));
    }
}
