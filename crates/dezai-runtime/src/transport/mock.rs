//! The mock as a transport: each attempt is answered by the first matching rule, after the
//! rule's delay (which the attempt timeout watches like a slow server's).

use super::{Exchange, Payload, Transport};
use crate::error::{Error, ErrorKind};
use crate::judge::{Class, Failure};
use crate::mock::{Mock, Reply};
use crate::prepare::Prepared;

impl Transport for Mock {
    async fn exchange(&self, request: &Prepared, action: &str) -> Result<Exchange, Failure> {
        let Some((reply, delay)) = self.answer(action, &request.params) else {
            let error = Error::new(ErrorKind::Transport, action)
                .with_message("the mock has no answer for this action (add a rule with mock.on…)");
            let mut failure = Failure::new(error, Class::Unanswered);
            failure.never_sent = true;
            return Err(failure);
        };
        if !delay.is_zero() {
            tokio::time::sleep(delay).await;
        }
        // A typed answer was never a server's: it has no request id.
        let (status, payload, request_id) = match reply {
            Reply::Typed(typed) => (200, Payload::Decoded(typed), None),
            Reply::Json(value) => {
                let body = bytes::Bytes::from(value.to_string());
                (200, Payload::Bytes(body), Some(self.request_id()))
            }
            Reply::Status(status) => (
                status,
                Payload::Bytes(bytes::Bytes::new()),
                Some(self.request_id()),
            ),
        };
        Ok(Exchange {
            status,
            request_id,
            retry_after: None,
            location: None,
            payload,
        })
    }
}

impl Mock {
    /// The request id of the latest request, as a server would give one.
    fn request_id(&self) -> String {
        format!("mock-{}", self.request_count())
    }
}
