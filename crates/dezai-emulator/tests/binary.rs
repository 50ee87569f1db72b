//! The `dezai-emulator` binary starts, says where it listens and which keys to use, and serves.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

#[test]
fn the_binary_prints_its_url_and_key_pair_and_serves() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_dezai-emulator"))
        .args([
            "--specs",
            concat!(env!("CARGO_MANIFEST_DIR"), "/../../specs"),
            "--public-key",
            "pk",
            "--private-key",
            "sk",
        ])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let first = lines.next().unwrap().unwrap();
    let rest: Vec<String> = lines.by_ref().take(4).map(Result::unwrap).collect();
    // The counts come from the specs, so the test holds as documents are added: actions as
    // documented, and the distinct names the wire can ask for (an action documented in two
    // products is one name).
    let specs: Vec<dezai_spec::ProductSpec> =
        std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/../../specs"))
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter_map(|p| {
                dezai_spec::ProductSpec::from_json(&std::fs::read_to_string(p).ok()?).ok()
            })
            .collect();
    let actions: usize = specs.iter().map(|spec| spec.actions.len()).sum();
    let names: std::collections::BTreeSet<&str> = specs
        .iter()
        .flat_map(|spec| spec.actions.iter().map(|a| a.name.as_str()))
        .collect();
    assert!(
        first.contains(&format!("{actions} actions, {} names", names.len()))
            && first.contains("listening on http://127.0.0.1:"),
        "{first}"
    );
    assert!(
        rest.iter().any(|l| l.contains("DEZAI_PUBLIC_KEY=pk")),
        "{rest:?}"
    );
    assert!(
        rest.iter().any(|l| l.contains("DEZAI_PRIVATE_KEY=sk")),
        "{rest:?}"
    );

    // It answers: an unsigned request gets RetCode 170.
    let address = first.rsplit("http://").next().unwrap().trim().to_owned();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let answer = runtime.block_on(async {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let mut stream = tokio::net::TcpStream::connect(&address).await.unwrap();
        let request = format!("GET /?Action=DescribeUMemBackupURL HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n\r\n");
        stream.write_all(request.as_bytes()).await.unwrap();
        let mut answer = String::new();
        stream.read_to_string(&mut answer).await.unwrap();
        answer
    });
    child.kill().unwrap();
    let _ = child.wait();
    assert!(answer.contains("\"RetCode\":170"), "{answer}");
    assert!(
        answer
            .to_ascii_lowercase()
            .contains("x-ucloud-request-uuid: emu-1"),
        "{answer}"
    );
}
