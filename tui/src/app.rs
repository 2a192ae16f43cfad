//! The app's state and how keys and node answers change it. No I/O: requests to the node leave as
//! [`Action`]s and answers come back through [`App::on_incoming`], so the screen never waits.

use ratatui::crossterm::event::{Event as TermEvent, KeyCode, KeyEvent};
use sangam_protocol::api::{
    Event, Item, MemberView, Overview, PeerView, Request, Response, Status,
};
use sangam_protocol::scorecard::{Scorecard, ScorecardFilter};
use sangam_protocol::{AuthorId, Body, Kind, MessageId};
use tui_input::Input;
use tui_input::backend::crossterm::EventHandler;

use crate::form::{Form, FormKind, FormOutcome};
use crate::keymap::{KeyAction, lookup};
pub use crate::tab::Tab;

mod forum;
mod screen;

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
    /// A new app at time `now`.
    pub fn new(now: u64) -> App {
        App {
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

    fn matches_query(&self, item: &Item) -> bool {
        if self.query.is_empty() {
            return true;
        }
        let query = self.query.to_lowercase();
        let text = serde_json::to_string(&item.body)
            .unwrap_or_default()
            .to_lowercase();
        text.contains(&query) || self.who(&item.author).to_lowercase().contains(&query)
    }

    /// What the tabs list: what a search over the whole store found while one is in force,
    /// else the recent items.
    fn pool(&self) -> &[Item] {
        match &self.found {
            Some(found) if !self.query.is_empty() => found,
            _ => &self.items,
        }
    }

    /// The feed as shown: filtered by kind and search.
    pub fn feed_view(&self) -> Vec<&Item> {
        self.pool()
            .iter()
            .filter(|i| self.kind_filter.is_none_or(|k| i.kind == k))
            .filter(|i| !matches!(i.kind, Kind::Close))
            .filter(|i| self.matches_query(i))
            .collect()
    }

    /// Requests as shown: open ones first (newest first), then closed ones.
    pub fn requests_view(&self) -> Vec<&Item> {
        let mut requests: Vec<&Item> = self
            .pool()
            .iter()
            .filter(|i| i.kind == Kind::MentoringRequest && self.matches_query(i))
            .collect();
        requests.sort_by_key(|i| (i.closed, std::cmp::Reverse(i.timestamp)));
        requests
    }

    /// Offers on a request, oldest first.
    pub fn offers_on(&self, request: &MessageId) -> Vec<&Item> {
        let mut offers: Vec<&Item> = self
            .items
            .iter()
            .filter(|i| i.answers() == Some(*request))
            .collect();
        offers.reverse();
        offers
    }

    /// Resources as shown.
    pub fn resources_view(&self) -> Vec<&Item> {
        self.pool()
            .iter()
            .filter(|i| i.kind == Kind::Resource && self.matches_query(i))
            .collect()
    }

    /// A member's name from its id as text (as `status` lists forks), else the id shortened.
    pub fn name_of_id(&self, id: &str) -> String {
        self.members
            .iter()
            .find(|m| m.id.to_string() == id && !m.name.starts_with('('))
            .map(|m| m.name.clone())
            .unwrap_or_else(|| match id.parse::<sangam_protocol::AuthorId>() {
                Ok(author) => author.short(),
                Err(_) => id.chars().take(12).collect(),
            })
    }

    /// Members as shown: current first, by name.
    pub fn collectives_view(&self) -> Vec<&MemberView> {
        let query = self.query.to_lowercase();
        let mut members: Vec<&MemberView> = self
            .members
            .iter()
            .filter(|m| query.is_empty() || format!("{m:?}").to_lowercase().contains(&query))
            .collect();
        members.sort_by_key(|m| (m.revoked, m.name.to_lowercase()));
        members
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
        if let Some(form) = &mut self.form {
            return match form.on_key(key) {
                FormOutcome::Editing => vec![],
                FormOutcome::Cancelled => {
                    self.form = None;
                    vec![]
                }
                FormOutcome::Submit(body) => {
                    self.form = None;
                    self.say("Sending…", false);
                    vec![Action::Send(Purpose::Publish, Request::Post { body })]
                }
                FormOutcome::Ask(request) => {
                    self.form = None;
                    let doing = match request {
                        Request::Seal { .. } => "Sealing and sending…",
                        _ => "Working on the file…",
                    };
                    self.say(doing, false);
                    vec![Action::Send(Purpose::Publish, request)]
                }
                FormOutcome::Wipe => {
                    self.form = None;
                    self.say("Telling the network, then wiping this laptop…", false);
                    vec![Action::Send(Purpose::Publish, Request::Wipe)]
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

    fn act(&mut self, action: KeyAction) -> Vec<Action> {
        let row = self.selection();
        match action {
            KeyAction::Quit => return vec![Action::Quit],
            KeyAction::Help => self.help = true,
            KeyAction::NextTab => {
                self.tab = Tab::ALL[(self.tab.index() + 1) % Tab::ALL.len()];
                return self.entered();
            }
            KeyAction::PrevTab => {
                self.tab = Tab::ALL[(self.tab.index() + Tab::ALL.len() - 1) % Tab::ALL.len()];
                return self.entered();
            }
            KeyAction::GoTo(tab) => {
                self.tab = tab;
                return self.entered();
            }
            KeyAction::Up => self.select(row.saturating_sub(1)),
            KeyAction::Down => self.select(row + 1),
            KeyAction::Top => self.select(0),
            KeyAction::Bottom => self.select(usize::MAX),
            KeyAction::Search => self.search = Some(Input::new(self.query.clone())),
            KeyAction::Clear => {
                self.query.clear();
                self.found = None;
                self.kind_filter = None;
                self.notice = None;
                if self.tab == Tab::Scorecards && self.card_filter != ScorecardFilter::default() {
                    self.card_filter = ScorecardFilter::default();
                    return vec![self.scorecard_request()];
                }
            }
            KeyAction::Audit => {
                let today = sangam_protocol::audit::Day::of_unix_ms(self.now).to_string();
                self.open(Form::audit(&today));
            }
            KeyAction::Endorse => return self.endorse(row),
            KeyAction::CycleState => return self.cycle_state(),
            KeyAction::CycleDistrict => return self.cycle_district(),
            KeyAction::Export => return self.export(),
            KeyAction::ExportBundle => {
                let members = self
                    .members
                    .iter()
                    .filter(|m| m.role.is_some())
                    .map(|m| (m.id, m.name.clone()))
                    .collect();
                self.form = Some(Form::bundle_export(members));
            }
            KeyAction::ImportBundle => self.form = Some(Form::new(FormKind::BundleImport)),
            KeyAction::CycleKind => {
                self.kind_filter = match self.kind_filter {
                    None => Some(FILTER_KINDS[0]),
                    Some(kind) => FILTER_KINDS
                        .iter()
                        .position(|k| *k == kind)
                        .and_then(|i| FILTER_KINDS.get(i + 1))
                        .copied(),
                };
                self.select(0);
            }
            KeyAction::Announce => self.open(Form::new(FormKind::Announcement)),
            KeyAction::Request => self.open(Form::new(FormKind::Request)),
            KeyAction::Share => self.open(Form::new(FormKind::Resource)),
            KeyAction::Profile => {
                let mut form = Form::new(FormKind::Profile);
                if let Some(status) = &self.status {
                    form.set(0, &status.name);
                }
                form.focus = 0;
                self.open(form);
            }
            KeyAction::Offer => {
                let target = self
                    .requests_view()
                    .get(row)
                    .map(|item| (item.id, title_of(item), item.author));
                match target {
                    Some((id, title, asker)) => self.open(Form::offer(id, title, asker)),
                    None => self.say("There is no request selected to offer help on.", true),
                }
            }
            KeyAction::Withdraw => {
                let me = self.me();
                let view = match self.tab {
                    Tab::Requests => self.requests_view(),
                    Tab::Resources => self.resources_view(),
                    _ => self.feed_view(),
                };
                let target = view
                    .get(row)
                    .map(|i| (i.id, i.author, i.body.is_some(), title_of(i)));
                match target {
                    Some((id, author, true, title)) if Some(author) == me => {
                        self.open(Form::withdraw(id, title));
                    }
                    Some((_, author, _, _)) if Some(author) != me => {
                        self.say("Only the collective that posted it can withdraw it.", true)
                    }
                    Some(_) => self.say("Its words are already gone.", true),
                    None => self.say("There is no post selected.", true),
                }
            }
            KeyAction::Wipe => self.open(Form::new(FormKind::Wipe)),
            KeyAction::CloseItem => {
                let me = self.me();
                let target = self
                    .requests_view()
                    .get(row)
                    .map(|i| (i.id, i.author, i.closed));
                match target {
                    Some((id, author, false)) if Some(author) == me => {
                        let body = Body::Close(sangam_protocol::kinds::Close {
                            item: id,
                            note: String::new(),
                        });
                        self.say("Closing the request…", false);
                        return vec![Action::Send(Purpose::Publish, Request::Post { body })];
                    }
                    Some((_, _, true)) => self.say("That request is already closed.", true),
                    Some(_) => {
                        self.say("Only the collective that asked can close a request.", true)
                    }
                    None => self.say("There is no request selected.", true),
                }
            }
        }
        vec![]
    }

    fn open(&mut self, form: Form) {
        let observer =
            self.status.as_ref().and_then(|s| s.role) == Some(sangam_protocol::Role::Observer);
        let allowed = matches!(
            form.kind,
            FormKind::Profile | FormKind::Withdraw | FormKind::Wipe
        );
        if observer && !allowed {
            self.say("This node observes the network and cannot post.", true);
            return;
        }
        self.form = Some(form);
    }

    /// Handles something from the node.
    pub fn on_incoming(&mut self, incoming: Incoming) -> Vec<Action> {
        match incoming {
            Incoming::Connected => {
                self.link = Link::Connected;
                return App::refresh_all();
            }
            Incoming::Lost(why) => self.link = Link::Lost(why),
            Incoming::Answer(purpose, Response::Error { message, .. }) => {
                self.say(
                    match purpose {
                        Purpose::Publish => format!("Not sent: {message}"),
                        _ => message,
                    },
                    true,
                );
            }
            Incoming::Answer(Purpose::Search, Response::Feed { items, .. }) => {
                self.found = Some(items);
                self.select(0);
            }
            Incoming::Answer(_, Response::Feed { items, .. }) => self.items = items,
            Incoming::Answer(_, Response::Overview { overview }) => self.overview = Some(overview),
            Incoming::Answer(
                _,
                Response::BundleWritten {
                    path,
                    messages,
                    sealed_for,
                    ..
                },
            ) => {
                let who = if sealed_for.is_empty() {
                    "Anyone holding the file can read them: carry it yourself.".to_string()
                } else {
                    format!(
                        "Sealed: only {} and you can read them.",
                        readers_in_words(&sealed_for)
                    )
                };
                self.say(
                    format!("Wrote {messages} message(s) to {path}. {who}"),
                    false,
                )
            }
            Incoming::Answer(_, answer @ Response::BundleImported { .. }) => {
                self.on_bundle_read(answer);
                return App::refresh_all();
            }
            Incoming::Answer(purpose, Response::Scorecard { scorecard }) => {
                self.on_scorecard(purpose, scorecard)
            }
            Incoming::Answer(_, Response::Members { members }) => self.members = members,
            Incoming::Answer(_, Response::Status(status)) => self.status = Some(status),
            Incoming::Answer(_, Response::Peers { peers }) => self.peers = peers,
            Incoming::Answer(_, Response::Wiping { told }) => self.say(
                format!(
                    "{told} connected collectives were told this laptop's key is not safe. \
                     Sangam's data here is being destroyed; you can close this window."
                ),
                false,
            ),
            Incoming::Answer(Purpose::Publish, Response::Posted { .. }) => {
                self.say(
                    "Sent. It reaches other collectives as soon as they are online.",
                    false,
                );
            }
            Incoming::Answer(_, _) => {}
            Incoming::Event(event) => return self.on_event(event),
        }
        vec![]
    }

    fn on_event(&mut self, event: Event) -> Vec<Action> {
        match event {
            Event::MessageStored { item } => {
                let item = *item;
                let mut actions = vec![];
                match item.kind {
                    Kind::Admit | Kind::Revoke | Kind::ReplaceFounder | Kind::Profile => {
                        actions.push(Action::Send(Purpose::Members, Request::Members));
                    }
                    // Closes, offers and endorsements change other items' counts: refetch them.
                    Kind::Close | Kind::Offer | Kind::Sealed | Kind::Endorsement => {
                        actions.push(Action::Send(Purpose::Feed, recent_feed()));
                    }
                    _ => {}
                }
                if matches!(item.kind, Kind::Audit | Kind::Endorsement | Kind::Withdraw) {
                    actions.extend(self.card_refresh());
                }
                if !self.items.iter().any(|i| i.id == item.id) {
                    let at = self
                        .items
                        .iter()
                        .position(|i| i.timestamp < item.timestamp)
                        .unwrap_or(self.items.len());
                    self.items.insert(at, item);
                    self.items.truncate(FEED_LIMIT);
                }
                actions.push(Action::Send(Purpose::Status, Request::Status));
                actions
            }
            Event::PeerConnected { .. }
            | Event::PeerDisconnected { .. }
            | Event::SyncDone { .. } => vec![
                Action::Send(Purpose::Status, Request::Status),
                Action::Send(Purpose::Peers, Request::Peers),
            ],
            Event::Rejected { .. } => vec![Action::Send(Purpose::Status, Request::Status)],
        }
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

/// An item's headline; a sealed one says who can read it.
pub fn title_of(item: &Item) -> String {
    if let (Some(Body::Sealed(sealed)), Some(view)) = (&item.body, &item.sealed) {
        let readers = readers_in_words(&view.readers);
        return match item.opened() {
            Some(opened) => format!("{} (only {readers} can read this)", title_of(&opened)),
            None if view.for_me => "(sealed for you, but it could not be opened)".into(),
            None => format!(
                "Sealed {}: only {readers} can read it",
                kind_label(sealed.inner_kind).to_lowercase()
            ),
        };
    }
    match &item.body {
        Some(Body::Announcement(b)) => b.title.clone(),
        Some(Body::MentoringRequest(b)) => b.title.clone(),
        Some(Body::Offer(b)) => b.body.clone(),
        Some(Body::Resource(b)) => b.title.clone(),
        Some(Body::Profile(b)) => format!("Profile of {}", b.name),
        Some(Body::Close(_)) => "Closed an item".into(),
        Some(Body::Admit(b)) => format!("Welcomed {} as {}", b.name, b.role),
        Some(Body::Revoke(b)) => format!("Removed a member: {}", b.reason),
        Some(Body::ReplaceFounder(b)) => {
            format!("Voted for {} to replace the founder: {}", b.name, b.reason)
        }
        Some(Body::Genesis(b)) => format!("Founded the network \"{}\"", b.network_name),
        Some(Body::Withdraw(_)) => "Withdrew one of its posts".into(),
        Some(Body::KeyCompromised(_)) => {
            "Said its key was stolen: nothing it signs now counts".into()
        }
        Some(Body::Audit(b)) => format!(
            "{} ({}): {}, {}",
            b.office_name,
            b.district,
            b.sought,
            b.outcome.name()
        ),
        Some(Body::Endorsement(_)) => "Endorsed an audit: saw it too".into(),
        Some(Body::SealingKey(_)) => "Can now receive private messages".into(),
        Some(Body::Sealed(_)) => "Sealed: only its readers can read it".into(),
        Some(Body::Unsupported { .. }) => "(needs a newer version of Sangam to show)".into(),
        // Without a body: withdrawn, expired (the header says when), or a removed member's.
        None if item.withdrawn => "(withdrawn)".into(),
        None if item.expires_at.is_some() => "(expired)".into(),
        None => "(content removed)".into(),
    }
}

/// "Utthan", "Utthan and Jagori", "Utthan, Jagori and Sneh".
pub fn readers_in_words(names: &[String]) -> String {
    match names {
        [] => "its readers".into(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

/// The words for a kind on screen.
pub fn kind_label(kind: Kind) -> &'static str {
    match kind {
        Kind::Announcement => "Announcement",
        Kind::MentoringRequest => "Request",
        Kind::Offer => "Offer",
        Kind::Resource => "Resource",
        Kind::Profile => "Profile",
        Kind::Close => "Closed",
        Kind::Admit => "Welcome",
        Kind::Revoke => "Removal",
        Kind::ReplaceFounder => "New founder vote",
        Kind::Withdraw => "Withdrawal",
        Kind::KeyCompromised => "Stolen key",
        Kind::Genesis => "Founding",
        Kind::Audit => "Audit",
        Kind::Endorsement => "Endorsement",
        Kind::SealingKey => "Private key",
        Kind::Sealed => "Sealed",
        Kind::Unsupported(_) => "Other",
    }
}

/// "just now", "5 min ago", "3 h ago", "2 days ago".
pub fn age(now: u64, then: u64) -> String {
    let seconds = now.saturating_sub(then) / 1000;
    match seconds {
        0..60 => "just now".into(),
        60..3600 => format!("{} min ago", seconds / 60),
        3600..86400 => format!("{} h ago", seconds / 3600),
        86400..172800 => "yesterday".into(),
        _ => format!("{} days ago", seconds / 86400),
    }
}
