//! Where `backup sync|status|verify` work: a folder, or an S3-compatible bucket named
//! `s3://bucket/prefix`, reached as the AWS conventions say (`AWS_ENDPOINT_URL`, `AWS_REGION`,
//! `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_PROFILE` and the shared files), with
//! flags to override endpoint, region, profile and addressing. Keys have no flags: a flag's
//! value is visible to every user of the machine in its process list.

use std::path::PathBuf;

use clap::{Arg, ArgAction, ArgMatches};
use dezai_backups::mirror::{self, Bucket, BucketSettings};

use crate::error::CliError;

/// A mirror's place, as the command line names it.
pub(crate) enum Place {
    Folder(PathBuf),
    Bucket(Bucket),
}

impl Place {
    /// The place `args` names, with the bucket's settings from the flags.
    pub(crate) fn of(args: &ArgMatches) -> Result<Self, CliError> {
        let target = args.get_one::<String>("dir").expect("clap requires it");
        if !mirror::is_bucket_url(target) {
            return Ok(Self::Folder(PathBuf::from(target)));
        }
        let mut settings = BucketSettings::default();
        settings.endpoint = args.get_one::<String>("s3-endpoint").cloned();
        settings.region = args.get_one::<String>("s3-region").cloned();
        settings.profile = args.get_one::<String>("s3-profile").cloned();
        if args.get_flag("s3-virtual-hosted") {
            settings.path_style = Some(false);
        }
        let mut bucket =
            Bucket::open(target, &settings).map_err(|e| CliError::Usage(e.to_string()))?;
        if let Ok(Some(size)) = args.try_get_one::<u64>("part-size") {
            bucket = bucket.part_size(*size as usize);
        }
        if let Ok(Some(n)) = args.try_get_one::<u32>("part-uploads") {
            bucket = bucket.part_uploads(*n as usize);
        }
        Ok(Self::Bucket(bucket))
    }

    /// How messages name it.
    pub(crate) fn shown(&self) -> String {
        match self {
            Self::Folder(dir) => dir.display().to_string(),
            Self::Bucket(bucket) => bucket.url().to_owned(),
        }
    }
}

/// The place argument and the bucket's flags, for every command that takes a mirror.
pub(crate) fn args() -> Vec<Arg> {
    vec![
        Arg::new("dir")
            .required(true)
            .value_name("DIR|s3://BUCKET/PREFIX")
            .help("The mirror: a folder (its manifest is dezai-backups.json), or an S3-compatible bucket and prefix (a record per instance)"),
        Arg::new("s3-endpoint")
            .long("s3-endpoint")
            .value_name("URL")
            .help("The S3 endpoint (default: AWS_ENDPOINT_URL, the profile's endpoint_url, else AWS)"),
        Arg::new("s3-region")
            .long("s3-region")
            .value_name("REGION")
            .help("The bucket's region (default: AWS_REGION, the profile's region, else us-east-1)"),
        Arg::new("s3-profile")
            .long("s3-profile")
            .value_name("NAME")
            .help("The profile of ~/.aws/credentials and ~/.aws/config to read (default: AWS_PROFILE, else default)"),
        Arg::new("s3-virtual-hosted")
            .long("s3-virtual-hosted")
            .action(ArgAction::SetTrue)
            .help("Address the bucket as BUCKET.ENDPOINT rather than ENDPOINT/BUCKET"),
    ]
}
