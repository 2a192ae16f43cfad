//! Gossip from peers. Messages that arrive together are gathered into one batch and handed to
//! the ledger's one door: duplicates and flooding authors are turned away before any signature
//! is checked, the rest are verified in parallel and written together, and each gets its
//! verdict back to gossipsub — as [`Action`]s; the inbox touches no socket.

use libp2p::PeerId;
use libp2p::gossipsub::{self, MessageAcceptance};
use sangam_protocol::envelope::Envelope;
use sangam_protocol::rate::RateLimiter;
use sangam_protocol::{AuthorId, Error as Rule};

use super::action::Action;
use super::verdicts::new_fork_proofs;
use crate::ledger::{Ledger, Verdict};

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

/// Who forwarded a waiting gossip message, and gossipsub's id for it.
type Head = (PeerId, gossipsub::MessageId);

/// The gossip inbox: what arrived since the last check (who sent each, and its bytes, side by
/// side so the bytes go to the ledger without a copy), and each author's live rate limit.
#[derive(Default)]
pub(super) struct GossipInbox {
    heads: Vec<Head>,
    wires: Vec<Vec<u8>>,
    limiter: RateLimiter,
}

impl GossipInbox {
    /// Queues a gossip message; it is checked with the others that arrived with it.
    pub(super) fn push(&mut self, source: PeerId, id: gossipsub::MessageId, data: Vec<u8>) {
        self.heads.push((source, id));
        self.wires.push(data);
    }

    /// Whether the inbox should be checked before taking more events.
    pub(super) fn is_full(&self) -> bool {
        self.heads.len() >= INBOX_LIMIT
    }

    /// Checks and stores everything waiting at `now`; returns what gossipsub, the counters and
    /// the subscribers are to be told.
    pub(super) fn drain(&mut self, ledger: &mut Ledger, now: u64) -> Vec<Action> {
        if self.heads.is_empty() {
            return Vec::new();
        }
        let heads = std::mem::take(&mut self.heads);
        let wires = std::mem::take(&mut self.wires);
        // The rate limit is checked on the claimed author before the (costlier) signature
        // check, so a flood costs little.
        let limiter = &mut self.limiter;
        let verdicts = match ledger.intake(&wires, now, |author| limiter.allow(author, now)) {
            Ok(verdicts) => verdicts,
            Err(error) => {
                tracing::warn!("could not store gossip: {error}");
                return heads
                    .into_iter()
                    .map(|head| validate(head, MessageAcceptance::Ignore))
                    .collect();
            }
        };
        let mut actions = Vec::new();
        for ((head, wire), verdict) in heads.into_iter().zip(&wires).zip(verdicts) {
            let acceptance = self.judge(ledger, head.0, wire, verdict, &mut actions);
            actions.push(validate(head, acceptance));
        }
        actions.extend(new_fork_proofs(ledger));
        actions
    }

    /// One message's outcome: what to book, and whether gossipsub should pass it on.
    fn judge(
        &mut self,
        ledger: &Ledger,
        source: PeerId,
        wire: &[u8],
        verdict: Verdict,
        actions: &mut Vec<Action>,
    ) -> MessageAcceptance {
        match verdict {
            Verdict::Stored(stored) => {
                let header = stored.header();
                let behind = ledger.contiguous(&header.author).unwrap_or(0) < header.seq;
                actions.push(Action::Stored(stored));
                if behind {
                    // A gap before this message: fetch what is missing from whoever sent it.
                    actions.push(Action::StartSync(source));
                }
                MessageAcceptance::Accept
            }
            Verdict::Duplicate => MessageAcceptance::Ignore,
            Verdict::Refused(rule) => {
                // Only a refusal needs the claimed author again (rare: parsing again is cheap).
                let author: Option<AuthorId> = Envelope::parse(wire).ok().map(|e| e.header.author);
                let provably_invalid = is_provably_invalid(&rule);
                if let (true, Some(author)) = (provably_invalid, &author) {
                    // A message whose signature fails gives its token back, so forging someone
                    // else's name uses up nothing of theirs (and the forger is struck and
                    // banned after a few bad signatures).
                    self.limiter.refund(author);
                }
                let named = author.filter(|_| rule == Rule::RateLimited);
                // A fork is news every member needs (its proof is passed on), not misconduct.
                let acceptance = match (&rule, provably_invalid) {
                    (Rule::Fork { .. }, _) | (_, false) => MessageAcceptance::Ignore,
                    (_, true) => MessageAcceptance::Reject,
                };
                actions.push(Action::Refused {
                    rule,
                    peer: Some(source),
                    author: named,
                });
                acceptance
            }
        }
    }
}

fn validate((source, id): Head, acceptance: MessageAcceptance) -> Action {
    Action::Validate {
        source,
        id,
        acceptance,
    }
}

#[cfg(test)]
mod tests {
    use sangam_protocol::kinds::Announcement;
    use sangam_protocol::{Body, Keypair};

    use super::*;
    use crate::ledger::testing::{NOW, founded};

    fn arrival_id(n: u8) -> gossipsub::MessageId {
        gossipsub::MessageId::new(&[n])
    }

    #[test]
    fn a_batch_is_judged_message_by_message_and_nothing_touches_the_world() {
        let temp = tempfile::tempdir().unwrap();
        let founder = Keypair::from_secret_bytes(&[1; 32]);
        let mut writer = founded(&temp.path().join("writer"), &founder);
        let post = writer
            .publish(
                &founder,
                Body::Announcement(Announcement {
                    title: "Camp".into(),
                    body: String::new(),
                    tags: vec![],
                    expires_at: None,
                }),
                NOW,
            )
            .unwrap();
        // The same founder, name and moment found the same network.
        let mut reader = founded(&temp.path().join("reader"), &founder);
        let peer = PeerId::random();
        let mut inbox = GossipInbox::default();
        inbox.push(peer, arrival_id(1), post.wire().to_vec());
        inbox.push(peer, arrival_id(2), post.wire().to_vec());
        inbox.push(peer, arrival_id(3), vec![1, 2, 3]);
        let actions = inbox.drain(&mut reader, NOW);
        let acceptance = |n: u8| {
            actions.iter().find_map(|a| match a {
                Action::Validate { id, acceptance, .. } if *id == arrival_id(n) => {
                    Some(*acceptance)
                }
                _ => None,
            })
        };
        assert_eq!(acceptance(1), Some(MessageAcceptance::Accept));
        assert_eq!(
            acceptance(2),
            Some(MessageAcceptance::Ignore),
            "a duplicate"
        );
        assert_eq!(acceptance(3), Some(MessageAcceptance::Reject), "garbage");
        assert!(actions.contains(&Action::Stored(post.clone())));
        assert!(actions.iter().any(|a| matches!(
            a,
            Action::Refused { rule: Rule::Malformed(_), peer: Some(p), .. } if *p == peer
        )));
        assert!(reader.store().contains(&post.id()).unwrap());
        assert!(
            inbox.drain(&mut reader, NOW).is_empty(),
            "the inbox is empty after"
        );
    }
}
