// A struct literal could skip the constructor's required arguments: request types are
// #[non_exhaustive], so outside the SDK they are built only through `new`.
fn main() {
    let _request = dezai_sdk::umem::DescribeUmemBackupUrlRequest {
        region: None,
        zone: None,
        project_id: None,
        space_id: "s".into(),
        backup_id: "b".into(),
        block_id: None,
    };
}
