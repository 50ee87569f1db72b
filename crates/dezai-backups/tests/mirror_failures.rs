//! A run reports every instance: a job that panics (here, a transport that panics on one
//! instance's listing) is that instance's failure while the others are copied, and an instance
//! that no listing returns is reported under the kind and region it was looked for in.

use std::path::Path;

use dezai_backups::mirror::Status;
use dezai_emulator::{Emulator, World, WorldBackup, WorldInstance};
use dezai_http::HttpTransport;
use dezai_runtime::transport::{
    ApiReply, ApiRequest, FileReply, FileRequest, Transport, TransportError,
};
use dezai_runtime::{Client, Config, Credentials};

/// HTTP, except that a call naming `udb-doomed` panics.
struct Panicking(HttpTransport);

impl Transport for Panicking {
    async fn send(&self, request: ApiRequest<'_>) -> Result<ApiReply, TransportError> {
        if request.params.get("DBId") == Some("udb-doomed") {
            panic!("a bug met udb-doomed");
        }
        self.0.send(request).await
    }

    async fn fetch(&self, request: FileRequest<'_>) -> Result<FileReply, TransportError> {
        self.0.fetch(request).await
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_panicking_job_is_its_instances_failure_and_the_others_finish() {
    let mut world = World::new();
    for (i, id) in ["udb-1", "udb-doomed", "udb-2"].into_iter().enumerate() {
        let backup = WorldBackup::new(100 + i as u64, 1_700_000_000, 2048);
        world = world.instance(
            WorldInstance::new("udb", id)
                .region("cn-bj2")
                .backup(backup),
        );
    }
    let emulator = Emulator::builder()
        .specs(Path::new(env!("CARGO_MANIFEST_DIR")).join("../../specs"))
        .key_pair("pk", "sk")
        .world(world)
        .start()
        .await
        .unwrap();
    let config = Config::builder()
        .credentials(Credentials::new("pk", "sk"))
        .base_url(emulator.url())
        .region("cn-bj2")
        .build()
        .unwrap();
    let transport = Panicking(HttpTransport::new(&config).unwrap());
    let client = Client::with_transport(config, transport);
    let scratch = tempfile::tempdir().unwrap();
    let report = dezai_backups::mirror(&client, scratch.path())
        .kinds([dezai_backups::kind("udb").unwrap()])
        .regions(["cn-bj2", "cn-sh2"])
        .instances(["udb-1", "udb-doomed", "udb-2", "udb/cn-sh2/udb-9"])
        .run()
        .await
        .unwrap();
    let of = |id: &str| {
        report
            .outcomes
            .iter()
            .filter(|o| o.instance.as_deref() == Some(id))
            .collect::<Vec<_>>()
    };
    for id in ["udb-1", "udb-2"] {
        assert!(
            matches!(of(id)[..], [o] if matches!(o.status, Status::Copied { .. })),
            "{id}: {:?}",
            of(id)
        );
    }
    let doomed = of("udb-doomed");
    assert_eq!(doomed.len(), 1, "listed in cn-bj2 only: {doomed:?}");
    match &doomed[0].status {
        Status::Failed { error } => assert!(error.contains("a bug met udb-doomed"), "{error}"),
        other => panic!("{other:?}"),
    }
    let missing = of("udb-9");
    assert_eq!(
        (missing[0].kind.as_str(), missing[0].region.as_str()),
        ("udb", "cn-sh2")
    );
    assert_eq!(report.failed(), 2);
}
