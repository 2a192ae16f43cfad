//! Compose forms: fields, inline validation with the protocol's own rules, and the body they make.

mod audit;
mod bundle;
mod offer;
mod posts;
mod steward;

use ratatui::crossterm::event::{Event as TermEvent, KeyCode, KeyEvent, KeyModifiers};
use sangam_protocol::api::Request;
use sangam_protocol::kinds::{Offer, Withdraw};
use sangam_protocol::{AuthorId, Body, Error as Rule, MessageId};
use tui_input::Input;
use tui_input::backend::crossterm::EventHandler;

use crate::t;
pub(crate) use crate::topics::topic_of;

/// Which form.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum FormKind {
    /// An announcement.
    Announcement,
    /// A request for help.
    Request,
    /// An offer on a request.
    Offer,
    /// A shared resource.
    Resource,
    /// The collective's profile.
    Profile,
    /// Withdrawing one of this collective's posts (typed confirmation).
    Withdraw,
    /// Wiping this laptop (typed confirmation).
    Wipe,
    /// An audit of a public office.
    Audit,
    /// Writing a bundle file for a USB stick.
    BundleExport,
    /// Reading a bundle file.
    BundleImport,
    /// Welcoming a collective into the network (a steward).
    Admit,
    /// Removing a collective from the network (a steward; typed confirmation).
    Revoke,
    /// Naming the recovery council (the founder, or a council member proposing a new one).
    Council,
    /// Voting for a new founder key (a steward: the founder's laptop was taken).
    FounderVote,
    /// The folder's passphrase, to start the node.
    Unlock,
}

impl FormKind {
    /// The form's title.
    pub fn title(self) -> String {
        match self {
            FormKind::Announcement => t!("form-announcement"),
            FormKind::Request => t!("form-request"),
            FormKind::Offer => t!("form-offer"),
            FormKind::Resource => t!("form-resource"),
            FormKind::Profile => t!("form-profile"),
            FormKind::Withdraw => t!("form-withdraw"),
            FormKind::Wipe => t!("form-wipe"),
            FormKind::Audit => t!("form-audit"),
            FormKind::BundleExport => t!("form-bundle-export"),
            FormKind::BundleImport => t!("form-bundle-import"),
            FormKind::Admit => t!("form-admit"),
            FormKind::Revoke => t!("form-revoke"),
            FormKind::Council => t!("form-council"),
            FormKind::FounderVote => t!("form-founder-vote"),
            FormKind::Unlock => t!("form-unlock"),
        }
    }
}

/// One field of a form.
#[derive(Clone)]
pub struct Field {
    /// Shown before the input.
    pub label: String,
    /// The protocol's name for it (how validation errors name it).
    pub rule_name: &'static str,
    /// Must not be empty.
    pub required: bool,
    /// A hint shown when the field is focused.
    pub hint: String,
    /// Shown as dots (a passphrase).
    pub secret: bool,
    /// The text.
    pub input: Input,
}

fn field(label: String, rule_name: &'static str, required: bool, hint: String) -> Field {
    Field {
        label,
        rule_name,
        required,
        hint,
        secret: false,
        input: Input::default(),
    }
}

/// What a key did to the form.
#[derive(Clone, Debug, PartialEq)]
pub enum FormOutcome {
    /// Keep editing.
    Editing,
    /// Cancelled.
    Cancelled,
    /// Send this body.
    Submit(Body),
    /// Wipe this laptop (confirmed).
    Wipe,
    /// Ask the node this (a bundle form).
    Ask(Request),
    /// Start the node with this passphrase.
    Unlock(String),
}

/// An open form.
#[derive(Clone)]
pub struct Form {
    /// Which form.
    pub kind: FormKind,
    /// Its fields.
    pub fields: Vec<Field>,
    /// The focused field.
    pub focus: usize,
    /// The request an offer answers.
    pub target: Option<(MessageId, String)>,
    /// The collective that asked (a sealed offer is for it).
    pub asker: Option<AuthorId>,
    /// The members by name (a bundle form finds the collectives it is for among them).
    members: Vec<(AuthorId, String)>,
    /// The collective a steward's removal is about, and its name.
    pub member: Option<(AuthorId, String)>,
    /// For a removal: that collective's messages held here, once the node has listed them.
    pub their_messages: Option<Vec<sangam_protocol::api::Item>>,
    /// What is wrong, in plain words, if anything.
    pub problem: Option<String>,
    /// The note an audit was sent with after its warning was shown (a second Enter sends it).
    warned_for: Option<String>,
}

pub(super) fn split_list(text: &str) -> Vec<String> {
    text.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(String::from)
        .collect()
}

