//! Rustdoc from the documents: descriptions are Markdown already, but square brackets that
//! are not links would be read by rustdoc as intra-doc links (and warned about), so they are
//! escaped.

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

/// Escapes `[` and `]` unless they form a Markdown link `[text](target)`.
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
                    out.extend(&bytes[i..=close]);
                    i = close + 1;
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
            "See [List](/docs/x) now"
        );
        assert_eq!(escape_brackets("a[0] and [b](c)"), "a\\[0\\] and [b](c)");
    }
}
