//! One action → its module: request, response, models, rebuilt structures, fluent call.

use std::collections::{BTreeMap, BTreeSet};

use dezai_spec::{Action, Field, Model, Type};
use proc_macro2::{Ident, TokenStream};
use quote::{format_ident, quote};

use crate::docs::{doc_lines, escape_brackets};
use crate::names::{
    READ_RESERVED, REQUEST_RESERVED, camel, field_idents, ident, model_type, snake,
};
use crate::{Error, Options};

mod conformance;
pub use conformance::conformance_tests;

/// Request parameters the configuration fills in: optional in the types whatever the
/// document says, and required-ness enforced by the runtime.
const CONFIG_PARAMS: [&str; 3] = ["Region", "Zone", "ProjectId"];

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
    pub models: BTreeMap<String, Ident>,
}

impl Names {
    pub(crate) fn new(action: &Action) -> Result<Self, Error> {
        let base = camel(&action.name);
        let request = format_ident!("{base}Request");
        let response = format_ident!("{base}Response");
        let call = format_ident!("{base}Call");
        let mut taken: BTreeSet<String> =
            [request.to_string(), response.to_string(), call.to_string()].into();
        let mut models = BTreeMap::new();
        for model in &action.models {
            let name = model_type(model);
            if !taken.insert(name.clone()) {
                return Err(Error(format!(
                    "{}: data model `{}` would be named `{name}`, which another type of the action already uses",
                    action.name, model.name
                )));
            }
            models.insert(model.name.clone(), ident(&name));
        }
        let mut structs = BTreeMap::new();
        name_structs(&action.request, &[], &mut taken, &mut structs);
        Ok(Self {
            request,
            response,
            call,
            module: snake(&action.name),
            structs,
            models,
        })
    }
}

/// Names each rebuilt structure after its path (`Disks`, `RulesPorts`), adding `Param` when
/// the plain name is taken (by a model, say).
fn name_structs(
    fields: &[Field],
    parent: &[String],
    taken: &mut BTreeSet<String>,
    out: &mut BTreeMap<Vec<String>, Ident>,
) {
    for field in fields {
        if let Some(inner) = struct_fields(&field.ty) {
            let mut path = parent.to_vec();
            path.push(field.name.clone());
            let plain = camel(&path.join("_"));
            let mut name = plain.clone();
            let mut n = 1;
            while taken.contains(&name) {
                name = if n == 1 {
                    format!("{plain}Param")
                } else {
                    format!("{plain}Param{n}")
                };
                n += 1;
            }
            taken.insert(name.clone());
            out.insert(path.clone(), ident(&name));
            name_structs(inner, &path, taken, out);
        }
    }
}

/// The fields of a rebuilt structure, through list wrappers.
pub(crate) fn struct_fields(ty: &Type) -> Option<&[Field]> {
    match ty {
        Type::Struct { fields } => Some(fields),
        Type::List { item } => struct_fields(item),
        _ => None,
    }
}

struct Gen<'a> {
    action: &'a Action,
    names: Names,
    models: ModelFacts,
    rt: TokenStream,
}

/// What the types of an action's data models need beyond their fields.
#[derive(Default)]
struct ModelFacts {
    /// Models reachable from the request: they are written as parameters and compared with
    /// `PartialEq` like the request that holds them.
    in_request: BTreeSet<String>,
    /// `(model, field)` pairs whose field holds a model that contains the first one again
    /// without a list in between: boxed, or the type would have infinite size.
    boxed: BTreeSet<(String, String)>,
}

impl ModelFacts {
    fn new(action: &Action) -> Self {
        let by_name: BTreeMap<&str, &Model> =
            action.models.iter().map(|m| (m.name.as_str(), m)).collect();
        let mut facts = ModelFacts::default();
        let mut stack: Vec<String> = Vec::new();
        collect_models(&action.request, &mut stack);
        while let Some(name) = stack.pop() {
            if facts.in_request.insert(name.clone()) {
                if let Some(model) = by_name.get(name.as_str()) {
                    collect_models(&model.fields, &mut stack);
                }
            }
        }
        // A field must be boxed when it holds (without a list in between) a model of the same
        // strongly connected component of the direct-reference graph: that model contains
        // this one again. Tarjan's algorithm finds the components in linear time.
        let component = direct_components(&action.models, &by_name);
        for model in &action.models {
            for field in &model.fields {
                if let Type::Model { name: target } = &field.ty {
                    // Same component: the target leads back here (a field naming its own
                    // model is a cycle of one).
                    let same = component.contains_key(target.as_str())
                        && component.get(target.as_str()) == component.get(model.name.as_str());
                    if same {
                        facts.boxed.insert((model.name.clone(), field.name.clone()));
                    }
                }
            }
        }
        facts
    }
}

