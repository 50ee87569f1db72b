//! The runtime's encoder and signer on arbitrary parameters: names and values of any UTF-8,
//! flattened lists and structures, integers of any value. Encoding either succeeds with a body
//! that decodes back to the same parameters, or fails as an invalid request; never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

mod stress {
    dezai_macros::product!("../crates/dezai-sdk/tests/fixtures/stress.json");
}

use stress::create_stress_cluster::{AccessLogConfig, Disks, Network};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let mut parts = text.split('\u{1}');
    let mut next = || parts.next().unwrap_or("").to_owned();
    let (name, disk_type, vpc, tag, project) = (next(), next(), next(), next(), next());
    let number = data
        .iter()
        .fold(0i64, |n, b| n.wrapping_mul(31).wrapping_add(i64::from(*b)));
    // One client for the whole run: building one per input would measure TLS setup.
    static CLIENT: std::sync::OnceLock<Option<dezai_runtime::Client>> = std::sync::OnceLock::new();
    let Some(client) = CLIENT.get_or_init(|| {
        let config = dezai_runtime::Config::builder()
            .credentials(dezai_runtime::Credentials::new("pk", "sk"))
            .region("r")
            .zone("z")
            .build()
            .ok()?;
        dezai_runtime::Client::new(config).ok()
    }) else {
        return;
    };
    let request = stress::CreateStressClusterRequest::new(
        &name,
        vec![Disks::new(number).r#type(&disk_type)],
        Network::new(&vpc),
        AccessLogConfig::default(),
    )
    .tags(vec![tag.clone(), name.clone()])
    .backup_id(number)
    .rules(vec![
        stress::create_stress_cluster::Rules::new().ports(vec![number, -number]),
    ])
    .snake_name(&project);
    if let Ok(encoded) = client.encode(&request) {
        let decoded: Vec<(String, String)> = form_urlencoded::parse(encoded.body().as_bytes())
            .map(|(n, v)| (n.into_owned(), v.into_owned()))
            .collect();
        let sent: Vec<(String, String)> = encoded
            .params()
            .iter()
            .map(|(n, v)| (n.to_owned(), v.to_owned()))
            .collect();
        assert_eq!(
            decoded, sent,
            "the form body decodes to the parameters sent"
        );
    }
});
