//! `dezai-emulator`: serves the Dezai API from JSON specs on 127.0.0.1 until interrupted.
//!
//! ```text
//! dezai-emulator --specs specs/ --port 8080
//! ```

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
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = Args::parse();
    let emulator = match dezai_emulator::Emulator::builder()
        .specs(&args.specs)
        .key_pair(&args.public_key, &args.private_key)
        .port(args.port)
        .start()
        .await
    {
        Ok(emulator) => emulator,
        Err(e) => {
            eprintln!("dezai-emulator: {e}");
            return ExitCode::from(2);
        }
    };
    println!(
        "Dezai emulator: {} actions from {}, listening on {}",
        emulator.action_count(),
        args.specs.display(),
        emulator.url()
    );
    println!("Point a client at it with:");
    println!("  export DEZAI_BASE_URL={}", emulator.url());
    println!("  export DEZAI_PUBLIC_KEY={}", args.public_key);
    println!("  export DEZAI_PRIVATE_KEY={}", args.private_key);
    println!("  export DEZAI_REGION=cn-bj2 DEZAI_ZONE=cn-bj2-04");
    let _ = tokio::signal::ctrl_c().await;
    emulator.shutdown().await;
    ExitCode::SUCCESS
}
