//! What every response carries besides its own fields: the envelope (`RetCode`, `Action`,
//! `Message`) and the request id the server gave the call. Generated responses keep these
//! out of the way, behind `meta()`, so that reading a response means reading its data.

use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

/// The envelope of a response and the call's request id: `response.meta()`.
///
/// On a successful call `ret_code()` is `Some(0)`; failed calls never produce a response
/// (they are an [`Error`](crate::error::Error), which carries the same facts).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct ResponseMeta {
    ret_code: Option<i64>,
    action: Option<String>,
    message: Option<String>,
    request_id: Option<String>,
}

impl ResponseMeta {
    /// The envelope fields taken out of a response object; what is left is the response's
    /// own data.
    pub fn take(map: &mut Map<String, Value>) -> Self {
        Self {
            ret_code: crate::de::take(map, "RetCode", &[]),
            action: crate::de::take(map, "Action", &[]),
            message: crate::de::take(map, "Message", &[]),
            request_id: None,
        }
    }

    /// `RetCode`: 0 for success.
    pub fn ret_code(&self) -> Option<i64> {
        self.ret_code
    }

    /// `Action`: the action's name with `Response` appended, as the service writes it.
    pub fn action(&self) -> Option<&str> {
        self.action.as_deref()
    }

    /// `Message`, which successful responses rarely carry.
    pub fn message(&self) -> Option<&str> {
        self.message.as_deref()
    }

    /// The request id the server gave the call (from the `X-UCloud-Request-UUID`,
    /// `X-Dezai-Request-Id` or `X-Request-Id` header), for support requests and logs.
    pub fn request_id(&self) -> Option<&str> {
        self.request_id.as_deref()
    }

    /// Sets `RetCode`, for test doubles.
    pub fn with_ret_code(mut self, code: i64) -> Self {
        self.ret_code = Some(code);
        self
    }

    /// Sets the request id, for test doubles.
    pub fn with_request_id(mut self, id: &str) -> Self {
        self.request_id = Some(id.to_owned());
        self
    }

    /// Records the request id a server gave the call; `None` keeps the one there is.
    pub fn set_request_id(&mut self, id: Option<String>) {
        if id.is_some() {
            self.request_id = id;
        }
    }
}

/// The envelope of an answer (`RetCode`, `Action`, `Message`: the protocol's
/// [`dezai_spec::ENVELOPE_FIELDS`], in that order) as the server sent it, read apart from the
/// rest of the object so that a typed response does not pay for their keys:
/// [`Response::from_parts`] gets both. Built by the runtime only.
#[derive(Debug, Clone, Default)]
pub struct AnswerEnvelope {
    values: [Option<Value>; 3],
}

impl AnswerEnvelope {
    /// Where the value of `key` is kept, when `key` is an envelope field.
    pub(crate) fn slot(&mut self, key: &str) -> Option<&mut Option<Value>> {
        let at = dezai_spec::ENVELOPE_FIELDS
            .iter()
            .position(|name| *name == key)?;
        self.values.get_mut(at)
    }

    /// `RetCode`, read leniently.
    pub(crate) fn ret_code(&self) -> Option<i64> {
        use crate::de::Lenient;
        self.values[0].clone().and_then(i64::from_json)
    }

    /// `Message`, read leniently.
    pub(crate) fn message(&self) -> Option<String> {
        use crate::de::Lenient;
        self.values[2].clone().and_then(String::from_json)
    }

    /// The envelope read leniently, with the call's request id: a typed response's `meta()`.
    pub fn into_meta(self, request_id: Option<String>) -> ResponseMeta {
        use crate::de::Lenient;
        let [ret_code, action, message] = self.values;
        ResponseMeta {
            ret_code: ret_code.and_then(i64::from_json),
            action: action.and_then(String::from_json),
            message: message.and_then(String::from_json),
            request_id,
        }
    }

    /// Puts the envelope back into the object, as the server sent it.
    pub fn restore(self, object: &mut Map<String, Value>) {
        for (key, value) in dezai_spec::ENVELOPE_FIELDS.iter().zip(self.values) {
            if let Some(value) = value {
                object.insert((*key).to_owned(), value);
            }
        }
    }
}

/// A typed response: what [`Action::Response`](crate::Action::Response) must be. Generated
/// responses implement it; a hand-written response type needs only `impl Response for T {}`.
pub trait Response: DeserializeOwned + Send + 'static {
    /// The response read from the JSON object the service sent, which the client has already
    /// parsed (to check the envelope). Generated responses read their fields straight out of
    /// it; the default goes through `Deserialize`.
    fn from_json_object(object: Map<String, Value>) -> Result<Self, serde_json::Error> {
        serde_json::from_value(Value::Object(object))
    }

    /// The response's envelope and request id, if the type keeps them. The runtime records
    /// the request id here after a call.
    fn meta_mut(&mut self) -> Option<&mut ResponseMeta> {
        None
    }

    /// The response of a call to `action`: the object the server sent and the request id it
    /// gave. The default reads through [`Response::from_json_object`] and records the request
    /// id through [`Response::meta_mut`].
    fn from_answer(
        action: &'static str,
        object: Map<String, Value>,
        request_id: Option<String>,
    ) -> Result<Self, crate::error::Error>
    where
        Self: Sized,
    {
        match Self::from_json_object(object) {
            Ok(mut response) => {
                if let Some(meta) = response.meta_mut() {
                    meta.set_request_id(request_id);
                }
                Ok(response)
            }
            Err(e) => Err(crate::error::Error::decode_response(action, &e, request_id)),
        }
    }

    /// The response of a call to `action` from the answer's parts: the object without its
    /// envelope, the envelope, and the request id. What the runtime calls; the default puts
    /// the envelope back and goes through [`Response::from_answer`]. Generated responses
    /// override it and take their `meta()` from the envelope, so that the envelope's keys are
    /// never allocated.
    fn from_parts(
        action: &'static str,
        mut object: Map<String, Value>,
        envelope: AnswerEnvelope,
        request_id: Option<String>,
    ) -> Result<Self, crate::error::Error>
    where
        Self: Sized,
    {
        envelope.restore(&mut object);
        Self::from_answer(action, object, request_id)
    }
}

/// What [`Client::invoke`](crate::Client::invoke) returns, and what a mock rule for an action
/// by name answers with.
impl Response for serde_json::Value {
    fn from_json_object(object: Map<String, Value>) -> Result<Self, serde_json::Error> {
        Ok(Value::Object(object))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The envelope read apart is the protocol's envelope, every field of it.
    #[test]
    fn every_envelope_field_has_a_slot() {
        let mut envelope = AnswerEnvelope::default();
        for name in dezai_spec::ENVELOPE_FIELDS {
            assert!(envelope.slot(name).is_some(), "{name}");
        }
        assert!(envelope.slot("Data").is_none());
        // The readers find each field where the protocol's order puts it.
        *envelope.slot("RetCode").unwrap() = Some(Value::from("7"));
        *envelope.slot("Message").unwrap() = Some(Value::from("m"));
        *envelope.slot("Action").unwrap() = Some(Value::from("XResponse"));
        assert_eq!(envelope.ret_code(), Some(7));
        assert_eq!(envelope.message().as_deref(), Some("m"));
        let meta = envelope.into_meta(None);
        assert_eq!(meta.action(), Some("XResponse"));
    }
}
