//! Which stored membership acts count. Sync serves an author's feed only below its fork point,
//! so an act at or above a fork point would count on the nodes that happened to receive it and
//! be unknown to every node that joins later — membership would differ: it is stored but stops
//! counting once the fork is known. And a cut-off names the message it trusts (`trusted` at
//! `trusted_seq`): where this node holds another message there (the key forked), the act trusts
//! only what lies below it; where it holds none yet, the cut-off counts as written and is
//! checked again when the key's messages arrive.
//!
//! An act above a *gap* in its author's feed still counts (admission proofs carry acts without
//! the feeds around them, and a node that joined must count its own admission at once), so sync
//! carries it to the nodes that join later: `serving.rs`, [`Ledger::acts_above_gaps`].

use std::collections::{HashMap, HashSet};

use sangam_protocol::envelope::Envelope;
use sangam_protocol::membership::{Act, Action};
use sangam_protocol::{AuthorId, Error as Rule, MessageId};

use super::Ledger;
use super::store::Store;
use crate::error::Result;

/// Messages of a batch being checked, by (author, seq): counted as held while the batch is
/// checked (so an admission and the posts it allows can travel together), and checked again
/// against the store once the batch is written.
pub(super) type InBatch = HashMap<(AuthorId, u64), MessageId>;

/// The acts that count, and the keys whose messages could change how one counts.
pub(super) struct Counted {
    /// The acts that count (cut-offs lowered where the trusted message differs).
    pub acts: Vec<Act>,
    /// Keys whose message at a cut-off an act names is not held yet.
    pub waiting_on: HashSet<AuthorId>,
}

/// Sorts `acts` into those that count now and those held back.
pub(super) fn counted(store: &Store, acts: &[Act], batch: &InBatch) -> Result<Counted> {
    let mut forks: HashMap<AuthorId, Option<u64>> = HashMap::new();
    let mut fork_of = |author: &AuthorId| -> Result<Option<u64>> {
        if let Some(fork) = forks.get(author) {
            return Ok(*fork);
        }
        let fork = store.fork_point(author)?;
        forks.insert(*author, fork);
        Ok(fork)
    };
    let mut counted = Counted {
        acts: Vec::with_capacity(acts.len()),
        waiting_on: HashSet::new(),
    };
    for act in acts {
        if fork_of(&act.author)?.is_some_and(|fork| act.seq >= fork) {
            continue;
        }
        let Some((target, trusted_seq, trusted)) = trusts(act) else {
            counted.acts.push(act.clone());
            continue;
        };
        if trusted_seq == 0 {
            counted.acts.push(act.clone());
            continue;
        }
        let held = match batch.get(&(target, trusted_seq)) {
            Some(id) => Some(*id),
            None => store.id_at(&target, trusted_seq)?,
        };
        match held {
            // Not held yet: the cut-off counts as written (the key's messages up to it are then
            // taken without their words), and is checked again when they arrive.
            None => {
                counted.waiting_on.insert(target);
                counted.acts.push(act.clone());
            }
            Some(id) if Some(id) == trusted => counted.acts.push(act.clone()),
            // The revoker trusted a message this node holds another of: the key forked there,
            // so nothing from that seq on is trusted.
            Some(_) => counted.acts.push(lowered(act, trusted_seq - 1)),
        }
    }
    Ok(counted)
}

/// The key an act trusts up to a message of, that seq, and the message's id.
fn trusts(act: &Act) -> Option<(AuthorId, u64, Option<MessageId>)> {
    match &act.action {
        Action::Revoke(revoke) => Some((revoke.member, revoke.trusted_seq, revoke.trusted)),
        Action::ReplaceFounder(vote) => Some((vote.founder, vote.trusted_seq, vote.trusted)),
        _ => None,
    }
}

/// `act` trusting only up to `seq`.
fn lowered(act: &Act, seq: u64) -> Act {
    let mut act = act.clone();
    match &mut act.action {
        Action::Revoke(revoke) => {
            revoke.trusted_seq = seq;
            revoke.trusted = None;
        }
        Action::ReplaceFounder(vote) => {
            vote.trusted_seq = seq;
            vote.trusted = None;
        }
        _ => {}
    }
    act
}

impl Ledger {
    /// Why a stranger's admission proof is refused before anything of it is stored, if it is:
    /// it holds an act its author signed after its cut-off here, or at or above the point its
    /// author's feed forked. Such an act cannot count, yet every ever-steward's acts are stored
    /// (a disputed cut-off may move), so without this a long-revoked key could have every node
    /// store and settle a fresh act per hello, as often as it likes. A member whose proof this
    /// refuses is not lost: the acts that would make it count reach this node by sync.
    pub fn stale_act_in_proof(&self, admits: &[Vec<u8>]) -> Result<Option<Rule>> {
        let membership = &self.joined()?.membership;
        for wire in admits {
            let header = Envelope::parse(wire)?.header;
            if membership
                .trusted_until(&header.author)
                .is_some_and(|cut| header.seq > cut)
            {
                return Ok(Some(Rule::InvalidProof(
                    "it holds an act signed after its author was revoked",
                )));
            }
            if self
                .store
                .fork_point(&header.author)?
                .is_some_and(|fork| header.seq >= fork)
            {
                return Ok(Some(Rule::InvalidProof(
                    "it holds an act from where its author's feed forked",
                )));
            }
        }
        Ok(None)
    }

    /// Settles the membership again from the acts that count now (`batch`: what the batch
    /// being checked holds besides the store).
    pub(super) fn resettle(&mut self, batch: &InBatch) -> Result<()> {
        let Some(joined) = self.joined.as_ref() else {
            return Ok(());
        };
        let counted = counted(&self.store, &joined.acts, batch)?;
        if let Some(joined) = self.joined.as_mut() {
            joined.membership.apply(&counted.acts);
            joined.waiting_on = counted.waiting_on;
        }
        Ok(())
    }
}
