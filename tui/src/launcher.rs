//! The first-run screen's work, done with the `sangam` program beside the app: make the
//! collective's folder, found or join a network, and start the node in the background. The
//! app itself stays a client of the node; the folder is only ever written by `sangam`.
//!
//! A passphrase goes to `sangam` on its standard input (`--passphrase-file /dev/stdin`), so it
//! is never written to a file or shown in the list of running programs.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use crate::setup::{SetupCommand, SetupOutcome};
use crate::t;

/// The file in the data folder that keeps the id while the first-run screen waits for the
/// invite (removed once the collective has joined).
pub const ID_FILE: &str = "sangam-id.txt";

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

    fn not_found(&self) -> String {
        t!(
            "setup-no-program",
            program = self.program.display().to_string()
        )
    }

    /// `sangam` on the folder, reading the passphrase (if any) from its standard input.
    fn command(&self, passphrase: Option<&str>) -> Command {
        let mut command = Command::new(&self.program);
        command.arg("--data-dir").arg(&self.data_dir);
        if passphrase.is_some() {
            command.args(["--passphrase-file", "/dev/stdin"]);
        }
        command.stdin(Stdio::piped());
        command
    }

    /// Hands the passphrase to a `sangam` just started, and closes its input.
    fn hand_over(child: &mut std::process::Child, passphrase: Option<&str>) {
        if let (Some(mut stdin), Some(passphrase)) = (child.stdin.take(), passphrase) {
            let _ = stdin.write_all(format!("{passphrase}\n").as_bytes());
        }
    }

    /// Runs `sangam <args>` on the folder; its output, or the sentence it printed about what
    /// went wrong.
    fn sangam(&self, args: &[&str], passphrase: Option<&str>) -> Result<String, String> {
        let mut child = self
            .command(passphrase)
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|_| self.not_found())?;
        Launcher::hand_over(&mut child, passphrase);
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
    /// app leaves it running). A sealed folder's passphrase is checked first, so a mistyped one
    /// is said at once. The node's log (which names peers and addresses) goes to
    /// `sangam-node.log` in a plain folder only: beside a sealed store it would tell whoever
    /// takes the laptop what the store keeps from them.
    pub fn start_node(&self, passphrase: Option<&str>) -> Result<(), String> {
        use std::os::unix::process::CommandExt;
        if passphrase.is_some() {
            self.sangam(&["id"], passphrase)?;
        }
        let failed = |e: std::io::Error| t!("setup-failed", why = e.to_string());
        let (log, log_too) = if passphrase.is_some() {
            (Stdio::null(), Stdio::null())
        } else {
            let file = std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(self.data_dir.join("sangam-node.log"))
                .map_err(failed)?;
            let copy = file.try_clone().map_err(failed)?;
            (Stdio::from(file), Stdio::from(copy))
        };
        let mut child = self
            .command(passphrase)
            .arg("run")
            .stdout(log)
            .stderr(log_too)
            // Its own process group: Ctrl-C in the app's terminal does not stop the node.
            .process_group(0)
            .spawn()
            .map_err(|_| self.not_found())?;
        // The node reads the passphrase once as it starts.
        Launcher::hand_over(&mut child, passphrase);
        Ok(())
    }

    /// Does one step of the first-run screen's work (blocking: run it off the app's loop).
    pub fn run(&self, command: SetupCommand) -> SetupOutcome {
        let done = match command {
            SetupCommand::Init {
                name,
                region,
                passphrase,
            } => {
                return match self.init(&name, &region, passphrase.as_deref()) {
                    Ok(id) => SetupOutcome::Initialised { id },
                    Err(why) => SetupOutcome::Failed(why),
                };
            }
            SetupCommand::Found {
                name,
                region,
                network,
                passphrase,
            } => {
                let passphrase = passphrase.as_deref();
                self.init(&name, &region, passphrase)
                    .and_then(|_| {
                        self.sangam(&["network", "create", "--name", &network], passphrase)
                    })
                    .and_then(|_| self.start_node(passphrase))
            }
            SetupCommand::Join { invite, passphrase } => {
                let passphrase = passphrase.as_deref();
                self.sangam(&["join", &invite], passphrase)
                    .and_then(|_| self.start_node(passphrase))
            }
        };
        match done {
            Ok(()) => {
                // Needed only while waiting for the invite.
                let _ = std::fs::remove_file(self.data_dir.join(ID_FILE));
                SetupOutcome::Ready
            }
            Err(why) => SetupOutcome::Failed(why),
        }
    }

    fn init(&self, name: &str, region: &str, passphrase: Option<&str>) -> Result<String, String> {
        let mut args = vec!["init", "--name", name, "--region", region];
        if passphrase.is_none() {
            args.push("--no-passphrase");
        }
        self.sangam(&args, passphrase)?;
        let id = self.sangam(&["id"], passphrase)?;
        // Kept for the first-run screen to show again if the app is closed before the invite.
        let _ = std::fs::write(self.data_dir.join(ID_FILE), &id);
        Ok(id)
    }
}
