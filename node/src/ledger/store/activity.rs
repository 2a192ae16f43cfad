//! The indexes behind the forum's overview, kept as messages are stored so that its figures
//! cover the whole history at the cost of a few index reads:
//!
//! - `hourly`: kind ‖ hour since the epoch (u32) → messages of that kind dated in that hour
//! - `requests`: request id → its timestamp ‖ its author (a close counts only by the author)
//! - `first_offer`: request id → the timestamp of the earliest offer answering it
//!
//! Like the other index trees they hold ids, times, kinds and keys, never words. A store written
//! before these indexes existed gets them built once, when it is opened
//! ([`Store::build_activity_indexes`]).

use std::collections::BTreeMap;

use sangam_protocol::{AuthorId, Kind, Message, MessageId, validate::reference_of};

use super::{Store, id_from, u64_from};
use crate::error::{NodeError, Result};

/// The meta entry saying the activity indexes are complete.
const BUILT: &str = "activity_indexes";

/// One hour, in ms.
const HOUR_MS: u64 = 3_600_000;

/// The hour a timestamp falls in.
pub fn hour_of(timestamp: u64) -> u32 {
    u32::try_from(timestamp / HOUR_MS).unwrap_or(u32::MAX)
}

fn hour_key(kind: Kind, hour: u32) -> [u8; 6] {
    let mut key = [0u8; 6];
    key[..2].copy_from_slice(&kind.number().to_be_bytes());
    key[2..].copy_from_slice(&hour.to_be_bytes());
    key
}

/// Counts gathered over one batch, written once at its end.
#[derive(Default)]
pub(super) struct HourlyCounts(BTreeMap<[u8; 6], u64>);

impl Store {
    /// Notes a newly stored message in the activity indexes (its hour counted at the end of the
    /// batch, by [`Store::add_hourly`]).
    pub(super) fn note_activity(
        &self,
        message: &Message,
        reply_to: Option<MessageId>,
        hourly: &mut HourlyCounts,
    ) -> Result<()> {
        let header = message.header();
        *hourly
            .0
            .entry(hour_key(header.kind, hour_of(header.timestamp)))
            .or_default() += 1;
        if header.kind == Kind::MentoringRequest {
            let mut value = header.timestamp.to_be_bytes().to_vec();
            value.extend_from_slice(header.author.as_bytes());
            self.requests.insert(message.id().as_bytes(), value)?;
        }
        self.note_reply(header.kind, reply_to, header.timestamp)
    }

    /// Notes an offer's time against the request it answers (also when a body-less offer gains
    /// its body, and with it its reference).
    pub(super) fn note_reply(
        &self,
        kind: Kind,
        reply_to: Option<MessageId>,
        timestamp: u64,
    ) -> Result<()> {
        // A sealed message refers to a request only as a sealed offer.
        if let (Kind::Offer | Kind::Sealed, Some(request)) = (kind, reply_to) {
            let earlier = self
                .first_offer
                .get(request.as_bytes())?
                .map(|v| u64_from(&v))
                .transpose()?
                .is_some_and(|held| held <= timestamp);
            if !earlier {
                self.first_offer
                    .insert(request.as_bytes(), &timestamp.to_be_bytes())?;
            }
        }
        Ok(())
    }

    /// Adds a batch's hourly counts.
    pub(super) fn add_hourly(&self, hourly: HourlyCounts) -> Result<()> {
        for (key, more) in hourly.0 {
            let held = self
                .hourly
                .get(key)?
                .map(|v| u64_from(&v))
                .transpose()?
                .unwrap_or(0);
            self.hourly.insert(key, &(held + more).to_be_bytes())?;
        }
        Ok(())
    }

    /// Messages of `kind` per hour from `first` to `last` (inclusive), as (hour, count).
    pub fn hourly(&self, kind: Kind, first: u32, last: u32) -> Result<Vec<(u32, u64)>> {
        let mut out = Vec::new();
        for entry in self
            .hourly
            .range(hour_key(kind, first)..=hour_key(kind, last))
        {
            let (key, value) = entry?;
            let hour: [u8; 4] = key[2..]
                .try_into()
                .map_err(|_| NodeError::Corrupt("an hourly index key"))?;
            out.push((u32::from_be_bytes(hour), u64_from(&value)?));
        }
        Ok(out)
    }

    /// The hour of the oldest message held, if any.
    pub fn first_hour(&self) -> Result<Option<u32>> {
        match self.by_time.iter().next() {
            Some(entry) => Ok(Some(hour_of(u64_from(&entry?.0[..8])?))),
            None => Ok(None),
        }
    }

