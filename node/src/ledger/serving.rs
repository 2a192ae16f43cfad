//! What a node offers its peers — its version vector, its messages (without the words of
//! revoked keys), the proofs of the forks it knows — and what it stops keeping of revoked keys.

use std::collections::HashMap;

use sangam_protocol::sync::{SyncRequest, SyncResponse, VersionVector, respond_with};
use sangam_protocol::{AuthorId, Kind, Message, MessageId};

use super::Ledger;
use crate::error::Result;

/// Marks a revoked key whose held bodies were dropped (followed by the key's bytes).
const BODIES_DROPPED_KEY: &str = "bodies_dropped:";
/// How long after first storing a revocation a node keeps the bodies it held of the revoked
/// key's messages: time for stewards to settle a disputed revocation before words are lost.
pub const REVOKED_BODIES_GRACE_MS: u64 = 7 * 24 * 3_600_000;

impl Ledger {
    /// What this node holds, as a version vector (forked feeds counted up to their fork,
    /// revoked keys up to their cut-off).
    pub fn vector(&self) -> Result<VersionVector> {
        let mut vector = self.store.vector()?;
        let mut capped: Vec<AuthorId> = self.store.forks()?.into_keys().collect();
        if let Some(membership) = self.membership() {
            capped.extend(membership.revoked().map(|(author, _)| *author));
        }
        for author in capped {
            if vector.get(&author) > 0 {
                vector.set(author, self.contiguous(&author)?);
            }
        }
        Ok(vector)
    }

    /// This node's answer to a peer's sync request, offering `vector` (what it holds, less
    /// what is not yet safely on disk): its messages as [`Ledger::servable`] gives them, the
    /// proofs of the forks it knows, and the acts it counts above gaps.
    pub fn answer_sync(&self, request: &SyncRequest, vector: &VersionVector) -> SyncResponse {
        respond_with(
            request,
            vector,
            || self.all_fork_proofs().unwrap_or_default(),
            || self.acts_above_gaps().unwrap_or_default(),
            |author, seq| self.servable(author, seq),
        )
    }

    /// The membership acts this node counts that lie above a gap in their author's feed (a
    /// message before them never arrived), whole, lowest id first. No version vector names
    /// them, so every batch that completes a sync answer carries them: an act that counts here
    /// must reach the nodes that join later too (PROTOCOL.md §9).
    pub fn acts_above_gaps(&self) -> Result<Vec<Vec<u8>>> {
        let joined = self.joined()?;
        let mut ids: Vec<MessageId> = Vec::new();
        // Per author: (held contiguously up to, fork point), read once.
        let mut feeds: HashMap<AuthorId, (u64, Option<u64>)> = HashMap::new();
        for act in &joined.acts {
            let (held, fork) = match feeds.get(&act.author) {
                Some(feed) => *feed,
                None => {
                    let feed = (
                        self.store.contiguous(&act.author)?,
                        self.store.fork_point(&act.author)?,
                    );
                    feeds.insert(act.author, feed);
                    feed
                }
            };
            let above_gap = held < act.seq;
            let counts = fork.is_none_or(|fork| act.seq < fork)
                && joined
                    .membership
                    .trusted_until(&act.author)
                    .is_none_or(|cut| act.seq <= cut);
            if above_gap && counts {
                ids.push(act.id);
            }
        }
        ids.sort();
        ids.dedup();
        let mut wires = Vec::with_capacity(ids.len());
        for id in ids {
            wires.extend(self.store.get(&id)?);
        }
        Ok(wires)
    }

    /// A stored message as it may be served to peers: whole if its author is a member or it is
    /// a membership act (every node needs every act to agree); without its body if its author
    /// was revoked; nothing past a fork point or a revocation's cut-off.
    pub fn servable(&self, author: &AuthorId, seq: u64) -> Option<Vec<u8>> {
        let membership = self.membership()?;
        if self.contiguous(author).ok()? < seq {
            return None;
        }
        let wire = self.store.get_at(author, seq).ok().flatten()?;
        if membership.role_of(author).is_some() {
            return Some(wire);
        }
        let message = Message::from_trusted_bytes(wire).ok()?;
        let kind = message.header().kind;
        // Every node needs every act whole to agree on membership, a key's own compromise
        // notice (from any member) and a replaced founder's genesis included.
        if kind == Kind::KeyCompromised
            || kind == Kind::Genesis
            || (kind.is_membership_act() && membership.may_store_acts_of(author))
        {
            Some(message.into_wire())
        } else if membership.trusted_until(author).is_some() {
            Some(message.without_body().into_wire())
        } else {
            None
        }
    }

    /// The proofs of every fork held (both headers of each, without bodies), for sync.
    pub fn all_fork_proofs(&self) -> Result<Vec<Vec<u8>>> {
        let mut proofs = Vec::new();
        for author in self.store.forks()?.into_keys() {
            if let Some(seq) = self.store.fork_point(&author)? {
                proofs.extend(self.fork_proof(&author, seq)?);
            }
        }
        Ok(proofs)
    }

    /// Both headers of a fork at (author, seq), without bodies, to pass on as proof.
    pub fn fork_proof(&self, author: &AuthorId, seq: u64) -> Result<Vec<Vec<u8>>> {
        let mut proof = Vec::new();
        if let Some(wire) = self.store.get_at(author, seq)? {
            proof.push(
                Message::from_trusted_bytes(wire)?
                    .without_body()
                    .into_wire(),
            );
        }
        for wire in self.store.fork_evidence(author, seq)? {
            proof.push(
                Message::from_trusted_bytes(wire)?
                    .without_body()
                    .into_wire(),
            );
        }
        Ok(proof)
    }

    /// Drops the bodies this node still holds of revoked keys' messages, once
    /// [`REVOKED_BODIES_GRACE_MS`] has passed since this node first stored the revocation (its
    /// own date is its author's to choose: a seized steward could backdate it). Never this
    /// node's own feed (`own`), nor what membership rests on (see `Kind::body_is_kept`). Cheap
    /// when there is nothing to do (each key is done once). Returns how many bodies were dropped.
    pub fn drop_revoked_bodies(&mut self, now: u64, own: &AuthorId) -> Result<usize> {
        let revoked: Vec<(AuthorId, MessageId)> = match self.membership() {
            Some(membership) => membership
                .revoked()
                .filter(|(author, _)| *author != own)
                .map(|(author, r)| (*author, r.id))
                .collect(),
            None => return Ok(0),
        };
        let mut dropped = 0;
        for (author, revocation) in revoked {
            let key = format!("{BODIES_DROPPED_KEY}{author}");
            if self.store.meta(&key)?.is_some() {
                continue;
            }
            let since = self.store.arrived_or_now(&revocation, now)?;
            if now < since.saturating_add(REVOKED_BODIES_GRACE_MS) {
                continue;
            }
            dropped += self.store.drop_bodies_of(&author)?;
            self.store.set_meta(&key, &[1])?;
        }
        if dropped > 0 {
            self.store.flush()?;
            self.forget_scored();
        }
        Ok(dropped)
    }
}
