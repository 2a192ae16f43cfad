//! What the national forum reads over the whole history: score cards of public offices
//! (computed by `sangam_protocol::scorecard` from the audits held) and the overview's figures
//! (from the store's counters and activity indexes, not from a page of recent items).

use std::collections::{BTreeMap, BTreeSet};

use sangam_protocol::api::{ACTIVITY_BUCKETS, Overview};
use sangam_protocol::scorecard::{
    AuditEntry, EndorsementEntry, Scorecard, ScorecardFilter, compute,
};
use sangam_protocol::{AuthorId, Body, Kind, Message, MessageId};

use super::Ledger;
use super::store::{From, hour_of};
use crate::error::Result;

/// The kinds the overview charts over time.
pub const CHARTED: [Kind; 5] = [
    Kind::Announcement,
    Kind::MentoringRequest,
    Kind::Offer,
    Kind::Resource,
    Kind::Audit,
];

impl Ledger {
    /// The score card of the audits `filter` covers. Only current members' audits and
    /// endorsements count (a removed collective's do not), and only those still held with their
    /// words (a withdrawn audit does not).
    pub fn scorecard(&self, filter: &ScorecardFilter) -> Result<Scorecard> {
        let members: BTreeSet<AuthorId> = self
            .membership()
            .map(|m| m.members().map(|(id, _)| *id).collect())
            .unwrap_or_default();
        let mut audits = Vec::new();
        let mut endorsements = Vec::new();
        self.each_body(
            &[Kind::Audit, Kind::Endorsement],
            &members,
            |id, author, body| match body {
                Body::Audit(audit) => audits.push(AuditEntry { id, author, audit }),
                Body::Endorsement(endorsement) => endorsements.push(EndorsementEntry {
                    id,
                    author,
                    audit: endorsement.audit,
                }),
                _ => {}
            },
        )?;
        Ok(compute(&audits, &endorsements, filter))
    }

    /// Hands `each` the body of every message of `kinds` held with one, by `authors`.
    /// Read in id order, not time order: the messages tree is keyed by id, so each of its pages
    /// is read once (3.5 times faster at 100,000 audits). Reading on two threads was faster
    /// still (0.65 s against 0.88 s) but took four times the memory; see BENCHMARKS.md.
    fn each_body(
        &self,
        kinds: &[Kind],
        authors: &BTreeSet<AuthorId>,
        mut each: impl FnMut(MessageId, AuthorId, Body),
    ) -> Result<()> {
        let mut ids = Vec::new();
        for kind in kinds {
            for id in self.store.page(Some(*kind), From::Newest) {
                ids.push(id?);
            }
        }
        ids.sort_unstable();
        for id in ids {
            let Some(wire) = self.store.get(&id)? else {
                continue;
            };
            let message = Message::from_trusted_bytes(wire)?;
            let author = message.header().author;
            if let (true, Ok(Some(body))) = (authors.contains(&author), message.body()) {
                each(id, author, body);
            }
        }
        Ok(())
    }

    /// The forum's figures over every message held, at `now` (ms).
    pub fn overview(&self, now: u64) -> Result<Overview> {
        let mut overview = Overview {
            messages: self
                .store
                .count_by_kind()?
                .into_iter()
                .map(|(kind, count)| (kind.name().to_string(), count))
                .collect(),
            ..Overview::default()
        };
        // Columns wide enough for the whole history to fit in the chart.
        let last = hour_of(now);
        let first = self.store.first_hour()?.unwrap_or(last).min(last);
        let span = u64::from(last - first) + 1;
        let bucket = span.div_ceil(ACTIVITY_BUCKETS as u64).max(1);
        let start = u64::from(last) + 1 - bucket * ACTIVITY_BUCKETS as u64;
        overview.bucket_hours = bucket;
        for kind in CHARTED {
            let mut columns = vec![0u64; ACTIVITY_BUCKETS];
            let from = u32::try_from(start).unwrap_or(0);
            for (hour, count) in self.store.hourly(kind, from, last)? {
                let column = (u64::from(hour) - start) / bucket;
                if let Some(slot) = columns.get_mut(column as usize) {
                    *slot += count;
                }
            }
            overview.activity.insert(kind.name().to_string(), columns);
        }
        let mut delays = Vec::new();
        for (id, written, author) in self.store.requests()? {
            overview.requests += 1;
            let closed = self
                .store
                .replies(&id)?
                .iter()
                .any(|(_, kind, by)| *kind == Kind::Close && *by == author);
            overview.closed_requests += u64::from(closed);
            if let Some(first_offer) = self.store.first_offer(&id)? {
                overview.answered_requests += 1;
                delays.push(first_offer.saturating_sub(written) / 60_000);
            }
        }
        delays.sort_unstable();
        overview.median_minutes_to_first_offer = delays.get(delays.len() / 2).copied();
        overview.by_state = self.messages_by_state()?;
        Ok(overview)
    }

    /// Messages held per author's state (from their profiles), most first.
    fn messages_by_state(&self) -> Result<Vec<(String, u64)>> {
        let states: BTreeMap<AuthorId, String> = self
            .members()?
            .into_iter()
            .filter_map(|m| Some((m.id, m.state.filter(|s| !s.trim().is_empty())?)))
            .collect();
        let mut counts: BTreeMap<String, u64> = BTreeMap::new();
        for (author, held) in self.store.vector()?.iter() {
            let state = states
                .get(author)
                .cloned()
                .unwrap_or_else(|| "unknown".into());
            *counts.entry(state).or_default() += *held;
        }
        let mut sorted: Vec<(String, u64)> = counts.into_iter().collect();
        sorted.sort_by(|(a, x), (b, y)| y.cmp(x).then(a.cmp(b)));
        Ok(sorted)
    }
}
