//! Turns the Dezai API spec ([`dezai_spec`]) into Rust: typed request, response and model
//! types on top of `dezai-runtime`'s `Action` trait and `Client`.
//!
//! This is a plain library, so tests call it directly; `dezai-macros` is a thin proc-macro
//! entry point over it.
//!
//! What one action becomes, in a module named after it (`describe_udb_instance_backup_url`):
//!
//! - `…Request`: required action-specific fields are constructor arguments in document order
//!   (a request without them cannot be built); optional fields have setters taking concrete
//!   types; `Region`, `Zone` and `ProjectId` are optional and filled from the configuration by
//!   the runtime. It implements the runtime's `Action`.
//! - `…Response` and the data models: every field an `Option` read leniently, aliases accepted,
//!   undocumented fields present, deprecated ones `#[deprecated]`, unknown ones kept in `unknown_fields`.
//! - A type per structure rebuilt from flattened request names (`Disks.N.Size` → `Vec<Disks>`).
//! - `…Call`: the fluent form, `client.udb().describe_udb_instance_backup_url("udb-1", 1234)
//!   .valid_time(3600).send().await`.
//!
//! Everything else (encoding, signing, sending, retrying, decoding) lives once in the runtime.

// Library code must not panic on input a user supplies.
#![warn(clippy::unwrap_used)]

mod action;
mod docs;
mod names;
mod validate;

use std::collections::BTreeMap;

use dezai_spec::ProductSpec;
use proc_macro2::TokenStream;
use quote::{format_ident, quote};

pub use action::conformance_tests;

/// How generated code refers to the runtime crate.
#[derive(Debug, Clone)]
pub struct Options {
    /// The path of the runtime crate, e.g. `::dezai_runtime`.
    pub runtime: String,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            runtime: "::dezai_runtime".into(),
        }
    }
}

/// A spec that cannot become Rust.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error(pub String);

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Error {}

/// The code for one product: a module per action, the request and response types re-exported,
/// a product handle (`Udb`) and the extension trait that gives `client.udb()`.
pub fn product(spec: &ProductSpec, options: &Options) -> Result<TokenStream, Error> {
    let rt: TokenStream = options
        .runtime
        .parse()
        .map_err(|_| Error(format!("`{}` is not a path", options.runtime)))?;
    let mut seen: BTreeMap<String, &str> = BTreeMap::new();
    let mut modules = Vec::new();
    let mut methods = Vec::new();
    for action in &spec.actions {
        validate::action(action)?;
        let base = names::camel(&action.name);
        if let Some(other) = seen.insert(base.clone(), &action.name) {
            return Err(Error(format!(
                "actions `{other}` and `{}` would both become `{base}` in Rust",
                action.name
            )));
        }
        let generated = action::generate(action, options)?;
        modules.push(generated.module);
        methods.push(generated.handle_method);
    }
    let product_type = format_ident!("{}", names::camel(&spec.product));
    let ext = format_ident!("{}Ext", names::camel(&spec.product));
    let accessor = names::snake(&spec.product);
    let handle_doc = format!(
        " The `{}` product's actions, called through a client: `client.{}()`.",
        spec.product, spec.product
    );
    let ext_doc = format!(" Adds `.{}()` to the client. In the prelude.", spec.product);
    Ok(quote! {
        #(#modules)*

        #[doc = #handle_doc]
        #[derive(Debug, Clone, Copy)]
        pub struct #product_type<'a> {
            client: &'a #rt::Client,
        }

        impl<'a> #product_type<'a> {
            /// The product's actions on this client.
            #[inline]
            pub fn new(client: &'a #rt::Client) -> Self {
                Self { client }
            }
            #(#methods)*
        }

        #[doc = #ext_doc]
        pub trait #ext {
            #[doc = #handle_doc]
            fn #accessor(&self) -> #product_type<'_>;
        }

        impl #ext for #rt::Client {
            #[inline]
            fn #accessor(&self) -> #product_type<'_> {
                #product_type::new(self)
            }
        }
    })
}
