//! Settings for one call that override the client's configuration for that call only:
//! `.customize(CallOptions::new().timeout(…))` on a generated call, or
//! [`Client::send_with`](crate::Client::send_with) and
//! [`Client::invoke_with`](crate::Client::invoke_with); and [`Bound`], what makes a generated
//! request a call on a client.

use std::time::Duration;

use dezai_spec::protocol::ConfigParam;

use crate::client::Client;

/// A client and one call's settings: the type parameter of a generated request that is a call
/// (`…Request<Bound<'a>>`, named `…Call<'a>`), so that one set of setters serves both the
/// request value and the fluent call.
#[derive(Debug, Clone)]
pub struct Bound<'a> {
    client: &'a Client,
    options: CallOptions,
}

impl<'a> Bound<'a> {
    /// A call on `client`, with no per-call settings yet.
    pub fn new(client: &'a Client) -> Self {
        Self {
            client,
            options: CallOptions::default(),
        }
    }

    /// The client the call goes through.
    pub fn client(&self) -> &'a Client {
        self.client
    }

    /// The call's settings.
    pub fn options(&self) -> &CallOptions {
        &self.options
    }

    /// Replaces the call's settings.
    pub fn set_options(&mut self, options: CallOptions) {
        self.options = options;
    }

    /// The client and the settings.
    pub fn into_parts(self) -> (&'a Client, CallOptions) {
        (self.client, self.options)
    }
}

/// Overrides for one call; every setting left unset comes from the client's [`Config`].
///
/// `region`, `zone` and `project_id` replace the configured defaults for this call. A value
/// set on the request itself (`.region("cn-sh2")` on a typed request, or a `Region`
/// parameter) is more specific and wins over both.
///
/// ```
/// use std::time::Duration;
/// use dezai_runtime::CallOptions;
///
/// let options = CallOptions::new()
///     .timeout(Duration::from_secs(2))
///     .max_attempts(1)
///     .region("cn-sh2");
/// assert_eq!(options.get_max_attempts(), Some(1));
/// ```
///
/// [`Config`]: crate::Config
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct CallOptions {
    pub(crate) timeout: Option<Duration>,
    pub(crate) operation_timeout: Option<Duration>,
    pub(crate) max_attempts: Option<u32>,
    pub(crate) region: Option<String>,
    pub(crate) zone: Option<String>,
    pub(crate) project_id: Option<String>,
}

impl CallOptions {
    /// No overrides: the call runs as the client is configured.
    pub fn new() -> Self {
        Self::default()
    }

    /// The timeout of each attempt of this call, response body included.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// The timeout of the whole call, retries and backoff included.
    pub fn operation_timeout(mut self, timeout: Duration) -> Self {
        self.operation_timeout = Some(timeout);
        self
    }

    /// How many attempts this call may make (1: no retry). Zero counts as one.
    pub fn max_attempts(mut self, attempts: u32) -> Self {
        self.max_attempts = Some(attempts.max(1));
        self
    }

    /// The region of this call, instead of the configured one.
    pub fn region(mut self, region: &str) -> Self {
        self.region = Some(region.to_owned());
        self
    }

    /// The zone of this call, instead of the configured one.
    pub fn zone(mut self, zone: &str) -> Self {
        self.zone = Some(zone.to_owned());
        self
    }

    /// The project of this call, instead of the configured one.
    pub fn project_id(mut self, project_id: &str) -> Self {
        self.project_id = Some(project_id.to_owned());
        self
    }

    /// The attempt timeout set for this call, if any.
    pub fn get_timeout(&self) -> Option<Duration> {
        self.timeout
    }

    /// The operation timeout set for this call, if any.
    pub fn get_operation_timeout(&self) -> Option<Duration> {
        self.operation_timeout
    }

    /// The attempt limit set for this call, if any.
    pub fn get_max_attempts(&self) -> Option<u32> {
        self.max_attempts
    }

    /// The region set for this call, if any.
    pub fn get_region(&self) -> Option<&str> {
        self.region.as_deref()
    }

    /// The zone set for this call, if any.
    pub fn get_zone(&self) -> Option<&str> {
        self.zone.as_deref()
    }

    /// The project set for this call, if any.
    pub fn get_project_id(&self) -> Option<&str> {
        self.project_id.as_deref()
    }

    /// The value of a parameter the configuration fills in, set for this call.
    pub(crate) fn value_for(&self, param: ConfigParam) -> Option<&str> {
        match param {
            ConfigParam::Region => self.get_region(),
            ConfigParam::Zone => self.get_zone(),
            ConfigParam::ProjectId => self.get_project_id(),
        }
    }
}
