//! Gossip from peers. Messages that arrive together are gathered into one batch: duplicates and
//! flooding authors are turned away before any signature is checked, the rest are verified in
//! parallel and written in one transaction, and each gets its verdict back to gossipsub.

use libp2p::PeerId;
use libp2p::gossipsub::{self, MessageAcceptance};
use sangam_protocol::envelope::{Envelope, message_id_for};
use sangam_protocol::{AuthorId, Error as Rule};

use super::{EventLoop, is_provably_invalid};
use crate::error::{NodeError, Result};
use crate::ledger::Accepted;

/// Most gossip messages held before they are checked; keeps a burst's batch (and its latency)
/// bounded.
const INBOX_LIMIT: usize = 256;

/// A gossip message waiting in the inbox.
pub(super) struct Arrival {
    source: PeerId,
    id: gossipsub::MessageId,
    data: Vec<u8>,
}

impl EventLoop {
    /// Queues a gossip message; it is checked with the others that arrived with it.
    pub(super) fn on_gossip(
        &mut self,
        source: PeerId,
        id: gossipsub::MessageId,
        message: gossipsub::Message,
    ) {
        self.inbox.push(Arrival {
            source,
            id,
            data: message.data,
        });
    }

    /// Whether the inbox should be checked before taking more events.
    pub(super) fn inbox_full(&self) -> bool {
        self.inbox.len() >= INBOX_LIMIT
    }

    /// Checks and stores everything in the inbox, and tells gossipsub which messages to forward.
    pub(super) fn drain_gossip(&mut self) {
        if self.inbox.is_empty() {
            return;
        }
        let now = self.now();
        let arrivals = std::mem::take(&mut self.inbox);
        let mut verdicts: Vec<Option<Result<Accepted>>> = Vec::with_capacity(arrivals.len());
        let mut batch = Vec::new();
        let mut slots = Vec::new();
        let mut claimed = Vec::new();
        let mut heads = Vec::with_capacity(arrivals.len());
        let mut limited = Vec::with_capacity(arrivals.len());
        for (slot, arrival) in arrivals.into_iter().enumerate() {
            // The rate limit is checked on the claimed author before the (costlier) signature
            // check, so a flood costs little. A message whose signature then fails gives its
            // token back, so forging someone else's name uses up nothing of theirs (and the
            // forger is struck and banned after a few bad signatures).
            let fresh = match Envelope::parse(&arrival.data) {
                Ok(envelope) => {
                    let id = message_id_for(envelope.header_bytes);
                    if self.ledger.store().contains(&id).unwrap_or(false) {
                        None
                    } else {
                        Some(envelope.header.author)
                    }
                }
                Err(_) => Some(AuthorId([0; 32])),
            };
            let mut over_limit = None;
            verdicts.push(match fresh {
                None => Some(Ok(Accepted::Duplicate)),
                Some(author) if !self.limiter.allow(&author, now) => {
                    over_limit = Some(author);
                    Some(Err(NodeError::Protocol(Rule::RateLimited)))
                }
                Some(author) => {
                    batch.push(arrival.data);
                    slots.push(slot);
                    claimed.push(author);
                    None
                }
            });
            heads.push((arrival.source, arrival.id));
            limited.push(over_limit);
        }
        let results = self.ledger.ingest_batch(&batch, now);
        for ((slot, author), result) in slots.into_iter().zip(claimed).zip(results) {
            if let Err(NodeError::Protocol(rule)) = &result
                && is_provably_invalid(rule)
            {
                self.limiter.refund(&author);
            }
            verdicts[slot] = Some(result);
        }
        for (((source, id), verdict), over_limit) in heads.into_iter().zip(verdicts).zip(limited) {
            let verdict = verdict.unwrap_or(Err(NodeError::Corrupt("gossip batch")));
            let acceptance = match over_limit {
                Some(author) => {
                    self.count_rejection_of(&Rule::RateLimited, Some(source), Some(author));
                    MessageAcceptance::Ignore
                }
                None => self.judge(source, verdict),
            };
            self.swarm
                .behaviour_mut()
                .gossip
                .inner()
                .report_message_validation_result(&id, &source, acceptance);
        }
    }

    /// Books one gossip message's outcome and says whether gossipsub should pass it on.
    fn judge(&mut self, source: PeerId, verdict: Result<Accepted>) -> MessageAcceptance {
        match verdict {
            Ok(Accepted::New(stored)) => {
                let header = stored.header();
                let behind =
                    self.ledger.store().contiguous(&header.author).unwrap_or(0) < header.seq;
                self.stored(&stored);
                if behind {
                    // A gap before this message: fetch what is missing from whoever sent it.
                    self.start_sync(source);
                }
                MessageAcceptance::Accept
            }
            Ok(Accepted::Duplicate) => MessageAcceptance::Ignore,
            Err(NodeError::Protocol(rule)) => {
                self.count_rejection(&rule, Some(source));
                if is_provably_invalid(&rule) {
                    MessageAcceptance::Reject
                } else {
                    MessageAcceptance::Ignore
                }
            }
            Err(error) => {
                tracing::warn!("could not store a message: {error}");
                MessageAcceptance::Ignore
            }
        }
    }
}
