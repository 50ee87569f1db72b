// Generated code compiles without warnings, but a user's own use of a field the documents
// deprecate still warns (here denied, to make the warning visible).
#![deny(deprecated)]

fn main() {
    let response = dezai_sdk::umem::DescribeUredisBackupUrlResponse::builder()
        .backup_url("https://b.example/1.rdb")
        .build();
    let _ = response.backup_url;
}
