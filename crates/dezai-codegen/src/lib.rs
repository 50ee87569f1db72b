//! Turns the Dezai API spec ([`dezai_spec`]) into Rust: typed request, response and model
//! types on top of `dezai-runtime`'s `Action` trait and `Client`.
//!
//! This is a plain library, so tests call it directly; `dezai-macros` is a thin proc-macro
//! entry point over it.
//!
//! Two generators, as progenitor splits typify from its method generator:
//!
//! - the type generator ([`types`]): the product's data models, one type per distinct model at
//!   the product's level (`udb::UdbInstanceSet`), structs read from responses with builders,
//!   structs written as parameters with constructors and setters, and the one naming rule;
//! - the action generator ([`action`]): per action, a module (`describe_udb_instance_backup_url`)
//!   with `…Request` (implements the runtime's `Action`), `…Response` (the envelope behind
//!   `meta()`), the rebuilt request structures (`Disks.N.Size` → `Vec<Disks>`), and `…Call`,
//!   the fluent form: `client.udb().describe_udb_instance_backup_url("udb-1", 1234)
//!   .valid_time(3600).send().await`, with `.customize(…)` for per-call settings and
//!   `.into_paginator()` for list actions.
//!
//! Everything else (encoding, signing, sending, retrying, decoding, paginating) lives once in
//! the runtime.
//!
//! Generated function bodies are `#[inline]` (derived impls aside), so a product's crate
//! type-checks each action's code but compiles none of it to machine code: a crate that calls an
//! action compiles what that action needs, and nothing for the thousands it never calls. The
//! exceptions are the request writers and the requests' drop glue, which cost the product's
//! crate next to nothing and are shared by every calling crate. What each choice saves the
//! SDK's build and costs a calling crate is in `BENCHMARKS.md`.

// Library code must not panic on input a user supplies.
#![warn(clippy::unwrap_used)]

mod action;
mod docs;
mod names;
mod scope;
mod types;
mod validate;

use std::collections::{BTreeMap, BTreeSet};

use dezai_spec::ProductSpec;
use dezai_spec::names::Namer;
use proc_macro2::TokenStream;
use quote::{format_ident, quote};

/// Conformance tests of a product's generated types against its spec's examples: for the SDK's
/// own test suite. Not part of the generator's API, behind the `conformance` feature.
#[cfg(feature = "conformance")]
#[doc(hidden)]
pub use action::conformance::conformance_tests;
/// Calls of every action, as a program would write them: for `cargo xtask bench-compile`'s
/// user crates. Not part of the generator's API, behind the `bench-helpers` feature.
#[cfg(feature = "bench-helpers")]
#[doc(hidden)]
pub use action::conformance::example_calls;

/// What every part of the generator needs: how to name the runtime, and the product's naming
/// rule.
pub(crate) struct Ctx {
    pub rt: TokenStream,
    pub namer: Namer,
    /// The product handle's type (`Udb`) and the client's accessor for it (`udb`).
    pub product_type: proc_macro2::Ident,
    pub accessor: proc_macro2::Ident,
    /// The handle's method of each action of the product, by action name.
    pub methods: BTreeMap<String, proc_macro2::Ident>,
    /// The product's name as the documents give it (`udb`): the service of its calls' spans.
    pub product: String,
}

impl Ctx {
    fn new(spec: &ProductSpec, options: &Options) -> Result<Self, Error> {
        let rt: TokenStream = options
            .runtime
            .parse()
            .map_err(|_| Error(format!("`{}` is not a path", options.runtime)))?;
        let namer = Namer::for_product(&spec.product);
        Ok(Self {
            rt,
            product_type: format_ident!("{}", names::camel(&namer, &spec.product)),
            accessor: names::snake(&namer, &spec.product),
            methods: spec
                .actions
                .iter()
                .map(|a| (a.name.clone(), names::snake(&namer, &a.name)))
                .collect(),
            namer,
            product: spec.product.clone(),
        })
    }
}

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

/// The code for one product: its data models, a module per action with the request and
/// response types re-exported, a product handle (`Udb`) and the extension trait that gives
/// `client.udb()`.
pub fn product(spec: &ProductSpec, options: &Options) -> Result<TokenStream, Error> {
    let ctx = Ctx::new(spec, options)?;
    let namer = &ctx.namer;
    let product_type = &ctx.product_type;
    let ext = format_ident!("{product_type}Ext");
    let accessor = &ctx.accessor;
    // Every type name the product's module holds, so that models can avoid them.
    let mut taken: BTreeSet<String> = [product_type.to_string(), ext.to_string()].into();
    let mut seen: BTreeMap<String, &str> = BTreeMap::new();
    for action in &spec.actions {
        validate::action(action)?;
        let base = names::camel(namer, &action.name);
        if let Some(other) = seen.insert(base.clone(), &action.name) {
            return Err(Error(format!(
                "actions `{other}` and `{}` would both become `{base}` in Rust",
                action.name
            )));
        }
        taken.extend(namer.action_type_names(&action.name));
    }
    let models = types::models::ProductModels::new(&ctx, spec, &mut taken);
    let model_types = models.emit(&ctx, spec);
    let mut modules = Vec::new();
    let mut methods = Vec::new();
    for (a, action) in spec.actions.iter().enumerate() {
        let generated = action::generate(&ctx, action, &models.of_action(a))?;
        modules.push(generated.module);
        methods.push(generated.handle_method);
    }
    let rt = &ctx.rt;
    let handle_doc = format!(
        " The `{}` product's actions, called through a client: `client.{}()`.",
        spec.product, spec.product
    );
    let ext_doc = format!(" Adds `.{}()` to the client. In the prelude.", spec.product);
    Ok(quote! {
        #model_types
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
