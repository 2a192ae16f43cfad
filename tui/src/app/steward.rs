//! A steward's part of the app (Collectives tab): welcoming a collective — the invite line
//! comes back and is shown, to copy and send — removing one (or revoking a removed key again
//! from an earlier moment), naming the recovery council, and voting for a new founder key.

use sangam_protocol::Role;
use sangam_protocol::api::{Item, MAX_FEED_LIMIT, Request};

use super::{Action, App, Purpose};
use crate::form::{Form, FormKind};
use crate::t;

/// An invite a steward just made, on screen until a key is pressed.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct InviteShown {
    /// The collective it is for.
    pub name: String,
    /// The line to send.
    pub line: String,
}

impl App {
    fn is_steward(&self) -> bool {
        let mine = self
            .me()
            .and_then(|me| self.members.iter().find(|m| m.id == me));
        self.status.as_ref().and_then(|s| s.role) == Some(Role::Steward)
            && !mine.is_some_and(|m| m.disputed)
    }

    /// Opens the welcome form, for a steward.
    pub(crate) fn admit(&mut self) {
        if self.is_steward() {
            self.form = Some(Form::new(FormKind::Admit));
        } else {
            self.say(t!("only-stewards-welcome"), true);
        }
    }

    /// Opens the removal form for the collective on `row`, for a steward, and asks the node for
    /// that collective's messages, to show which a removal "from when" would undo.
    pub(crate) fn revoke(&mut self, row: usize) -> Vec<Action> {
        if !self.is_steward() {
            self.say(t!("only-stewards-remove"), true);
            return vec![];
        }
        let target = self
            .collectives_view()
            .get(row)
            .map(|m| (m.id, m.name.clone(), m.revoked));
        let id = match target {
            None => {
                self.say(t!("problem-choose-collective"), true);
                return vec![];
            }
            Some((id, _, _)) if Some(id) == self.me() => {
                self.say(t!("cannot-remove-self"), true);
                return vec![];
            }
            // Out already (its laptop reported itself stolen, say): revoking it again with an
            // earlier "from when" undoes what the thief signed before anyone noticed.
            Some((id, name, true)) => {
                self.say(t!("already-removed", name = name.as_str()), false);
                self.form = Some(Form::revoke(id, name));
                id
            }
            Some((id, name, false)) => {
                self.form = Some(Form::revoke(id, name));
                id
            }
        };
        vec![Action::Send(
            Purpose::TheirMessages,
            Request::Feed {
                kind: None,
                author: Some(id),
                limit: Some(MAX_FEED_LIMIT),
                before: None,
                after: None,
            },
        )]
    }

    /// The node listed a collective's messages: the open removal form shows what it would undo.
    pub(crate) fn on_their_messages(&mut self, items: Vec<Item>) {
        if let Some(form) = self.form.as_mut()
            && form.kind == FormKind::Revoke
        {
            form.their_messages = Some(items);
        }
    }

    /// Opens the form naming the recovery council, for a steward (the node decides whether
    /// this collective may: the founder first, a council member after).
    pub(crate) fn council(&mut self) {
        if !self.is_steward() {
            self.say(t!("only-stewards-council"), true);
            return;
        }
        let me = self.me();
        let stewards = self
            .members
            .iter()
            .filter(|m| !m.revoked && m.role == Some(Role::Steward) && Some(m.id) != me)
            .map(|m| (m.id, m.name.clone()))
            .collect();
        self.form = Some(Form::council(stewards));
    }

    /// Opens the form voting for a new founder key, for a steward.
    pub(crate) fn founder_vote(&mut self) {
        if self.is_steward() {
            self.form = Some(Form::new(FormKind::FounderVote));
        } else {
            self.say(t!("only-stewards-council"), true);
        }
    }

    /// The node made an invite: show it to copy. (It is not saved in a file: it names the
    /// steward's addresses, which a sealed folder keeps from whoever takes the laptop.)
    pub(crate) fn on_invite(&mut self, line: String) -> Vec<Action> {
        // The name the form was filled with is the last welcome asked for.
        let name = self.pending_welcome.take().unwrap_or_default();
        self.say(t!("invite-ready", name = name.as_str()), false);
        self.invite = Some(InviteShown { name, line });
        vec![]
    }
}
