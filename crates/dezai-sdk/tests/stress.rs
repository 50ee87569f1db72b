//! The stress fixture: made-up documents in the published format with every shape that broke
//! the generator on the full documentation (required structured arguments, data models as
//! parameters, names that collide with generated methods or with each other, models named like
//! generated types, models that contain themselves, examples that are not JSON). Generated
//! from `tests/fixtures/docs/stress/` by `cargo xtask codegen`, compiled here, and checked
//! against its own examples and by hand.

use dezai_sdk::ClientExt as _;
use dezai_sdk::{Client, Config, Credentials};

mod stress {
    dezai_macros::product!("tests/fixtures/stress.json");
}

mod conformance {
    dezai_macros::conformance_tests!("tests/fixtures/stress.json", crate::stress);
}

use stress::StressExt;
use stress::create_stress_cluster::{AccessLogConfig, Disks, LogSink, Network};

fn client() -> Client {
    Client::new(
        Config::builder()
            .credentials(Credentials::new("pub", "priv"))
            .base_url("http://127.0.0.1:9")
            .region("cn-bj2")
            .zone("cn-bj2-04")
            .build()
            .unwrap(),
    )
    .unwrap()
}

fn encoded(request: &impl dezai_sdk::runtime::Action) -> Vec<(String, String)> {
    client()
        .encode(request)
        .unwrap()
        .params()
        .iter()
        .map(|(n, v)| (n.to_owned(), v.to_owned()))
        .collect()
}

fn get<'a>(params: &'a [(String, String)], name: &str) -> Option<&'a str> {
    params
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.as_str())
}

#[test]
fn required_structures_and_models_are_arguments_of_the_product_method() {
    let client = client();
    let log = AccessLogConfig {
        enabled: Some(true),
        sink: Some(LogSink {
            url: Some("https://logs.example".into()),
            ..LogSink::default()
        }),
        ..AccessLogConfig::default()
    };
    let call = client.stress().create_stress_cluster(
        "c1",
        vec![Disks::new(20).r#type("SSD"), Disks::new(40)],
        Network::new("uvnet-1"),
        log.clone(),
    );
    let request = call.into_request();
    assert_eq!(
        request.access_log, log,
        "a model in a request compares like the request"
    );
    let params = encoded(&request);
    assert_eq!(get(&params, "Disks.0.Size"), Some("20"));
    assert_eq!(get(&params, "Disks.0.Type"), Some("SSD"));
    assert_eq!(get(&params, "Disks.1.Size"), Some("40"));
    assert_eq!(get(&params, "Network.VPCId"), Some("uvnet-1"));
    assert_eq!(get(&params, "AccessLog.Enabled"), Some("true"));
    assert_eq!(
        get(&params, "AccessLog.Sink.Url"),
        Some("https://logs.example"),
        "a model inside a model is written too"
    );
    assert_eq!(get(&params, "Zone"), Some("cn-bj2-04"));
}

#[test]
fn names_that_collide_get_numbered_setters_and_keep_their_wire_names() {
    let request = stress::CreateStressClusterRequest::new(
        "c1",
        vec![Disks::new(1)],
        Network::new("v"),
        AccessLogConfig::default(),
    )
    .new_2(true)
    .send_2(false)
    .into_request_2("odd")
    .builder_2("me")
    .backup_id(7)
    .backup_id_2("seven")
    .r#type("big")
    ._95_bandwidth(95)
    .snake_name("s")
    .tags(vec!["a".into()])
    .field("underscore")
    .rules(vec![
        stress::create_stress_cluster::Rules::new().ports(vec![80, 443]),
    ]);
    let params = encoded(&request);
    for (name, value) in [
        ("New", "true"),
        ("Send", "false"),
        ("IntoRequest", "odd"),
        ("Builder", "me"),
        ("BackupId", "7"),
        ("BackupID", "seven"),
        ("Type", "big"),
        ("95Bandwidth", "95"),
        ("snake_name", "s"),
        ("Tags.0", "a"),
        ("_", "underscore"),
        ("Rules.0.Ports.1", "443"),
    ] {
        assert_eq!(get(&params, name), Some(value), "{name}");
    }
}

#[test]
fn a_response_field_named_like_the_unknown_map_keeps_both() {
    let response: stress::CreateStressClusterResponse = dezai_sdk::serde_json::from_str(
        r#"{"RetCode": 0, "UnknownFields": "documented", "Extra": 1, "Ids": [1, "two", 3]}"#,
    )
    .unwrap();
    assert_eq!(response.unknown_fields_2.as_deref(), Some("documented"));
    assert_eq!(response.unknown_fields["Extra"], 1);
    assert_eq!(
        response.ids,
        Some(vec![1, 3]),
        "items that do not read are dropped"
    );
}

#[test]
fn models_that_contain_themselves_and_a_model_named_like_the_response() {
    let response: stress::DescribeStressMetricResponse = dezai_sdk::serde_json::from_str(
        r#"{"RetCode": 0,
            "Data": {"Value": 2.5, "Self": "s"},
            "Tree": {"Name": "root", "Parent": {"Name": "up", "Parent": {"Name": "top"}},
                     "Children": [{"Name": "leaf"}]},
            "Ping": {"Pong": {"Ping": {"Pong": {}}}}}"#,
    )
    .unwrap();
    let data: &stress::describe_stress_metric::DescribeStressMetricResponseModel =
        response.data.as_ref().unwrap();
    assert_eq!((data.value, data.self_.as_deref()), (Some(2.5), Some("s")));
    let tree = response.tree.unwrap();
    let grandparent = tree.parent.unwrap().parent.unwrap();
    assert_eq!(grandparent.name.as_deref(), Some("top"));
    assert_eq!(tree.children.unwrap()[0].name.as_deref(), Some("leaf"));
    assert!(
        response
            .ping
            .unwrap()
            .pong
            .unwrap()
            .ping
            .unwrap()
            .pong
            .is_some()
    );
}
