//! The forum's part of the app: the score card shown and its filter, endorsing an audit, the
//! export of a card, the figures refreshed when their tab opens.

use sangam_protocol::api::Request;
use sangam_protocol::audit::Day;
use sangam_protocol::kinds::Endorsement;
use sangam_protocol::scorecard::{OfficeCard, Scorecard, ScorecardFilter};
use sangam_protocol::{Body, Kind};

use super::{Action, App, Purpose, Tab};
use crate::t;

impl App {
    /// The offices of the card shown, worst first (unrated ones last).
    pub fn offices_view(&self) -> Vec<&OfficeCard> {
        let Some(card) = &self.scorecard else {
            return Vec::new();
        };
        let mut offices: Vec<&OfficeCard> = card.offices.iter().collect();
        offices.sort_by(|a, b| {
            let score = |o: &OfficeCard| o.summary.score.unwrap_or(f64::INFINITY);
            score(a)
                .total_cmp(&score(b))
                .then(b.summary.audits.cmp(&a.summary.audits))
        });
        offices
    }

    /// The request for the card the filter chooses.
    pub(crate) fn scorecard_request(&self) -> Action {
        Action::Send(
            Purpose::Scorecard,
            Request::Scorecard {
                filter: self.card_filter.clone(),
            },
        )
    }

    /// The request for every place audited (the unfiltered card).
    pub(crate) fn places_request() -> Action {
        Action::Send(
            Purpose::Places,
            Request::Scorecard {
                filter: ScorecardFilter::default(),
            },
        )
    }

    /// The requests that refresh the Score cards tab: the unfiltered card (the places to
    /// choose from, and the card shown while nothing is chosen), and the chosen card only when
    /// a filter is set — each card costs the node a read of every audit.
    pub(crate) fn card_refresh(&self) -> Vec<Action> {
        let mut actions = vec![App::places_request()];
        if self.card_filter != ScorecardFilter::default() {
            actions.push(self.scorecard_request());
        }
        actions
    }

    /// What to fetch when a tab opens.
    pub(crate) fn entered(&self) -> Vec<Action> {
        match self.tab {
            Tab::Network => vec![Action::Send(Purpose::Overview, Request::Overview)],
            Tab::Scorecards => self.card_refresh(),
            _ => vec![],
        }
    }

    /// A score card arrived.
    pub(crate) fn on_scorecard(&mut self, purpose: Purpose, card: Scorecard) {
        if purpose == Purpose::Places {
            let mut places: Vec<(String, String)> = card
                .districts
                .iter()
                .map(|d| (d.state.clone(), d.district.clone()))
                .collect();
            places.sort();
            places.dedup();
            self.places = places;
            if self.card_filter == ScorecardFilter::default() {
                self.scorecard = Some(card);
            }
        } else if card.filter == self.card_filter {
            self.scorecard = Some(card);
        }
    }

    /// Shows the next state's offices (after the last: every state).
    pub(crate) fn cycle_state(&mut self) -> Vec<Action> {
        let mut states: Vec<&String> = self.places.iter().map(|(state, _)| state).collect();
        states.dedup();
        if states.is_empty() {
            self.say(t!("card-no-audits-yet"), true);
            return vec![];
        }
        let next = match &self.card_filter.state {
            None => states.first().map(|s| (*s).clone()),
            Some(current) => states
                .iter()
                .position(|s| *s == current)
                .and_then(|i| states.get(i + 1))
                .map(|s| (*s).clone()),
        };
        self.card_filter.state = next;
        self.card_filter.district = None;
        self.select(0);
        vec![self.scorecard_request()]
    }

    /// Shows the next district of the chosen state (after the last: the whole state).
    pub(crate) fn cycle_district(&mut self) -> Vec<Action> {
        let Some(state) = self.card_filter.state.clone() else {
            self.say(t!("card-choose-state-first"), true);
            return vec![];
        };
        let districts: Vec<&String> = self
            .places
            .iter()
            .filter(|(s, _)| *s == state)
            .map(|(_, district)| district)
            .collect();
        let next = match &self.card_filter.district {
            None => districts.first().map(|d| (*d).clone()),
            Some(current) => districts
                .iter()
                .position(|d| *d == current)
                .and_then(|i| districts.get(i + 1))
                .map(|d| (*d).clone()),
        };
        self.card_filter.district = next;
        self.select(0);
        vec![self.scorecard_request()]
    }

    /// Endorses the audit selected in the feed.
    pub(crate) fn endorse(&mut self, row: usize) -> Vec<Action> {
        let me = self.me();
        let target = self
            .feed_view()
            .get(row)
            .map(|item| (item.id, item.author, item.kind, item.body.is_some()));
        match target {
            Some((id, author, Kind::Audit, true)) if Some(author) != me => {
                self.say(t!("endorsing"), false);
                let body = Body::Endorsement(Endorsement {
                    audit: id,
                    note: String::new(),
                });
                vec![Action::Send(Purpose::Publish, Request::Post { body })]
            }
            Some((_, _, Kind::Audit, true)) => {
                self.say(t!("endorse-own-audit"), true);
                vec![]
            }
            Some((_, _, Kind::Audit, false)) => {
                self.say(t!("audit-withdrawn"), true);
                vec![]
            }
            _ => {
                self.say(t!("select-audit-to-endorse"), true);
                vec![]
            }
        }
    }

    /// Says what reading a bundle did.
    pub(crate) fn on_bundle_read(&mut self, answer: sangam_protocol::api::Response) {
        if let sangam_protocol::api::Response::BundleImported {
            writer,
            writer_name,
            messages,
            stored,
            already_held,
            refused,
            ..
        } = answer
        {
            let who = writer_name.unwrap_or_else(|| writer.short());
            let refused: u64 = refused.values().sum();
            self.say(
                t!(
                    "bundle-read",
                    count = messages,
                    who = who,
                    stored = stored,
                    held = already_held,
                    refused = refused
                ),
                refused > 0,
            );
        }
    }

    /// Says where an export went, or why it did not.
    pub fn on_exported(&mut self, written: Result<[String; 2], String>) {
        match written {
            Ok([csv, report]) => self.say(t!("export-saved", csv = csv, report = report), false),
            Err(why) => self.say(t!("export-not-saved", why = why), true),
        }
    }

    /// Writes the card shown as CSV and as a report.
    pub(crate) fn export(&mut self) -> Vec<Action> {
        let Some(card) = &self.scorecard else {
            self.say(t!("card-not-arrived"), true);
            return vec![];
        };
        if card.total.audits == 0 {
            self.say(t!("card-nothing-to-export"), true);
            return vec![];
        }
        let today = Day::of_unix_ms(self.now).to_string();
        let network = self
            .status
            .as_ref()
            .and_then(|s| s.network_name.clone())
            .unwrap_or_else(|| "Sangam".into());
        let mut stem = format!("sangam-scorecard-{today}");
        for part in [&card.filter.state, &card.filter.district]
            .into_iter()
            .flatten()
        {
            stem.push('-');
            stem.extend(part.chars().map(|c| {
                if c.is_alphanumeric() {
                    c.to_ascii_lowercase()
                } else {
                    '-'
                }
            }));
        }
        match sangam_node::report::csv(card) {
            Ok(csv) => vec![Action::Export {
                stem,
                csv,
                report: sangam_node::report::markdown(card, &network, &today),
            }],
            Err(_) => {
                self.say(t!("card-no-csv"), true);
                vec![]
            }
        }
    }
}
