//! The app as people run it: in tmux (the terminal most hubs are reached through), on a tmux
//! server of the test's own, one window named `app`, driven by keys and read back with
//! `capture-pane`.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

/// How long the screen may take to show what a test waits for.
const PATIENCE: Duration = Duration::from_secs(90);

/// A tmux server running one program in a window named `app`; killed when dropped.
pub struct Tmux {
    socket: String,
}

impl Tmux {
    /// Whether tmux is installed.
    pub fn available() -> bool {
        Command::new("tmux").arg("-V").output().is_ok()
    }

    /// Runs `command` in a `width`×`height` window, in `folder`, with `env` (`NAME=value`)
    /// set; the server's socket is named after `name` and this process.
    pub fn start(
        name: &str,
        (width, height): (u16, u16),
        folder: &Path,
        env: &[String],
        command: &str,
    ) -> Tmux {
        let tmux = Tmux {
            socket: format!("sangam-{name}-{}", std::process::id()),
        };
        let (width, height, folder) = (
            width.to_string(),
            height.to_string(),
            folder.display().to_string(),
        );
        let mut args = vec![
            "new-session",
            "-d",
            "-s",
            "app",
            "-x",
            &width,
            "-y",
            &height,
            "-c",
            &folder,
        ];
        for variable in env {
            args.extend(["-e", variable.as_str()]);
        }
        args.push(command);
        tmux.run(&args);
        tmux
    }

    /// Runs a tmux command on this server; what it printed.
    pub fn run(&self, args: &[&str]) -> String {
        let out = Command::new("tmux")
            .arg("-L")
            .arg(&self.socket)
            .args(args)
            .output()
            .expect("tmux runs");
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Types `text` as it is.
    pub fn type_text(&self, text: &str) {
        self.run(&["send-keys", "-t", "app", "-l", text]);
    }

    /// Presses keys named as tmux names them (`Enter`, `Tab`, `C-s`, `q`).
    pub fn press(&self, key: &str) {
        self.run(&["send-keys", "-t", "app", key]);
    }

    /// Pastes `text` as a terminal pastes a selection (bracketed, when the app asked for it).
    pub fn paste(&self, text: &str) {
        self.run(&["set-buffer", "-b", "paste", text]);
        self.run(&["paste-buffer", "-p", "-b", "paste", "-t", "app"]);
    }

    /// What the window shows now.
    pub fn screen(&self) -> String {
        self.run(&["capture-pane", "-p", "-t", "app"])
    }

    /// Waits until the screen shows `text`; the screen then.
    pub fn wait_for(&self, text: &str) -> String {
        let deadline = Instant::now() + PATIENCE;
        loop {
            let screen = self.screen();
            if screen.contains(text) {
                return screen;
            }
            assert!(
                Instant::now() < deadline,
                "the app never showed {text:?}; the screen:\n{screen}"
            );
            std::thread::sleep(Duration::from_millis(250));
        }
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = self.run(&["kill-server"]);
    }
}
