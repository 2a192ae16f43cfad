//! `sangam-tui`: the terminal app for a running Sangam node, and the local demo.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Mutex;

use anyhow::Result;
use clap::{Parser, Subcommand};
use sangam_node::clock::now_ms;
use sangam_node::datadir::DataDir;
use sangam_tui::app::App;
use sangam_tui::backend::AlignedBackend;
#[cfg(feature = "demo")]
use sangam_tui::demo;
use sangam_tui::{client, runtime};

/// The Sangam terminal app.
#[derive(Parser)]
#[command(name = "sangam-tui", version, about)]
struct Args {
    /// The node's data folder (default: SANGAM_DATA_DIR, else the platform's data folder).
    #[arg(long, env = "SANGAM_DATA_DIR", global = true, value_name = "DIR")]
    data_dir: Option<PathBuf>,
    /// What to do (default: open the app on the node).
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Start a local demo network of five collectives and open the app on one of them.
    Demo {
        /// Seconds between sample posts.
        #[arg(long, default_value_t = 6)]
        pace: u64,
    },
}

fn log_to(path: &std::path::Path) {
    if let Ok(file) = sangam_tui::logfile::open_log(path) {
        let _ = tracing_subscriber::fmt()
            .with_writer(Mutex::new(file))
            .with_ansi(false)
            .with_env_filter(tracing_subscriber::EnvFilter::new(
                "warn,sangam_node=info,sangam_tui=info",
            ))
            .try_init();
    }
}

async fn open_app(socket: PathBuf) -> Result<()> {
    // init() sets up raw mode, the alternate screen and the panic hook that restores the terminal.
    drop(ratatui::init());
    let backend = AlignedBackend(ratatui::backend::CrosstermBackend::new(std::io::stdout()));
    let mut terminal = ratatui::Terminal::new(backend)?;
    let keys = runtime::read_keys();
    let link = client::connect(socket);
    let result = runtime::drive(&mut terminal, App::new(now_ms()), keys, link).await;
    ratatui::restore();
    result.map(|_| ())
}

async fn run(args: Args) -> Result<()> {
    match args.command {
        #[cfg(not(feature = "demo"))]
        Some(Command::Demo { .. }) => Err(anyhow::anyhow!(
            "this build of sangam-tui has no demo; run it with \
             `cargo run --release -p sangam-tui --features demo -- demo`"
        )),
        #[cfg(feature = "demo")]
        Some(Command::Demo { pace }) => {
            eprintln!("Starting five demo collectives on this computer…");
            let demo = demo::start(std::time::Duration::from_secs(pace.max(1))).await?;
            log_to(&demo.log_path());
            let socket = demo.attach.socket_path();
            let result = open_app(socket).await;
            eprintln!("Stopping the demo collectives and removing their data…");
            demo.stop().await;
            result
        }
        None => {
            let root = DataDir::resolve(args.data_dir)?;
            log_to(&root.join("sangam-tui.log"));
            open_app(DataDir::socket_path_of(&root)).await
        }
    }
}

#[tokio::main]
async fn main() -> ExitCode {
    match run(Args::parse()).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("sangam-tui: {error}");
            ExitCode::FAILURE
        }
    }
}
