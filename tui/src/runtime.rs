//! The app's loop: draw, then wait for a key, an answer from the node or a tick — whichever
//! comes first — so the screen never waits on the network.

use std::time::Duration;

use ratatui::Terminal;
use ratatui::backend::{Backend, ClearType};
use ratatui::crossterm::event::{
    self, Event as TermEvent, KeyCode, KeyEvent, KeyEventKind, KeyModifiers,
};
use sangam_node::clock::now_ms;
use tokio::sync::mpsc;

use crate::app::{Action, App, Incoming};
use crate::client::NodeLink;
use crate::launcher::Launcher;
use crate::setup::SetupOutcome;
use crate::t;
use crate::view;

/// Keys waiting to be handled.
pub const KEY_CAPACITY: usize = 64;
/// How often the app refreshes status and ages.
const TICK: Duration = Duration::from_secs(5);

/// Where the app keeps its settings and how it runs `sangam` (absent in tests and the demo's
/// throwaway folders: nothing is remembered, no setup is done).
#[derive(Clone, Debug, Default)]
pub struct Home {
    /// The data folder the settings are kept in.
    pub folder: Option<std::path::PathBuf>,
    /// How to run `sangam` for the first-run screen.
    pub launcher: Option<Launcher>,
}

/// Runs the app until the person quits; returns its final state.
pub async fn drive<B: Backend>(
    terminal: &mut Terminal<B>,
    mut app: App,
    mut keys: mpsc::Receiver<KeyEvent>,
    mut link: NodeLink,
    home: Home,
) -> anyhow::Result<App>
where
    B::Error: Send + Sync + 'static,
{
    let mut tick = tokio::time::interval(TICK);
    // Setup work runs off the loop, so the screen keeps answering; its outcome comes back here.
    let (setup_done, mut setup_outcomes) = mpsc::channel(4);
    loop {
        // Terminals disagree on the width of Indic vowel signs; a full repaint keeps stale marks
        // from a previous frame off the screen.
        terminal.backend_mut().clear_region(ClearType::All)?;
        terminal.swap_buffers();
        terminal.draw(|frame| view::render(frame, &app))?;
        let actions = tokio::select! {
            key = keys.recv() => match key {
                Some(key) => app.on_key(key),
                None => vec![Action::Quit],
            },
            Some(incoming) = link.incoming.recv() => app.on_incoming(incoming),
            Some(outcome) = setup_outcomes.recv() => app.on_incoming(Incoming::Setup(outcome)),
            _ = tick.tick() => app.on_tick(now_ms()),
        };
        for action in actions {
            match action {
                Action::Quit => return Ok(app),
                Action::Export { stem, csv, report } => {
                    let written = write_export(&stem, &csv, &report);
                    app.on_exported(written);
                }
                Action::SaveSettings(settings) => {
                    if let Some(folder) = &home.folder {
                        // Not remembering a choice is no reason to stop the app.
                        let _ = settings.save(folder);
                    }
                }
                Action::Bell => {
                    use std::io::Write;
                    let _ = std::io::stdout().write_all(b"\x07");
                    let _ = std::io::stdout().flush();
                }
                Action::Setup(command) => {
                    let Some(launcher) = home.launcher.clone() else {
                        continue;
                    };
                    let done = setup_done.clone();
                    tokio::task::spawn_blocking(move || {
                        let _ = done.blocking_send(launcher.run(command));
                    });
                }
                Action::StartNode { passphrase } => {
                    let Some(launcher) = home.launcher.clone() else {
                        continue;
                    };
                    let done = setup_done.clone();
                    tokio::task::spawn_blocking(move || {
                        let outcome = match launcher.start_node(passphrase.as_deref()) {
                            Ok(()) => SetupOutcome::Ready,
                            Err(why) => SetupOutcome::Failed(why),
                        };
                        let _ = done.blocking_send(outcome);
                    });
                }
                Action::Send(purpose, request) => {
                    if link.outgoing.send((purpose, request)).await.is_err() {
                        anyhow::bail!(t!("link-stopped"));
                    }
                }
            }
        }
    }
}

/// Writes an exported score card into the folder the app was started from; returns the two
/// files' paths, or what went wrong in plain words.
fn write_export(stem: &str, csv: &str, report: &str) -> Result<[String; 2], String> {
    let folder = std::env::current_dir().map_err(|e| t!("no-folder", why = e.to_string()))?;
    let mut paths = [String::new(), String::new()];
    for (slot, (extension, text)) in [("csv", csv), ("md", report)].into_iter().enumerate() {
        let path = folder.join(format!("{stem}.{extension}"));
        std::fs::write(&path, text).map_err(|e| {
            t!(
                "could-not-write",
                path = path.display().to_string(),
                why = e.to_string()
            )
        })?;
        paths[slot] = path.display().to_string();
    }
    Ok(paths)
}

/// What a paste types: its characters, each line break a space, other control characters
/// left out.
pub fn pasted(text: &str) -> impl Iterator<Item = char> + '_ {
    text.chars()
        .filter(|c| *c != '\r')
        .map(|c| if c == '\n' { ' ' } else { c })
        .filter(|c| !c.is_control())
}

/// Reads key presses from the terminal on a thread of its own (crossterm's read blocks).
pub fn read_keys() -> mpsc::Receiver<KeyEvent> {
    let (sender, keys) = mpsc::channel(KEY_CAPACITY);
    std::thread::spawn(move || {
        loop {
            match event::read() {
                Ok(TermEvent::Key(key)) if key.kind == KeyEventKind::Press => {
                    if sender.blocking_send(key).is_err() {
                        return;
                    }
                }
                // A paste arrives whole (bracketed paste): typed in as its characters, line
                // breaks as spaces, so a line copied in pieces (an invite wrapped on a
                // steward's screen) is not sent at its first break.
                Ok(TermEvent::Paste(text)) => {
                    for c in pasted(&text) {
                        let key = KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE);
                        if sender.blocking_send(key).is_err() {
                            return;
                        }
                    }
                }
                Ok(_) => {}
                Err(_) => return,
            }
        }
    });
    keys
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_paste_in_pieces_types_one_line() {
        let typed: String = super::pasted("sangam-invite-1:ab\r\ncd\nef\t").collect();
        assert_eq!(typed, "sangam-invite-1:ab cd ef");
    }
}
