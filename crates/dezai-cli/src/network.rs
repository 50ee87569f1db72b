//! How the backup commands fetch a file: `--network internet|intranet`, which addresses of a
//! backup-URL answer (`dezai_spec::download`'s rule), and `--streams N`, over how many
//! connections at once.

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

/// `--streams N`: connections per file.
pub(crate) fn streams_arg() -> Arg {
    Arg::new("streams")
        .long("streams")
        .value_name("N")
        .value_parser(clap::value_parser!(u32).range(1..=32))
        .help("Fetch each file over N connections at once, each its own ranges (default: 4 from 16 MiB, else 1)")
}

/// The connections `--streams` asks for (`None`: by the file's size).
pub(crate) fn streams_of(args: &ArgMatches) -> Option<usize> {
    let n = args.try_get_one::<u32>("streams").ok().flatten()?;
    Some(*n as usize)
}
