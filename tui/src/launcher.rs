//! The first-run screen's work, done with the `sangam` program beside the app: make the
//! collective's folder, found or join a network, and start the node in the background. The
//! app itself stays a client of the node; the folder is only ever written by `sangam`.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use crate::setup::{SetupCommand, SetupOutcome};
use crate::t;

/// Where `sangam` is and which folder it works on.
#[derive(Clone, Debug)]
pub struct Launcher {
    /// The `sangam` program.
    pub program: PathBuf,
    /// The collective's data folder.
    pub data_dir: PathBuf,
}

impl Launcher {
    /// The launcher for `data_dir`: `sangam` from `SANGAM_PROGRAM`, else beside this app,
    /// else from `PATH`.
    pub fn for_folder(data_dir: &Path) -> Launcher {
        let beside = std::env::current_exe()
            .ok()
            .and_then(|exe| Some(exe.parent()?.join("sangam")))
            .filter(|path| path.exists());
        let program = std::env::var_os("SANGAM_PROGRAM")
            .map(PathBuf::from)
            .or(beside)
            .unwrap_or_else(|| PathBuf::from("sangam"));
        Launcher {
            program,
            data_dir: data_dir.to_path_buf(),
        }
    }

    /// Runs `sangam <args>` on the folder, with `input` on its standard input; its output,
    /// or the sentence it printed about what went wrong.
    fn sangam(&self, args: &[&str], input: Option<&str>) -> Result<String, String> {
        use std::io::Write;
        let mut child = Command::new(&self.program)
            .arg("--data-dir")
            .arg(&self.data_dir)
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|_| {
                t!(
                    "setup-no-program",
                    program = self.program.display().to_string()
                )
            })?;
        if let Some(mut stdin) = child.stdin.take() {
            let _ = stdin.write_all(input.unwrap_or_default().as_bytes());
        }
        let output = child
            .wait_with_output()
            .map_err(|e| t!("setup-failed", why = e.to_string()))?;
        if output.status.success() {
            return Ok(String::from_utf8_lossy(&output.stdout).trim().to_string());
        }
        let said = String::from_utf8_lossy(&output.stderr);
        let why = said
            .lines()
            .rev()
            .find(|line| !line.trim().is_empty())
            .unwrap_or_default()
            .trim_start_matches("sangam: ")
            .to_string();
        Err(t!("setup-failed", why = why))
    }

    /// Starts `sangam run` on the folder in the background, apart from the app (closing the
    /// app leaves it running); its words go to `sangam-node.log` in the folder.
    pub fn start_node(&self) -> Result<(), String> {
        use std::os::unix::process::CommandExt;
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(self.data_dir.join("sangam-node.log"))
            .map_err(|e| t!("setup-failed", why = e.to_string()))?;
        let log_too = log
            .try_clone()
            .map_err(|e| t!("setup-failed", why = e.to_string()))?;
        Command::new(&self.program)
            .arg("--data-dir")
            .arg(&self.data_dir)
            .arg("run")
            .stdin(Stdio::null())
            .stdout(log)
            .stderr(log_too)
            // Its own process group: Ctrl-C in the app's terminal does not stop the node.
            .process_group(0)
            .spawn()
            .map(drop)
            .map_err(|_| {
                t!(
                    "setup-no-program",
                    program = self.program.display().to_string()
                )
            })
    }

    /// Does one step of the first-run screen's work (blocking: run it off the app's loop).
    pub fn run(&self, command: SetupCommand) -> SetupOutcome {
        let done = match command {
            SetupCommand::Init { name, region } => {
                return match self.init(&name, &region) {
                    Ok(id) => SetupOutcome::Initialised { id },
                    Err(why) => SetupOutcome::Failed(why),
                };
            }
            SetupCommand::Found {
                name,
                region,
                network,
            } => self
                .init(&name, &region)
                .and_then(|_| self.sangam(&["network", "create", "--name", &network], None))
                .and_then(|_| self.start_node()),
            SetupCommand::Join { invite } => self
                .sangam(&["join", "-"], Some(&invite))
                .and_then(|_| self.start_node()),
        };
        match done {
            Ok(()) => SetupOutcome::Ready,
            Err(why) => SetupOutcome::Failed(why),
        }
    }

    fn init(&self, name: &str, region: &str) -> Result<String, String> {
        self.sangam(
            &[
                "init",
                "--name",
                name,
                "--region",
                region,
                "--no-passphrase",
            ],
            None,
        )?;
        let id = self.sangam(&["id"], None)?;
        // Kept for the first-run screen to show again if the app is closed before the invite.
        let _ = std::fs::write(self.data_dir.join("sangam-id.txt"), &id);
        Ok(id)
    }
}
