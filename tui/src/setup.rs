//! The first-run screen's steps, when the data folder is empty: name the collective and its
//! region, then found a network or join one — show the id to send to a steward, take the
//! invite line by paste — and start the node. A folder holding only a key copied in from a
//! backup (a laptop replaced after a theft or a reinstall) is set up around that key and joins
//! again with the same id. The steps are plain state; the work (the
//! `sangam` commands, starting the node) is done by the runtime as [`SetupCommand`]s and
//! comes back as a [`SetupOutcome`].

use ratatui::crossterm::event::{Event as TermEvent, KeyCode, KeyEvent};
use tui_input::Input;
use tui_input::backend::crossterm::EventHandler;

use crate::t;

/// Work to do for the first-run screen.
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum SetupCommand {
    /// Make this collective's key and folder (`sangam init`).
    Init {
        /// The collective's name.
        name: String,
        /// Its region.
        region: String,
        /// The passphrase the folder is sealed with, if one was chosen.
        passphrase: Option<String>,
    },
    /// Make the key, found a network and start the node.
    Found {
        /// The collective's name.
        name: String,
        /// Its region.
        region: String,
        /// The new network's name.
        network: String,
        /// The passphrase the folder is sealed with, if one was chosen.
        passphrase: Option<String>,
    },
    /// Join with an invite line and start the node.
    Join {
        /// The invite line as pasted.
        invite: String,
        /// The folder's passphrase, if it has one.
        passphrase: Option<String>,
    },
}

/// How a piece of setup work went.
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum SetupOutcome {
    /// The folder is made; this is the collective's id.
    Initialised {
        /// The id to send to a steward.
        id: String,
    },
    /// The collective is in a network and its node is starting.
    Ready,
    /// It did not work; why, in plain words.
    Failed(String),
}

/// A key copied into the folder from a backup, found before anything else was set up.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum RestoredKey {
    /// Saved without a passphrase.
    Plain,
    /// Saved with a passphrase, needed to open it.
    Sealed,
}

/// Where the first-run screen is.
#[derive(Clone, Debug)]
pub enum Step {
    /// The collective's name and region.
    Details {
        /// Its name.
        name: Input,
        /// Its region.
        region: Input,
        /// Which of the two is being typed (0 or 1).
        focus: usize,
    },
    /// A passphrase for the folder, typed twice (none: both empty, after a warning).
    Passphrase {
        /// The collective's name.
        name: String,
        /// Its region.
        region: String,
        /// The passphrase.
        first: Input,
        /// The same again.
        second: Input,
        /// Which of the two is being typed (0 or 1).
        focus: usize,
        /// Whether going on without one was warned about.
        warned: bool,
    },
    /// The passphrase a restored key was saved with, typed once to open it.
    KeyPassphrase {
        /// The collective's name.
        name: String,
        /// Its region.
        region: String,
        /// The passphrase.
        passphrase: Input,
    },
    /// Found a network or join one.
    Choice {
        /// The collective's name.
        name: String,
        /// Its region.
        region: String,
    },
    /// The name of the network being founded.
    NetworkName {
        /// The collective's name.
        name: String,
        /// Its region.
        region: String,
        /// The network's name as typed.
        network: Input,
    },
    /// Waiting for work to finish; what it is.
    Working(String),
    /// Send the id to a steward; paste the invite that comes back.
    Invite {
        /// This collective's id.
        id: String,
        /// The invite line as typed or pasted.
        invite: Input,
        /// The folder's passphrase, asked for when the app was closed since it was chosen.
        passphrase: Option<Input>,
        /// Which is being typed: the invite (0) or the passphrase (1).
        focus: usize,
    },
}

/// The first-run screen.
#[derive(Clone, Debug)]
pub struct Setup {
    /// Where it is.
    pub step: Step,
    /// What went wrong last, in plain words.
    pub problem: Option<String>,
    /// This collective's id, once its key is made.
    pub id: Option<String>,
    /// The passphrase chosen for the folder (kept in memory only, for the steps that open it).
    pub passphrase: Option<String>,
    /// The key restored from a backup that this folder is set up around, if any.
    pub restored_key: Option<RestoredKey>,
    /// The name and region typed, shown again if making the folder fails.
    typed: Option<(String, String)>,
}

impl Default for Setup {
    fn default() -> Setup {
        Setup::new()
    }
}