/// Whether `typed` is the word the catalogue's `word_key` names, in the language spoken or in
/// English (any case), or what to do instead.
pub(crate) fn confirmed(typed: &str, word_key: &str) -> Result<(), String> {
    let typed = typed.trim().to_lowercase();
    let word = crate::catalogue::text(word_key, None);
    let english = crate::catalogue::text_in(crate::catalogue::Language::English, word_key);
    if typed == word.to_lowercase() || typed == english {
        Ok(())
    } else {
        Err(t!("problem-type-the-word", word = word))
    }
}

impl Form {
    /// A new, empty form.
    pub fn new(kind: FormKind) -> Form {
        let fields = match kind {
            FormKind::Announcement => posts::announcement_fields(),
            FormKind::Request => posts::request_fields(),
            FormKind::Offer => offer::fields(),
            FormKind::Resource => posts::resource_fields(),
            FormKind::Profile => posts::profile_fields(),
            FormKind::Withdraw => vec![field(
                t!("field-type-word", word = t!("word-withdraw")),
                "confirmation",
                true,
                t!("hint-withdraw"),
            )],
            FormKind::Wipe => vec![field(
                t!("field-type-word", word = t!("word-wipe")),
                "confirmation",
                true,
                t!("hint-wipe"),
            )],
            FormKind::Audit => audit::fields(),
            FormKind::BundleExport | FormKind::BundleImport => bundle::fields(kind),
            FormKind::Admit | FormKind::Revoke | FormKind::Council | FormKind::FounderVote => {
                steward::fields(kind)
            }
            FormKind::Unlock => {
                let mut passphrase = field(
                    t!("setup-passphrase"),
                    "passphrase",
                    true,
                    t!("hint-unlock"),
                );
                passphrase.secret = true;
                vec![passphrase]
            }
        };
        Form {
            kind,
            fields,
            focus: 0,
            target: None,
            asker: None,
            members: Vec::new(),
            member: None,
            their_messages: None,
            problem: None,
            warned_for: None,
        }
    }

    /// An audit form, dated `today` (`YYYY-MM-DD`) until the person changes it.
    pub fn audit(today: &str) -> Form {
        let mut form = Form::new(FormKind::Audit);
        form.set(4, today);
        form.problem = None;
        form
    }

    /// Whether the form has too many fields for a hint line under each (the hint of the
    /// focused one is then shown below them all).
    pub fn compact(&self) -> bool {
        self.fields.len() > 6
    }

    /// The confirmation before withdrawing `item` (titled `title`).
    pub fn withdraw(item: MessageId, title: String) -> Form {
        Form {
            target: Some((item, title)),
            ..Form::new(FormKind::Withdraw)
        }
    }

    /// Whether this form only asks for a typed word before something that cannot be undone.
    pub fn asks_for_a_word(&self) -> bool {
        matches!(self.kind, FormKind::Withdraw | FormKind::Wipe)
    }

    /// Whether the form asks the node to do something rather than posting a body.
    fn asks_the_node(&self) -> bool {
        matches!(
            self.kind,
            FormKind::BundleExport
                | FormKind::BundleImport
                | FormKind::Admit
                | FormKind::Revoke
                | FormKind::Council
                | FormKind::FounderVote
        )
    }

    /// Whether Enter would go ahead now.
    pub fn ready(&self) -> bool {
        match self.kind {
            FormKind::Wipe => self.confirmed("word-wipe").is_ok(),
            _ if self.asks_the_node() => self.ask().is_ok(),
            _ => self.body().is_ok(),
        }
    }

    /// What a bundle or steward's form asks the node, or what is wrong with it.
    fn ask(&self) -> Result<Request, String> {
        match self.kind {
            FormKind::Admit | FormKind::Revoke | FormKind::FounderVote => steward::request(
                self.kind,
                |i| self.value(i),
                self.member.as_ref().map(|m| m.0),
            ),
            FormKind::Council => steward::council(|i| self.value(i), &self.members),
            _ => bundle::request(self.kind, |i| self.value(i), &self.members),
        }
    }

    /// The form naming the recovery council from `stewards` (named in it by their names).
    pub fn council(stewards: Vec<(AuthorId, String)>) -> Form {
        Form {
            members: stewards,
            ..Form::new(FormKind::Council)
        }
    }

    /// The form for writing a bundle, sealed for any of `members` named in it.
    pub fn bundle_export(members: Vec<(AuthorId, String)>) -> Form {
        Form {
            members,
            ..Form::new(FormKind::BundleExport)
        }
    }

