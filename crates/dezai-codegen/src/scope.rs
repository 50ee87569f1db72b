//! Where generated code stands: what the generator needs to name the types an item refers to,
//! from an action's module or from the product's level.

use std::collections::BTreeMap;

use proc_macro2::{Ident, TokenStream};

/// Where generated code stands, so that it can name the types it refers to.
pub(crate) struct Scope<'a> {
    /// The Rust type of each data model the action's document names.
    pub models: &'a BTreeMap<String, Ident>,
    /// Put before model types: `super::` inside an action's module, nothing at product level.
    pub model_qual: TokenStream,
    /// The action's rebuilt request structures by field path, where they can be named.
    pub structs: Option<&'a BTreeMap<Vec<String>, Ident>>,
    /// Put before the action's own types: `module::` from the product level.
    pub own_qual: TokenStream,
}
