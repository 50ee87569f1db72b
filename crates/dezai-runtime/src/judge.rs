//! The judge: what one attempt's reply means. A 2xx JSON object with `RetCode` 0 is an
//! [`Answer`]; anything else is a [`Failure`] with its [`Class`], the error the caller sees if
//! it is the last word. Whether a failure is retried is not decided here but in
//! [`crate::retry`], from the class.

use serde_json::Value;
use tracing::trace;

use crate::error::{Error, ErrorKind};
use crate::failure::{Class, Failure};
use crate::redact::redact_json;
use crate::response::AnswerEnvelope;
use crate::transport::ApiReply;

/// What a successful call hands to the decoder: the object a server sent without its
/// envelope, the envelope, and the request id.
pub(crate) struct Answer {
    pub(crate) object: serde_json::Map<String, Value>,
    pub(crate) envelope: AnswerEnvelope,
    pub(crate) request_id: Option<String>,
}

/// Judges one reply: its status, then its JSON, then its envelope's `RetCode`. The body is
/// parsed once: the envelope is read from the object the typed response (or `invoke`'s JSON)
/// is then built from.
pub(crate) fn judge(reply: ApiReply, action: &str) -> Result<Answer, Failure> {
    let ApiReply {
        status,
        body,
        request_id,
        retry_after,
        location,
        ..
    } = reply;
    if !(200..300).contains(&status) {
        let mut error = Error::new(ErrorKind::HttpStatus, action)
            .with_status(status)
            .with_request_id(request_id)
            .with_body(&body);
        if let Ok((_, envelope)) = read_answer(&body) {
            if let Some(code) = envelope.ret_code().filter(|c| *c != 0) {
                error = error.with_ret_code(code);
            }
            if let Some(message) = envelope.message() {
                error = error.with_message(message);
            }
        }
        if (300..400).contains(&status) {
            error = error.with_message(format!(
                "the server redirected to {}; redirects are not followed, so the signed \
                 request goes only to the configured host (set the base URL to the new \
                 address if it is right)",
                location
                    .as_deref()
                    .map_or_else(|| "an unnamed location".into(), crate::redact::redact_url)
            ));
        }
        let mut failure = Failure::new(error, Class::Status(status));
        failure.retry_after = retry_after;
        return Err(failure);
    }

    let (object, envelope) = match read_answer(&body) {
        Ok(read) => read,
        Err(e) if e.classify() == serde_json::error::Category::Data => {
            let message = "the response is not a JSON object";
            return Err(Failure::decode(action, status, request_id, &body, message));
        }
        Err(e) => {
            let message = format!("the response is not JSON: {e}");
            return Err(Failure::decode(action, status, request_id, &body, &message));
        }
    };
    if tracing::enabled!(tracing::Level::TRACE) {
        let mut whole = object.clone();
        envelope.clone().restore(&mut whole);
        let whole = Value::Object(whole);
        trace!(body = %redact_json(&whole), "response body");
    }
    match envelope.ret_code() {
        Some(0) => Ok(Answer {
            object,
            envelope,
            request_id,
        }),
        Some(code) => {
            let mut error = Error::new(ErrorKind::Api, action)
                .with_ret_code(code)
                .with_status(status)
                .with_request_id(request_id);
            if let Some(message) = envelope.message() {
                error = error.with_message(message);
            }
            let mut failure = Failure::new(error, Class::RetCode(code));
            failure.retry_after = retry_after;
            Err(failure)
        }
        None => Err(Failure::decode(
            action,
            status,
            request_id,
            &body,
            "the response has no RetCode",
        )),
    }
}

/// Reads an answer's JSON object in one pass, the envelope's values apart: their keys are
/// borrowed from the body and never allocated (a typed response does not keep them). Other
/// members are kept as a `Value` object; a key written twice keeps its last value, as
/// serde_json's own reading does. A body that is JSON but not an object is a `Data` error.
fn read_answer(
    body: &[u8],
) -> Result<(serde_json::Map<String, Value>, AnswerEnvelope), serde_json::Error> {
    use serde::de::{Deserializer, MapAccess, Visitor};
    use std::borrow::Cow;

    /// A key, borrowed from the body when it has no escapes.
    struct Key<'de>(Cow<'de, str>);

    impl<'de> serde::Deserialize<'de> for Key<'de> {
        fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
            struct KeyVisitor;
            impl<'de> Visitor<'de> for KeyVisitor {
                type Value = Key<'de>;
                fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                    f.write_str("a key")
                }
                fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Key<'de>, E> {
                    Ok(Key(Cow::Borrowed(v)))
                }
                fn visit_str<E>(self, v: &str) -> Result<Key<'de>, E> {
                    Ok(Key(Cow::Owned(v.to_owned())))
                }
                fn visit_string<E>(self, v: String) -> Result<Key<'de>, E> {
                    Ok(Key(Cow::Owned(v)))
                }
            }
            deserializer.deserialize_str(KeyVisitor)
        }
    }

    struct AnswerVisitor;
    impl<'de> Visitor<'de> for AnswerVisitor {
        type Value = (serde_json::Map<String, Value>, AnswerEnvelope);
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("a JSON object")
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
            let mut object = serde_json::Map::new();
            let mut envelope = AnswerEnvelope::default();
            while let Some(Key(key)) = map.next_key()? {
                let value: Value = map.next_value()?;
                match envelope.slot(&key) {
                    Some(slot) => *slot = Some(value),
                    None => {
                        object.insert(key.into_owned(), value);
                    }
                }
            }
            Ok((object, envelope))
        }
    }

    fn whole<'de, R: serde_json::de::Read<'de>>(
        mut deserializer: serde_json::Deserializer<R>,
    ) -> Result<(serde_json::Map<String, Value>, AnswerEnvelope), serde_json::Error> {
        let read = deserializer.deserialize_map(AnswerVisitor)?;
        deserializer.end()?;
        Ok(read)
    }

    // Checked as UTF-8 once, the whole body, instead of string by string while parsing (a
    // tenth of the answer's reading); bytes that are not UTF-8 get serde_json's own error.
    match std::str::from_utf8(body) {
        Ok(text) => whole(serde_json::Deserializer::from_str(text)),
        Err(_) => whole(serde_json::Deserializer::from_slice(body)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_read_the_same_whether_checked_as_text_or_as_bytes() {
        let body = r#"{"RetCode": 0, "Action": "XResponse", "Name": "中文\n\u00e9", "N": 1}"#;
        let (object, envelope) = read_answer(body.as_bytes()).unwrap();
        assert_eq!(object["Name"], "中文\né");
        assert_eq!(object["N"], 1);
        assert!(!object.contains_key("RetCode"), "the envelope is apart");
        assert_eq!(envelope.ret_code(), Some(0));

        // Not UTF-8 inside a string: an error, as serde_json reports it, never a panic.
        let mut bad = br#"{"RetCode": 0, "Name": "x"}"#.to_vec();
        bad[24] = 0xFF;
        let error = read_answer(&bad).unwrap_err();
        assert!(error.to_string().contains("invalid unicode"), "{error}");
        assert!(read_answer(b"[1]").is_err(), "not an object");
    }
}