impl Setup {
    /// A first run from the start.
    pub fn new() -> Setup {
        Setup {
            step: Step::Details {
                name: Input::default(),
                region: Input::default(),
                focus: 0,
            },
            problem: None,
            id: None,
            passphrase: None,
            restored_key: None,
            typed: None,
        }
    }

    /// A first run on a folder holding only a key restored from a backup.
    pub fn restoring(key: RestoredKey) -> Setup {
        Setup {
            restored_key: Some(key),
            ..Setup::new()
        }
    }

    /// The details step again, with what was typed before.
    fn details_again(&self) -> Step {
        let (name, region) = self.typed.clone().unwrap_or_default();
        Step::Details {
            name: Input::new(name),
            region: Input::new(region),
            focus: 0,
        }
    }

    /// Makes the folder around the restored key (with the passphrase it was saved with).
    fn restore(&mut self, name: String, region: String) -> SetupCommand {
        self.problem = None;
        self.step = Step::Working(t!("setup-restoring"));
        SetupCommand::Init {
            name,
            region,
            passphrase: self.passphrase.clone(),
        }
    }

    /// A first run that made its key before and waits for the invite; a `sealed` folder needs
    /// its passphrase again to join.
    pub fn waiting_for_invite(id: String, sealed: bool) -> Setup {
        Setup {
            step: Step::Invite {
                id: id.clone(),
                invite: Input::default(),
                passphrase: sealed.then(Input::default),
                focus: 0,
            },
            problem: None,
            id: Some(id),
            passphrase: None,
            restored_key: None,
            typed: None,
        }
    }

    /// Handles a key; returns the work it asks for, if any.
    pub fn on_key(&mut self, key: KeyEvent) -> Option<SetupCommand> {
        let typed = |input: &mut Input| {
            input.handle_event(&TermEvent::Key(key));
        };
        match &mut self.step {
            Step::Details {
                name,
                region,
                focus,
            } => match key.code {
                KeyCode::Tab | KeyCode::Down | KeyCode::BackTab | KeyCode::Up => {
                    *focus = 1 - *focus;
                }
                KeyCode::Enter if *focus == 0 => *focus = 1,
                KeyCode::Enter => {
                    let name = name.value().trim().to_string();
                    if name.is_empty() {
                        self.problem = Some(t!("problem-needed", field = t!("setup-name")));
                        return None;
                    }
                    let region = region.value().trim().to_string();
                    self.typed = Some((name.clone(), region.clone()));
                    self.problem = None;
                    match self.restored_key {
                        // A restored key keeps the passphrase it was saved with: a plain one
                        // has none to ask for.
                        Some(RestoredKey::Plain) => return Some(self.restore(name, region)),
                        Some(RestoredKey::Sealed) => {
                            self.step = Step::KeyPassphrase {
                                name,
                                region,
                                passphrase: Input::default(),
                            };
                            return None;
                        }
                        None => {}
                    }
                    self.step = Step::Passphrase {
                        name,
                        region,
                        first: Input::default(),
                        second: Input::default(),
                        focus: 0,
                        warned: false,
                    };
                }
                _ if *focus == 0 => typed(name),
                _ => typed(region),
            },
            Step::Passphrase {
                name,
                region,
                first,
                second,
                focus,
                warned,
            } => match key.code {
                KeyCode::Tab | KeyCode::Down | KeyCode::BackTab | KeyCode::Up => {
                    *focus = 1 - *focus;
                }
                KeyCode::Enter if *focus == 0 => *focus = 1,
                KeyCode::Enter if first.value() != second.value() => {
                    self.problem = Some(t!("setup-passphrases-differ"));
                    *first = Input::default();
                    *second = Input::default();
                    *focus = 0;
                }
                KeyCode::Enter if first.value().is_empty() && !*warned => {
                    self.problem = Some(t!("setup-no-passphrase-warning"));
                    *warned = true;
                }
                KeyCode::Enter => {
                    self.passphrase = Some(first.value().to_string()).filter(|p| !p.is_empty());
                    self.problem = None;
                    self.step = Step::Choice {
                        name: name.clone(),
                        region: region.clone(),
                    };
                }
                KeyCode::Esc => *self = Setup::new(),
                _ if *focus == 0 => typed(first),
                _ => typed(second),
            },
            Step::KeyPassphrase {
                name,
                region,
                passphrase,
            } => match key.code {
                KeyCode::Enter if passphrase.value().is_empty() => {
                    self.problem = Some(t!("setup-key-passphrase-needed"));
                }
                KeyCode::Enter => {
                    self.passphrase = Some(passphrase.value().to_string());
                    let (name, region) = (name.clone(), region.clone());
                    return Some(self.restore(name, region));
                }
                KeyCode::Esc => {
                    self.problem = None;
                    self.step = self.details_again();
                }
                _ => typed(passphrase),
            },
            Step::Choice { name, region } => match key.code {
                KeyCode::Char('1') | KeyCode::Char('j') => {
                    let command = SetupCommand::Init {
                        name: name.clone(),
                        region: region.clone(),
                        passphrase: self.passphrase.clone(),
                    };
                    self.step = Step::Working(t!("setup-making-key"));
                    return Some(command);
                }
                KeyCode::Char('2') | KeyCode::Char('f') => {
                    self.step = Step::NetworkName {
                        name: name.clone(),
                        region: region.clone(),
                        network: Input::default(),
                    };
                }
                KeyCode::Esc => *self = Setup::new(),
                _ => {}
            },
            Step::NetworkName {
                name,
                region,
                network,
            } => match key.code {
                KeyCode::Enter if network.value().trim().is_empty() => {
                    self.problem = Some(t!("problem-needed", field = t!("setup-network-name")));
                }
                KeyCode::Enter => {
                    let command = SetupCommand::Found {
                        name: name.clone(),
                        region: region.clone(),
                        network: network.value().trim().to_string(),
                        passphrase: self.passphrase.clone(),
                    };
                    self.problem = None;
                    self.step = Step::Working(t!("setup-founding"));
                    return Some(command);
                }
                KeyCode::Esc => {
                    self.step = Step::Choice {
                        name: name.clone(),
                        region: region.clone(),
                    }
                }
                _ => typed(network),
            },
            Step::Working(_) => {}
            Step::Invite {
                invite,
                passphrase,
                focus,
                ..
            } => match key.code {
                KeyCode::Tab | KeyCode::BackTab if passphrase.is_some() => *focus = 1 - *focus,
                KeyCode::Enter if invite.value().trim().is_empty() => {
                    self.problem = Some(t!("setup-paste-first"));
                    *focus = 0;
                }
                KeyCode::Enter if passphrase.as_ref().is_some_and(|p| p.value().is_empty()) => {
                    self.problem = Some(t!("setup-passphrase-again"));
                    *focus = 1;
                }
                KeyCode::Enter => {
                    if let Some(typed) = passphrase {
                        self.passphrase = Some(typed.value().to_string());
                    }
                    // A pasted line may come wrapped, with spaces or line breaks inside.
                    let line: String = invite
                        .value()
                        .chars()
                        .filter(|c| !c.is_whitespace())
                        .collect();
                    self.problem = None;
                    self.step = Step::Working(t!("setup-joining"));
                    return Some(SetupCommand::Join {
                        invite: line,
                        passphrase: self.passphrase.clone(),
                    });
                }
                _ => match passphrase {
                    Some(passphrase) if *focus == 1 => typed(passphrase),
                    _ => typed(invite),
                },
            },
        }
        None
    }

