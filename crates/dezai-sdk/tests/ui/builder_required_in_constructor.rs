// Builders exist for what users read (responses and models); requests are built with `new`,
// whose arguments are the required fields, and have no builder that could skip them.
fn main() {
    let _request = dezai_sdk::udb::DescribeUdbInstanceBackupUrlRequest::builder()
        .valid_time(3600)
        .build();
}
