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
pub(crate) fn describe(ctx: &crate::Ctx, scope: &crate::types::Scope<'_>, text: &str) -> String {
    let qual = scope.model_qual.to_string().replace(' ', "");
    let handle = format!("{qual}{}", ctx.product_type);
    link_actions(&escape_brackets(text), &ctx.methods, &handle)
}

/// Links every action of the product that `text` names (`obtained through DescribeUDBBackup`,
/// or in code: `` `DescribeUDBBackup` ``) to its method, `{handle}::{method}` (an intra-doc
/// path, e.g. `super::Udb::describe_udb_backup`). A name inside a longer word, inside other
/// code or inside a link stays as it is.
pub(crate) fn link_actions(text: &str, methods: &BTreeMap<String, Ident>, handle: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut in_code = false;
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if !(c.is_ascii_alphanumeric() || c == '_') {
            if c == '`' {
                in_code = !in_code;
            }
            out.push(c);
            i += 1;
            continue;
        }
        let start = i;
        while i < chars.len() && (chars[i].is_ascii_alphanumeric() || chars[i] == '_') {
            i += 1;
        }
        let word: String = chars[start..i].iter().collect();
        let before = start.checked_sub(1).map(|b| chars[b]);
        let after = chars.get(i).copied();
        let method = methods.get(&word);
        // A whole code span holding just the name: the span becomes the link's text.
        let whole_span = in_code
            && before == Some('`')
            && after == Some('`')
            && start.checked_sub(2).map(|b| chars[b]) != Some('[');
        let ends_sentence =
            after == Some('.') && chars.get(i + 1).is_none_or(|c| c.is_whitespace());
        let plain = !in_code
            && !matches!(before, Some('[' | '/' | '(' | '#' | '.' | '=' | '\\'))
            && (!matches!(after, Some(']' | '/' | '(' | '.' | '=')) || ends_sentence);
        match method {
            Some(method) if whole_span => {
                out.pop();
                out.push_str(&format!("[`{word}`]({handle}::{method})"));
                // The closing backtick is part of the link now.
                i += 1;
                in_code = false;
            }
            Some(method) if plain => out.push_str(&format!("[`{word}`]({handle}::{method})")),
            _ => out.push_str(&word),
        }
    }
    out
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
        let link = |t: &str| link_actions(t, &methods, "super::Udb");
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
