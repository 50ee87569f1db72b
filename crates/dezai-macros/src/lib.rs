//! Proc macros over `dezai-codegen`: they read a spec file named relative to the calling
//! crate's `Cargo.toml`, generate its code, and turn every problem (missing file, invalid JSON,
//! unsupported spec version, name collision) into a `compile_error!` pointing at the path.
//!
//! ```ignore
//! pub mod udb {
//!     dezai_macros::product!("../../specs/udb.json");
//! }
//! ```
//!
//! Editing the spec file rebuilds the crate: the expansion includes the file with
//! `include_bytes!`, which makes cargo track it.
//!
//! Set `DEZAI_MACRO_TIMING=1` to print how long each expansion took (read, parse, generate).

use std::path::PathBuf;
use std::time::Instant;

use proc_macro::TokenStream;
use proc_macro2::TokenStream as TokenStream2;
use quote::quote;
use syn::{LitStr, parse_macro_input};

/// Generates the types of one product from its spec file: `product!("path/to/udb.json")`.
#[proc_macro]
pub fn product(input: TokenStream) -> TokenStream {
    let path = parse_macro_input!(input as LitStr);
    expand(&path, dezai_codegen::product).into()
}

/// Generates conformance tests of a product's generated types from the spec's examples:
/// `conformance_tests!("path/to/udb.json", dezai_sdk::udb)`. For the SDK's own test suite,
/// behind the `conformance` feature; not a public API.
#[cfg(feature = "conformance")]
#[doc(hidden)]
#[proc_macro]
pub fn conformance_tests(input: TokenStream) -> TokenStream {
    struct Args {
        path: LitStr,
        module: syn::Path,
    }
    impl syn::parse::Parse for Args {
        fn parse(input: syn::parse::ParseStream<'_>) -> syn::Result<Self> {
            let path = input.parse()?;
            input.parse::<syn::Token![,]>()?;
            let module = input.parse()?;
            Ok(Self { path, module })
        }
    }
    let args = parse_macro_input!(input as Args);
    let module = &args.module;
    let module = quote!(#module);
    expand(&args.path, |spec, options| {
        dezai_codegen::conformance_tests(spec, &module, options)
    })
    .into()
}

fn expand(
    path: &LitStr,
    generate: impl FnOnce(
        &dezai_spec::ProductSpec,
        &dezai_codegen::Options,
    ) -> Result<TokenStream2, dezai_codegen::Error>,
) -> TokenStream2 {
    match try_expand(path, generate) {
        Ok(tokens) => tokens,
        Err(message) => syn::Error::new(path.span(), message).to_compile_error(),
    }
}

fn try_expand(
    path: &LitStr,
    generate: impl FnOnce(
        &dezai_spec::ProductSpec,
        &dezai_codegen::Options,
    ) -> Result<TokenStream2, dezai_codegen::Error>,
) -> Result<TokenStream2, String> {
    let start = Instant::now();
    let manifest_dir = std::env::var_os("CARGO_MANIFEST_DIR")
        .map(PathBuf::from)
        .ok_or("CARGO_MANIFEST_DIR is not set: dezai-macros runs under cargo")?;
    let file = manifest_dir.join(path.value());
    // Messages name the path as written: it is relative to the crate, and the same on every
    // machine and with any target directory.
    let shown = path.value();
    let text = std::fs::read_to_string(&file).map_err(|e| {
        format!("cannot read spec file {shown} (relative to the crate's Cargo.toml): {e}")
    })?;
    let read = start.elapsed();
    let spec = dezai_spec::ProductSpec::from_json(&text).map_err(|e| format!("{shown}: {e}"))?;
    let parsed = start.elapsed();
    let tokens =
        generate(&spec, &dezai_codegen::Options::default()).map_err(|e| format!("{shown}: {e}"))?;
    if std::env::var_os("DEZAI_MACRO_TIMING").is_some() {
        eprintln!(
            "dezai-macros: {} ({} actions): read {:.1} ms, parse {:.1} ms, generate {:.1} ms",
            file.display(),
            spec.actions.len(),
            read.as_secs_f64() * 1e3,
            (parsed - read).as_secs_f64() * 1e3,
            (start.elapsed() - parsed).as_secs_f64() * 1e3
        );
    }
    let tracked = file.to_string_lossy().into_owned();
    Ok(quote! {
        // Makes cargo rebuild this crate when the spec changes.
        const _: &[u8] = include_bytes!(#tracked);
        #tokens
    })
}
