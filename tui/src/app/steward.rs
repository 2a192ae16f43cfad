//! A steward's part of the app (Collectives tab): welcoming a collective — the invite line
//! comes back and is shown, to copy and send — and removing one.

use sangam_protocol::Role;

use super::{Action, App};
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

    /// Opens the removal form for the collective on `row`, for a steward.
    pub(crate) fn revoke(&mut self, row: usize) {
        if !self.is_steward() {
            self.say(t!("only-stewards-remove"), true);
            return;
        }
        let target = self
            .collectives_view()
            .get(row)
            .map(|m| (m.id, m.name.clone(), m.revoked));
        match target {
            None => self.say(t!("problem-choose-collective"), true),
            Some((id, _, _)) if Some(id) == self.me() => self.say(t!("cannot-remove-self"), true),
            Some((_, name, true)) => self.say(t!("already-removed", name = name), true),
            Some((id, name, false)) => self.form = Some(Form::revoke(id, name)),
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