    /// Whether the typed confirmation (the first field) is the word the form asks for.
    fn confirmed(&self, word_key: &str) -> Result<(), String> {
        confirmed(&self.value(0), word_key)
    }

    /// The form for removing `member` (named `name`) from the network.
    pub fn revoke(member: AuthorId, name: String) -> Form {
        Form {
            member: Some((member, name)),
            ..Form::new(FormKind::Revoke)
        }
    }

    /// An offer form answering `request` (titled `title`) by `asker`.
    pub fn offer(request: MessageId, title: String, asker: AuthorId) -> Form {
        Form {
            target: Some((request, title)),
            asker: Some(asker),
            ..Form::new(FormKind::Offer)
        }
    }

    /// For a removal: what the "from when" typed would keep and stop counting of the
    /// collective's messages held here at `now`, in plain sentences (empty for other forms).
    pub fn removal_preview(&self, now: u64) -> Vec<String> {
        if self.kind != FormKind::Revoke {
            return Vec::new();
        }
        match &self.their_messages {
            None => vec![t!("preview-reading")],
            Some(items) => steward::removal_preview(items, &self.value(steward::SINCE), now),
        }
    }

    fn value(&self, index: usize) -> String {
        self.fields
            .get(index)
            .map(|f| f.input.value().trim().to_string())
            .unwrap_or_default()
    }

    /// Sets a field's text (for prefilling, and for tests).
    pub fn set(&mut self, index: usize, text: &str) {
        if let Some(field) = self.fields.get_mut(index) {
            field.input = Input::new(text.to_string());
        }
        self.revalidate();
    }

    /// The body these fields make, or what is wrong with them.
    pub fn body(&self) -> Result<Body, String> {
        let v = |i| self.value(i);
        let body = match self.kind {
            FormKind::Announcement => posts::announcement(v),
            FormKind::Request => posts::request(v)?,
            FormKind::Offer => {
                let Some((request, _)) = &self.target else {
                    return Err(t!("problem-choose-request"));
                };
                offer::sealed(&v(offer::SEALED))?;
                Body::Offer(Offer {
                    request: *request,
                    body: v(offer::WORDS),
                })
            }
            FormKind::Resource => posts::resource(v),
            FormKind::Profile => posts::profile(v),
            FormKind::Withdraw => {
                self.confirmed("word-withdraw")?;
                let Some((item, _)) = &self.target else {
                    return Err(t!("problem-choose-post"));
                };
                Body::Withdraw(Withdraw { item: *item })
            }
            // Wiping sends no message of its own (see `submit`): only its confirmation is
            // checked here, an empty problem once it is typed.
            FormKind::Wipe => {
                return Err(self.confirmed("word-wipe").err().unwrap_or_default());
            }
            FormKind::Audit => Body::Audit(audit::body(v)?),
            FormKind::BundleExport
            | FormKind::BundleImport
            | FormKind::Admit
            | FormKind::Revoke
            | FormKind::Council
            | FormKind::FounderVote => {
                return Err(self.ask().err().unwrap_or_default());
            }
            // Nothing is posted: the passphrase goes to the node as it starts.
            FormKind::Unlock => return Err(String::new()),
        };
        body.check_fields().map_err(|rule| self.explain(&rule))?;
        Ok(body)
    }

    /// A rule broken, in the form's own words.
    fn explain(&self, rule: &Rule) -> String {
        let label = |name: &str| {
            self.fields
                .iter()
                .find(|f| f.rule_name == name)
                .map(|f| f.label.clone())
                .unwrap_or_else(|| t!("a-field"))
        };
        match rule {
            Rule::FieldEmpty { field } => t!("problem-needed", field = label(field)),
            Rule::FieldTooLong { field, len, max } => t!(
                "problem-too-long",
                field = label(field),
                len = *len,
                max = *max
            ),
            Rule::TooManyEntries { field, max, .. } => {
                t!("problem-too-many", field = label(field), max = *max)
            }
            Rule::ControlCharacters { field } => {
                t!("problem-control-characters", field = label(field))
            }
            Rule::InvalidField { field: "date", .. } => {
                t!("problem-date", field = label("date"))
            }
            other => t!("problem-other", problem = other.to_string()),
        }
    }

    fn revalidate(&mut self) {
        // Only speak up about fields the person has reached, not ones still ahead of them.
        self.problem = match self.body() {
            Ok(_) if self.kind == FormKind::Audit => audit::warning(&self.value(audit::NOTE)),
            Ok(_) if self.kind == FormKind::Offer => self.offer_warning(),
            Ok(_) => None,
            Err(problem) => {
                let reached: Vec<&str> = self.fields[..=self.focus.min(self.fields.len() - 1)]
                    .iter()
                    .map(|f| f.label.as_str())
                    .collect();
                let about_reached = reached.iter().any(|label| problem.contains(label));
                let needed = self
                    .fields
                    .iter()
                    .any(|f| problem == t!("problem-needed", field = f.label.as_str()));
                let empty_ahead = needed && !about_reached;
                (!empty_ahead && !problem.is_empty()).then_some(problem)
            }
        };
    }

