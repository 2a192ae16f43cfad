//! The app's state and how keys and node answers change it. No I/O: requests to the node leave as
//! [`Action`]s and answers come back through [`App::on_incoming`], so the screen never waits.

use ratatui::crossterm::event::{Event as TermEvent, KeyCode, KeyEvent, KeyModifiers};
use sangam_protocol::api::{
    Event, Item, MemberView, Overview, PeerView, Request, Response, Status,
};
use sangam_protocol::scorecard::{Scorecard, ScorecardFilter};
use sangam_protocol::{AuthorId, Kind};
use tui_input::Input;
use tui_input::backend::crossterm::EventHandler;

use crate::catalogue::Language;
use crate::form::{Form, FormKind, FormOutcome};
use crate::keymap::{KeyAction, lookup};
pub use crate::labels::{age, kind_label, readers_in_words, role_label, title_of};
use crate::settings::Settings;
use crate::setup::{Setup, SetupCommand, SetupOutcome};
use crate::t;
pub use crate::tab::Tab;
pub use steward::InviteShown;

mod answers;
mod forum;
mod keys;
mod lists;
mod looked;
mod screen;
mod steward;

/// How many items the app keeps in memory.
pub const FEED_LIMIT: usize = 500;

/// What the app knows about its link to the node.
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum Link {
    /// Trying to reach the node.
    Connecting,
    /// Talking to the node.
    Connected,
    /// The node cannot be reached; the app keeps trying.
    Lost(String),
}

/// What a request to the node was for, so its answer lands in the right place.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Purpose {
    /// Refresh the feed.
    Feed,
    /// Refresh members.
    Members,
    /// Refresh status.
    Status,
    /// Refresh peers.
    Peers,
    /// Publish something the person wrote.
    Publish,
    /// Refresh the forum's figures.
    Overview,
    /// Refresh the score card shown.
    Scorecard,
    /// Refresh the places the score cards cover (the unfiltered card).
    Places,
    /// Search the whole store.
    Search,
    /// This collective's own profile (what it offers).
    OwnProfile,
    /// A steward's council or founder vote (members are read again once it is out).
    Vote,
    /// A steward welcoming a collective (answered with an invite).
    Admit,
    /// A steward removing a collective.
    Revoke,
    /// The messages of the collective a steward is about to remove.
    TheirMessages,
}

/// Something the app wants done.
#[derive(Clone, PartialEq, Debug)]
pub enum Action {
    /// Send a request to the node.
    Send(Purpose, Request),
    /// Write a score card's files: `<stem>.csv` and `<stem>.md`.
    Export {
        /// The file name without its extension.
        stem: String,
        /// The CSV.
        csv: String,
        /// The Markdown report.
        report: String,
    },
    /// Remember the app's settings.
    SaveSettings(Settings),
    /// Ring the terminal bell.
    Bell,
    /// A step of setting this laptop up (the first-run screen).
    Setup(SetupCommand),
    /// Start the node on this laptop in the background, with the folder's passphrase if it
    /// has one.
    StartNode {
        /// The passphrase.
        passphrase: Option<String>,
    },
    /// Leave.
    Quit,
}

/// Something that arrived from the node side.
#[allow(clippy::large_enum_variant)] // Short-lived, one at a time.
#[derive(Clone, PartialEq, Debug)]
pub enum Incoming {
    /// Connected (again).
    Connected,
    /// The link broke or could not be made.
    Lost(String),
    /// The answer to a request.
    Answer(Purpose, Response),
    /// A live event.
    Event(Event),
    /// How a step of setting up went.
    Setup(SetupOutcome),
}

/// A short message at the bottom of the screen.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Notice {
    /// The text.
    pub text: String,
    /// Whether it reports a problem.
    pub problem: bool,
}

