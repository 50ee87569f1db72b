//! The prepare stage: everything about a call that is the same for every attempt. The
//! request's own parameters are written, the configuration's defaults filled in, the
//! parameters signed, and the body encoded once (`docs/protocol.md`, "Signature").

use dezai_spec::protocol::{ConfigParam, RESERVED_PARAMETERS};

use crate::action::{Action, ConfigParams, Takes};
use crate::call_options::CallOptions;
use crate::config::{BodyEncoding, Config};
use crate::error::Error;
use crate::form;
use crate::params::{ParamWriter, Params};
use crate::redact::RedactedParams;
use crate::signer;

/// The parameter that carries a security token (one of the protocol's reserved parameters).
const SECURITY_TOKEN: &str = "SecurityToken";

/// An action's constants, as [`Action`] declares them.
pub(crate) struct Facts {
    pub(crate) name: &'static str,
    pub(crate) service: &'static str,
    pub(crate) config_params: ConfigParams,
    pub(crate) idempotent: Option<bool>,
}

impl Facts {
    pub(crate) fn of<A: Action>() -> Self {
        Self {
            name: A::NAME,
            service: A::SERVICE,
            config_params: A::CONFIG_PARAMS,
            idempotent: A::IDEMPOTENT,
        }
    }
}

/// [`Action::write_params`] as a trait object, so that encoding is compiled once.
pub(crate) trait WriteParams {
    fn write_to(&self, w: &mut ParamWriter<'_>);
}

impl<A: Action> WriteParams for A {
    fn write_to(&self, w: &mut ParamWriter<'_>) {
        self.write_params(w);
    }
}

/// What a call needs to know about its action.
pub(crate) struct Call<'a> {
    pub(crate) action: &'a str,
    /// The action's product, when known (typed calls): empty otherwise.
    pub(crate) service: &'a str,
    pub(crate) config_params: ConfigParams,
    pub(crate) idempotent: bool,
    /// What the request's writer could not write (a non-finite float, say).
    pub(crate) problems: Vec<String>,
}

impl<'a> Call<'a> {
    /// A typed request's call and its parameters.
    pub(crate) fn typed(
        config: &Config,
        facts: Facts,
        request: &dyn WriteParams,
    ) -> (Self, Params) {
        // Room for a typical request plus the parameters the runtime adds, so the buffers
        // are not regrown during the call.
        let mut params = Params::with_capacity(24, 512);
        let mut writer = ParamWriter::new(&mut params);
        request.write_to(&mut writer);
        let problems = writer.into_problems();
        let idempotent = facts
            .idempotent
            .unwrap_or_else(|| config.retry.is_idempotent(facts.name));
        let call = Call {
            action: facts.name,
            service: facts.service,
            config_params: facts.config_params,
            idempotent,
            problems,
        };
        (call, params)
    }

    /// A call of an action by name, which the SDK may not know (`invoke`).
    pub(crate) fn generic(config: &Config, action: &'a str) -> Self {
        Call {
            action,
            service: "",
            config_params: ConfigParams::GENERIC,
            idempotent: config.retry.is_idempotent(action),
            problems: Vec::new(),
        }
    }
}

/// A call ready to send.
pub(crate) struct Prepared {
    /// Cheap to clone for each attempt.
    pub(crate) body: bytes::Bytes,
    pub(crate) content_type: &'static str,
    /// The parameters as sent (for logs, redacted).
    pub(crate) params: Params,
}

/// Fills in defaults, signs and encodes: the signature is computed over exactly the
/// parameters that are encoded.
pub(crate) fn prepare(
    config: &Config,
    call: &Call<'_>,
    mut params: Params,
    options: &CallOptions,
) -> Result<Prepared, Error> {
    if !call.problems.is_empty() {
        return Err(Error::invalid(
            call.action,
            format!("cannot send {}", call.problems.join("; ")),
        ));
    }
    let Some(credentials) = &config.credentials else {
        return Err(Error::invalid(
            call.action,
            "no credentials configured: set DEZAI_PUBLIC_KEY and DEZAI_PRIVATE_KEY, a profile in \
             ~/.dezai/credential.json, or Config::builder().credentials(…)",
        ));
    };
    let given = Given::scan(&params);
    fill_config_params(config, call, &mut params, options, given.config)?;
    // A token passed as a parameter (how the Python SDK's users pass it) is sent and signed,
    // unless it contradicts the configured one: never dropped silently.
    let token = match (given.token, credentials.security_token()) {
        (Some(given), Some(configured)) if given != configured.expose() => {
            return Err(Error::invalid(
                call.action,
                "a SecurityToken parameter was given that differs from the configured security \
                 token; pass one or the other",
            ));
        }
        (Some(given), _) => Some(given),
        (None, configured) => configured.map(|t| t.expose().to_owned()),
    };
    if given.reserved {
        // The runtime sets these itself; a caller's copy would be sent twice.
        for reserved in RESERVED_PARAMETERS {
            params.remove(reserved);
        }
    }
    params.push("Action", call.action);
    params.push("PublicKey", credentials.public_key());
    if let Some(token) = &token {
        params.push(SECURITY_TOKEN, token);
    }
    params.sort();
    let signature = signer::sign_sorted(&params, credentials.private_key());
    params.push("Signature", signature.as_str());
    let (body, content_type) = encode(config.encoding, &params);
    Ok(Prepared {
        body: bytes::Bytes::from(body),
        content_type,
        params,
    })
}

