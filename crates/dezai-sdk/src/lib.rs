//! Typed Rust SDK for the Dezai cloud API.
//!
//! One module per product (`udb`, `umem`, `umongodb`, `upgsql`), each generated at compile
//! time from `specs/<product>.json` and behind a cargo feature of the same name (all on by
//! default; `default-features = false, features = ["udb"]` compiles only `udb`).
//!
//! ```no_run
//! use dezai_sdk::prelude::*;
//!
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! // Credentials and defaults from ~/.dezai and DEZAI_* variables.
//! let client = Client::from_env()?;
//!
//! // Required fields are arguments; optional ones are setters.
//! let backup = client
//!     .udb()
//!     .describe_udb_instance_backup_url("udb-1", 1234)
//!     .valid_time(3600)
//!     .send()
//!     .await?;
//! println!("{:?}", backup.backup_path);
//!
//! // Or build a request and send it.
//! let request = dezai_sdk::umem::DescribeUMemBackupUrlRequest::new("space-1", "backup-1");
//! let urls = client.send(request).await?.backup_url.unwrap_or_default();
//! # let _ = urls;
//! # Ok(()) }
//! ```
//!
//! The five seed actions, each in a few lines:
//!
//! ```no_run
//! use dezai_sdk::prelude::*;
//!
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! let client = Client::from_env()?;
//! let udb = client.udb().describe_udb_instance_backup_url("udb-1", 1234).send().await?;
//! let umem = client.umem().describe_u_mem_backup_url("space-1", "backup-1").send().await?;
//! let redis = client.umem().describe_u_redis_backup_url("backup-2").send().await?;
//! let mongo = client.umongodb().describe_u_mongo_db_backup_url("cluster-1").backup_id("b-3").send().await?;
//! let pg = client.upgsql().get_u_pg_sql_backup_url("instance-1", "backup-4").zone("cn-zj-01").send().await?;
//! println!("{:?} {:?} {:?} {:?} {:?}", udb.backup_path, umem.backup_url, redis.backup_path, mongo.internet_address, pg.backup_path);
//! # Ok(()) }
//! ```
//!
//! Region, Zone and ProjectId are optional in every request type and filled from the
//! configuration; an action that requires one the request and the configuration both leave
//! out fails locally with [`ErrorKind::InvalidRequest`] before anything is sent.
//!
//! Response types never fail on drift: every field is an `Option` read leniently, aliases
//! from the documents are accepted (`Md5` for `MD5`), fields the service adds are kept in
//! `unknown_fields`, and all of them are `#[non_exhaustive]` so later versions can add fields.

pub use dezai_runtime::{
    BodyEncoding, Client, Config, ConfigBuilder, ConfigError, Credentials, Error, ErrorKind,
    Params, RetryBudget, RetryPolicy, serde_json,
};

/// The runtime the generated code runs on: configuration, signing, retries, decoding helpers.
pub use dezai_runtime as runtime;

/// UDB (MySQL-compatible database) actions.
#[cfg(feature = "udb")]
pub mod udb {
    dezai_macros::product!("../../specs/udb.json");
}

/// UMem (distributed and master-slave Redis) actions.
#[cfg(feature = "umem")]
pub mod umem {
    dezai_macros::product!("../../specs/umem.json");
}

/// UMongoDB actions.
#[cfg(feature = "umongodb")]
pub mod umongodb {
    dezai_macros::product!("../../specs/umongodb.json");
}

/// UPgSQL (PostgreSQL) actions.
#[cfg(feature = "upgsql")]
pub mod upgsql {
    dezai_macros::product!("../../specs/upgsql.json");
}

/// `use dezai_sdk::prelude::*;` gives the client, its configuration and errors, and the
/// product accessors (`client.udb()`, …).
pub mod prelude {
    #[cfg(feature = "udb")]
    pub use crate::udb::UdbExt as _;
    #[cfg(feature = "umem")]
    pub use crate::umem::UmemExt as _;
    #[cfg(feature = "umongodb")]
    pub use crate::umongodb::UmongodbExt as _;
    #[cfg(feature = "upgsql")]
    pub use crate::upgsql::UpgsqlExt as _;
    pub use crate::{Client, Config, Credentials, Error, ErrorKind};
}
