//! 200 slow clients at once: the emulator closes connections that send nothing or
//! half a request head, answers other clients meanwhile, and its memory stays bounded. In a
//! binary of its own, so that no other test's allocations blur the memory figure.

use std::time::Duration;

mod common;

use common::{address, emulator, exchange};
use dezai_emulator::Limits;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

#[tokio::test]
async fn silent_and_slow_clients_are_closed_and_do_not_block_others() {
    let emulator = emulator(Limits {
        header_read_timeout: Duration::from_millis(300),
        ..Limits::default()
    })
    .await;
    let address = address(&emulator);
    let rss_before = rss_kb();
    let mut slow = Vec::new();
    for i in 0..200 {
        let mut stream = TcpStream::connect(&address).await.unwrap();
        if i % 2 == 0 {
            // Half a request head, then nothing.
            stream
                .write_all(b"POST / HTTP/1.1\r\nHost: x\r\n")
                .await
                .unwrap();
        }
        slow.push(stream);
    }
    // A normal client is answered while the 200 hang on (the guard only stops a hang).
    let answer = tokio::time::timeout(
        Duration::from_secs(10),
        exchange(
            &address,
            "GET /?Action=X HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
            b"",
        ),
    )
    .await
    .expect("answered while 200 slow clients are connected");
    assert!(answer.contains("\"RetCode\":170"), "{answer}");

    // Every slow connection is closed by the emulator (read returns end of stream).
    for mut stream in slow {
        let mut buf = [0u8; 256];
        let closed = tokio::time::timeout(Duration::from_secs(10), async {
            loop {
                match stream.read(&mut buf).await {
                    Ok(0) | Err(_) => break,
                    Ok(_) => continue,
                }
            }
        })
        .await;
        assert!(closed.is_ok(), "a silent connection stays open");
    }
    let grown = rss_kb().saturating_sub(rss_before);
    assert!(
        grown < 32 * 1024,
        "200 slow clients grew the process by {grown} kB (bound: 32 MiB)"
    );
}

/// This process's resident memory, from /proc (Linux; 0 elsewhere, which passes).
fn rss_kb() -> usize {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        })
        .unwrap_or(0)
}
