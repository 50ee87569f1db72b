//! `--network internet|intranet` of the backup commands: which addresses of a backup-URL
//! answer to fetch (`dezai_spec::download`'s rule).

use clap::{Arg, ArgMatches};

/// `--network internet|intranet`: which addresses of a backup-URL answer to fetch.
pub(crate) fn arg() -> Arg {
    Arg::new("network")
        .long("network")
        .value_name("NETWORK")
        .value_parser(["internet", "intranet"])
        .help("Fetch the internet address (default) or the intranet one (from inside the cloud, where the traffic costs nothing; the internet one where the service gives no other)")
}

/// The network `--network` names (internet by default).
pub(crate) fn of(args: &ArgMatches) -> dezai_backups::Network {
    args.try_get_one::<String>("network")
        .ok()
        .flatten()
        .and_then(|n| n.parse().ok())
        .unwrap_or_default()
}