/// The strongly connected component of every model in the graph of direct (unlisted) model
/// references, as a component number per model name. Iterative Tarjan, so that a long chain
/// of models cannot exhaust the stack.
fn direct_components<'a>(
    models: &'a [Model],
    by_name: &BTreeMap<&str, &'a Model>,
) -> BTreeMap<&'a str, usize> {
    let edges = |m: &'a Model| -> Vec<&'a str> {
        m.fields
            .iter()
            .filter_map(|f| match &f.ty {
                Type::Model { name } => by_name.get(name.as_str()).map(|t| t.name.as_str()),
                _ => None,
            })
            .collect()
    };
    let mut index: BTreeMap<&str, usize> = BTreeMap::new();
    let mut low: BTreeMap<&str, usize> = BTreeMap::new();
    let mut on_stack: BTreeSet<&str> = BTreeSet::new();
    let mut stack: Vec<&str> = Vec::new();
    let mut component: BTreeMap<&str, usize> = BTreeMap::new();
    let mut counter = 0;
    let mut components = 0;
    for root in models {
        if index.contains_key(root.name.as_str()) {
            continue;
        }
        // (node, its edges, next edge to visit)
        let mut work: Vec<(&str, Vec<&str>, usize)> = vec![(root.name.as_str(), edges(root), 0)];
        index.insert(root.name.as_str(), counter);
        low.insert(root.name.as_str(), counter);
        counter += 1;
        stack.push(root.name.as_str());
        on_stack.insert(root.name.as_str());
        while let Some((node, next_edges, next)) = work.last_mut() {
            let node = *node;
            if let Some(&target) = next_edges.get(*next) {
                *next += 1;
                if !index.contains_key(target) {
                    index.insert(target, counter);
                    low.insert(target, counter);
                    counter += 1;
                    stack.push(target);
                    on_stack.insert(target);
                    work.push((target, edges(by_name[target]), 0));
                } else if on_stack.contains(target) {
                    let l = low[node].min(index[target]);
                    low.insert(node, l);
                }
                continue;
            }
            work.pop();
            if let Some((parent, _, _)) = work.last() {
                let l = low[*parent].min(low[node]);
                low.insert(parent, l);
            }
            if low[node] == index[node] {
                while let Some(member) = stack.pop() {
                    on_stack.remove(member);
                    component.insert(member, components);
                    if member == node {
                        break;
                    }
                }
                components += 1;
            }
        }
    }
    component
}

/// The names of the models the fields' types mention, through lists and structures.
fn collect_models(fields: &[Field], out: &mut Vec<String>) {
    fn in_type(ty: &Type, out: &mut Vec<String>) {
        match ty {
            Type::Model { name } => out.push(name.clone()),
            Type::List { item } => in_type(item, out),
            Type::Struct { fields } => collect_models(fields, out),
            _ => {}
        }
    }
    for field in fields {
        in_type(&field.ty, out);
    }
}

pub(crate) fn generate(action: &Action, options: &Options) -> Result<Generated, Error> {
    let rt: TokenStream = options
        .runtime
        .parse()
        .map_err(|_| Error(format!("`{}` is not a path", options.runtime)))?;
    let names = Names::new(action)?;
    let models = ModelFacts::new(action);
    let g = Gen {
        action,
        names,
        models,
        rt,
    };
    Ok(g.emit())
}

