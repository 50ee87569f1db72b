//! What a backup-URL action gets beyond its types: its response says where the file is
//! ([`BackupUrl`](https://docs.rs/dezai-runtime) implemented by the SDK's one rule,
//! `dezai_spec::download`), and its call downloads the file in one statement
//! (`.download_to(path)`).

use dezai_spec::download::download_fields;
use dezai_spec::{Action, Field, Type};
use proc_macro2::{Ident, TokenStream};
use quote::quote;

use crate::Ctx;
use crate::names::{RESPONSE_RESERVED, field_idents};

/// The `BackupUrl` implementation of the action's response, when the action is a backup-URL
/// action. `response` is the response's own fields (envelope left out), as its struct has them.
pub(crate) fn backup_url_impl(
    ctx: &Ctx,
    action: &Action,
    response: &[Field],
    response_type: &Ident,
) -> Option<TokenStream> {
    let fields = download_fields(action)?;
    let rt = &ctx.rt;
    let idents = field_idents(&ctx.namer, response, RESPONSE_RESERVED);
    let ident_of = |field: &Field| {
        response
            .iter()
            .position(|f| f.name == field.name)
            .map(|i| &idents[i])
    };
    // Each URL field as its wire name and values: a text field is a list of at most one.
    let candidates = fields.urls.iter().filter_map(|field| {
        let id = ident_of(field)?;
        let name = field.name.as_str();
        Some(match field.ty {
            Type::String => quote!((#name, self.#id.as_slice())),
            _ => quote!((#name, self.#id.as_deref().unwrap_or_default())),
        })
    });
    let md5 = match fields.md5.and_then(&ident_of) {
        Some(id) => quote!(self.#id.as_deref()),
        None => quote!(::std::option::Option::None),
    };
    Some(quote! {
        impl #rt::download::BackupUrl for #response_type {
            #[inline]
            fn download_links(
                &self,
                network: #rt::download::Network,
            ) -> ::std::vec::Vec<#rt::download::DownloadLink> {
                #rt::download::links_from(network, &[#(#candidates),*], #md5)
            }
        }
    })
}

/// The call's `.download_to(path)`, for a backup-URL action.
pub(crate) fn download_method(ctx: &Ctx, action: &Action) -> Option<TokenStream> {
    download_fields(action)?;
    let rt = &ctx.rt;
    Some(quote! {
        /// Sends the request and downloads the backup file its answer points at to `output`:
        /// resumable, checked against the answer's MD5 when it has one, renamed into place
        /// only when complete; an expired URL is asked for again by sending the request
        /// again. Await it; `.replace(true)` first to overwrite an existing file, and
        /// `.on_progress(…)` to follow it.
        #[inline]
        pub fn download_to(
            self,
            output: impl ::std::convert::Into<::std::path::PathBuf>,
        ) -> #rt::download::Download<'a> {
            let (request, bound) = self.with_call(());
            let (client, options) = bound.into_parts();
            client.download_backup_with(request, options, output)
        }
    })
}