    /// Handles a key.
    pub fn on_key(&mut self, key: KeyEvent) -> FormOutcome {
        let last = self.fields.len() - 1;
        match (key.code, key.modifiers) {
            (KeyCode::Esc, _) => return FormOutcome::Cancelled,
            (KeyCode::Char('s'), m) if m.contains(KeyModifiers::CONTROL) => return self.submit(),
            (KeyCode::Enter, _) if self.focus == last => return self.submit(),
            (KeyCode::Tab | KeyCode::Down | KeyCode::Enter, _) => {
                self.focus = (self.focus + 1).min(last)
            }
            (KeyCode::BackTab | KeyCode::Up, _) => self.focus = self.focus.saturating_sub(1),
            _ => {
                if let Some(field) = self.fields.get_mut(self.focus) {
                    field.input.handle_event(&TermEvent::Key(key));
                }
            }
        }
        self.revalidate();
        FormOutcome::Editing
    }

    fn submit(&mut self) -> FormOutcome {
        if self.kind == FormKind::Unlock {
            return match self.fields.first().map(|f| f.input.value().to_string()) {
                Some(passphrase) if !passphrase.is_empty() => FormOutcome::Unlock(passphrase),
                _ => {
                    self.problem = Some(t!("problem-needed", field = t!("setup-passphrase")));
                    FormOutcome::Editing
                }
            };
        }
        if self.asks_the_node() {
            return match self.ask() {
                // A plain bundle is written only after a second Enter with the same file.
                Ok(Request::ExportBundle { .. })
                    if self.warned_for.as_deref() != Some(self.value(bundle::FILE).as_str()) =>
                {
                    self.warned_for = Some(self.value(bundle::FILE));
                    self.problem = Some(bundle::plain_warning());
                    FormOutcome::Editing
                }
                Ok(request) => FormOutcome::Ask(request),
                Err(problem) => {
                    self.problem = Some(problem);
                    FormOutcome::Editing
                }
            };
        }
        if self.kind == FormKind::Wipe {
            return match self.confirmed("word-wipe") {
                Ok(()) => FormOutcome::Wipe,
                Err(problem) => {
                    self.problem = Some(problem);
                    FormOutcome::Editing
                }
            };
        }
        match self.body() {
            Ok(body) if self.kind == FormKind::Audit => {
                let note = self.value(audit::NOTE);
                match audit::warning(&note) {
                    // Asked once; a second Enter with the same note sends it.
                    Some(warning) if self.warned_for.as_deref() != Some(note.as_str()) => {
                        self.warned_for = Some(note);
                        self.problem = Some(warning);
                        FormOutcome::Editing
                    }
                    _ => FormOutcome::Submit(body),
                }
            }
            Ok(body) if self.kind == FormKind::Offer => self.submit_offer(body),
            Ok(body) => FormOutcome::Submit(body),
            Err(problem) => {
                self.problem = Some(problem);
                FormOutcome::Editing
            }
        }
    }

    /// The warning an unsealed offer that seems to hold contact details gets.
    fn offer_warning(&self) -> Option<String> {
        match offer::sealed(&self.value(offer::SEALED)) {
            Ok(false) => offer::warning(&self.value(offer::WORDS)),
            _ => None,
        }
    }

    /// A sealed offer goes to the node as a request to seal it for the asker; an open one
    /// that seems to hold contact details only after a second Enter.
    fn submit_offer(&mut self, body: Body) -> FormOutcome {
        if offer::sealed(&self.value(offer::SEALED)) == Ok(true) {
            return match self.asker {
                Some(asker) => FormOutcome::Ask(Request::Seal {
                    body,
                    to: vec![asker],
                }),
                None => {
                    self.problem = Some(t!("problem-choose-request"));
                    FormOutcome::Editing
                }
            };
        }
        let words = self.value(offer::WORDS);
        match self.offer_warning() {
            Some(warning) if self.warned_for.as_deref() != Some(words.as_str()) => {
                self.warned_for = Some(words);
                self.problem = Some(warning);
                FormOutcome::Editing
            }
            _ => FormOutcome::Submit(body),
        }
    }
}

#[cfg(test)]
pub(crate) mod tests;
