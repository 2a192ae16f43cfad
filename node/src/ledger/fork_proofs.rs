//! Fork proofs that come with a peer's vector: pairs of conflicting messages of one author, kept
//! as evidence so that every node freezes the forked feed at the same point.

use std::collections::{HashMap, HashSet};

use sangam_protocol::{AuthorId, Message, MessageId};

use super::Ledger;
use super::acts::InBatch;
use crate::error::Result;

impl Ledger {
    /// Checks fork proofs that came with a peer's vector (pairs of conflicting messages, without
    /// bodies) and records each fork whose messages are validly signed by a member or a revoked
    /// key, whether or not this node holds either branch. Returns how many forks were new.
    pub fn record_fork_proofs(&mut self, wires: &[Vec<u8>], now: u64) -> Result<usize> {
        let joined = self.joined()?;
        let network = joined.genesis.header().network;
        let membership = &joined.membership;
        let mut slots: HashMap<(AuthorId, u64), Vec<Message>> = HashMap::new();
        for wire in wires.iter().take(sangam_protocol::sync::MAX_FORK_PROOFS) {
            let Ok(message) = sangam_protocol::validate::validate_envelope(wire, &network, now)
            else {
                continue;
            };
            let author = message.header().author;
            if membership.role_of(&author).is_none() && membership.trusted_until(&author).is_none()
            {
                continue;
            }
            slots
                .entry((author, message.header().seq))
                .or_default()
                .push(message);
        }
        let mut found = 0;
        for ((author, seq), messages) in slots {
            let held = self.store.id_at(&author, seq)?;
            let mut ids: HashSet<MessageId> = messages.iter().map(Message::id).collect();
            ids.extend(held);
            if ids.len() < 2 {
                continue;
            }
            let before = self.store.fork_point(&author)?;
            for message in messages {
                if Some(message.id()) != held {
                    self.store.record_fork(&message.without_body())?;
                }
            }
            if before.is_none_or(|at| seq < at) {
                self.new_forks.push((author, seq));
                found += 1;
            }
        }
        if found > 0 {
            // An act above a new fork point no longer travels, so it no longer counts.
            self.resettle(&InBatch::new())?;
        }
        Ok(found)
    }
}
