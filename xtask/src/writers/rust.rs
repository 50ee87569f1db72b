//! Generated Rust: token streams from `quote`, printed by `prettyplease` under `//` header
//! lines (the "do not edit" line, where the file comes from).

use proc_macro2::TokenStream;

/// A generated Rust file: `header` as `//` comments (the first line says where the file comes
/// from and not to edit it), then `tokens`, formatted.
pub(crate) fn file(header: &[&str], tokens: TokenStream) -> Result<String, String> {
    let parsed: syn::File =
        syn::parse2(tokens).map_err(|e| format!("generated Rust does not parse: {e}"))?;
    let mut out = String::new();
    for line in header {
        out.push_str("// ");
        out.push_str(line);
        out.push('\n');
    }
    out.push_str(&prettyplease::unparse(&parsed));
    Ok(out)
}

/// Markdown as `#![doc]` attributes, one per line, written by prettyplease as `//!` lines.
pub(crate) fn inner_docs(markdown: &str) -> TokenStream {
    let lines = markdown.lines().map(|line| {
        let line = if line.is_empty() {
            String::new()
        } else {
            format!(" {line}")
        };
        quote::quote!(#![doc = #line])
    });
    quote::quote!(#(#lines)*)
}

/// An identifier for a product's module or crate; a name that is not one is an error, not a
/// file that fails to compile.
pub(crate) fn ident(name: &str) -> Result<syn::Ident, String> {
    syn::parse_str(name).map_err(|_| format!("`{name}` is not a Rust identifier"))
}