    /// Every request held: (id, timestamp, author).
    pub fn requests(&self) -> Result<Vec<(MessageId, u64, AuthorId)>> {
        let mut out = Vec::new();
        for entry in self.requests.iter() {
            let (key, value) = entry?;
            if value.len() != 40 {
                return Err(NodeError::Corrupt(
                    "a request index entry has the wrong size",
                ));
            }
            let author: [u8; 32] = value[8..]
                .try_into()
                .map_err(|_| NodeError::Corrupt("request author"))?;
            out.push((id_from(&key)?, u64_from(&value[..8])?, AuthorId(author)));
        }
        Ok(out)
    }

    /// When the first offer answering `request` was written, if one is held.
    pub fn first_offer(&self, request: &MessageId) -> Result<Option<u64>> {
        self.first_offer
            .get(request.as_bytes())?
            .map(|v| u64_from(&v))
            .transpose()
    }

    /// Builds the activity indexes from the messages held, once, for a store written before
    /// they existed.
    pub(super) fn build_activity_indexes(&self) -> Result<()> {
        if self.meta(BUILT)?.is_some() {
            return Ok(());
        }
        if !self.messages.is_empty() {
            tracing::info!("building the overview's indexes over the messages held (once)");
        }
        self.hourly.clear()?;
        self.requests.clear()?;
        self.first_offer.clear()?;
        let mut hourly = HourlyCounts::default();
        for entry in self.messages.iter() {
            let (key, value) = entry?;
            let message = Message::from_trusted_bytes(self.opened("messages", &key, &value)?)
                .map_err(|_| NodeError::Corrupt("a stored message"))?;
            let reply_to = message
                .body()
                .ok()
                .flatten()
                .as_ref()
                .and_then(reference_of);
            self.note_activity(&message, reply_to, &mut hourly)?;
        }
        self.add_hourly(hourly)?;
        self.set_meta(BUILT, b"1")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ledger::testing::{NOW, founded};
    use sangam_protocol::Keypair;
    use sangam_protocol::kinds::{Body, MentoringRequest, Offer, Urgency};

    #[test]
    fn a_store_from_before_the_indexes_gets_the_same_ones_built() {
        let dir = tempfile::tempdir().unwrap();
        let founder = Keypair::from_secret_bytes(&[1; 32]);
        let mut ledger = founded(dir.path(), &founder);
        let mut requests = Vec::new();
        for n in 0..3u64 {
            let request = Body::MentoringRequest(MentoringRequest {
                topic: "legal_aid".into(),
                title: format!("request {n}"),
                description: String::new(),
                region: String::new(),
                language: String::new(),
                urgency: Urgency::Normal,
                expires_at: None,
            });
            requests.push(
                ledger
                    .publish(&founder, request, NOW + n * HOUR_MS)
                    .unwrap()
                    .id(),
            );
        }
        for (n, minutes) in [(0usize, 30u64), (0, 90), (1, 200)] {
            let offer = Body::Offer(Offer {
                request: requests[n],
                body: "we can help".into(),
            });
            ledger
                .publish(&founder, offer, NOW + 3 * HOUR_MS + minutes * 60_000)
                .unwrap();
        }
        let store = ledger.store().clone();
        let first = store.first_hour().unwrap().unwrap();
        assert_eq!(first, hour_of(NOW));
        let hours = |store: &Store| {
            Kind::KNOWN
                .iter()
                .map(|kind| store.hourly(*kind, first, u32::MAX).unwrap())
                .collect::<Vec<_>>()
        };
        let offers = |store: &Store| {
            requests
                .iter()
                .map(|id| store.first_offer(id).unwrap())
                .collect::<Vec<_>>()
        };
        // The earliest offer counts; the third request has none.
        let first = NOW + 3 * HOUR_MS + 30 * 60_000;
        assert_eq!(
            offers(&store),
            [Some(first), Some(NOW + 3 * HOUR_MS + 200 * 60_000), None]
        );
        // Whatever order offers arrive in (one author's come in order; others' need not).
        let elsewhere = MessageId([9; 32]);
        store
            .note_reply(Kind::Offer, Some(elsewhere), first)
            .unwrap();
        store
            .note_reply(Kind::Offer, Some(elsewhere), first + 1)
            .unwrap();
        assert_eq!(store.first_offer(&elsewhere).unwrap(), Some(first));
        store
            .note_reply(Kind::Offer, Some(elsewhere), first - 1)
            .unwrap();
        assert_eq!(store.first_offer(&elsewhere).unwrap(), Some(first - 1));
        let live = (hours(&store), store.requests().unwrap(), offers(&store));
        assert_eq!(live.1.len(), 3);
        // Forget the indexes, as a store written by an older version has none.
        store.remove_meta(BUILT).unwrap();
        store.hourly.clear().unwrap();
        store.requests.clear().unwrap();
        store.first_offer.clear().unwrap();
        store.build_activity_indexes().unwrap();
        assert_eq!(
            (hours(&store), store.requests().unwrap(), offers(&store)),
            live
        );
    }
}
