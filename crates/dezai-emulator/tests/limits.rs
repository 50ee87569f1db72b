//! What the emulator accepts before it gives up on a client: bodies over the limit
//! get HTTP 413, connections that send nothing are closed, slow clients do not block others or
//! grow memory without bound, and recorded requests stay within their byte budget.

mod common;

use common::{address, emulator, exchange};
use dezai_emulator::{Limits, RECORDED_BYTES_LIMIT};

#[tokio::test]
async fn a_body_over_the_limit_is_answered_413() {
    let emulator = emulator(Limits {
        max_body_bytes: 1024 * 1024,
        ..Limits::default()
    })
    .await;
    let address = address(&emulator);
    let big = vec![b'a'; 2 * 1024 * 1024];
    let announced = exchange(
        &address,
        &format!(
            "POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
            big.len()
        ),
        &big,
    )
    .await;
    assert!(
        announced.starts_with("HTTP/1.1 413"),
        "{}",
        &announced[..60.min(announced.len())]
    );

    // Chunked: no length announced, refused as it streams.
    let mut chunked = Vec::new();
    for piece in big.chunks(64 * 1024) {
        chunked.extend_from_slice(format!("{:x}\r\n", piece.len()).as_bytes());
        chunked.extend_from_slice(piece);
        chunked.extend_from_slice(b"\r\n");
    }
    chunked.extend_from_slice(b"0\r\n\r\n");
    let streamed = exchange(
        &address,
        "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n",
        &chunked,
    )
    .await;
    assert!(
        streamed.starts_with("HTTP/1.1 413"),
        "{}",
        &streamed[..60.min(streamed.len())]
    );
    assert!(
        emulator.requests().is_empty(),
        "refused bodies are not recorded"
    );
}

#[tokio::test]
async fn recorded_requests_stay_within_their_byte_budget() {
    let emulator = emulator(Limits::default()).await;
    let address = address(&emulator);
    let value = "v".repeat(7 * 1024 * 1024);
    for _ in 0..12 {
        let body = format!("Action=X&Blob={value}");
        let answer = exchange(
            &address,
            &format!(
                "POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                body.len()
            ),
            body.as_bytes(),
        )
        .await;
        assert!(
            answer.starts_with("HTTP/1.1 200"),
            "{}",
            &answer[..40.min(answer.len())]
        );
    }
    let recorded = emulator.requests();
    let bytes: usize = recorded
        .iter()
        .flat_map(|r| &r.params)
        .map(|(k, v)| k.len() + v.len())
        .sum();
    assert!(bytes <= RECORDED_BYTES_LIMIT, "{bytes} bytes recorded");
    assert!(
        recorded.len() < 12,
        "the oldest were forgotten: {}",
        recorded.len()
    );
    assert_eq!(
        recorded.last().unwrap().request_id,
        "emu-12",
        "the newest are kept"
    );
}
