//! Words that lapse: an item its author withdrew, a message past its `expires_at`. Every node
//! drops such a body (the header and the feed's chain stay), accepts a copy without it, and
//! never takes the body back.

use std::collections::HashSet;

use sangam_protocol::membership::body_lapsed;
use sangam_protocol::{AuthorId, Body, Header, Kind, Message, MessageId};

use super::Ledger;
use crate::error::Result;

/// (author, item) pairs withdrawn by a batch's own withdrawals: an item and its withdrawal often
/// travel together, the item first.
pub(super) type Withdrawals = HashSet<(AuthorId, MessageId)>;

/// The withdrawal `message` makes, if it is one: (its author, the item).
pub(super) fn withdrawal(message: &Message) -> Option<(AuthorId, MessageId)> {
    if message.header().kind != Kind::Withdraw {
        return None;
    }
    match message.body() {
        Ok(Some(Body::Withdraw(withdraw))) => Some((message.header().author, withdraw.item)),
        _ => None,
    }
}

impl Ledger {
    /// Whether the body of the message `id` with `header` has lapsed at `now`: it expired, or
    /// its author withdrew it (a withdrawal held here or in `batch`). Only kinds that can be
    /// withdrawn lapse.
    pub(super) fn lapsed(
        &self,
        id: &MessageId,
        header: &Header,
        now: u64,
        batch: &Withdrawals,
    ) -> Result<bool> {
        if !header.kind.is_withdrawable() {
            return Ok(false);
        }
        if body_lapsed(header, now) || batch.contains(&(header.author, *id)) {
            return Ok(true);
        }
        self.is_withdrawn(id, &header.author)
    }

    /// Whether `author` withdrew its item `id` (a withdrawal of it is held).
    pub(super) fn is_withdrawn(&self, id: &MessageId, author: &AuthorId) -> Result<bool> {
        Ok(self
            .store
            .replies(id)?
            .iter()
            .any(|(_, kind, by)| *kind == Kind::Withdraw && by == author))
    }

    /// After a batch was written: drops the bodies its withdrawals name (items held from
    /// before). Returns how many were dropped.
    pub(super) fn apply_withdrawals(
        &self,
        accepted: &[(Message, Option<MessageId>)],
    ) -> Result<usize> {
        let mut dropped = 0;
        for (message, _) in accepted {
            if let Some((author, item)) = withdrawal(message)
                && self.store.drop_body(&item, &author)?
            {
                dropped += 1;
            }
        }
        Ok(dropped)
    }

    /// Drops the body of every held message whose `expires_at` is at or before `now`. Cheap when
    /// nothing is due (one seek), so it runs every second. Returns how many were dropped.
    pub fn drop_expired_bodies(&mut self, now: u64) -> Result<usize> {
        let dropped = self.store.drop_expired_bodies(now)?;
        if dropped > 0 {
            self.store.flush()?;
            self.forget_scored();
        }
        Ok(dropped)
    }
}

#[cfg(test)]
mod tests {
    use sangam_protocol::kinds::{Announcement, KeyCompromised, Withdraw};
    use sangam_protocol::{Draft, Error as Rule, Keypair};

    use super::*;
    use crate::ledger::Verdict;
    use crate::ledger::store::Store;
    use crate::ledger::testing::{NOW, founded};

    /// A ledger of the same network holding only its genesis.
    fn empty_copy(of: &Ledger, dir: &std::path::Path) -> Ledger {
        let mut copy = Ledger::open(Store::open(dir).unwrap()).unwrap();
        copy.start(of.joined().unwrap().genesis.clone(), NOW)
            .unwrap();
        copy
    }

    fn note(title: &str, expires_at: Option<u64>) -> Body {
        Body::Announcement(Announcement {
            title: title.into(),
            body: "details".into(),
            tags: vec![],
            expires_at,
        })
    }

    fn has_body(ledger: &Ledger, id: &MessageId) -> bool {
        ledger.store().held(id).unwrap() == Some(true)
    }

    #[test]
    fn a_withdrawn_item_loses_its_words_here_and_on_a_node_that_learns_of_it_later() {
        let temp = tempfile::tempdir().unwrap();
        let founder = Keypair::from_secret_bytes(&[1; 32]);
        let mut ledger = founded(&temp.path().join("a"), &founder);
        let item = ledger
            .publish(&founder, note("My phone number", None), NOW)
            .unwrap();
        let withdraw = Body::Withdraw(Withdraw { item: item.id() });
        let withdraw = ledger.publish(&founder, withdraw, NOW + 1).unwrap();
        assert!(!has_body(&ledger, &item.id()), "dropped at once");
        let view = ledger.item(&item.id()).unwrap().unwrap();
        assert!(view.withdrawn && view.body.is_none());
        // The full copy coming back (from a node that did not hear yet) is not taken.
        assert!(matches!(
            ledger.ingest(item.wire(), NOW + 2).unwrap(),
            Verdict::Duplicate
        ));
        assert!(!has_body(&ledger, &item.id()));

        // A node that joins later gets the item as served (without words) and the withdrawal,
        // in one batch, item first.
        let mut later = empty_copy(&ledger, &temp.path().join("b"));
        let served = ledger.store().get(&item.id()).unwrap().unwrap();
        let verdicts = later
            .ingest_batch(&[served.clone(), withdraw.wire().to_vec()], NOW + 3)
            .unwrap();
        assert!(
            verdicts.iter().all(|v| matches!(v, Verdict::Stored(_))),
            "{verdicts:?}"
        );
        // A node that had the full item drops it when the withdrawal arrives.
        let mut offline = empty_copy(&ledger, &temp.path().join("c"));
        offline.ingest(item.wire(), NOW + 1).unwrap();
        assert!(has_body(&offline, &item.id()));
        offline.ingest(withdraw.wire(), NOW + 4).unwrap();
        assert!(!has_body(&offline, &item.id()));
        // Without the withdrawal a stripped copy is still refused (it could censor the words).
        let mut stranger = empty_copy(&ledger, &temp.path().join("d"));
        assert!(matches!(
            stranger.ingest(&served, NOW + 3).unwrap(),
            Verdict::Refused(Rule::BodyRequired { .. })
        ));
    }

