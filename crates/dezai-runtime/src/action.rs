//! The trait generated request types implement: everything the runtime needs to know about an
//! action, and nothing it can work out by itself.

use dezai_spec::protocol::ConfigParam;

use crate::params::ParamWriter;
use crate::response::Response;

/// Whether an action takes one of the parameters the configuration can fill in (`Region`,
/// `Zone`, `ProjectId`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Takes {
    /// The action does not document it; the runtime never adds it.
    No,
    /// Documented as optional: filled from the configuration when the request leaves it unset.
    Optional,
    /// Documented as required: filled from the configuration when the request leaves it unset,
    /// and a local invalid-request error (no network call) when neither sets it.
    Required,
}

/// How an action takes `Region`, `Zone` and `ProjectId`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConfigParams {
    /// `Region`.
    pub region: Takes,
    /// `Zone`.
    pub zone: Takes,
    /// `ProjectId`.
    pub project_id: Takes,
}

impl ConfigParams {
    /// What actions outside the spec get ([`crate::Client::invoke`]): `Region` and `ProjectId`
    /// filled in when configured, `Zone` left alone.
    pub const GENERIC: Self = Self {
        region: Takes::Optional,
        zone: Takes::No,
        project_id: Takes::Optional,
    };

    /// How the action takes `param`.
    pub(crate) fn takes(&self, param: ConfigParam) -> Takes {
        match param {
            ConfigParam::Region => self.region,
            ConfigParam::Zone => self.zone,
            ConfigParam::ProjectId => self.project_id,
        }
    }
}

/// One API action's request.
///
/// Generated code implements this for each request type; the runtime does the rest
/// (configuration defaults, signing, encoding, sending, retrying, decoding).
///
/// ```
/// use dezai_runtime::{Action, ConfigParams, ParamWriter, Takes};
///
/// struct DescribeThing { id: String, limit: Option<i64> }
///
/// #[derive(serde::Deserialize)]
/// struct DescribeThingResponse { #[serde(rename = "Total")] total: Option<i64> }
/// impl dezai_runtime::Response for DescribeThingResponse {}
///
/// impl Action for DescribeThing {
///     const NAME: &'static str = "DescribeThing";
///     const CONFIG_PARAMS: ConfigParams =
///         ConfigParams { region: Takes::Required, zone: Takes::No, project_id: Takes::Optional };
///     type Response = DescribeThingResponse;
///     fn write_params(&self, w: &mut ParamWriter<'_>) {
///         w.field("Id", &self.id);
///         w.field("Limit", &self.limit);
///     }
/// }
/// ```
pub trait Action: Send {
    /// The `Action` parameter.
    const NAME: &'static str;
    /// The product the action belongs to (`udb`), as its documents name it: the call span is
    /// named `<service>.<NAME>`. Empty when unknown.
    const SERVICE: &'static str = "";
    /// Which configuration parameters the action takes.
    const CONFIG_PARAMS: ConfigParams = ConfigParams::GENERIC;
    /// Whether the action may be retried after the request may have reached the server.
    /// `None` (the default) decides by name with the retry policy's list of prefixes of
    /// actions that create or change things (`Create…`, `Allocate…`, …).
    const IDEMPOTENT: Option<bool> = None;
    /// The typed response.
    type Response: Response;

    /// Writes the request's own parameters (not `Action`, `PublicKey` or `Signature`).
    fn write_params(&self, w: &mut ParamWriter<'_>);
}
