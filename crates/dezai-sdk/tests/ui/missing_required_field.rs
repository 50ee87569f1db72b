// DescribeUDBInstanceBackupURL requires DBId and BackupId: leaving BackupId out must not compile.
fn main() {
    let _request = dezai_sdk::udb::DescribeUdbInstanceBackupUrlRequest::new("udb-1");
}