    #[test]
    fn only_the_author_withdraws_and_membership_is_never_withdrawn() {
        let temp = tempfile::tempdir().unwrap();
        let founder = Keypair::from_secret_bytes(&[1; 32]);
        let mut ledger = founded(temp.path(), &founder);
        let genesis = ledger.joined().unwrap().genesis.id();
        let refused = ledger.publish(&founder, Body::Withdraw(Withdraw { item: genesis }), NOW);
        assert!(matches!(
            refused,
            Err(crate::NodeError::Protocol(Rule::BadReference(_)))
        ));
        // Another author's withdrawal of an item (signed by it, so its own) names nothing here.
        let other = Keypair::from_secret_bytes(&[5; 32]);
        let item = ledger.publish(&founder, note("Kept", None), NOW).unwrap();
        let forged = Draft {
            network: ledger.network().unwrap(),
            seq: 1,
            prev: None,
            timestamp: NOW,
            body: Body::Withdraw(Withdraw { item: item.id() }),
        }
        .sign(&other)
        .unwrap();
        assert!(matches!(
            ledger.ingest(forged.wire(), NOW).unwrap(),
            Verdict::Refused(Rule::NotAMember)
        ));
        assert!(has_body(&ledger, &item.id()));
    }

    #[test]
    fn an_expired_item_loses_its_words_and_travels_without_them() {
        let temp = tempfile::tempdir().unwrap();
        let founder = Keypair::from_secret_bytes(&[1; 32]);
        let mut ledger = founded(&temp.path().join("a"), &founder);
        let at = NOW + 60_000;
        let item = ledger
            .publish(&founder, note("Saturday", Some(at)), NOW)
            .unwrap();
        let lasting = ledger.publish(&founder, note("Always", None), NOW).unwrap();
        assert_eq!(ledger.drop_expired_bodies(at - 1).unwrap(), 0);
        assert!(has_body(&ledger, &item.id()));
        // Before it expires a stripped copy is refused; after, it is what every node holds.
        let mut copy = empty_copy(&ledger, &temp.path().join("b"));
        let stripped = item.without_body();
        assert!(matches!(
            copy.ingest(stripped.wire(), at - 1).unwrap(),
            Verdict::Refused(Rule::BodyRequired { .. })
        ));
        assert_eq!(ledger.drop_expired_bodies(at).unwrap(), 1);
        assert!(!has_body(&ledger, &item.id()));
        assert!(has_body(&ledger, &lasting.id()));
        assert_eq!(ledger.drop_expired_bodies(at + 1).unwrap(), 0, "once");
        assert!(matches!(
            copy.ingest(stripped.wire(), at).unwrap(),
            Verdict::Stored(_)
        ));
        // A node that was offline gets the full copy late: it keeps no words.
        let mut offline = empty_copy(&ledger, &temp.path().join("c"));
        offline.ingest(item.wire(), at + 5).unwrap();
        assert!(!has_body(&offline, &item.id()));
    }

    #[test]
    fn a_key_reported_compromised_is_cut_off_at_its_notice() {
        let temp = tempfile::tempdir().unwrap();
        let founder = Keypair::from_secret_bytes(&[1; 32]);
        let member = Keypair::from_secret_bytes(&[2; 32]);
        let mut ledger = founded(temp.path(), &founder);
        let admit = Body::Admit(sangam_protocol::kinds::Admit {
            member: member.author(),
            role: sangam_protocol::Role::Member,
            name: "Utthan".into(),
        });
        ledger.publish(&founder, admit, NOW).unwrap();
        let network = ledger.network().unwrap();
        let sign = |seq: u64, prev: Option<MessageId>, body: Body| {
            Draft {
                network,
                seq,
                prev,
                timestamp: NOW + seq,
                body,
            }
            .sign(&member)
            .unwrap()
        };
        let first = sign(1, None, note("Before the raid", None));
        let notice = sign(
            2,
            Some(first.id()),
            Body::KeyCompromised(KeyCompromised {
                reason: "wiped".into(),
            }),
        );
        let thief = sign(3, Some(notice.id()), note("Come to this address", None));
        let verdicts = ledger
            .ingest_batch(&[first.wire().to_vec(), notice.wire().to_vec()], NOW + 10)
            .unwrap();
        assert!(
            verdicts.iter().all(|v| matches!(v, Verdict::Stored(_))),
            "{verdicts:?}"
        );
        let membership = ledger.membership().unwrap();
        assert_eq!(membership.role_of(&member.author()), None);
        assert_eq!(membership.trusted_until(&member.author()), Some(2));
        assert!(matches!(
            ledger.ingest(thief.wire(), NOW + 10).unwrap(),
            Verdict::Refused(Rule::NotAMember)
        ));
    }
}