/// The whole app state.
#[derive(Clone)]
pub struct App {
    /// The visible tab.
    pub tab: Tab,
    /// Link to the node.
    pub link: Link,
    /// Items, newest first.
    pub items: Vec<Item>,
    /// Members.
    pub members: Vec<MemberView>,
    /// The node's status.
    pub status: Option<Status>,
    /// Known peers.
    pub peers: Vec<PeerView>,
    /// Selected row per tab.
    pub selected: [usize; 6],
    /// The search being typed, if any.
    pub search: Option<Input>,
    /// The search in force.
    pub query: String,
    /// The feed's kind filter.
    pub kind_filter: Option<Kind>,
    /// Whether the help window is open.
    pub help: bool,
    /// The open form, if any.
    pub form: Option<Form>,
    /// The latest notice.
    pub notice: Option<Notice>,
    /// Now, in ms (set by ticks, fixed in tests).
    pub now: u64,
    /// The forum's figures over the whole history.
    pub overview: Option<Overview>,
    /// The score card shown.
    pub scorecard: Option<Scorecard>,
    /// Which audits it covers.
    pub card_filter: ScorecardFilter,
    /// Every (state, district) audited, for choosing a filter.
    pub places: Vec<(String, String)>,
    /// What a search over the whole store found (replaces the recent items while a search is
    /// in force).
    pub found: Option<Vec<Item>>,
    /// What the app remembers between runs.
    pub settings: Settings,
    /// This collective's profile, for matching requests to what it offers.
    pub own_profile: Option<sangam_protocol::kinds::Profile>,
    /// When the app started (ms): rows count as new from then on a tab never looked at.
    pub started: u64,
    /// Since when rows on the tab on screen count as new (when it was last looked at).
    pub visit_baseline: u64,
    /// An invite line a steward just made, shown until a key is pressed.
    pub invite: Option<InviteShown>,
    /// The first-run screen, while this laptop is being set up.
    pub setup: Option<Setup>,
    /// The name of the collective a welcome was asked for, until its invite comes.
    pending_welcome: Option<String>,
    /// Whether audits or endorsements arrived since the score card was last asked for (it is
    /// asked again at the next tick while the tab is open, not once per message).
    card_stale: bool,
    /// Whether the node's folder is sealed with a passphrase, when the app can start the node
    /// itself (it knows the folder and where `sangam` is); `None` when it cannot.
    pub can_start_node: Option<bool>,
}

/// Kinds the feed filter cycles through.
const FILTER_KINDS: [Kind; 6] = [
    Kind::Announcement,
    Kind::MentoringRequest,
    Kind::Offer,
    Kind::Resource,
    Kind::Audit,
    Kind::Profile,
];

impl App {
    /// A new app at time `now`, speaking English whatever `LANG` says, remembering nothing (for
    /// tests: the same screen everywhere).
    pub fn new(now: u64) -> App {
        let english = Settings {
            language: Some(Language::English),
            ..Settings::default()
        };
        App::with_settings(now, english)
    }

    /// A new app at time `now` with remembered `settings`.
    pub fn with_settings(now: u64, settings: Settings) -> App {
        crate::catalogue::speak(settings.language());
        let visit_baseline = settings
            .last_looked
            .get(&Tab::Feed.number())
            .copied()
            .unwrap_or(now);
        App {
            settings,
            own_profile: None,
            started: now,
            visit_baseline,
            invite: None,
            setup: None,
            pending_welcome: None,
            card_stale: false,
            can_start_node: None,
            tab: Tab::Feed,
            link: Link::Connecting,
            items: Vec::new(),
            members: Vec::new(),
            status: None,
            peers: Vec::new(),
            selected: [0; 6],
            search: None,
            query: String::new(),
            kind_filter: None,
            help: false,
            form: None,
            notice: None,
            now,
            overview: None,
            scorecard: None,
            card_filter: ScorecardFilter::default(),
            places: Vec::new(),
            found: None,
        }
    }

    /// The requests that refresh everything.
    pub fn refresh_all() -> Vec<Action> {
        vec![
            Action::Send(Purpose::Feed, recent_feed()),
            Action::Send(Purpose::Members, Request::Members),
            Action::Send(Purpose::Status, Request::Status),
            Action::Send(Purpose::Peers, Request::Peers),
            Action::Send(Purpose::Overview, Request::Overview),
            App::places_request(),
        ]
    }

    /// The language the app speaks.
    pub fn language(&self) -> Language {
        self.settings.language()
    }

    /// This node's id.
    pub fn me(&self) -> Option<AuthorId> {
        self.status.as_ref().and_then(|s| s.id)
    }

    /// A member's name and region ("Utthan, West Bengal").
    pub fn who(&self, author: &AuthorId) -> String {
        match self.members.iter().find(|m| m.id == *author) {
            Some(member) => match member.state.as_deref().filter(|s| !s.is_empty()) {
                Some(state) => format!("{}, {state}", member.name),
                None => member.name.clone(),
            },
            None => author.short(),
        }
    }

    fn rows(&self) -> usize {
        match self.tab {
            Tab::Feed => self.feed_view().len(),
            Tab::Requests => self.requests_view().len(),
            Tab::Resources => self.resources_view().len(),
            Tab::Collectives => self.collectives_view().len(),
            Tab::Network => 0,
            Tab::Scorecards => self.offices_view().len(),
        }
    }

    /// The selected row on the current tab.
    pub fn selection(&self) -> usize {
        self.selected[self.tab.index()].min(self.rows().saturating_sub(1))
    }

    fn select(&mut self, row: usize) {
        self.selected[self.tab.index()] = row.min(self.rows().saturating_sub(1));
    }