impl Gen<'_> {
    fn emit(&self) -> Generated {
        let a = self.action;
        let n = &self.names;
        let module = &n.module;
        let (request, response, call) = (&n.request, &n.response, &n.call);
        let request_struct = self.request_struct();
        let nested = self.nested_structs(&a.request, &[]);
        let response_struct =
            self.readable_struct(response, &a.response, &self.response_doc(), None, false);
        let models = a.models.iter().map(|m| self.model(m));
        let call_type = self.call_type();
        let module_doc = format!(" `{}`: {}", a.name, a.summary);

        // The product-level method lives outside the action's module: name its types there.
        let qualified = quote!(#module::);
        let required = self.required_args(&a.request, &[], true, &qualified);
        let params = required.iter().map(|r| {
            let (name, ty) = (&r.ident, &r.param_ty);
            quote!(#name: #ty)
        });
        let args = required.iter().map(|r| &r.ident);
        let method = &n.module;
        let method_doc = format!(
            " {} (`{}`). Required arguments in document order; optional fields are set on the returned call.",
            a.summary, a.name
        );
        let handle_method = quote! {
            #[doc = #method_doc]
            #[inline]
            pub fn #method(&self, #(#params),*) -> #module::#call<'a> {
                #module::#call::new(self.client, #module::#request::new(#(#args),*))
            }
        };
        let module = quote! {
            #[doc = #module_doc]
            pub mod #module {
                // The module's own code (derives, constructors) touches deprecated fields;
                // users' code that does still gets the warning.
                #![allow(deprecated)]
                #request_struct
                #(#nested)*
                #response_struct
                #(#models)*
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
            "The response of `{}`: {}\n\nEvery field is optional and read leniently (a number sent as a string still reads); fields the document does not list are kept in `unknown_fields`.",
            a.name, a.summary
        );
        if let Some(example) = &a.response_example {
            let pretty = serde_json_pretty(example);
            doc.push_str(&format!("\n\n# Example\n\n```json\n{pretty}\n```"));
        }
        doc
    }

    /// A Rust type for a request field's type. `path` is the field's path, which names a
    /// rebuilt structure.
    fn request_type(&self, ty: &Type, path: &[String]) -> TokenStream {
        self.rust_type(ty, Some(path), &quote!())
    }

    /// A Rust type for a response or model field's type.
    fn response_type(&self, ty: &Type) -> TokenStream {
        self.rust_type(ty, None, &quote!())
    }

    /// The one mapping of spec types to Rust. Rebuilt structures have a type of their own
    /// only in requests (`path` names it); a response shows such a value as JSON.
    /// `qual` is put before the names of the action's own types (`module::`) for code outside
    /// the action's module.
    fn rust_type(&self, ty: &Type, path: Option<&[String]>, qual: &TokenStream) -> TokenStream {
        let rt = &self.rt;
        match ty {
            Type::String => quote!(::std::string::String),
            Type::Int => quote!(i64),
            Type::Float => quote!(f64),
            Type::Bool => quote!(bool),
            Type::Object => quote!(#rt::serde_json::Value),
            Type::List { item } => {
                let item = self.rust_type(item, path, qual);
                quote!(::std::vec::Vec<#item>)
            }
            Type::Model { name } => {
                let ident = self.model_ident(name);
                quote!(#qual #ident)
            }
            Type::Struct { .. } => match path.and_then(|p| self.names.structs.get(p)) {
                Some(name) => quote!(#qual #name),
                None => quote!(#rt::serde_json::Value),
            },
        }
    }

    fn model_ident(&self, name: &str) -> TokenStream {
        let ident = &self.names.models[name];
        quote!(#ident)
    }

    fn field_doc(&self, f: &Field, required_note: bool) -> TokenStream {
        let mut doc = escape_brackets(&f.description);
        if !doc.is_empty() {
            doc.push_str("\n\n");
        }
        doc.push_str(&format!("Wire name `{}`", f.name));
        if !f.aliases.is_empty() {
            let aliases: Vec<String> = f.aliases.iter().map(|a| format!("`{a}`")).collect();
            doc.push_str(&format!(" (also read as {})", aliases.join(", ")));
        }
        doc.push('.');
        if required_note && f.required {
            doc.push_str(" Required by the document.");
        }
        if !f.documented {
            doc.push_str(" Not in the document's tables: seen in its response example.");
        }
        doc_lines(&doc)
    }

    fn deprecated(f: &Field) -> TokenStream {
        match &f.deprecated {
            Some(note) => quote!(#[deprecated(note = #note)]),
            None => quote!(),
        }
    }

    /// The required, action-specific fields of a request-like struct: constructor arguments.
    /// `qual` prefixes the action's own type names (see [`Self::rust_type`]).
    fn required_args(
        &self,
        fields: &[Field],
        parent: &[String],
        top: bool,
        qual: &TokenStream,
    ) -> Vec<Required> {
        fields
            .iter()
            .zip(field_idents(fields, REQUEST_RESERVED))
            .filter(|(f, _)| Self::is_required(f, top))
            .map(|(f, ident)| {
                let path = child(parent, &f.name);
                let ty = self.rust_type(&f.ty, Some(&path), qual);
                let (param_ty, convert) = match f.ty {
                    Type::String => (quote!(&str), quote!(.to_owned())),
                    _ => (ty, quote!()),
                };
                Required {
                    ident,
                    param_ty,
                    convert,
                }
            })
            .collect()
    }

    fn is_required(f: &Field, top: bool) -> bool {
        f.required && !(top && CONFIG_PARAMS.contains(&f.name.as_str()))
    }

    /// Fields, constructor and setters of a request-like struct (the request itself, or a
    /// rebuilt structure).
    fn request_like(
        &self,
        name: &Ident,
        fields: &[Field],
        parent: &[String],
        top: bool,
        doc: &str,
    ) -> TokenStream {
        let ids = field_idents(fields, REQUEST_RESERVED);
        let decls = fields.iter().zip(&ids).map(|(f, id)| {
            let ty = self.request_type(&f.ty, &child(parent, &f.name));
            let doc = self.field_doc(f, false);
            let deprecated = Self::deprecated(f);
            if Self::is_required(f, top) {
                quote!(#doc #deprecated pub #id: #ty,)
            } else {
                quote!(#doc #deprecated pub #id: ::std::option::Option<#ty>,)
            }
        });
        let required = self.required_args(fields, parent, top, &quote!());
        let params = required.iter().map(|r| {
            let (id, ty) = (&r.ident, &r.param_ty);
            quote!(#id: #ty)
        });
        let inits = ids
            .iter()
            .map(|id| match required.iter().find(|r| r.ident == *id) {
                Some(r) => {
                    let convert = &r.convert;
                    quote!(#id: #id #convert,)
                }
                None => quote!(#id: ::std::option::Option::None,),
            });
        let setters = fields
            .iter()
            .zip(&ids)
            .filter(|(f, _)| !Self::is_required(f, top))
            .map(|(f, id)| self.setter(f, id, parent));
        let doc = doc_lines(doc);
        let new_doc = if required.is_empty() {
            " A value with every field unset.".to_owned()
        } else {
            " A value with its required fields, in document order; the others start unset."
                .to_owned()
        };
        quote! {
            #doc
            #[derive(Debug, Clone, PartialEq)]
            #[non_exhaustive]
            pub struct #name {
                #(#decls)*
            }

            impl #name {
                #[doc = #new_doc]
                #[allow(clippy::new_without_default, clippy::too_many_arguments)]
                #[inline]
                pub fn new(#(#params),*) -> Self {
                    Self { #(#inits)* }
                }
                #(#setters)*
            }
        }
    }

    fn setter(&self, f: &Field, id: &Ident, parent: &[String]) -> TokenStream {
        let ty = self.request_type(&f.ty, &child(parent, &f.name));
        let doc = format!(" Sets `{}`.", f.name);
        let deprecated = Self::deprecated(f);
        match f.ty {
            Type::String => quote! {
                #[doc = #doc] #deprecated
                #[inline]
                pub fn #id(mut self, value: &str) -> Self {
                    self.#id = ::std::option::Option::Some(value.to_owned());
                    self
                }
            },
            _ => quote! {
                #[doc = #doc] #deprecated
                #[inline]
                pub fn #id(mut self, value: #ty) -> Self {
                    self.#id = ::std::option::Option::Some(value);
                    self
                }
            },
        }
    }

    /// Writes each field under its wire name. `reserved` is the struct's kind (see
    /// [`field_idents`]).
    fn write_fields(fields: &[Field], reserved: &[&str]) -> TokenStream {
        let writes = fields
            .iter()
            .zip(field_idents(fields, reserved))
            .map(|(f, id)| {
                let wire = &f.name;
                quote!(w.field(#wire, &self.#id);)
            });
        quote!(#(#writes)*)
    }

    fn request_struct(&self) -> TokenStream {
        let a = self.action;
        let n = &self.names;
        let rt = &self.rt;
        let request = &n.request;
        let response = &n.response;
        let name = &a.name;
        let body = self.request_like(request, &a.request, &[], true, &self.request_doc());
        let takes = |param: &str| match a.request.iter().find(|f| f.name == param) {
            None => quote!(#rt::Takes::No),
            Some(f) if f.required => quote!(#rt::Takes::Required),
            Some(_) => quote!(#rt::Takes::Optional),
        };
        let (region, zone, project) = (takes("Region"), takes("Zone"), takes("ProjectId"));
        let writes = Self::write_fields(&a.request, REQUEST_RESERVED);
        quote! {
            #body

            impl #rt::Action for #request {
                const NAME: &'static str = #name;
                const CONFIG_PARAMS: #rt::ConfigParams =
                    #rt::ConfigParams { region: #region, zone: #zone, project_id: #project };
                type Response = #response;
                #[inline]
                fn write_params(&self, w: &mut #rt::ParamWriter<'_>) {
                    #writes
                }
            }
        }
    }

    fn request_doc(&self) -> String {
        let a = self.action;
        let mut doc = a.summary.clone();
        if !a.description.is_empty() && a.description != a.summary {
            doc.push_str("\n\n");
            doc.push_str(&escape_brackets(&a.description));
        }
        doc.push_str(&format!(
            "\n\nAction `{}` (from `{}`). Send it with `client.send(request)`: it goes to the \
             configured base URL (by default `https://api.dezai.com`).",
            a.name, a.source
        ));
        if let Some(endpoint) = &a.endpoint {
            // Information only: a signed request never goes to a host taken from a document.
            doc.push_str(&format!(
                " The document's example shows the host `{endpoint}`; it is not used."
            ));
        }
        if !a.request_example.is_empty() {
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

    fn nested_structs(&self, fields: &[Field], parent: &[String]) -> Vec<TokenStream> {
        let rt = &self.rt;
        let mut out = Vec::new();
        for f in fields {
            if let Some(inner) = struct_fields(&f.ty) {
                let path = child(parent, &f.name);
                let name = &self.names.structs[&path];
                let doc = format!(
                    "An item of `{}` in the request (sent as `{}.…`).",
                    path.join("."),
                    f.name
                );
                out.push(self.request_like(name, inner, &path, false, &doc));
                let writes = Self::write_fields(inner, REQUEST_RESERVED);
                out.push(quote! {
                    impl #rt::ParamValue for #name {
                        #[inline]
                        fn write_param(&self, w: &mut #rt::ParamWriter<'_>) {
                            #writes
                        }
                    }
                });
                out.extend(self.nested_structs(inner, &path));
            }
        }
        out
    }

    /// A struct read from responses: the response itself, or a data model. Its
    /// `Deserialize` is written out (not derived): one call per field into the runtime, which
    /// compiles far faster than serde's derived visitor.
    /// `model` names the data model being generated, `None` for the response; `partial_eq`
    /// adds that derive (for models a request holds).
    fn readable_struct(
        &self,
        name: &Ident,
        fields: &[Field],
        doc: &str,
        model: Option<&str>,
        partial_eq: bool,
    ) -> TokenStream {
        let rt = &self.rt;
        let ids = field_idents(fields, READ_RESERVED);
        let decls = fields.iter().zip(&ids).map(|(f, id)| {
            let mut ty = self.response_type(&f.ty);
            if model.is_some_and(|m| self.models.boxed.contains(&(m.to_owned(), f.name.clone()))) {
                ty = quote!(::std::boxed::Box<#ty>);
            }
            let doc = self.field_doc(f, true);
            let deprecated = Self::deprecated(f);
            quote! {
                #doc
                #deprecated
                pub #id: ::std::option::Option<#ty>,
            }
        });
        let reads = fields.iter().zip(&ids).map(|(f, id)| {
            let wire = &f.name;
            let aliases = &f.aliases;
            quote!(#id: #rt::de::take(&mut map, #wire, &[#(#aliases),*]),)
        });
        let doc = doc_lines(doc);
        let partial_eq = if partial_eq {
            quote!(, PartialEq)
        } else {
            quote!()
        };
        quote! {
            #doc
            // No PartialEq: every derive is compile time for thousands of types, and whole
            // responses are rarely compared; requests keep it.
            #[derive(Debug, Clone, Default #partial_eq)]
            #[non_exhaustive]
            pub struct #name {
                #(#decls)*
                /// Fields the document does not list, as the service sent them.
                pub unknown_fields: #rt::serde_json::Map<::std::string::String, #rt::serde_json::Value>,
            }

            impl #name {
                #[inline]
                fn from_object(mut map: #rt::serde_json::Map<::std::string::String, #rt::serde_json::Value>) -> Self {
                    Self {
                        #(#reads)*
                        unknown_fields: map,
                    }
                }
            }

            impl<'de> #rt::__private::serde::Deserialize<'de> for #name {
                fn deserialize<D: #rt::__private::serde::Deserializer<'de>>(deserializer: D) -> ::std::result::Result<Self, D::Error> {
                    #rt::de::object(deserializer).map(Self::from_object)
                }
            }
        }
    }

    fn model(&self, model: &Model) -> TokenStream {
        let rt = &self.rt;
        let name = &self.names.models[&model.name];
        let doc = format!("The data model `{}` of `{}`.", model.name, self.action.name);
        let in_request = self.models.in_request.contains(&model.name);
        let body = self.readable_struct(name, &model.fields, &doc, Some(&model.name), in_request);
        let writer = if in_request {
            let writes = Self::write_fields(&model.fields, READ_RESERVED);
            quote! {
                impl #rt::ParamValue for #name {
                    #[inline]
                    fn write_param(&self, w: &mut #rt::ParamWriter<'_>) {
                        #writes
                    }
                }
            }
        } else {
            quote!()
        };
        quote! {
            #body
            impl #rt::de::Lenient for #name {
                #[inline]
                fn from_json(value: #rt::serde_json::Value) -> ::std::option::Option<Self> {
                    match value {
                        #rt::serde_json::Value::Object(map) => ::std::option::Option::Some(Self::from_object(map)),
                        _ => ::std::option::Option::None,
                    }
                }
            }
            #writer
        }
    }

    fn call_type(&self) -> TokenStream {
        let a = self.action;
        let n = &self.names;
        let rt = &self.rt;
        let (request, response, call) = (&n.request, &n.response, &n.call);
        let setters = a
            .request
            .iter()
            .zip(field_idents(&a.request, REQUEST_RESERVED))
            .filter(|(f, _)| !Self::is_required(f, true))
            .map(|(f, id)| {
                let ty = match f.ty {
                    Type::String => quote!(&str),
                    _ => self.request_type(&f.ty, std::slice::from_ref(&f.name)),
                };
                let doc = format!(" Sets `{}`.", f.name);
                let deprecated = Self::deprecated(f);
                quote! {
                    #[doc = #doc] #deprecated
                    #[inline]
                    pub fn #id(mut self, value: #ty) -> Self {
                        self.request = self.request.#id(value);
                        self
                    }
                }
            });
        let doc = format!(
            " `{}` ready to send: set optional fields, then `.send().await`.",
            a.name
        );
        quote! {
            #[doc = #doc]
            #[derive(Debug, Clone)]
            #[must_use = "a call does nothing until it is sent"]
            pub struct #call<'a> {
                client: &'a #rt::Client,
                request: #request,
            }

            impl<'a> #call<'a> {
                /// The call of `request` on `client`.
                #[inline]
                pub fn new(client: &'a #rt::Client, request: #request) -> Self {
                    Self { client, request }
                }
                #(#setters)*
                /// Sends the request.
                /// Not an `async fn` on purpose: it hands over the runtime's future, so the SDK
                /// compiles nothing per action for calls a program never makes.
                #[inline]
                pub fn send(
                    self,
                ) -> impl ::std::future::Future<Output = ::std::result::Result<#response, #rt::Error>>
                + ::std::marker::Send
                + 'a {
                    self.client.send(self.request)
                }
                /// The request, to send later or elsewhere.
                #[inline]
                pub fn into_request(self) -> #request {
                    self.request
                }
            }
        }
    }
}

struct Required {
    ident: Ident,
    param_ty: TokenStream,
    convert: TokenStream,
}

fn child(parent: &[String], name: &str) -> Vec<String> {
    let mut path = parent.to_vec();
    path.push(name.to_owned());
    path
}

fn serde_json_pretty(value: &serde_json::Value) -> String {
    serde_json::to_string_pretty(value).unwrap_or_default()
}
