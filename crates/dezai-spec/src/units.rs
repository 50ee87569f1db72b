//! How the tools read a number of bytes from a person: `1048576`, `512K`, `10M`, `1G` (powers
//! of 1024; `KB`, `KiB` and the like read the same). The command line's `--limit-rate`,
//! `--part-size` and `--streams`' sizes, and the emulator's `--per-connection-rate`, all read
//! them this way.

/// `text` as a number of bytes, more than 0; the error says what was expected.
pub fn parse_bytes(text: &str) -> Result<u64, String> {
    let text = text.trim();
    let (number, unit) = text.split_at(
        text.find(|c: char| !c.is_ascii_digit())
            .unwrap_or(text.len()),
    );
    let number: u64 = number
        .parse()
        .map_err(|_| format!("expected a number of bytes such as 10M, got `{text}`"))?;
    let scale: u64 = match unit.trim().to_ascii_uppercase().as_str() {
        "" | "B" => 1,
        "K" | "KB" | "KIB" => 1 << 10,
        "M" | "MB" | "MIB" => 1 << 20,
        "G" | "GB" | "GIB" => 1 << 30,
        _ => return Err(format!("unknown unit `{unit}` in `{text}` (K, M or G)")),
    };
    number
        .checked_mul(scale)
        .filter(|n| *n > 0)
        .ok_or_else(|| format!("`{text}` is not a size"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_read_as_people_write_them() {
        assert_eq!(parse_bytes("10M"), Ok(10 << 20));
        assert_eq!(parse_bytes("512k"), Ok(512 << 10));
        assert_eq!(parse_bytes("4096"), Ok(4096));
        assert_eq!(parse_bytes("2GiB"), Ok(2 << 30));
        assert!(parse_bytes("fast").is_err() && parse_bytes("0").is_err());
        assert!(parse_bytes("5T").is_err());
    }
}
