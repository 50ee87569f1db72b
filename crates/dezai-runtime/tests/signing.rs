//! The signature: the vectors of docs/protocol.md, the SecurityToken case, and properties over any input.

mod common;

use dezai_runtime::{Params, Secret, sign};
use proptest::prelude::*;

const PUBLIC: &str = "ucloudsomeone@example.com1296235120854146120";
const PRIVATE: &str = "46f09bb9fab4f12dfc160dae12273d5332b5debe";

fn params(pairs: &[(&str, &str)]) -> Params {
    pairs
        .iter()
        .copied()
        .chain([("PublicKey", PUBLIC)])
        .collect()
}

#[test]
fn first_vector() {
    let p = params(&[
        ("Action", "DescribeUHostInstance"),
        ("Region", "cn-bj2"),
        ("Limit", "10"),
    ]);
    assert_eq!(
        sign(&p, &Secret::new(PRIVATE)),
        "cba5cf5ec4d4233d206b1b54951e3787350a642f"
    );
}

#[test]
fn second_vector() {
    let p = params(&[
        ("Action", "CreateUHostInstance"),
        ("Region", "cn-bj2"),
        ("Zone", "cn-bj2-04"),
        ("ImageId", "f43736e1-65a5-4bea-ad2e-8a46e18883c2"),
        ("CPU", "2"),
        ("Memory", "2048"),
        ("DiskSpace", "10"),
        ("LoginMode", "Password"),
        ("Password", "VUNsb3VkLmNu"),
        ("Name", "Host01"),
        ("ChargeType", "Month"),
        ("Quantity", "1"),
    ]);
    assert_eq!(
        sign(&p, &Secret::new(PRIVATE)),
        "4f9ef5df2abab2c6fccd1e9515cb7e2df8c6bb65"
    );
}

#[test]
fn security_token_is_signed_like_any_parameter() {
    let base = [
        ("Action", "DescribeUHostInstance"),
        ("Region", "cn-bj2"),
        ("Limit", "10"),
    ];
    let with_token = params(&[base[0], base[1], base[2], ("SecurityToken", "tok-123")]);
    let signature = sign(&with_token, &Secret::new(PRIVATE));
    // The string signed: every parameter sorted by name, SecurityToken among them.
    let expected = {
        use sha1::{Digest, Sha1};
        let text = format!(
            "ActionDescribeUHostInstanceLimit10PublicKey{PUBLIC}Regioncn-bj2SecurityTokentok-123{PRIVATE}"
        );
        Sha1::digest(text.as_bytes())
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect::<String>()
    };
    assert_eq!(signature, expected);
    assert_ne!(signature, "cba5cf5ec4d4233d206b1b54951e3787350a642f");
}

#[test]
fn an_existing_signature_parameter_is_ignored() {
    let mut p = params(&[
        ("Action", "DescribeUHostInstance"),
        ("Region", "cn-bj2"),
        ("Limit", "10"),
    ]);
    p.push("Signature", "stale");
    assert_eq!(
        sign(&p, &Secret::new(PRIVATE)),
        "cba5cf5ec4d4233d206b1b54951e3787350a642f"
    );
}

proptest! {
    #[test]
    fn order_of_parameters_does_not_matter(
        pairs in proptest::collection::btree_map("[A-Za-z][A-Za-z0-9.]{0,12}", ".*", 0..12),
        seed in any::<u64>(),
    ) {
        let forward: Params = pairs.iter().map(|(k, v)| (k.clone(), v.clone())).collect();
        let mut shuffled: Vec<(String, String)> = pairs.into_iter().collect();
        // A deterministic shuffle from the seed.
        let len = shuffled.len();
        for i in (1..len).rev() {
            let j = (seed.wrapping_mul(6364136223846793005).wrapping_add(i as u64) % (i as u64 + 1)) as usize;
            shuffled.swap(i, j);
        }
        let shuffled: Params = shuffled.into_iter().collect();
        prop_assert_eq!(sign(&forward, &Secret::new(PRIVATE)), sign(&shuffled, &Secret::new(PRIVATE)));
    }

    #[test]
    fn any_utf8_matches_an_independent_implementation(
        pairs in proptest::collection::btree_map("\\PC{1,10}", "\\PC{0,20}", 0..8),
        key in "\\PC{0,40}",
    ) {
        let as_vec: Vec<(String, String)> = pairs.into_iter().collect();
        let params: Params = as_vec.iter().cloned().collect();
        prop_assert_eq!(sign(&params, &Secret::new(key.clone())), common::expected_signature(&as_vec, &key));
    }
}
