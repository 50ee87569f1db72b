// A mock rule for a typed action answers only with that action's response type.
fn main() {
    let mock = dezai_sdk::mock::Mock::new();
    mock.on::<dezai_sdk::udb::DescribeUdbInstanceBackupUrlRequest>()
        .respond(dezai_sdk::umem::DescribeUmemBackupUrlResponse::builder().build());
}
