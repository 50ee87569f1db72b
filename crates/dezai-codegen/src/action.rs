//! The action generator: one action → its module (request, response, rebuilt request
//! structures, the fluent call, a paginator for list actions) and its method on the
//! product's handle. Data models come from the type generator, at the product's level.

use std::collections::{BTreeMap, BTreeSet};

use dezai_spec::protocol::ConfigParam;
use dezai_spec::{Action, Field, Type};
use proc_macro2::{Ident, TokenStream};
use quote::quote;

use crate::docs::{describe, doc_lines};
use crate::names::{REQUEST_RESERVED, RESPONSE_RESERVED, field_idents, ident, snake};
use crate::scope::Scope;
use crate::types::readable::{Readable, response_fields};
use crate::types::request_like::{
    RequestLike, is_required, name_structs, required_args, write_fields,
};
use crate::types::{child, rust_type};
use crate::{Ctx, Error};

#[cfg(feature = "conformance")]
pub(crate) mod conformance;
mod download;
mod example;

/// What one action contributes to its product.
pub(crate) struct Generated {
    pub module: TokenStream,
    pub handle_method: TokenStream,
}

/// Type names of one action's module.
pub(crate) struct Names {
    pub request: Ident,
    pub response: Ident,
    pub call: Ident,
    pub module: Ident,
    /// Rebuilt request structures by field path (`["Disks"]`, `["Rules", "Ports"]`).
    pub structs: BTreeMap<Vec<String>, Ident>,
    /// The names the module re-exports the document's models under, by model name.
    pub models: BTreeMap<String, Ident>,
}

impl Names {
    pub(crate) fn new(ctx: &Ctx, action: &Action) -> Result<Self, Error> {
        let [request, response, call, builder] = ctx.namer.action_type_names(&action.name);
        let mut taken: BTreeSet<String> =
            [request.clone(), response.clone(), call.clone(), builder].into();
        let mut models = BTreeMap::new();
        for model in &action.models {
            let name = model
                .type_name
                .clone()
                .unwrap_or_else(|| ctx.namer.type_name(&model.name));
            if !taken.insert(name.clone()) {
                return Err(Error(format!(
                    "{}: data model `{}` would be named `{name}`, which another type of the action already uses",
                    action.name, model.name
                )));
            }
            models.insert(model.name.clone(), ident(&name));
        }
        let mut structs = BTreeMap::new();
        name_structs(ctx, &action.request, &[], &mut taken, &mut structs);
        Ok(Self {
            request: ident(&request),
            response: ident(&response),
            call: ident(&call),
            module: snake(&ctx.namer, &action.name),
            structs,
            models,
        })
    }
}

/// The fields a paginator needs, when the action is a list action: `Offset` and `Limit`
/// (integers) in the request, `TotalCount` and exactly one list in the response.
struct Paging<'a> {
    offset: (Ident, bool),
    limit: (Ident, bool),
    total: Ident,
    list: Ident,
    item: &'a Type,
}

fn paging<'a>(ctx: &Ctx, action: &Action, response: &'a [Field]) -> Option<Paging<'a>> {
    // Which actions are paged is the spec's one rule; here only the names are looked up.
    let list_field = dezai_spec::paging::paged_list(&action.request, response)?;
    let request_ids = field_idents(&ctx.namer, &action.request, REQUEST_RESERVED);
    let int_field = |name: &str| {
        action
            .request
            .iter()
            .zip(&request_ids)
            .find(|(f, _)| f.name == name)
            .map(|(f, id)| (id.clone(), is_required(f, true)))
    };
    let offset = int_field("Offset")?;
    let limit = int_field("Limit")?;
    let response_ids = field_idents(&ctx.namer, response, RESPONSE_RESERVED);
    let named = |name: &str| {
        response
            .iter()
            .zip(&response_ids)
            .find(|(f, _)| f.name == name)
            .map(|(_, id)| id.clone())
    };
    let total = named("TotalCount")?;
    let list = named(&list_field.name)?;
    let Type::List { item } = &list_field.ty else {
        return None;
    };
    Some(Paging {
        offset,
        limit,
        total,
        list,
        item: item.as_ref(),
    })
}

/// Generates one action. `models` names the product's type of each model of its document.
pub(crate) fn generate(
    ctx: &Ctx,
    action: &Action,
    models: &BTreeMap<String, Ident>,
) -> Result<Generated, Error> {
    let names = Names::new(ctx, action)?;
    let response = response_fields(&action.response);
    let g = Gen {
        ctx,
        action,
        response: &response,
        names,
        models,
    };
    Ok(g.emit())
}

