//! What is new since the person last looked at each tab, and which new requests match what
//! this collective offers (its profile's focus areas).

use sangam_protocol::api::{Item, MemberView};
use sangam_protocol::{Body, Kind};

use super::{Action, App, Tab};

impl App {
    /// Since when rows on `tab` count as new (ms): for the tab on screen, when it was last
    /// looked at before this visit; for the others, when they were last left.
    fn new_since(&self, tab: Tab) -> u64 {
        if tab == self.tab {
            return self.visit_baseline;
        }
        self.settings
            .last_looked
            .get(&tab.number())
            .copied()
            .unwrap_or(self.started)
    }

    /// Whether `item` arrived on `tab` since the person last looked (one's own posts never are).
    /// When it reached the node counts, not when it was written: a request carried on a USB
    /// stick for days is new to this collective (a node before arrival times gives none).
    pub fn is_new(&self, tab: Tab, item: &Item) -> bool {
        item.arrived_at.unwrap_or(item.timestamp) > self.new_since(tab)
            && Some(item.author) != self.me()
    }

    /// Whether `member` was welcomed since the Collectives tab was last looked at.
    pub fn is_new_member(&self, member: &MemberView) -> bool {
        member
            .admitted_at
            .is_some_and(|at| at > self.new_since(Tab::Collectives))
            && Some(member.id) != self.me()
    }

    /// How many rows on `tab` are new.
    pub fn new_on(&self, tab: Tab) -> usize {
        match tab {
            Tab::Feed => self
                .items
                .iter()
                .filter(|i| !matches!(i.kind, Kind::Close | Kind::SealingKey))
                .filter(|i| self.is_new(tab, i))
                .count(),
            Tab::Requests => self.open_requests().filter(|i| self.is_new(tab, i)).count(),
            Tab::Resources => self
                .items
                .iter()
                .filter(|i| i.kind == Kind::Resource && self.is_new(tab, i))
                .count(),
            Tab::Collectives => self
                .members
                .iter()
                .filter(|m| self.is_new_member(m))
                .count(),
            Tab::Network | Tab::Scorecards => 0,
        }
    }

    fn open_requests(&self) -> impl Iterator<Item = &Item> {
        self.items
            .iter()
            .filter(|i| i.kind == Kind::MentoringRequest && !i.closed)
    }

    /// Whether an open request from another collective is on a topic this collective offers.
    pub fn matches_me(&self, item: &Item) -> bool {
        let Some(Body::MentoringRequest(request)) = &item.body else {
            return false;
        };
        let Some(profile) = &self.own_profile else {
            return false;
        };
        Some(item.author) != self.me()
            && crate::topics::matches(&request.topic, &profile.focus_areas)
    }

    /// How many new open requests match what this collective offers.
    pub fn new_matching(&self) -> usize {
        self.open_requests()
            .filter(|i| self.is_new(Tab::Requests, i) && self.matches_me(i))
            .count()
    }

    /// Leaving the tab on screen: it was looked at until now.
    pub(crate) fn leave_tab(&mut self) -> Vec<Action> {
        self.settings
            .last_looked
            .insert(self.tab.number(), self.now.max(self.visit_baseline));
        vec![Action::SaveSettings(self.settings.clone())]
    }

    /// Arriving on a tab: its rows count as new from when it was last left.
    pub(crate) fn arrive_on_tab(&mut self) {
        self.visit_baseline = self
            .settings
            .last_looked
            .get(&self.tab.number())
            .copied()
            .unwrap_or(self.started);
    }

    /// A request just arrived: ring the bell if it matches and the bell is on.
    pub(crate) fn alert_for(&self, item: &Item) -> Option<Action> {
        (self.settings.bell
            && item.kind == Kind::MentoringRequest
            && self.is_new(Tab::Requests, item)
            && self.matches_me(item))
        .then_some(Action::Bell)
    }
}
