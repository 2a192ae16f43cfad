//! `sangam`: the Sangam daemon and command line.

use std::process::ExitCode;

mod cli;

use clap::Parser;
use cli::{Cli, run};
use tracing_subscriber::EnvFilter;

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    let filter = EnvFilter::try_from_env("SANGAM_LOG")
        .unwrap_or_else(|_| EnvFilter::new("warn,libp2p_kad=error,sangam_node=info"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .init();
    match run(cli).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            // One plain sentence, no backtrace.
            eprintln!("sangam: {error}");
            ExitCode::FAILURE
        }
    }
}
