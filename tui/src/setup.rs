//! The first-run screen's steps, when the data folder is empty: name the collective and its
//! region, then found a network or join one — show the id to send to a steward, take the
//! invite line by paste — and start the node. The steps are plain state; the work (the
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
    },
    /// Make the key, found a network and start the node.
    Found {
        /// The collective's name.
        name: String,
        /// Its region.
        region: String,
        /// The new network's name.
        network: String,
    },
    /// Join with an invite line and start the node.
    Join {
        /// The invite line as pasted.
        invite: String,
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
        }
    }

    /// A first run that made its key before and waits for the invite.
    pub fn waiting_for_invite(id: String) -> Setup {
        Setup {
            step: Step::Invite {
                id: id.clone(),
                invite: Input::default(),
            },
            problem: None,
            id: Some(id),
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
                    self.problem = None;
                    self.step = Step::Choice { name, region };
                }
                _ if *focus == 0 => typed(name),
                _ => typed(region),
            },
            Step::Choice { name, region } => match key.code {
                KeyCode::Char('1') | KeyCode::Char('j') => {
                    let command = SetupCommand::Init {
                        name: name.clone(),
                        region: region.clone(),
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
            Step::Invite { invite, .. } => match key.code {
                KeyCode::Enter if invite.value().trim().is_empty() => {
                    self.problem = Some(t!("setup-paste-first"));
                }
                KeyCode::Enter => {
                    // A pasted line may come wrapped, with spaces or line breaks inside.
                    let line: String = invite
                        .value()
                        .chars()
                        .filter(|c| !c.is_whitespace())
                        .collect();
                    self.problem = None;
                    self.step = Step::Working(t!("setup-joining"));
                    return Some(SetupCommand::Join { invite: line });
                }
                _ => typed(invite),
            },
        }
        None
    }

    /// Takes how a piece of work went; returns whether setup is over.
    pub fn on_outcome(&mut self, outcome: SetupOutcome) -> bool {
        match outcome {
            SetupOutcome::Initialised { id } => {
                *self = Setup::waiting_for_invite(id);
                false
            }
            SetupOutcome::Ready => true,
            SetupOutcome::Failed(why) => {
                self.problem = Some(why);
                if let Step::Working(_) = self.step {
                    self.step = match self.id.clone() {
                        Some(id) => Step::Invite {
                            id,
                            invite: Input::default(),
                        },
                        None => Step::Details {
                            name: Input::default(),
                            region: Input::default(),
                            focus: 0,
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
mod tests {
    use ratatui::crossterm::event::KeyModifiers;

    use super::*;

    fn keys(setup: &mut Setup, text: &str) -> Option<SetupCommand> {
        let mut last = None;
        for c in text.chars() {
            let code = match c {
                '\n' => KeyCode::Enter,
                '\t' => KeyCode::Tab,
                c => KeyCode::Char(c),
            };
            if let Some(command) = setup.on_key(KeyEvent::new(code, KeyModifiers::NONE)) {
                last = Some(command);
            }
        }
        last
    }

    #[test]
    fn joining_asks_for_the_key_then_takes_a_pasted_invite_without_its_line_breaks() {
        let mut setup = Setup::new();
        assert_eq!(keys(&mut setup, "\n\n"), None);
        assert!(setup.problem.is_some(), "a name is needed");
        let command = keys(&mut setup, "\tশক্তি বাহিনী\tপশ্চিমবঙ্গ\n1");
        assert_eq!(
            command,
            Some(SetupCommand::Init {
                name: "শক্তি বাহিনী".into(),
                region: "পশ্চিমবঙ্গ".into()
            })
        );
        assert!(!setup.on_outcome(SetupOutcome::Initialised { id: "ab12".into() }));
        let command = keys(&mut setup, "SNG1 abc\ndef\n");
        // The line break inside the paste was typed as Enter: only what came before counts.
        assert_eq!(
            command,
            Some(SetupCommand::Join {
                invite: "SNG1abc".into()
            })
        );
        assert!(!setup.on_outcome(SetupOutcome::Failed("not an invite".into())));
        assert_eq!(setup.problem.as_deref(), Some("not an invite"));
        assert!(matches!(&setup.step, Step::Invite { id, .. } if id == "ab12"));
        assert!(setup.on_outcome(SetupOutcome::Ready));
    }

    #[test]
    fn founding_asks_for_the_network_name() {
        let mut setup = Setup::new();
        let command = keys(&mut setup, "Utthan\tWest Bengal\n2\nSurvivor Sangam\n");
        assert_eq!(
            command,
            Some(SetupCommand::Found {
                name: "Utthan".into(),
                region: "West Bengal".into(),
                network: "Survivor Sangam".into()
            })
        );
    }

    #[test]
    fn an_id_is_grouped_for_reading_aloud() {
        assert_eq!(grouped("abcdefghij"), "abcd efgh ij");
    }
}
