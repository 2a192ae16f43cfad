//! What the node says: answers to the app's requests and live events, turned into the app's
//! state and a notice in plain words.

use sangam_protocol::api::{Event, Item, Request, Response};
use sangam_protocol::validate::reference_of;
use sangam_protocol::{Body, Kind, MessageId};

use super::{Action, App, FEED_LIMIT, Incoming, Link, Purpose, readers_in_words};
use crate::form::FormKind;
use crate::setup::SetupOutcome;
use crate::t;

/// A refusal from the node in plain words: the reasons a person can act on in the language
/// spoken, any other as the node said it.
fn refusal(reason: &str, message: &str) -> String {
    match reason {
        "not_allowed" | "role_not_allowed" | "not_a_member" => t!("refused-not-allowed"),
        "rate_limited" => t!("refused-rate-limited"),
        "own_feed_pending" => t!("refused-own-feed-pending"),
        "cannot_seal" => t!("refused-cannot-seal"),
        "not_found" => t!("refused-not-found"),
        "not_running" => t!("refused-not-running"),
        "no_network" => t!("refused-no-network"),
        "already_admitted" | "already_member" => t!("refused-already-member"),
        _ => t!("refused-other", message = message),
    }
}

impl App {
    /// The request for this collective's own profile (what it offers, for matching).
    pub(crate) fn own_profile_request(&self) -> Option<Action> {
        let me = self.me()?;
        Some(Action::Send(
            Purpose::OwnProfile,
            Request::Feed {
                kind: Some(Kind::Profile),
                author: Some(me),
                limit: Some(1),
                before: None,
                after: None,
            },
        ))
    }

