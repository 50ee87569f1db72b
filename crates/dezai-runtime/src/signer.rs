//! The signature: lower-case hex SHA-1 over every sent parameter (sorted by name, `name` +
//! `value` concatenated without separators or escaping) followed by the private key.

use sha1::{Digest, Sha1};

use crate::credentials::Secret;
use crate::params::Params;

/// Signs parameters that are already sorted by name (byte order) and hold everything that will
/// be sent except `Signature`. The hex digits are returned on the stack: the caller copies
/// them into the parameters, so signing allocates nothing.
pub(crate) fn sign_sorted(params: &Params, private_key: &Secret) -> Hex {
    let mut hasher = Sha1::new();
    for name_and_value in params.joined() {
        hasher.update(name_and_value);
    }
    hasher.update(private_key.expose().as_bytes());
    let digest = hasher.finalize();
    let mut hex = [0u8; 40];
    for (pair, byte) in hex.chunks_exact_mut(2).zip(digest.iter()) {
        const DIGITS: &[u8; 16] = b"0123456789abcdef";
        pair[0] = DIGITS[usize::from(byte >> 4)];
        pair[1] = DIGITS[usize::from(byte & 0xf)];
    }
    Hex(hex)
}

/// A SHA-1 digest as 40 lower-case hex digits.
pub(crate) struct Hex([u8; 40]);

impl Hex {
    pub(crate) fn as_str(&self) -> &str {
        // Only ASCII hex digits were written.
        std::str::from_utf8(&self.0).unwrap_or_default()
    }
}

/// The signature of a parameter set (any order; `Signature` itself is ignored if present).
///
/// ```
/// use dezai_runtime::{Params, Secret, sign};
/// let params: Params = [
///     ("Action", "DescribeThingInstance"),
///     ("Region", "cn-bj2"),
///     ("Limit", "10"),
///     ("PublicKey", "ucloudsomeone@example.com1296235120854146120"),
/// ]
/// .into_iter()
/// .collect();
/// let private = Secret::new("46f09bb9fab4f12dfc160dae12273d5332b5debe");
/// assert_eq!(sign(&params, &private), "985a4ddec855f5712a0249e76d5096d8c3257912");
/// ```
pub fn sign(params: &Params, private_key: &Secret) -> String {
    let mut sorted = params.clone();
    sorted.remove("Signature");
    sorted.sort();
    sign_sorted(&sorted, private_key).as_str().to_owned()
}
