// What compiles: a request from its constructor (required fields) and setters; a response
// and a model from their builders, fields in any order and any subset; `meta()` for the
// envelope.
use dezai_sdk::udb::{DescribeUdbInstanceBackupUrlRequest, DescribeUdbInstanceBackupUrlResponse};

fn main() {
    let request = DescribeUdbInstanceBackupUrlRequest::new("udb-1", 1234).valid_time(3600);
    assert_eq!(request.backup_id, 1234);
    let response = DescribeUdbInstanceBackupUrlResponse::builder()
        .md5("abc")
        .backup_path("https://b.example/1.xb")
        .meta(dezai_sdk::ResponseMeta::default().with_ret_code(0))
        .build();
    assert_eq!(response.md5.as_deref(), Some("abc"));
    assert_eq!(response.meta().ret_code(), Some(0));
    let empty = DescribeUdbInstanceBackupUrlResponse::builder().build();
    assert!(empty.backup_path.is_none());
}
