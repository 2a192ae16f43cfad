//! What each key does outside forms, windows and the search line (the keymap says which key
//! is which action).

use sangam_protocol::Body;
use sangam_protocol::api::Request;
use sangam_protocol::scorecard::ScorecardFilter;
use tui_input::Input;

use super::{Action, App, FILTER_KINDS, Purpose, Tab, title_of};
use crate::form::{Form, FormKind};
use crate::keymap::KeyAction;
use crate::t;

impl App {
    pub(super) fn act(&mut self, action: KeyAction) -> Vec<Action> {
        let row = self.selection();
        match action {
            KeyAction::Quit => {
                let mut actions = self.leave_tab();
                actions.push(Action::Quit);
                return actions;
            }
            KeyAction::Help => self.help = true,
            KeyAction::NextTab => {
                return self.go_to(Tab::ALL[(self.tab.index() + 1) % Tab::ALL.len()]);
            }
            KeyAction::PrevTab => {
                let previous = (self.tab.index() + Tab::ALL.len() - 1) % Tab::ALL.len();
                return self.go_to(Tab::ALL[previous]);
            }
            KeyAction::GoTo(tab) => return self.go_to(tab),
            KeyAction::Language => {
                let next = self.language().next();
                self.settings.language = Some(next);
                crate::catalogue::speak(next);
                self.say(t!("speaking-now", language = next.name()), false);
                return vec![Action::SaveSettings(self.settings.clone())];
            }
            KeyAction::Contrast => {
                self.settings.high_contrast = !self.settings.high_contrast;
                return vec![Action::SaveSettings(self.settings.clone())];
            }
            KeyAction::Bell => {
                self.settings.bell = !self.settings.bell;
                let words = if self.settings.bell {
                    t!("bell-on")
                } else {
                    t!("bell-off")
                };
                self.say(words, false);
                return vec![Action::SaveSettings(self.settings.clone())];
            }
            KeyAction::Admit => self.admit(),
            KeyAction::StartNode => return self.start_node(),
            KeyAction::Revoke => return self.revoke(row),
            KeyAction::Council => self.council(),
            KeyAction::FounderVote => self.founder_vote(),
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
                if let Some(profile) = &self.own_profile {
                    form.set(1, &profile.state);
                    form.set(2, &profile.district);
                    form.set(3, &profile.focus_areas.join(", "));
                    form.set(4, &profile.languages.join(", "));
                    form.set(5, &profile.about);
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
                    None => self.say(t!("no-request-to-offer-on"), true),
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
                        self.say(t!("only-author-withdraws"), true)
                    }
                    Some(_) => self.say(t!("words-already-gone"), true),
                    None => self.say(t!("no-post-selected"), true),
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
                        self.say(t!("closing-request"), false);
                        return vec![Action::Send(Purpose::Publish, Request::Post { body })];
                    }
                    Some((_, _, true)) => self.say(t!("request-already-closed"), true),
                    Some(_) => self.say(t!("only-asker-closes"), true),
                    None => self.say(t!("no-request-selected"), true),
                }
            }
        }
        vec![]
    }
}