    /// Takes how a piece of work went; returns whether setup is over.
    pub fn on_outcome(&mut self, outcome: SetupOutcome) -> bool {
        match outcome {
            SetupOutcome::Initialised { id } => {
                let passphrase = self.passphrase.take();
                let restored_key = self.restored_key;
                *self = Setup::waiting_for_invite(id, false);
                self.passphrase = passphrase;
                self.restored_key = restored_key;
                false
            }
            SetupOutcome::Ready => true,
            SetupOutcome::Failed(why) => {
                self.problem = Some(why);
                if let Step::Working(_) = self.step {
                    self.step = match self.id.clone() {
                        // A passphrase typed here may have been the mistake: it is shown
                        // again (hidden) to correct.
                        Some(id) => Step::Invite {
                            id,
                            invite: Input::default(),
                            passphrase: self.passphrase.clone().map(Input::new),
                            focus: 0,
                        },
                        // A restored key's passphrase may have been the mistake.
                        None => match (self.restored_key, self.typed.clone()) {
                            (Some(RestoredKey::Sealed), Some((name, region))) => {
                                Step::KeyPassphrase {
                                    name,
                                    region,
                                    passphrase: Input::default(),
                                }
                            }
                            _ => self.details_again(),
                        },
                    };
                }
                false
            }
        }
    }
}

/// An id in groups of four, to read out over the phone.
pub fn grouped(id: &str) -> String {
    id.chars()
        .collect::<Vec<_>>()
        .chunks(4)
        .map(|group| group.iter().collect::<String>())
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests;