    /// Handles something from the node.
    pub fn on_incoming(&mut self, incoming: Incoming) -> Vec<Action> {
        crate::catalogue::speak(self.language());
        match incoming {
            Incoming::Connected => {
                self.link = Link::Connected;
                return App::refresh_all();
            }
            Incoming::Lost(why) => self.link = Link::Lost(why),
            Incoming::Setup(outcome) => return self.on_setup(outcome),
            Incoming::Answer(purpose, Response::Error { message, reason }) => {
                let why = refusal(&reason, &message);
                self.say(
                    match purpose {
                        Purpose::Publish => t!("not-sent", why = why),
                        _ => why,
                    },
                    true,
                );
            }
            Incoming::Answer(Purpose::Search, Response::Feed { items, .. }) => {
                self.found = Some(items);
                self.select(0);
            }
            Incoming::Answer(Purpose::OwnProfile, Response::Feed { items, .. }) => {
                self.own_profile = items.into_iter().find_map(|item| match item.body {
                    Some(Body::Profile(profile)) => Some(profile),
                    _ => None,
                });
            }
            Incoming::Answer(Purpose::TheirMessages, Response::Feed { items, .. }) => {
                self.on_their_messages(items)
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
                    t!("bundle-anyone-can-read")
                } else {
                    t!("bundle-sealed-for", readers = readers_in_words(&sealed_for))
                };
                let wrote = t!("bundle-wrote", count = messages, path = path.as_str());
                self.say(format!("{wrote} {who}"), false)
            }
            Incoming::Answer(_, answer @ Response::BundleImported { .. }) => {
                self.on_bundle_read(answer);
                return App::refresh_all();
            }
            Incoming::Answer(purpose, Response::Scorecard { scorecard }) => {
                self.on_scorecard(purpose, scorecard)
            }
            Incoming::Answer(_, Response::Members { members }) => self.members = members,
            Incoming::Answer(_, Response::Status(status)) => {
                let first = self.status.is_none();
                self.status = Some(status);
                if first {
                    return self.own_profile_request().into_iter().collect();
                }
            }
            Incoming::Answer(_, Response::Peers { peers }) => self.peers = peers,
            Incoming::Answer(_, Response::Wiping { told }) => {
                self.say(t!("wiping-told", count = told), false)
            }
            Incoming::Answer(_, Response::Invite { invite }) => return self.on_invite(invite),
            Incoming::Answer(Purpose::Revoke, Response::Posted { .. }) => {
                self.say(t!("revoked"), false);
                return vec![Action::Send(Purpose::Members, Request::Members)];
            }
            Incoming::Answer(Purpose::Vote, Response::Posted { .. }) => {
                self.say(t!("vote-sent"), false);
                return vec![Action::Send(Purpose::Members, Request::Members)];
            }
            Incoming::Answer(Purpose::Publish, Response::Posted { .. }) => {
                self.say(t!("sent"), false);
            }
            Incoming::Answer(_, _) => {}
            Incoming::Event(event) => return self.on_event(event),
        }
        vec![]
    }

    fn on_event(&mut self, event: Event) -> Vec<Action> {
        match event {
            Event::MessageStored { item } => self.on_stored(*item),
            // Who is connected matters at once; sync rounds and refusals come in bursts (a
            // stranger's flood is one), and the next tick reads the status anyway.
            Event::PeerConnected { .. } | Event::PeerDisconnected { .. } => vec![
                Action::Send(Purpose::Status, Request::Status),
                Action::Send(Purpose::Peers, Request::Peers),
            ],
            Event::SyncDone { .. } | Event::Rejected { .. } => vec![],
        }
    }

    /// A message was stored: the app updates what it holds in place — the new item, the count
    /// or state of the item it answers, closes, withdraws or endorses, the status's counts —
    /// and asks the node again only for what it cannot work out (members after a membership
    /// act; the score card, at the next tick).
    fn on_stored(&mut self, item: Item) -> Vec<Action> {
        let mut actions = vec![];
        if matches!(
            item.kind,
            Kind::Admit | Kind::Revoke | Kind::ReplaceFounder | Kind::Council | Kind::Profile
        ) {
            actions.push(Action::Send(Purpose::Members, Request::Members));
        }
        if let Some(Body::Profile(profile)) = &item.body
            && Some(item.author) == self.me()
        {
            self.own_profile = Some(profile.clone());
        }
        if matches!(item.kind, Kind::Audit | Kind::Endorsement | Kind::Withdraw) {
            self.card_stale = true;
        }
        if let Some(status) = &mut self.status {
            *status
                .messages
                .entry(item.kind.name().to_string())
                .or_insert(0) += 1;
        }
        if let Some(target) = item.body.as_ref().and_then(reference_of) {
            self.answered(&item, target);
        }
        if !self.items.iter().any(|i| i.id == item.id) {
            actions.extend(self.alert_for(&item));
            let at = self
                .items
                .iter()
                .position(|i| i.timestamp < item.timestamp)
                .unwrap_or(self.items.len());
            self.items.insert(at, item);
            self.items.truncate(FEED_LIMIT);
        }
        actions
    }

    /// `reply` (an offer, close, withdrawal or endorsement) names `target`: the target's count
    /// or state changes where the app shows it.
    fn answered(&mut self, reply: &Item, target: MessageId) {
        let shown = self
            .items
            .iter_mut()
            .chain(self.found.iter_mut().flatten())
            .filter(|i| i.id == target);
        for item in shown {
            match reply.kind {
                Kind::Offer => item.offers += 1,
                Kind::Endorsement => item.endorsements += 1,
                Kind::Close if reply.author == item.author => item.closed = true,
                Kind::Withdraw if reply.author == item.author => {
                    item.withdrawn = true;
                    item.body = None;
                    item.sealed = None;
                }
                _ => {}
            }
        }
    }
}

impl App {
    /// Starts the node on this laptop, asking for the folder's passphrase first if it has one.
    pub(crate) fn start_node(&mut self) -> Vec<Action> {
        match (&self.link, self.can_start_node) {
            (Link::Connected, _) => self.say(t!("node-already-running"), false),
            (_, None) => self.say(t!("node-cannot-start-here"), true),
            (_, Some(true)) => self.form = Some(crate::form::Form::new(FormKind::Unlock)),
            (_, Some(false)) => {
                self.say(t!("node-starting"), false);
                return vec![Action::StartNode { passphrase: None }];
            }
        }
        vec![]
    }

    /// How a step of the first-run screen went.
    pub(crate) fn on_setup(&mut self, outcome: SetupOutcome) -> Vec<Action> {
        let Some(setup) = &mut self.setup else {
            // Not setting up: the node was started with S.
            match outcome {
                SetupOutcome::Failed(why) => self.say(why, true),
                _ => self.say(t!("node-started"), false),
            }
            return vec![];
        };
        if let SetupOutcome::Initialised { .. } = &outcome {
            self.settings.waiting_for_invite = true;
        }
        if setup.on_outcome(outcome) {
            self.setup = None;
            self.settings.waiting_for_invite = false;
            self.say(t!("setup-done"), false);
        }
        vec![Action::SaveSettings(self.settings.clone())]
    }
}
