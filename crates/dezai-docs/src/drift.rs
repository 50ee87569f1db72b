//! Where a document's examples disagree with its tables. Tables are the contract and examples
//! illustrate, so nothing here fails a document: each disagreement becomes a
//! [`dezai_spec::Warning`] resolved as its [`dezai_spec::WarningKind`] documents.

mod request;
mod response;

pub(crate) use request::check_request_example;
pub(crate) use response::check_response_example;
