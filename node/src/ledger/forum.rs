//! What the national forum reads over the whole history: score cards of public offices
//! (computed by `sangam_protocol::scorecard` from the audits held) and the overview's figures
//! (from the store's counters and activity indexes, not from a page of recent items).

use std::collections::{BTreeMap, BTreeSet};

use sangam_protocol::api::{ACTIVITY_BUCKETS, Overview};
use sangam_protocol::scorecard::{
    AuditEntry, EndorsementEntry, Scorecard, ScorecardFilter, compute_from,
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

/// The audits and endorsements a score card is computed from, held in memory once read
/// (about 250 bytes an audit) and kept up to date as they arrive.
#[derive(Default)]
pub(super) struct ScoreInputs {
    audits: Vec<AuditEntry>,
    endorsements: Vec<EndorsementEntry>,
}

impl ScoreInputs {
    fn add(&mut self, id: MessageId, author: AuthorId, body: Body) {
        match body {
            Body::Audit(audit) => self.audits.push(AuditEntry { id, author, audit }),
            Body::Endorsement(endorsement) => self.endorsements.push(EndorsementEntry {
                id,
                author,
                audit: endorsement.audit,
            }),
            _ => {}
        }
    }
}

impl Ledger {
    /// The score card of the audits `filter` covers. Only current members' audits and
    /// endorsements count (a removed collective's do not), and only those still held with their
    /// words (a withdrawn audit does not). Computed from [`ScoreInputs`] in memory: the first
    /// card reads every audit once; later ones read none.
    pub fn scorecard(&self, filter: &ScorecardFilter) -> Result<Scorecard> {
        let members: BTreeSet<AuthorId> = self
            .membership()
            .map(|m| m.members().map(|(id, _)| *id).collect())
            .unwrap_or_default();
        let mut cached = self.score_inputs.lock().unwrap_or_else(|e| e.into_inner());
        let inputs = match cached.take() {
            Some(inputs) => inputs,
            None => self.read_score_inputs()?,
        };
        let card = compute_from(
            inputs
                .audits
                .iter()
                .filter(|entry| members.contains(&entry.author)),
            inputs
                .endorsements
                .iter()
                .filter(|entry| members.contains(&entry.author)),
            filter,
        );
        *cached = Some(inputs);
        Ok(card)
    }

    /// Every audit and endorsement held with its words, by anyone (members are chosen when a
    /// card is computed, so a change of membership needs no new read).
    fn read_score_inputs(&self) -> Result<ScoreInputs> {
        let mut inputs = ScoreInputs::default();
        self.each_body(
            &[Kind::Audit, Kind::Endorsement],
            None,
            |id, author, body| inputs.add(id, author, body),
        )?;
        Ok(inputs)
    }

    /// Keeps the score card's inputs up to date with messages just stored with their words.
    pub(super) fn note_scored(&self, stored: &[(Message, Option<MessageId>)]) {
        let mut cached = self.score_inputs.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(inputs) = cached.as_mut() {
            for (message, _) in stored {
                if let Ok(Some(body)) = message.body() {
                    inputs.add(message.id(), message.header().author, body);
                }
            }
        }
    }

    /// Forgets the score card's inputs after words were dropped (a withdrawal, an expiry, a
    /// revoked key's grace period) or put back: the next card reads them again.
    pub(super) fn forget_scored(&self) {
        *self.score_inputs.lock().unwrap_or_else(|e| e.into_inner()) = None;
    }

    /// Hands `each` the body of every message of `kinds` held with one, by `authors`.
    /// Read in id order, not time order: the messages tree is keyed by id, so each of its pages
    /// is read once (3.5 times faster at 100,000 audits). Reading on two threads was faster
    /// still (0.65 s against 0.88 s) but took four times the memory; see BENCHMARKS.md.
    fn each_body(
        &self,
        kinds: &[Kind],
        authors: Option<&BTreeSet<AuthorId>>,
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
            let wanted = authors.is_none_or(|authors| authors.contains(&author));
            if let (true, Ok(Some(body))) = (wanted, message.body()) {
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

#[cfg(test)]
mod tests {
    use sangam_protocol::audit::{Audit, Endorsement, OfficeType, Outcome, Ratings};
    use sangam_protocol::kinds::{Admit, Revoke, Withdraw};
    use sangam_protocol::{Body, Keypair, Role};

    use super::*;
    use crate::ledger::store::Store;
    use crate::ledger::testing::{NOW, founded};

    fn audit(office: &str, dignity: u8) -> Body {
        Body::Audit(Audit {
            office_type: OfficeType::ALL[0],
            office_name: office.into(),
            district: "Patna".into(),
            state: "Bihar".into(),
            date: "2026-06-01".into(),
            sought: "FIR".into(),
            ratings: Ratings {
                responsiveness: 3,
                dignity,
                timeliness: 0,
                outcome: 2,
            },
            outcome: Outcome::Pending,
            note: String::new(),
        })
    }

    /// The card this ledger gives, against the one a fresh read of the same store gives.
    fn same_as_read_afresh(ledger: &Ledger) -> Scorecard {
        let kept = ledger.scorecard(&ScorecardFilter::default()).unwrap();
        ledger.forget_scored();
        let fresh = ledger.scorecard(&ScorecardFilter::default()).unwrap();
        assert_eq!(
            serde_json::to_string(&kept).unwrap(),
            serde_json::to_string(&fresh).unwrap()
        );
        kept
    }

    #[test]
    fn the_score_card_kept_in_memory_is_the_one_read_afresh_after_every_change() {
        let temp = tempfile::tempdir().unwrap();
        let founder = Keypair::from_secret_bytes(&[1; 32]);
        let member = Keypair::from_secret_bytes(&[2; 32]);
        let mut ledger = founded(temp.path(), &founder);
        let admit = Body::Admit(Admit {
            member: member.author(),
            role: Role::Member,
            name: "Utthan".into(),
        });
        ledger.publish(&founder, admit, NOW).unwrap();
        assert_eq!(same_as_read_afresh(&ledger).total.audits, 0);

        // Audits arrive after the first card was read: counted without a new read.
        let first = ledger.publish(&founder, audit("Thana A", 2), NOW).unwrap();
        let theirs = ledger.publish(&member, audit("Thana B", 4), NOW).unwrap();
        assert_eq!(same_as_read_afresh(&ledger).total.audits, 2);
        let endorse = Body::Endorsement(Endorsement {
            audit: first.id(),
            note: String::new(),
        });
        ledger.publish(&member, endorse, NOW).unwrap();
        assert_eq!(same_as_read_afresh(&ledger).total.endorsed_audits, 1);

        // A withdrawn audit stops counting; so do a removed collective's audits.
        let withdraw = Body::Withdraw(Withdraw { item: first.id() });
        ledger.publish(&founder, withdraw, NOW).unwrap();
        assert_eq!(same_as_read_afresh(&ledger).total.audits, 1);
        let (trusted_seq, trusted) = ledger.trusted_point(&member.author(), None).unwrap();
        let revoke = Body::Revoke(Revoke {
            member: member.author(),
            reason: "left".into(),
            trusted_seq,
            trusted,
        });
        ledger.publish(&founder, revoke, NOW).unwrap();
        assert_eq!(same_as_read_afresh(&ledger).total.audits, 0);
        assert!(ledger.store().contains(&theirs.id()).unwrap());

        // After a restart the card is read again, the same.
        drop(ledger);
        let reopened = Ledger::open(Store::open(temp.path()).unwrap()).unwrap();
        assert_eq!(same_as_read_afresh(&reopened).total.audits, 0);
    }
}
