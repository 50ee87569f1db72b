//! A transport a user writes: an in-process stand-in for a company's own HTTP stack, given to
//! `Client::with_transport`. It serves a typed call and a backup download, with everything
//! else of the SDK (signing, judging, decoding, MD5 checking) as over HTTP.

use std::sync::{Arc, Mutex};

use dezai_sdk::prelude::*;
use dezai_sdk::runtime::transport::{
    ApiReply, ApiRequest, FileReply, FileRequest, Transport, TransportError, TransportErrorKind,
};
use md5::{Digest, Md5};

const FILE: &[u8] = b"a backup's bytes, served by the user's own transport";
const URL: &str = "https://files.example/full.xb?Signature=s3cret";

/// Answers the backup-URL action with the file's link and serves the file; records what it
/// was asked.
#[derive(Default)]
struct InProcess {
    calls: Mutex<Vec<(String, String, Option<String>)>>,
    fetched: Mutex<Vec<String>>,
}

impl Transport for InProcess {
    async fn send(&self, request: ApiRequest<'_>) -> Result<ApiReply, TransportError> {
        let param = |name: &str| {
            request
                .params
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, v)| v.to_owned())
        };
        self.calls.lock().unwrap().push((
            request.url.to_owned(),
            param("Action").unwrap_or_default(),
            param("Signature"),
        ));
        let md5: String = Md5::digest(FILE)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        let body = format!(r#"{{"RetCode": 0, "BackupPath": "{URL}", "MD5": "{md5}"}}"#);
        Ok(ApiReply::new(200, body).header("X-Request-Id", "own-1"))
    }

    async fn fetch(&self, request: FileRequest<'_>) -> Result<FileReply, TransportError> {
        self.fetched.lock().unwrap().push(request.url.to_owned());
        if request.url != URL {
            return Err(TransportError::new(
                TransportErrorKind::InvalidUrl,
                "not a file this transport serves",
            ));
        }
        let mut reply = FileReply::new(200, Box::new(Some(bytes::Bytes::from_static(FILE))));
        reply.length = Some(FILE.len() as u64);
        Ok(reply)
    }
}

/// A client over the transport, and the transport, to read what it recorded.
fn client() -> (Client, Arc<InProcess>) {
    let transport = Arc::new(InProcess::default());
    let config = Config::builder()
        .credentials(Credentials::new("pk", "sk"))
        .region("cn-bj2")
        .base_url("https://api.internal.example")
        .build()
        .unwrap();
    (
        Client::with_transport(config, Shared(transport.clone())),
        transport,
    )
}

/// The transport behind an `Arc`: what the client holds.
struct Shared(Arc<InProcess>);

impl Transport for Shared {
    async fn send(&self, request: ApiRequest<'_>) -> Result<ApiReply, TransportError> {
        self.0.send(request).await
    }

    async fn fetch(&self, request: FileRequest<'_>) -> Result<FileReply, TransportError> {
        self.0.fetch(request).await
    }
}

#[tokio::test]
async fn a_user_written_transport_serves_a_typed_call() {
    let (client, _) = client();
    let answer = client
        .udb()
        .describe_udb_instance_backup_url("udb-1", 1234)
        .send()
        .await
        .unwrap();
    assert_eq!(answer.backup_path.as_deref(), Some(URL));
    assert_eq!(answer.meta().request_id(), Some("own-1"));
}

#[tokio::test]
async fn a_user_written_transport_serves_a_verified_download() {
    let (client, transport) = client();
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("dezai-own-transport");
    // A fixed place under the target folder that reruns reuse.
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("full.xb");
    let _ = std::fs::remove_file(&file);
    let done = client
        .udb()
        .describe_udb_instance_backup_url("udb-1", 1234)
        .download_to(&file)
        .await
        .unwrap();
    assert!(done.verified, "checked against the answer's MD5");
    assert_eq!(std::fs::read(&file).unwrap(), FILE);
    assert_eq!(*transport.fetched.lock().unwrap(), [URL]);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[tokio::test]
async fn the_call_goes_to_the_configured_endpoint_signed() {
    let (client, transport) = client();
    client
        .udb()
        .describe_udb_instance_backup_url("udb-1", 1234)
        .send()
        .await
        .unwrap();
    let calls = transport.calls.lock().unwrap();
    let (url, action, signature) = &calls[0];
    assert_eq!(url, "https://api.internal.example/");
    assert_eq!(action, "DescribeUDBInstanceBackupURL");
    assert!(
        signature.as_ref().is_some_and(|s| s.len() == 40),
        "{signature:?}"
    );
}
