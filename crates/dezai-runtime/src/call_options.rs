//! Settings for one call that override the client's configuration for that call only:
//! `.customize(CallOptions::new().timeout(…))` on a generated call, or
//! [`Client::send_with`](crate::client::Client::send_with) and
//! [`Client::invoke_with`](crate::client::Client::invoke_with). The override rule (the request beats the
//! call, the call beats the configuration) is applied in one place, `crate::prepare`.

use std::time::Duration;

use dezai_spec::protocol::ConfigParam;

use crate::config::Config;

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
/// [`Config`]: crate::config::Config
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct CallOptions {
    pub(crate) timeout: Option<Duration>,
    pub(crate) operation_timeout: Option<Duration>,
    pub(crate) max_attempts: Option<u32>,
    pub(crate) region: Option<String>,
    pub(crate) zone: Option<String>,
    pub(crate) project_id: Option<String>,
    pub(crate) service: Option<String>,
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

    /// The product the action belongs to (`udb`), for a call by name
    /// ([`Client::invoke_with`](crate::client::Client::invoke_with)): its span is then named
    /// `<product>.<Action>` with `rpc.service`, as a typed call's is from
    /// [`Action::SERVICE`](crate::action::Action::SERVICE), which wins over this. Nothing is
    /// sent: the request is the same.
    pub fn service(mut self, product: &str) -> Self {
        self.service = Some(product.to_owned());
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

    /// The product set for this call, if any.
    pub fn get_service(&self) -> Option<&str> {
        self.service.as_deref()
    }

    /// The value of a parameter the configuration fills in for this call: this call's setting,
    /// else the configuration's default. (A value on the request itself beats both: `prepare`
    /// sends it and asks nothing here.)
    pub(crate) fn param_in<'a>(
        &'a self,
        config: &'a Config,
        param: ConfigParam,
    ) -> Option<&'a str> {
        let per_call = match param {
            ConfigParam::Region => self.get_region(),
            ConfigParam::Zone => self.get_zone(),
            ConfigParam::ProjectId => self.get_project_id(),
        };
        per_call.or_else(|| config.default_for(param))
    }

    /// Whether this call sets a parameter the configuration fills in.
    pub(crate) fn sets(&self, param: ConfigParam) -> bool {
        match param {
            ConfigParam::Region => self.region.is_some(),
            ConfigParam::Zone => self.zone.is_some(),
            ConfigParam::ProjectId => self.project_id.is_some(),
        }
    }

    /// The timeout of each attempt: this call's, else the configuration's.
    pub(crate) fn timeout_in(&self, config: &Config) -> Duration {
        self.timeout.unwrap_or(config.timeout)
    }

    /// The limit on the whole call: this call's, else the configuration's.
    pub(crate) fn operation_timeout_in(&self, config: &Config) -> Duration {
        self.operation_timeout.unwrap_or(config.operation_timeout)
    }

    /// Attempts in all: this call's, else the retry policy's.
    pub(crate) fn max_attempts_in(&self, config: &Config) -> u32 {
        self.max_attempts.unwrap_or(config.retry.max_attempts)
    }
}
