//! Rustdoc from the documents: descriptions are Markdown already, but square brackets that
//! are not links would be read by rustdoc as intra-doc links (and warned about), so they are
//! escaped; and links relative to the cloud's documentation site (`/docs/api/…`), which would
//! break on docs.rs, become plain text naming the page. Actions of the product named in a
//! description link to their generated method.

use std::collections::BTreeMap;

use proc_macro2::{Ident, TokenStream};
use quote::quote;

/// `#[doc = "…"]` attributes, one per line of `text`.
pub(crate) fn doc_lines(text: &str) -> TokenStream {
    let lines = text.lines().map(|line| {
        let line = format!(" {line}");
        quote!(#[doc = #line])
    });
    quote!(#(#lines)*)
}

/// Escapes `[` and `]` unless they form a Markdown link `[text](target)`; a link to a
/// relative target becomes `text` followed by the target in code (`/docs/api/…`).
pub(crate) fn escape_brackets(text: &str) -> String {
    let bytes: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        if c == '[' {
            // A link: `[` … `](` with no other `[` in between.
            if let Some(close) = bytes[i + 1..].iter().position(|&b| b == ']' || b == '[') {
                let close = i + 1 + close;
                if bytes[close] == ']' && bytes.get(close + 1) == Some(&'(') {
                    let target_end = bytes[close + 2..]
                        .iter()
                        .position(|&b| b == ')')
                        .map(|p| close + 2 + p);
                    let target: Option<String> =
                        target_end.map(|end| bytes[close + 2..end].iter().collect());
                    match (target, target_end) {
                        (Some(target), Some(end)) if is_relative(&target) => {
                            out.extend(&bytes[i + 1..close]);
                            out.push_str(&format!(" (`{}`)", target.trim()));
                            i = end + 1;
                        }
                        _ => {
                            out.extend(&bytes[i..=close]);
                            i = close + 1;
                        }
                    }
                    continue;
                }
            }
            out.push_str("\\[");
        } else if c == ']' {
            out.push_str("\\]");
        } else {
            out.push(c);
        }
        i += 1;
    }
    out
}

/// A description from the document as rustdoc: brackets escaped, site links made plain text,
/// and the product's actions linked to their methods from where the doc sits (`scope`).
pub(crate) fn describe(ctx: &crate::Ctx, scope: &crate::scope::Scope<'_>, text: &str) -> String {
    // The handle's path is worked out only for a description that names an action.
    let handle = || {
        let qual = scope.model_qual.to_string().replace(' ', "");
        format!("{qual}{}", ctx.product_type)
    };
    link_actions(&escape_brackets(text), &ctx.methods, handle)
}

/// Links every action of the product that `text` names (`obtained through DescribeUDBBackup`,
/// or in code: `` `DescribeUDBBackup` ``) to its method, `{handle}::{method}` (an intra-doc
/// path, e.g. `super::Udb::describe_udb_backup`). A name inside a longer word, inside other
/// code or inside a link stays as it is. Runs once per description of every field: it reads
/// the text's bytes (every character it looks for is ASCII) and copies untouched runs whole.
pub(crate) fn link_actions(
    text: &str,
    methods: &BTreeMap<String, Ident>,
    handle: impl Fn() -> String,
) -> String {
    let bytes = text.as_bytes();
    let is_word = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
    let mut out: Option<String> = None;
    let mut copied = 0;
    let mut in_code = false;
    let mut i = 0;
    while i < bytes.len() {
        if !is_word(bytes[i]) {
            if bytes[i] == b'`' {
                in_code = !in_code;
            }
            i += 1;
            continue;
        }
        let start = i;
        while i < bytes.len() && is_word(bytes[i]) {
            i += 1;
        }
        let Some(method) = methods.get(&text[start..i]) else {
            continue;
        };
        let before = start.checked_sub(1).map(|b| bytes[b]);
        let after = bytes.get(i).copied();
        // A whole code span holding just the name: the span becomes the link's text.
        let whole_span = in_code
            && before == Some(b'`')
            && after == Some(b'`')
            && start.checked_sub(2).map(|b| bytes[b]) != Some(b'[');
        let ends_sentence =
            after == Some(b'.') && bytes.get(i + 1).is_none_or(|c| c.is_ascii_whitespace());
        let plain = !in_code
            && !matches!(
                before,
                Some(b'[' | b'/' | b'(' | b'#' | b'.' | b'=' | b'\\')
            )
            && (!matches!(after, Some(b']' | b'/' | b'(' | b'.' | b'=')) || ends_sentence);
        let (from, to) = if whole_span {
            (start - 1, i + 1)
        } else if plain {
            (start, i)
        } else {
            continue;
        };
        let out = out.get_or_insert_with(|| String::with_capacity(text.len() + 64));
        out.push_str(&text[copied..from]);
        out.push_str(&format!("[`{}`]({}::{method})", &text[start..i], handle()));
        copied = to;
        if whole_span {
            // The closing backtick is part of the link now.
            i += 1;
            in_code = false;
        }
    }
    match out {
        Some(mut out) => {
            out.push_str(&text[copied..]);
            out
        }
        None => text.to_owned(),
    }
}

/// Whether a link target is relative to a site (it would break away from it).
fn is_relative(target: &str) -> bool {
    let t = target.trim();
    !(t.starts_with("http://") || t.starts_with("https://") || t.starts_with("mailto:"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn action_names_link_to_their_methods() {
        let methods: BTreeMap<String, Ident> = [("DescribeUDBBackup", "describe_udb_backup")]
            .into_iter()
            .map(|(a, m)| (a.to_owned(), quote::format_ident!("{m}")))
            .collect();
        let link = |t: &str| link_actions(t, &methods, || "super::Udb".to_owned());
        let to = "[`DescribeUDBBackup`](super::Udb::describe_udb_backup)";
        assert_eq!(
            link("obtained through DescribeUDBBackup, then"),
            format!("obtained through {to}, then")
        );
        assert_eq!(link("see `DescribeUDBBackup`."), format!("see {to}."));
        assert_eq!(
            link("ends with DescribeUDBBackup."),
            format!("ends with {to}.")
        );
        for untouched in [
            "DescribeUDBBackupURL is another",
            "`client.DescribeUDBBackup()` in code",
            "[DescribeUDBBackup](https://x/DescribeUDBBackup)",
            "[`DescribeUDBBackup`](super::Udb::describe_udb_backup)",
            "DescribeUDBBackup.Offset is a field",
        ] {
            assert_eq!(link(untouched), untouched);
        }
    }

    #[test]
    fn brackets() {
        assert_eq!(
            escape_brackets("[Going offline]Public"),
            "\\[Going offline\\]Public"
        );
        assert_eq!(
            escape_brackets("See [List](/docs/x) now"),
            "See List (`/docs/x`) now"
        );
        assert_eq!(
            escape_brackets("See [List](https://example.com/x) now"),
            "See [List](https://example.com/x) now"
        );
        assert_eq!(escape_brackets("a[0] and [b](c)"), "a\\[0\\] and b (`c`)");
    }
}