/// What the request's own parameters hold that the runtime decides on, found in one pass:
/// which configuration parameters it sets (in [`ConfigParam::ALL`]'s order), the first
/// `SecurityToken`, and whether it names any parameter the runtime sets itself.
struct Given {
    config: [bool; ConfigParam::ALL.len()],
    token: Option<String>,
    reserved: bool,
}

impl Given {
    fn scan(params: &Params) -> Self {
        let mut given = Given {
            config: [false; ConfigParam::ALL.len()],
            token: None,
            reserved: false,
        };
        for (name, value) in params.iter() {
            if let Some(at) = ConfigParam::ALL.iter().position(|p| p.wire_name() == name) {
                given.config[at] = true;
            } else if RESERVED_PARAMETERS.contains(&name) {
                given.reserved = true;
                if name == SECURITY_TOKEN && given.token.is_none() {
                    given.token = Some(value.to_owned());
                }
            }
        }
        given
    }
}

/// `Region`, `Zone` and `ProjectId`: the request's own value (`given`, in
/// [`ConfigParam::ALL`]'s order), else this call's setting, else the configuration's; an action
/// that requires one with none of them set is a local error.
fn fill_config_params(
    config: &Config,
    call: &Call<'_>,
    params: &mut Params,
    options: &CallOptions,
    given: [bool; ConfigParam::ALL.len()],
) -> Result<(), Error> {
    let generic = call.config_params == ConfigParams::GENERIC;
    for (param, given) in ConfigParam::ALL.into_iter().zip(given) {
        let name = param.wire_name();
        let takes = call.config_params.takes(param);
        // `invoke` knows nothing of the action: a value set for this call is sent anyway, as
        // the caller asked.
        let asked = generic && options.sets(param);
        if (takes == Takes::No && !asked) || given {
            continue;
        }
        match options.param_in(config, param) {
            Some(value) => params.push(name, value),
            None if takes == Takes::Required => {
                return Err(Error::invalid(
                    call.action,
                    format!(
                        "{name} is required: set it on the request or configure a default ({})",
                        param.env_var()
                    ),
                ));
            }
            None => {}
        }
    }
    Ok(())
}

/// The body of the signed parameters, and its content type.
fn encode(encoding: BodyEncoding, params: &Params) -> (Vec<u8>, &'static str) {
    match encoding {
        BodyEncoding::Form => {
            // Escaping rarely grows a body by more than a quarter.
            let capacity = params.text_len() + params.text_len() / 4 + 2 * params.len();
            let body = form::encode_pairs(params.byte_pairs(), capacity);
            (body, "application/x-www-form-urlencoded")
        }
        BodyEncoding::Json => {
            // An object of the same flat parameters, values as strings, written straight from
            // the parameter list.
            struct AsObject<'a>(&'a Params);
            impl serde::Serialize for AsObject<'_> {
                fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                    s.collect_map(self.0.iter())
                }
            }
            let body = serde_json::to_vec(&AsObject(params)).unwrap_or_default();
            (body, "application/json")
        }
    }
}

/// A call encoded for sending: see [`Client::encode`](crate::Client::encode). `Debug` masks
/// the signature and other secrets.
pub struct EncodedRequest {
    pub(crate) url: String,
    pub(crate) prepared: Prepared,
}

impl EncodedRequest {
    /// The URL the request is posted to.
    pub fn url(&self) -> &str {
        &self.url
    }
    /// The body, exactly as sent (it holds the signature and any security token).
    pub fn body(&self) -> &str {
        // The body was built from a String; only the type changed.
        std::str::from_utf8(&self.prepared.body).unwrap_or_default()
    }
    /// The Content-Type header.
    pub fn content_type(&self) -> &str {
        self.prepared.content_type
    }
    /// The parameters as sent, sorted by name, signature last.
    pub fn params(&self) -> &Params {
        &self.prepared.params
    }

    /// The body as it would be sent (form-encoded), with the public key, the signature, the
    /// security token and every password-like value replaced by `***`: safe to print.
    pub fn redacted_body(&self) -> String {
        let body = form::encode_pairs(
            self.prepared.params.iter().map(|(name, value)| {
                let hidden = name == "PublicKey" || crate::redact::is_sensitive(name);
                let value = if hidden { "***" } else { value };
                (name.as_bytes(), value.as_bytes())
            }),
            0,
        );
        // Form encoding writes ASCII only.
        String::from_utf8(body).unwrap_or_default()
    }
}

impl std::fmt::Debug for EncodedRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EncodedRequest")
            .field("url", &self.url)
            .field("content_type", &self.prepared.content_type)
            .field("params", &RedactedParams(&self.prepared.params).to_string())
            .finish()
    }
}
