//! Raw-TCP helpers shared by the emulator's limit tests.
#![allow(dead_code, unreachable_pub)]

use dezai_emulator::{Emulator, Limits};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

pub async fn emulator(limits: Limits) -> Emulator {
    Emulator::builder()
        .key_pair("pk", "sk")
        .limits(limits)
        .start()
        .await
        .unwrap()
}

pub fn address(emulator: &Emulator) -> String {
    emulator.url().trim_start_matches("http://").to_owned()
}

/// Sends `head` and `body` and reads the whole answer (the emulator closes after it).
pub async fn exchange(address: &str, head: &str, body: &[u8]) -> String {
    let mut stream = TcpStream::connect(address).await.unwrap();
    stream.write_all(head.as_bytes()).await.unwrap();
    let _ = stream.write_all(body).await;
    let mut answer = Vec::new();
    let _ = stream.read_to_end(&mut answer).await;
    String::from_utf8_lossy(&answer).into_owned()
}