struct Gen<'a> {
    ctx: &'a Ctx,
    action: &'a Action,
    /// The response's own fields (the envelope is `meta()`).
    response: &'a [Field],
    names: Names,
    models: &'a BTreeMap<String, Ident>,
}

impl Gen<'_> {
    /// How code inside the action's module names things.
    fn inner_scope(&self) -> Scope<'_> {
        Scope {
            models: self.models,
            model_qual: quote!(super::),
            structs: Some(&self.names.structs),
            own_qual: quote!(),
        }
    }

    fn emit(&self) -> Generated {
        let ctx = self.ctx;
        let a = self.action;
        let n = &self.names;
        let scope = self.inner_scope();
        let module = &n.module;
        let (request, response, call) = (&n.request, &n.response, &n.call);
        let request_struct = self.request_struct(&scope);
        let nested = self.nested_structs(&scope, &a.request, &[]);
        let response_struct = Readable {
            name: response,
            fields: self.response,
            doc: self.response_doc(),
            boxed: &BTreeSet::new(),
            partial_eq: false,
            response: true,
        }
        .emit(ctx, &scope);
        let paging = paging(ctx, a, self.response);
        let paged = paging.as_ref().map(|p| self.paged_impl(&scope, p));
        let backup_url = download::backup_url_impl(ctx, a, self.response, response);
        let call_type = self.call_type(paging.is_some());
        let module_doc = format!(" `{}`: {}", a.name, a.summary);
        // The document's models, under the names it gives them.
        let reexports = n.models.iter().map(|(model, local)| {
            let class = &self.models[model];
            if class == local {
                quote!(pub use super::#class;)
            } else {
                quote!(pub use super::#class as #local;)
            }
        });

        // The product-level method lives outside the action's module: name its types there.
        let outer = Scope {
            models: self.models,
            model_qual: quote!(),
            structs: Some(&n.structs),
            own_qual: quote!(#module::),
        };
        let required = required_args(ctx, &outer, &a.request, &[], true);
        let params = required.iter().map(|r| {
            let (name, ty) = (&r.ident, &r.param_ty);
            quote!(#name: #ty)
        });
        let args = required.iter().map(|r| &r.ident);
        let method = &n.module;
        let mut method_doc = format!(
            "{} (`{}`). Required arguments in document order; optional fields are set on the returned call.",
            a.summary, a.name
        );
        method_doc.extend(self.example_doc());
        let method_doc = doc_lines(&method_doc);
        let handle_method = quote! {
            #method_doc
            #[inline]
            pub fn #method(&self, #(#params),*) -> #module::#call<'a> {
                #module::#request::new(#(#args),*).on(self.client)
            }
        };
        let module = quote! {
            #[doc = #module_doc]
            pub mod #module {
                // The module's own code (derives, constructors) touches deprecated fields;
                // users' code that does still gets the warning.
                #![allow(deprecated)]
                #(#reexports)*
                #request_struct
                #(#nested)*
                #response_struct
                #paged
                #backup_url
                #call_type
            }
            pub use #module::{#request, #response, #call};
        };
        Generated {
            module,
            handle_method,
        }
    }

    fn response_doc(&self) -> String {
        let a = self.action;
        let mut doc = format!(
            "The response of `{}`: {}\n\nEvery field is optional and read leniently (a number sent as a string still reads); fields the document does not list are kept in `unknown_fields`; `RetCode`, `Action`, `Message` and the request id are in `meta()`. Build one for tests with `builder()`.",
            a.name, a.summary
        );
        if let Some(example) = &a.response_example {
            let pretty = serde_json::to_string_pretty(example).unwrap_or_default();
            doc.push_str(&format!("\n\n# Example\n\n```json\n{pretty}\n```"));
        }
        doc
    }

    fn request_struct(&self, scope: &Scope<'_>) -> TokenStream {
        let ctx = self.ctx;
        let rt = &ctx.rt;
        let a = self.action;
        let n = &self.names;
        let (request, response, call) = (&n.request, &n.response, &n.call);
        let name = &a.name;
        let body = RequestLike {
            name: request,
            fields: &a.request,
            parent: &[],
            top: true,
            doc: self.request_doc(),
            extra: quote! {
                /// This request as a call on `client`: `.customize(…)`, then `.send().await`.
                #[inline]
                pub fn on(self, client: &#rt::Client) -> #call<'_> {
                    self.with_call(#rt::Bound::new(client)).0
                }
            },
        }
        .emit(ctx, scope);
        // How the action takes each parameter the configuration fills in, as the field of
        // `ConfigParams` named by the parameter's configuration key (`project_id`).
        let config_params = ConfigParam::ALL.map(|param| {
            let key = quote::format_ident!("{}", param.key());
            let takes = match a.request.iter().find(|f| f.name == param.wire_name()) {
                None => quote!(#rt::Takes::No),
                Some(f) if f.required => quote!(#rt::Takes::Required),
                Some(_) => quote!(#rt::Takes::Optional),
            };
            quote!(#key: #takes)
        });
        let writes = write_fields(ctx, &a.request);
        // The writer and `__drop_glue` are the exceptions to `#[inline]` (crate docs):
        // compiled here, once per action, they are shared by every crate that calls the
        // action (debug builds reuse their dependencies' generic code, drop glue included),
        // and they cost the product's crate next to nothing; `__drop_glue` exists so that the
        // request's drop glue is one of them. Measured in BENCHMARKS.md.
        let service = &ctx.product;
        quote! {
            #body

            impl #rt::Action for #request {
                const NAME: &'static str = #name;
                const SERVICE: &'static str = #service;
                const CONFIG_PARAMS: #rt::ConfigParams =
                    #rt::ConfigParams { #(#config_params),* };
                type Response = #response;
                fn write_params(&self, w: &mut #rt::ParamWriter<'_>) {
                    #writes
                }
            }
            impl #request {
                #[doc(hidden)]
                pub fn __drop_glue(self) {}
            }
        }
    }

    fn request_doc(&self) -> String {
        let a = self.action;
        let mut doc = a.summary.clone();
        if !a.description.is_empty() && a.description != a.summary {
            doc.push_str("\n\n");
            doc.push_str(&describe(self.ctx, &self.inner_scope(), &a.description));
        }
        let default = dezai_spec::protocol::DEFAULT_ENDPOINT;
        doc.push_str(&format!(
            "\n\nAction `{}` (from `{}`). Send it with `client.send(request)`: it goes to the \
             configured base URL (by default `{default}`).",
            a.name, a.source
        ));
        // Information only, and only when it says something: a signed request never goes to
        // a host taken from a document.
        if let Some(endpoint) = a
            .endpoint
            .as_deref()
            .filter(|e| e.trim_end_matches('/') != default)
        {
            doc.push_str(&format!(
                " The document's example shows the host `{endpoint}`; it is not used."
            ));
        }
        if let Some(example) = self.example_doc() {
            doc.push_str(&example);
        } else if !a.request_example.is_empty() {
            // An example the typed API cannot express (a free-form object): the wire form.
            let lines: Vec<String> = a
                .request_example
                .iter()
                .map(|p| format!("{}={}", p.name, p.value))
                .collect();
            doc.push_str(&format!(
                "\n\n# Example request\n\n```text\n{}\n```",
                lines.join("\n")
            ));
        }
        doc
    }

    /// The document's request example as a Rust call, for the request's and the method's docs.
    /// Product crates run no doctests: the SDK's conformance tests compile every such example.
    fn example_doc(&self) -> Option<String> {
        let call = example::doc_call(self.ctx, self.action, &self.names)?;
        let product = &self.ctx.accessor;
        Some(format!(
            "\n\n# Example\n\nThe document's request example through the typed API, with \
             `use dezai_sdk::{{prelude::*, {product}}};` in scope:\n\n```rust\n{call}\n```"
        ))
    }

    fn nested_structs(
        &self,
        scope: &Scope<'_>,
        fields: &[Field],
        parent: &[String],
    ) -> Vec<TokenStream> {
        let ctx = self.ctx;
        let rt = &ctx.rt;
        let mut out = Vec::new();
        for f in fields {
            if let Some(inner) = f.ty.struct_fields() {
                let path = child(parent, &f.name);
                let name = &self.names.structs[&path];
                let doc = format!(
                    "An item of `{}` in the request (sent as `{}.…`).",
                    path.join("."),
                    f.name
                );
                out.push(
                    RequestLike {
                        name,
                        fields: inner,
                        parent: &path,
                        top: false,
                        doc,
                        extra: quote!(),
                    }
                    .emit(ctx, scope),
                );
                let writes = write_fields(ctx, inner);
                out.push(quote! {
                    // Not `#[inline]`, like the request's writer.
                    impl #rt::ParamValue for #name {
                        fn write_param(&self, w: &mut #rt::ParamWriter<'_>) {
                            #writes
                        }
                    }
                });
                out.extend(self.nested_structs(scope, inner, &path));
            }
        }
        out
    }

    fn paged_impl(&self, scope: &Scope<'_>, p: &Paging<'_>) -> TokenStream {
        let rt = &self.ctx.rt;
        let (request, response) = (&self.names.request, &self.names.response);
        let item = rust_type(self.ctx, scope, p.item, None);
        let (offset, limit, total, list) = (&p.offset.0, &p.limit.0, &p.total, &p.list);
        let (set_offset, get_offset) = if p.offset.1 {
            (
                quote!(self.#offset = offset;),
                quote!(::std::option::Option::Some(self.#offset)),
            )
        } else {
            (
                quote!(self.#offset = ::std::option::Option::Some(offset);),
                quote!(self.#offset),
            )
        };
        let (set_limit, get_limit) = if p.limit.1 {
            (
                quote!(self.#limit = limit;),
                quote!(::std::option::Option::Some(self.#limit)),
            )
        } else {
            (
                quote!(self.#limit = ::std::option::Option::Some(limit);),
                quote!(self.#limit),
            )
        };
        quote! {
            impl #rt::Paged for #request {
                type Item = #item;
                #[inline]
                fn set_page(&mut self, offset: i64, limit: ::std::option::Option<i64>) {
                    #set_offset
                    if let ::std::option::Option::Some(limit) = limit {
                        #set_limit
                    }
                }
                #[inline]
                fn offset(&self) -> ::std::option::Option<i64> {
                    #get_offset
                }
                #[inline]
                fn limit(&self) -> ::std::option::Option<i64> {
                    #get_limit
                }
                #[inline]
                fn total_count(response: &#response) -> ::std::option::Option<i64> {
                    response.#total
                }
                #[inline]
                fn item_count(response: &#response) -> usize {
                    response.#list.as_ref().map_or(0, ::std::vec::Vec::len)
                }
                #[inline]
                fn take_items(response: &mut #response) -> ::std::vec::Vec<#item> {
                    response.#list.take().unwrap_or_default()
                }
            }
        }
    }

    /// What makes the request a call: `…Call<'a>`, the request bound to a client, with
    /// `customize`, `send` and (for list actions) `into_paginator`. The setters are the
    /// request's own, generic over the binding.
    fn call_type(&self, paged: bool) -> TokenStream {
        let a = self.action;
        let n = &self.names;
        let rt = &self.ctx.rt;
        let (request, response, call) = (&n.request, &n.response, &n.call);
        let paginator = if paged {
            quote! {
                /// The pages of this list, as a `Stream` (`.items()` for the items one by one):
                /// `Offset` advances over the items seen, and the stream ends at `TotalCount`,
                /// a short page or an error. Set the page size with `.page_size(n)`.
                #[inline]
                pub fn into_paginator(self) -> #rt::Paginator<'a, #request> {
                    let (request, bound) = self.with_call(());
                    let (client, options) = bound.into_parts();
                    #rt::Paginator::new(client, request).customize(options)
                }
            }
        } else {
            quote!()
        };
        let download = download::download_method(self.ctx, a);
        let doc = format!(
            " `{}` ready to send: set optional fields, then `.send().await`. The request bound \
             to a client (see [`{request}`]).",
            a.name
        );
        quote! {
            #[doc = #doc]
            pub type #call<'a> = #request<#rt::Bound<'a>>;

            impl<'a> #call<'a> {
                /// Settings for this call only: timeout, attempts, region, zone, project.
                #[inline]
                pub fn customize(mut self, options: #rt::CallOptions) -> Self {
                    self.call.set_options(options);
                    self
                }
                /// Sends the request.
                /// Not an `async fn` on purpose: it hands over the runtime's future, so the SDK
                /// compiles nothing per action for calls a program never makes.
                #[inline]
                pub fn send(
                    self,
                ) -> impl ::std::future::Future<Output = ::std::result::Result<#response, #rt::Error>>
                + ::std::marker::Send
                + 'a {
                    let (request, bound) = self.with_call(());
                    let (client, options) = bound.into_parts();
                    client.send_with(request, options)
                }
                /// The request, to send later or elsewhere.
                #[inline]
                pub fn into_request(self) -> #request {
                    self.with_call(()).0
                }
                #paginator
                #download
            }
        }
    }
}
