//! Rustdoc from the documents: descriptions are Markdown already, but square brackets that
//! are not links would be read by rustdoc as intra-doc links (and warned about), so they are
//! escaped; and links relative to the cloud's documentation site (`/docs/api/…`), which would
//! break on docs.rs, become plain text naming the page.

use proc_macro2::TokenStream;
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

/// Whether a link target is relative to a site (it would break away from it).
fn is_relative(target: &str) -> bool {
    let t = target.trim();
    !(t.starts_with("http://") || t.starts_with("https://") || t.starts_with("mailto:"))
}

#[cfg(test)]
mod tests {
    use super::*;

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
