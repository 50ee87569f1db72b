//! `dezai-emulator`: serves the Dezai API from JSON specs on 127.0.0.1 until interrupted.
//!
//! ```text
//! dezai-emulator --specs specs/ --port 8080
//! dezai-emulator --specs specs/ --backup-size 1073741824    # URL actions point at a 1 GiB file
//! dezai-emulator --specs specs/ --backup-file ./full.xb      # … or at this file
//! dezai-emulator --world world.json                          # instances and backups from a file
//! dezai-emulator --backup-size 1073741824 --per-connection-rate 50M  # as object storage
//! ```
//!
//! Without `--world`, the kinds of backup answer from the world the documents' examples show
//! (their instances are printed at start), and every URL action points at a file served here:
//! nothing a client does against the emulator reaches another host.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;

#[derive(Parser)]
#[command(about = "A local emulator of the Dezai cloud API, driven by the JSON specs")]
struct Args {
    /// Folder of JSON specs.
    #[arg(long, default_value = "specs")]
    specs: PathBuf,
    /// Port on 127.0.0.1 (0: any free port).
    #[arg(long, default_value_t = 0)]
    port: u16,
    /// Public key of the accepted key pair.
    #[arg(long, default_value = "emulator-public-key")]
    public_key: String,
    /// Private key of the accepted key pair.
    #[arg(long, default_value = "emulator-private-key")]
    private_key: String,
    /// Serve a generated backup of this many bytes; URL actions point at it.
    #[arg(long, conflicts_with = "backup_file")]
    backup_size: Option<u64>,
    /// Serve this file as the backup; URL actions point at it.
    #[arg(long)]
    backup_file: Option<PathBuf>,
    /// How long a backup URL stays valid, in seconds.
    #[arg(long, default_value_t = 3600)]
    backup_valid_secs: u64,
    /// Instances and backups to answer from (the format is in docs/testing.md); default: the
    /// documents' examples.
    #[arg(long)]
    world: Option<PathBuf>,
    /// How long a backup made on demand, and every change of a resource (create, stop,
    /// start, …), stays in its transitional state, in milliseconds (default: the world file's,
    /// or 2000 for the examples' world).
    #[arg(long, visible_alias = "change-delay-ms")]
    create_delay_ms: Option<u64>,
    /// Answer at most N items a page of a paged listing, whatever `Limit` asks for (default:
    /// the world file's `page_cap`, or as many as asked).
    #[arg(long, value_name = "N")]
    page_cap: Option<usize>,
    /// Serve each download connection at most this many bytes per second (50M, 200M), as
    /// object storage does.
    #[arg(long, value_name = "BYTES", value_parser = dezai_spec::units::parse_bytes)]
    per_connection_rate: Option<u64>,
    /// Answer an action that no spec defines with RetCode 0 (and `Action` echoed) instead of
    /// refusing it; each is reported on stderr, and counted when the emulator stops.
    #[arg(long)]
    lenient: bool,
    /// Print, per product, which actions the world models and which answer their document's
    /// example, then exit.
    #[arg(long)]
    coverage: bool,
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = Args::parse();
    if args.coverage {
        return match dezai_emulator::Emulator::coverage(&args.specs) {
            Ok(report) => {
                print!("{report}");
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("dezai-emulator: {e}");
                ExitCode::from(2)
            }
        };
    }
    let backup = match (&args.backup_file, args.backup_size) {
        (Some(path), _) => match dezai_emulator::BackupFile::from_path(path) {
            Ok(file) => Some(file),
            Err(e) => {
                eprintln!("dezai-emulator: cannot serve {}: {e}", path.display());
                return ExitCode::from(2);
            }
        },
        (None, Some(size)) => Some(dezai_emulator::BackupFile::generated(size)),
        (None, None) => None,
    };
    let mut builder = dezai_emulator::Emulator::builder()
        .specs(&args.specs)
        .key_pair(&args.public_key, &args.private_key)
        .port(args.port);
    let delay = |ms: u64| std::time::Duration::from_millis(ms);
    builder = match &args.world {
        Some(path) => {
            let read = std::fs::read_to_string(path).map_err(|e| e.to_string());
            match read.and_then(|text| dezai_emulator::World::from_json(&text)) {
                Ok(mut world) => {
                    if let Some(ms) = args.create_delay_ms {
                        world = world.create_delay(delay(ms));
                    }
                    builder.world(world)
                }
                Err(e) => {
                    eprintln!("dezai-emulator: {}: {e}", path.display());
                    return ExitCode::from(2);
                }
            }
        }
        None => builder.example_world(delay(args.create_delay_ms.unwrap_or(2000))),
    };
    if let Some(cap) = args.page_cap {
        builder = builder.page_cap(cap);
    }
    if let Some(rate) = args.per_connection_rate {
        builder = builder.per_connection_rate(rate);
    }
    builder = builder.lenient(args.lenient);
    if let Some(file) = backup {
        builder =
            builder.backups(file.valid_for(std::time::Duration::from_secs(args.backup_valid_secs)));
    }
    let emulator = match builder.start().await {
        Ok(emulator) => emulator,
        Err(e) => {
            eprintln!("dezai-emulator: {e}");
            return ExitCode::from(2);
        }
    };
    println!(
        "Dezai emulator: {} actions, {} names from {}, listening on {}",
        emulator.action_count(),
        emulator.name_count(),
        args.specs.display(),
        emulator.url()
    );
    println!("Point a client at it with:");
    println!("  export DEZAI_BASE_URL={}", emulator.url());
    println!("  export DEZAI_PUBLIC_KEY={}", args.public_key);
    println!("  export DEZAI_PRIVATE_KEY={}", args.private_key);
    println!("  export DEZAI_REGION=cn-bj2 DEZAI_ZONE=cn-bj2-04");
    let instances = emulator.world_instances();
    for kind in dezai_spec::backups::KINDS {
        let of_kind: Vec<String> = instances
            .iter()
            .filter(|(k, _, _)| k == kind.name)
            .map(|(_, id, backups)| match backups {
                1 => format!("{id} (1 backup)"),
                n => format!("{id} ({n} backups)"),
            })
            .collect();
        if !of_kind.is_empty() {
            println!("World: {} instances {}", kind.name, of_kind.join(", "));
        }
    }
    let _ = tokio::signal::ctrl_c().await;
    for (action, count) in emulator.undocumented() {
        eprintln!("undocumented, answered leniently: {action} ({count} calls)");
    }
    emulator.shutdown().await;
    ExitCode::SUCCESS
}
