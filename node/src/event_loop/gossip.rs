//! Gossip from peers. Messages that arrive together are gathered into one batch and handed to
//! the ledger's one door: duplicates and flooding authors are turned away before any signature
//! is checked, the rest are verified in parallel and written together, and each gets
//! its verdict back to gossipsub.

use libp2p::PeerId;
use libp2p::gossipsub::{self, MessageAcceptance};
use sangam_protocol::envelope::Envelope;
use sangam_protocol::{AuthorId, Error as Rule, Message};

use super::EventLoop;
use crate::error::Result;
use crate::ledger::Verdict;

/// Most gossip messages held before they are checked; keeps a burst's batch (and its latency)
/// bounded.
const INBOX_LIMIT: usize = 256;

/// Whether a rejection proves the forwarding peer misbehaved (so gossip scoring punishes it), as
/// opposed to depending on what this node happens to know yet.
pub(super) fn is_provably_invalid(rule: &Rule) -> bool {
    !matches!(
        rule,
        Rule::NotAMember
            | Rule::RoleNotAllowed { .. }
            | Rule::Fork { .. }
            | Rule::Forked { .. }
            | Rule::TimestampWentBack
            // Half of a fork proof looks the same to a node that holds neither branch.
            | Rule::BodyRequired { .. }
            | Rule::BadReference(_)
            | Rule::TimestampInFuture { .. }
            | Rule::SeqPrevMismatch(_)
            | Rule::RateLimited
    )
}

/// Who forwarded a gossip message, and gossipsub's id for it.
type Head = (PeerId, gossipsub::MessageId);

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
        let (heads, wires): (Vec<Head>, Vec<Vec<u8>>) = std::mem::take(&mut self.inbox)
            .into_iter()
            .map(|a| ((a.source, a.id), a.data))
            .unzip();
        // The rate limit is checked on the claimed author before the (costlier) signature check,
        // so a flood costs little.
        let limiter = &mut self.limiter;
        let verdicts = self
            .ledger
            .intake(&wires, now, |author| limiter.allow(author, now));
        let verdicts = match verdicts {
            Ok(verdicts) => verdicts,
            Err(error) => {
                tracing::warn!("could not store gossip: {error}");
                for head in &heads {
                    self.report(head, MessageAcceptance::Ignore);
                }
                return;
            }
        };
        for ((head, wire), verdict) in heads.iter().zip(&wires).zip(verdicts) {
            // Only a refusal needs the claimed author again (rare: parsing again is cheap).
            let author = match &verdict {
                Verdict::Refused(_) => Envelope::parse(wire).ok().map(|e| e.header.author),
                _ => None,
            };
            if let (Verdict::Refused(rule), Some(author)) = (&verdict, &author)
                && is_provably_invalid(rule)
            {
                // A message whose signature fails gives its token back, so forging someone
                // else's name uses up nothing of theirs (and the forger is struck and banned
                // after a few bad signatures).
                self.limiter.refund(author);
            }
            let named = author.filter(|_| matches!(verdict, Verdict::Refused(Rule::RateLimited)));
            let acceptance = self.judge(head.0, verdict, named);
            self.report(head, acceptance);
        }
        self.share_new_forks();
    }

    fn report(&mut self, (source, id): &Head, acceptance: MessageAcceptance) {
        self.swarm
            .behaviour_mut()
            .gossip
            .inner()
            .report_message_validation_result(id, source, acceptance);
    }

    /// Gossips a message (sync delivers it to peers that are not in the mesh yet).
    pub(super) fn publish(&mut self, wire: Vec<u8>) {
        let topic = self.topic.clone();
        if let Err(e) = self
            .swarm
            .behaviour_mut()
            .gossip
            .inner()
            .publish(topic, wire)
        {
            tracing::debug!("gossip publish: {e}");
        }
    }

    /// Publishes both headers of every fork the ledger just found, without bodies, so every
    /// member flags it (however the second branch arrived: gossip, sync or a hello's proof).
    pub(super) fn share_new_forks(&mut self) {
        for (author, seq) in self.ledger.take_new_forks() {
            let proof = match self.ledger.fork_proof(&author, seq) {
                Ok(proof) => proof,
                Err(error) => {
                    tracing::warn!("could not read a fork's proof: {error}");
                    continue;
                }
            };
            tracing::warn!(%author, seq, "a member's messages split in two; passing the proof on");
            for wire in proof {
                self.publish(wire);
            }
        }
    }

    /// Books one gossip message's outcome and says whether gossipsub should pass it on.
    fn judge(
        &mut self,
        source: PeerId,
        verdict: Verdict,
        author: Option<AuthorId>,
    ) -> MessageAcceptance {
        match verdict {
            Verdict::Stored(stored) => {
                let header = stored.header();
                let behind = self.ledger.contiguous(&header.author).unwrap_or(0) < header.seq;
                self.stored(stored);
                if behind {
                    // A gap before this message: fetch what is missing from whoever sent it.
                    self.start_sync(source);
                }
                MessageAcceptance::Accept
            }
            Verdict::Duplicate => MessageAcceptance::Ignore,
            Verdict::Refused(rule @ Rule::Fork { .. }) => {
                // A fork is news every member needs; its proof is passed on below.
                self.count_rejection_of(&rule, Some(source), author);
                MessageAcceptance::Ignore
            }
            Verdict::Refused(rule) => {
                self.count_rejection_of(&rule, Some(source), author);
                if is_provably_invalid(&rule) {
                    MessageAcceptance::Reject
                } else {
                    MessageAcceptance::Ignore
                }
            }
        }
    }

    /// Books the verdicts of messages that came by sync or in a hello's proof (from `source`).
    pub(super) fn book_verdicts(&mut self, source: Option<PeerId>, verdicts: Result<Vec<Verdict>>) {
        match verdicts {
            Ok(verdicts) => {
                for verdict in verdicts {
                    match verdict {
                        Verdict::Stored(message) => self.stored(message),
                        Verdict::Duplicate => {}
                        Verdict::Refused(rule) => self.count_rejection(&rule, source),
                    }
                }
            }
            Err(error) => tracing::warn!("could not store received messages: {error}"),
        }
        self.share_new_forks();
    }

    /// Books a newly stored message: event, and membership refresh if it changes membership.
    pub(super) fn stored(&mut self, message: Message) {
        let changes_membership = message.header().kind.is_membership_act();
        // Building the item costs store reads; only do it when a client is listening.
        if self.events.receiver_count() > 0
            && let Ok(item) = self.ledger.item_of(&message)
        {
            self.emit(sangam_protocol::api::Event::MessageStored {
                item: Box::new(item),
            });
        }
        if changes_membership {
            self.refresh_gate();
        }
    }
}
