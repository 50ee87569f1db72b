// Responses are #[non_exhaustive] (they may gain fields in any version), so a struct literal,
// even with `..Default::default()`, does not compile outside the SDK: tests use `builder()`.
fn main() {
    let _response = dezai_sdk::udb::DescribeUdbInstanceBackupUrlResponse {
        backup_path: Some("https://b.example/1.xb".to_owned()),
        ..Default::default()
    };
}
