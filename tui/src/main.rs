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
use sangam_tui::launcher::Launcher;
use sangam_tui::settings::Settings;
use sangam_tui::setup::{RestoredKey, Setup};
use sangam_tui::{client, runtime, t};

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

async fn open_app(socket: PathBuf, app: App, home: runtime::Home) -> Result<()> {
    // init() sets up raw mode, the alternate screen and the panic hook that restores the terminal.
    drop(ratatui::init());
    // A paste arrives whole, not as keys with Enter at each line break (see runtime::pasted).
    let _ = ratatui::crossterm::execute!(
        std::io::stdout(),
        ratatui::crossterm::event::EnableBracketedPaste
    );
    let backend = AlignedBackend(ratatui::backend::CrosstermBackend::new(std::io::stdout()));
    let mut terminal = ratatui::Terminal::new(backend)?;
    let keys = runtime::read_keys();
    let link = client::connect(socket);
    let result = runtime::drive(&mut terminal, app, keys, link, home).await;
    let _ = ratatui::crossterm::execute!(
        std::io::stdout(),
        ratatui::crossterm::event::DisableBracketedPaste
    );
    ratatui::restore();
    result.map(|_| ())
}

async fn run(args: Args) -> Result<()> {
    // The command line speaks the language the app was last set to in this folder, else LANG's.
    if let Ok(root) = DataDir::resolve(args.data_dir.clone()) {
        sangam_tui::catalogue::speak(Settings::load(&root).language());
    }
    match args.command {
        #[cfg(not(feature = "demo"))]
        Some(Command::Demo { .. }) => Err(anyhow::anyhow!(t!("cli-no-demo"))),
        #[cfg(feature = "demo")]
        Some(Command::Demo { pace }) => {
            eprintln!("{}", t!("cli-demo-starting"));
            let demo = demo::start(std::time::Duration::from_secs(pace.max(1))).await?;
            log_to(&demo.log_path());
            let socket = demo.attach.socket_path();
            let app = App::with_settings(now_ms(), Settings::default());
            let result = open_app(socket, app, runtime::Home::default()).await;
            eprintln!("{}", t!("cli-demo-stopping"));
            demo.stop().await;
            result
        }
        None => {
            let root = DataDir::resolve(args.data_dir)?;
            let folder = DataDir::open(&root)?;
            log_to(&root.join("sangam-tui.log"));
            let settings = Settings::load(&root);
            let launcher = Launcher::for_folder(&root);
            let mut app = App::with_settings(now_ms(), settings.clone());
            app.can_start_node = Some(folder.has_passphrase());
            // An empty folder: the first-run screen sets it up (again at the invite step if
            // the key was made and the invite has not come yet).
            if !folder.is_initialised() {
                app.setup = Some(Setup::new());
            } else if folder.holds_restored_key() {
                // A key copied in from a backup: set the folder up around it.
                app.setup = Some(Setup::restoring(if folder.has_passphrase() {
                    RestoredKey::Sealed
                } else {
                    RestoredKey::Plain
                }));
            } else if settings.waiting_for_invite {
                let id = std::fs::read_to_string(root.join(sangam_tui::launcher::ID_FILE))
                    .map(|id| id.trim().to_string())
                    .unwrap_or_default();
                app.setup = Some(Setup::waiting_for_invite(id, folder.has_passphrase()));
            }
            let home = runtime::Home {
                folder: Some(root.clone()),
                launcher: Some(launcher),
            };
            open_app(DataDir::socket_path_of(&root), app, home).await
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
