//! The RetCodes the protocol names (`docs/protocol.md`, "RetCodes"), for code that matches on
//! errors and for the emulator that produces them. Codes above 2000 are product-specific.

/// The API timed out (the service gives up after 60 s). Retried.
pub const API_TIMEOUT: i64 = 110;
/// The gateway or the authentication service failed. Retried.
pub const GATEWAY_FAILURE: i64 = 130;
/// The service is unavailable for now. Retried.
pub const SERVICE_UNAVAILABLE: i64 = 150;
/// The request was throttled. Retried, with backoff.
pub const THROTTLED: i64 = 153;
/// The `Action` parameter is missing.
pub const MISSING_ACTION: i64 = 160;
/// The action does not exist.
pub const UNKNOWN_ACTION: i64 = 161;
/// The signature is missing.
pub const MISSING_SIGNATURE: i64 = 170;
/// The signature is wrong.
pub const WRONG_SIGNATURE: i64 = 171;
/// The user (the public key) does not exist.
pub const UNKNOWN_PUBLIC_KEY: i64 = 172;
/// The security token does not exist.
pub const UNKNOWN_TOKEN: i64 = 174;
/// A parameter is missing or has a value of the wrong type (the emulator's, and the
/// service's usual, code); the message names it.
pub const INVALID_PARAMETER: i64 = 230;
/// The project does not exist.
pub const UNKNOWN_PROJECT: i64 = 292;
/// No permission for this zone.
pub const ZONE_NOT_PERMITTED: i64 = 293;
/// The caller's IP address is refused.
pub const IP_REFUSED: i64 = 294;
/// The security-lock check failed.
pub const SECURITY_LOCK: i64 = 295;
/// The IAM permission check failed.
pub const IAM_DENIED: i64 = 299;

/// The codes worth retrying: the service was busy or failed, not the request.
pub const RETRYABLE: [i64; 4] = [API_TIMEOUT, GATEWAY_FAILURE, SERVICE_UNAVAILABLE, THROTTLED];

/// The codes that mean the credentials or permissions are wrong: retrying will not help,
/// fixing the key pair, token, project or policy will.
pub const AUTH: [i64; 9] = [
    MISSING_SIGNATURE,
    WRONG_SIGNATURE,
    UNKNOWN_PUBLIC_KEY,
    UNKNOWN_TOKEN,
    UNKNOWN_PROJECT,
    ZONE_NOT_PERMITTED,
    IP_REFUSED,
    SECURITY_LOCK,
    IAM_DENIED,
];
