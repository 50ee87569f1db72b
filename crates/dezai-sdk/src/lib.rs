//! Typed Rust SDK for the Dezai cloud API.
//!
//! One module per product, each generated at compile time from `specs/<product>.json` and
//! behind a cargo feature of the same name (all on by default;
//! `default-features = false, features = ["udb"]` compiles only `udb`). Each module is a crate
//! of its own (`dezai-udb` for `udb`), re-exported here: cargo compiles products in parallel
//! and rebuilds only the product whose spec changed. The products are listed below.
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
//! let request = dezai_sdk::umem::DescribeUmemBackupUrlRequest::new("space-1", "backup-1");
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
//! let umem = client.umem().describe_umem_backup_url("space-1", "backup-1").send().await?;
//! let redis = client.umem().describe_uredis_backup_url("backup-2").send().await?;
//! let mongo = client.umongodb().describe_umongodb_backup_url("cluster-1").backup_id("b-3").send().await?;
//! let pg = client.upgsql().get_upgsql_backup_url("instance-1", "backup-4").zone("cn-zj-01").send().await?;
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
//!
//! # Downloading a backup
//!
//! A backup-URL action's call turns into a verified local file in one statement: resumed after
//! a broken connection, checked against the answer's MD5, renamed into place only when
//! complete, and asked for again when its URL expires (see `dezai_runtime::download`, and
//! `docs/backups.md`, which shows this example).
//!
//! ```no_run
//! # #[cfg(feature = "udb")]
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! use dezai_sdk::prelude::*;
//!
//! let client = Client::from_env()?;
//! let done = client
//!     .udb()
//!     .describe_udb_instance_backup_url("udb-1", 1234)
//!     .download_to("full.xb")
//!     .await?;
//! println!("{} bytes, MD5 checked: {}", done.bytes, done.verified);
//! # Ok(()) }
//! ```
//!
//! # Waiting for a state
//!
//! Any typed call can be repeated until its answer says done or failed, with backoff, an
//! overall timeout and each poll observable ([`waiter`]). Here, until an instance's newest
//! backup is complete:
//!
//! ```no_run
//! # #[cfg(feature = "udb")]
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! use std::time::Duration;
//! use dezai_sdk::prelude::*;
//! use dezai_sdk::waiter::Verdict;
//!
//! let client = Client::from_env()?;
//! let newest_backup = dezai_sdk::udb::DescribeUdbBackupRequest::new(0, 1).db_id("udb-1");
//! let done = client
//!     .wait_for(newest_backup, |answer| {
//!         let newest = answer.data_set.as_deref().and_then(|set| set.first());
//!         match newest.and_then(|backup| backup.state.as_deref()) {
//!             Some("Success") => Verdict::Done,
//!             Some("Failed") => Verdict::Failed,
//!             _ => Verdict::Pending,
//!         }
//!     })
//!     .delays(Duration::from_secs(5), Duration::from_secs(60))
//!     .timeout(Duration::from_secs(3600))
//!     .on_poll(|poll| eprintln!("poll {}: {:?}", poll.poll, poll.verdict))
//!     .await?;
//! # let _ = done;
//! # Ok(()) }
//! ```
//!
//! # Testing code that uses the SDK
//!
//! Responses and models are `#[non_exhaustive]`, so tests make them with their builders.
//! `mock::Mock` (feature `test-util`, for a user's `[dev-dependencies]`) is a transport
//! without a network: its rules answer chosen actions with chosen responses or errors, and it
//! records every request (`docs/testing.md`).
//!
//! ```
//! use dezai_sdk::mock::Mock;
//! use dezai_sdk::prelude::*;
//! use dezai_sdk::udb::{DescribeUdbInstanceBackupUrlRequest, DescribeUdbInstanceBackupUrlResponse};
//!
//! // The code under test.
//! async fn backup_link(client: &Client, db: &str) -> Result<Option<String>, Error> {
//!     let answer = client.udb().describe_udb_instance_backup_url(db, 1234).send().await?;
//!     Ok(answer.backup_path)
//! }
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() {
//! let mock = Mock::new();
//! mock.on::<DescribeUdbInstanceBackupUrlRequest>().respond(
//!     DescribeUdbInstanceBackupUrlResponse::builder()
//!         .backup_path("https://b.example/1.xb")
//!         .build(),
//! );
//! // Placeholder credentials, region `mock-region`, no retry backoff.
//! let client = mock.client();
//! let link = backup_link(&client, "udb-1").await.unwrap();
//! assert_eq!(link.as_deref(), Some("https://b.example/1.xb"));
//! assert_eq!(mock.requests()[0].param("DBId"), Some("udb-1"));
//!
//! // Errors as the service sends them: RetCode and message.
//! let failing = Mock::new();
//! failing
//!     .on::<DescribeUdbInstanceBackupUrlRequest>()
//!     .ret_code(dezai_sdk::ret_code::WRONG_SIGNATURE, "Signature VerifyAC Error");
//! let error = backup_link(&failing.client(), "udb-1").await.unwrap_err();
//! assert!(error.is_auth());
//! assert_eq!(error.ret_code(), Some(171));
//! # }
//! ```

#![doc = include_str!("generated/products.md")]

pub use dezai_runtime::{
    BodyEncoding, CallOptions, Client, Config, ConfigBuilder, ConfigError, Credentials, Error,
    ErrorKind, Paginator, Params, ResponseMeta, RetryBudget, RetryPolicy, ret_code, serde_json,
};

/// Makes a [`Client`] over HTTP: `Client::from_env()`, `Client::new(config)` (in the
/// [`prelude`]).
pub use dezai_http::ClientExt;

/// A transport without a network for tests of code that uses the SDK (feature `test-util`).
#[cfg(feature = "test-util")]
pub use dezai_runtime::mock;

/// The runtime the generated code runs on: configuration, signing, retries, decoding helpers,
/// and the [`transport`](dezai_runtime::transport) trait a program's own HTTP stack implements.
pub use dezai_runtime as runtime;

/// The HTTP transport `Client::from_env()` uses (reqwest with rustls).
pub use dezai_http as http;

/// Waiting for a state: a typed call repeated until its answer says done or failed.
pub use dezai_runtime::waiter;

/// Backups by kind (feature `backups`, on by default): list, the newest completed one, create,
/// wait, download every file of one, and the mirror of a fleet; see [`backup_kinds`] for the
/// kinds this build offers.
#[cfg(feature = "backups")]
pub use dezai_backups as backups;

/// The kinds of backup this build offers (`udb`, `umem`, …): those whose listing and URL
/// actions are in the products compiled in (`docs/backups.md`).
pub fn backup_kinds() -> Vec<&'static dezai_spec::backups::BackupKind> {
    let specs: Vec<dezai_spec::ProductSpec> = specs()
        .into_iter()
        .filter_map(|(_, json)| dezai_spec::ProductSpec::from_json(json).ok())
        .collect();
    let actions: Vec<&str> = specs
        .iter()
        .flat_map(|spec| spec.actions.iter().map(|a| a.name.as_str()))
        .collect();
    dezai_spec::backups::offered(&actions).collect()
}

// One module per product (its crate, re-exported), each behind the cargo feature of its name:
// written by `cargo xtask codegen` from the specs, so a new product needs no edit here.
// Formatted by prettyplease when written; rustfmt leaves it alone.
#[rustfmt::skip]
mod generated;
pub use generated::*;

/// `use dezai_sdk::prelude::*;` gives the client (with `Client::from_env()` and
/// `Client::new(config)` over HTTP), its configuration and errors, and the product accessors
/// (`client.udb()`, …).
pub mod prelude {
    pub use crate::product_accessors::*;
    pub use crate::{CallOptions, Client, ClientExt as _, Config, Credentials, Error, ErrorKind};
}