    fn say(&mut self, text: impl Into<String>, problem: bool) {
        self.notice = Some(Notice {
            text: text.into(),
            problem,
        });
    }

    /// Handles a key press.
    pub fn on_key(&mut self, key: KeyEvent) -> Vec<Action> {
        crate::catalogue::speak(self.language());
        if let Some(setup) = &mut self.setup {
            if key.code == KeyCode::Char('l') && key.modifiers.contains(KeyModifiers::CONTROL) {
                return self.act(KeyAction::Language);
            }
            return setup.on_key(key).map(Action::Setup).into_iter().collect();
        }
        if self.invite.take().is_some() {
            return vec![];
        }
        if let Some(form) = &mut self.form {
            return match form.on_key(key) {
                FormOutcome::Editing => vec![],
                FormOutcome::Cancelled => {
                    self.form = None;
                    vec![]
                }
                FormOutcome::Submit(body) => {
                    self.form = None;
                    self.say(t!("sending"), false);
                    vec![Action::Send(Purpose::Publish, Request::Post { body })]
                }
                FormOutcome::Ask(request) => {
                    self.form = None;
                    let (doing, purpose) = match &request {
                        Request::Seal { .. } => (t!("sealing"), Purpose::Publish),
                        Request::Admit { name, .. } => {
                            self.pending_welcome = Some(name.clone());
                            (t!("admitting"), Purpose::Admit)
                        }
                        Request::Revoke { .. } => (t!("revoking"), Purpose::Revoke),
                        Request::NameCouncil { .. } | Request::ReplaceFounder { .. } => {
                            (t!("sending"), Purpose::Vote)
                        }
                        _ => (t!("working-on-file"), Purpose::Publish),
                    };
                    self.say(doing, false);
                    vec![Action::Send(purpose, request)]
                }
                FormOutcome::Wipe => {
                    self.form = None;
                    self.say(t!("wiping"), false);
                    vec![Action::Send(Purpose::Publish, Request::Wipe)]
                }
                FormOutcome::Unlock(passphrase) => {
                    self.form = None;
                    self.say(t!("node-starting"), false);
                    vec![Action::StartNode {
                        passphrase: Some(passphrase),
                    }]
                }
            };
        }
        if let Some(search) = &mut self.search {
            match key.code {
                KeyCode::Enter => {
                    self.search = None;
                    if !self.query.is_empty() {
                        // What is typed filters what is on screen at once; Enter looks through
                        // everything the node holds.
                        return vec![Action::Send(
                            Purpose::Search,
                            Request::Search {
                                text: self.query.clone(),
                                limit: Some(FEED_LIMIT),
                            },
                        )];
                    }
                }
                KeyCode::Esc => {
                    self.search = None;
                    self.query.clear();
                    self.found = None;
                }
                _ => {
                    search.handle_event(&TermEvent::Key(key));
                    self.query = search.value().to_string();
                    self.select(0);
                }
            }
            return vec![];
        }
        if self.help {
            self.help = false;
            return vec![];
        }
        let Some(binding) = lookup(&key, self.tab) else {
            return vec![];
        };
        self.act(binding.action)
    }

    /// Goes to `tab`: the tab left was looked at until now; the one arrived on shows what
    /// is new since it was last left.
    fn go_to(&mut self, tab: Tab) -> Vec<Action> {
        let mut actions = self.leave_tab();
        self.tab = tab;
        self.arrive_on_tab();
        actions.extend(self.entered());
        actions
    }

    fn open(&mut self, form: Form) {
        let observer =
            self.status.as_ref().and_then(|s| s.role) == Some(sangam_protocol::Role::Observer);
        let allowed = matches!(
            form.kind,
            FormKind::Profile | FormKind::Withdraw | FormKind::Wipe
        );
        if observer && !allowed {
            self.say(t!("observer-cannot-post"), true);
            return;
        }
        self.form = Some(form);
    }

    /// Called every few seconds with the time.
    pub fn on_tick(&mut self, now: u64) -> Vec<Action> {
        self.now = now;
        if self.link == Link::Connected {
            let mut actions = vec![
                Action::Send(Purpose::Status, Request::Status),
                Action::Send(Purpose::Peers, Request::Peers),
            ];
            if self.tab == Tab::Network {
                actions.push(Action::Send(Purpose::Overview, Request::Overview));
            }
            if std::mem::take(&mut self.card_stale) && self.tab == Tab::Scorecards {
                actions.extend(self.card_refresh());
            }
            actions
        } else {
            vec![]
        }
    }
}

/// The feed request for the recent items the app keeps.
fn recent_feed() -> Request {
    Request::Feed {
        kind: None,
        author: None,
        limit: Some(FEED_LIMIT),
        before: None,
        after: None,
    }
}
