//! The one door into the ledger for messages from anywhere (gossip, sync, a hello's proof).
//! Each message is parsed once, the store is asked once whether it is new, the caller may turn
//! away its claimed author (the rate limit) before the costly signature check, signatures are
//! checked in parallel, every rule is applied in order, and what passed is written in one batch
//! of ordered writes (`Store::insert_many` in `store.rs` explains why that is crash-safe
//! without a transaction). Each message gets a [`Verdict`]; only a storage failure is an error.

use std::collections::{HashMap, HashSet};

use sangam_protocol::envelope::{Envelope, message_id_for};
use sangam_protocol::membership::{Act, Permission, require_body, validate_permission};
use sangam_protocol::validate::{
    Neighbours, check_envelope, reference_of, validate_body, validate_chain, validate_reference,
};
use sangam_protocol::{AuthorId, Error as Rule, Kind, Message, MessageId, NetworkId};

use super::acts::InBatch;
use super::lapse::{Withdrawals, withdrawal};
use super::store::Inserted;
use super::{Joined, Ledger};
use crate::error::{NodeError, Result};

/// Most membership acts held back while their author is not yet known as a steward (their
/// author's admission may be on its way); what falls out comes again by sync.
const PARKED_LIMIT: usize = 1024;

/// Below this many messages a batch is verified on the calling thread: starting threads would
/// cost more than it saves.
const PARALLEL_FROM: usize = 16;

/// What the ledger did with one message.
#[allow(clippy::large_enum_variant)] // Short-lived; boxing would cost an allocation per message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// New, valid, and stored.
    Stored(Message),
    /// Already held.
    Duplicate,
    /// Refused by this rule; nothing was stored.
    Refused(Rule),
}

/// A message between the stages of a batch.
#[allow(clippy::large_enum_variant)] // Short-lived, one per message in a batch; boxing costs more.
enum Stage<'a> {
    /// Decided already.
    Decided(Verdict),
    /// Parsed and new: its signature is still to be checked.
    Parsed(Envelope<'a>),
    /// Signature and envelope are valid: the ledger's rules are still to be applied.
    Valid(Message),
}

/// What a batch has accepted so far but not yet written, so later messages in the same batch can
/// build on earlier ones (a chain of posts, an offer answering a request in the same batch).
#[derive(Default)]
struct Pending {
    at: HashMap<(AuthorId, u64), MessageId>,
    by_id: HashMap<MessageId, usize>,
    accepted: Vec<(Message, Option<MessageId>)>,
    /// How many membership acts were accepted (held-back acts are retried when this grows).
    acts: usize,
    /// Whether any membership act was accepted or a fork found (the membership is settled again
    /// after the write, against what was really written).
    noted_acts: bool,
    /// Every valid message of the batch, counted as held while the batch is checked.
    in_batch: InBatch,
    /// Messages held without their body whose full copy is in this batch.
    restoring: HashSet<MessageId>,
    /// The withdrawals in this batch.
    withdrawals: Withdrawals,
    /// The time the batch is checked at.
    now: u64,
}

/// The machine's cores, read once (asking the system reads cgroup files every time).
fn cores() -> usize {
    static CORES: std::sync::OnceLock<usize> = std::sync::OnceLock::new();
    *CORES.get_or_init(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
}

/// Checks the signature and envelope of every parsed message, spread over the machine's cores
/// for large batches.
fn verify_all(stages: &mut [Stage<'_>], wires: &[Vec<u8>], network: &NetworkId, now: u64) {
    let verify = |stage: &mut Stage<'_>, wire: &[u8]| {
        if let Stage::Parsed(_) = stage {
            let Stage::Parsed(envelope) =
                std::mem::replace(stage, Stage::Decided(Verdict::Duplicate))
            else {
                return;
            };
            *stage = match check_envelope(wire, envelope, network, now) {
                Ok(message) => Stage::Valid(message),
                Err(rule) => Stage::Decided(Verdict::Refused(rule)),
            };
        }
    };
    let parsed = stages
        .iter()
        .filter(|s| matches!(s, Stage::Parsed(_)))
        .count();
    if parsed < PARALLEL_FROM || cores() < 2 {
        for (stage, wire) in stages.iter_mut().zip(wires) {
            verify(stage, wire);
        }
        return;
    }
    let chunk = stages.len().div_ceil(cores());
    std::thread::scope(|scope| {
        for (part, wires) in stages.chunks_mut(chunk).zip(wires.chunks(chunk)) {
            scope.spawn(move || {
                for (stage, wire) in part.iter_mut().zip(wires) {
                    verify(stage, wire);
                }
            });
        }
    });
}

impl Ledger {
    /// Checks one message from anywhere and stores it if it passes every rule.
    pub fn ingest(&mut self, wire: &[u8], now: u64) -> Result<Verdict> {
        let mut verdicts = self.intake(&[wire.to_vec()], now, |_| true)?;
        Ok(verdicts.pop().unwrap_or(Verdict::Duplicate))
    }

    /// [`Ledger::intake`] with no author turned away.
    pub fn ingest_batch(&mut self, wires: &[Vec<u8>], now: u64) -> Result<Vec<Verdict>> {
        self.intake(wires, now, |_| true)
    }

    /// Checks and stores many messages: admissions and revocations first, so members admitted
    /// in the same batch are recognised, then everything else in the order given. A new
    /// message whose claimed author `allow` turns away is refused as rate-limited before its
    /// signature is checked. Returns one verdict per input, in the input's order, or the storage
    /// error if the batch could not be written.
    pub fn intake(
        &mut self,
        wires: &[Vec<u8>],
        now: u64,
        mut allow: impl FnMut(&AuthorId) -> bool,
    ) -> Result<Vec<Verdict>> {
        let network = self.joined()?.genesis.header().network;
        let mut stages: Vec<Stage<'_>> = Vec::with_capacity(wires.len());
        let mut pending = Pending {
            now,
            ..Pending::default()
        };
        for wire in wires {
            stages.push(match Envelope::parse(wire) {
                Err(rule) => Stage::Decided(Verdict::Refused(rule)),
                Ok(envelope) => {
                    // Held already, unless only without its body and this copy has it.
                    let id = message_id_for(envelope.header_bytes);
                    let held = self.store.held(&id)?;
                    if held == Some(false) && envelope.body.is_some() {
                        pending.restoring.insert(id);
                    }
                    if held.is_some_and(|with_body| with_body || envelope.body.is_none()) {
                        Stage::Decided(Verdict::Duplicate)
                    } else if !allow(&envelope.header.author) {
                        Stage::Decided(Verdict::Refused(Rule::RateLimited))
                    } else {
                        Stage::Parsed(envelope)
                    }
                }
            });
        }
        verify_all(&mut stages, wires, &network, now);
        for stage in &stages {
            if let Stage::Valid(message) = stage {
                pending.withdrawals.extend(withdrawal(message));
                let header = message.header();
                pending
                    .in_batch
                    .insert((header.author, header.seq), message.id());
            }
        }
        let is_membership = |stage: &Stage<'_>| matches!(stage, Stage::Valid(m) if m.header().kind.is_membership_act());
        for first in [true, false] {
            for stage in stages.iter_mut() {
                if !matches!(stage, Stage::Valid(_)) || is_membership(stage) != first {
                    continue;
                }
                if let Stage::Valid(message) =
                    std::mem::replace(stage, Stage::Decided(Verdict::Duplicate))
                {
                    match self.check(message, &mut pending) {
                        Ok(verdict) => *stage = Stage::Decided(verdict),
                        Err(error) => {
                            self.forget_unwritten();
                            return Err(error);
                        }
                    }
                }
            }
        }
        if let Err(error) = self.release_parked(&mut pending) {
            self.forget_unwritten();
            return Err(error);
        }
        let verdicts: Vec<Verdict> = stages
            .into_iter()
            .map(|stage| match stage {
                Stage::Decided(verdict) => verdict,
                // Every message was decided above; a stage left over is refused, never stored.
                Stage::Parsed(_) | Stage::Valid(_) => {
                    Verdict::Refused(Rule::Malformed("unchecked"))
                }
            })
            .collect();
        self.write(pending, verdicts)
    }

    /// Stores posts this node just signed: every rule but the signature (it made the signature
    /// itself), one write.
    pub(super) fn intake_own(&mut self, message: Message) -> Result<Verdict> {
        let mut pending = Pending {
            now: message.header().timestamp,
            ..Pending::default()
        };
        let header = message.header();
        pending
            .in_batch
            .insert((header.author, header.seq), message.id());
        let verdict = match self
            .check(message, &mut pending)
            .and_then(|verdict| self.release_parked(&mut pending).map(|()| verdict))
        {
            Ok(verdict) => verdict,
            Err(error) => {
                self.forget_unwritten();
                return Err(error);
            }
        };
        Ok(self
            .write(pending, vec![verdict])?
            .pop()
            .unwrap_or(Verdict::Duplicate))
    }

    /// Applies every rule after the signature to one message, against the store and what the
    /// batch accepted before it. Membership changes take effect at once for the rest of the
    /// batch. Only a store that cannot be read is an error.
    fn check(&mut self, message: Message, pending: &mut Pending) -> Result<Verdict> {
        let act = message
            .header()
            .kind
            .is_membership_act()
            .then(|| message.clone());
        match self.check_rules(message, pending) {
            Ok(verdict) => Ok(verdict),
            Err(NodeError::Protocol(rule)) => {
                if let (Rule::NotAMember, Some(act)) = (&rule, act) {
                    self.park(act);
                }
                Ok(Verdict::Refused(rule))
            }
            Err(error) => Err(error),
        }
    }

    /// Holds back a membership act whose author is not yet known as a steward: the act that
    /// makes it one may be on its way, and whether an act is stored must not depend on which
    /// arrives first.
    fn park(&mut self, act: Message) {
        if self.parked.iter().any(|m| m.id() == act.id()) {
            return;
        }
        if self.parked.len() >= PARKED_LIMIT {
            self.parked.remove(0);
        }
        self.parked.push(act);
    }

    /// Checks held-back acts again after new acts were accepted, until none is released.
    fn release_parked(&mut self, pending: &mut Pending) -> Result<()> {
        loop {
            let stewards_before = pending.acts;
            if stewards_before == 0 || self.parked.is_empty() {
                return Ok(());
            }
            pending.acts = 0;
            let parked = std::mem::take(&mut self.parked);
            for message in parked {
                if self.store.contains(&message.id())? {
                    continue;
                }
                if let Verdict::Stored(message) = self.check(message, pending)? {
                    tracing::debug!(id = %message.id(), "a held-back membership act now applies");
                }
            }
        }
    }

    fn check_rules(&mut self, message: Message, pending: &mut Pending) -> Result<Verdict> {
        let id = message.id();
        // The store was asked when the batch was parsed; only the batch itself can repeat it now.
        if pending.by_id.contains_key(&id) {
            return Ok(Verdict::Duplicate);
        }
        let body = validate_body(&message)?;
        let joined = self.joined()?;
        let header = message.header().clone();
        let has_body = message.body_bytes().is_some();
        let permission = validate_permission(&joined.membership, &header)?;
        let lapsed = matches!(permission, Permission::Member(_))
            && self.lapsed(&id, &header, pending.now, &pending.withdrawals)?;
        let (message, body) = match permission {
            // A former member's messages keep its feed whole, never its words; nor does a
            // withdrawn or expired item.
            Permission::Former => (message.without_body(), None),
            Permission::Member(_) if lapsed => (message.without_body(), None),
            Permission::Member(_) | Permission::Act => (message, body),
        };
        // A full copy of a message held without its body takes its place (the batch's parse
        // asked the store; posts of this node and held-back acts are never held).
        let restores = pending.restoring.contains(&id);
        if restores && body.is_none() {
            return Ok(Verdict::Duplicate);
        }
        let previous = match header.seq {
            1 => None,
            seq => self.message_at(&header.author, seq - 1, pending)?,
        };
        let next = self.message_at(&header.author, header.seq + 1, pending)?;
        let around = Neighbours {
            existing: match pending.at.get(&(header.author, header.seq)) {
                Some(id) => Some(*id),
                None => self.store.id_at(&header.author, header.seq)?,
            },
            previous: previous.as_ref(),
            next: next.as_ref(),
            forked_at: self.store.fork_point(&header.author)?,
        };
        match validate_chain(&message, &around) {
            Err(fork @ Rule::Fork { .. }) => {
                if self
                    .store
                    .fork_point(&header.author)?
                    .is_none_or(|at| header.seq < at)
                {
                    self.new_forks.push((header.author, header.seq));
                    pending.noted_acts = true;
                }
                self.store.record_fork(&message)?;
                return Ok(Verdict::Refused(fork));
            }
            other => other?,
        }
        require_body(&header, has_body, permission, lapsed)?;
        let reply_to = body.as_ref().and_then(reference_of);
        if let (Some(body), Some(target)) = (&body, reply_to) {
            let target_header = match pending.by_id.get(&target) {
                Some(index) => Some(pending.accepted[*index].0.header().clone()),
                None => match self.store.get(&target)? {
                    Some(wire) => Some(Message::from_trusted_bytes(wire)?.header().clone()),
                    None => None,
                },
            };
            if let Some(target_header) = target_header {
                validate_reference(&header.author, body, &target_header)?;
            }
        }
        if self.note_act(&message, &pending.in_batch)? {
            pending.acts += 1;
            pending.noted_acts = true;
        }
        if restores {
            self.store.restore_body(&message, reply_to)?;
            return Ok(Verdict::Stored(message));
        }
        pending.at.insert((header.author, header.seq), id);
        pending.by_id.insert(id, pending.accepted.len());
        pending.accepted.push((message.clone(), reply_to));
        Ok(Verdict::Stored(message))
    }

    /// Applies a membership act to the membership at once (for the rest of the batch, counting
    /// the batch as held). Returns whether it was one.
    fn note_act(&mut self, message: &Message, in_batch: &InBatch) -> Result<bool> {
        match Act::from_message(message)? {
            Some(act) => {
                if let Some(joined) = self.joined.as_mut() {
                    joined.acts.push(act);
                }
                self.resettle(in_batch)?;
                Ok(true)
            }
            None => Ok(false),
        }
    }

    /// The author's message at `seq`, from the batch or the store.
    fn message_at(
        &self,
        author: &AuthorId,
        seq: u64,
        pending: &Pending,
    ) -> Result<Option<Message>> {
        if let Some(index) = pending
            .at
            .get(&(*author, seq))
            .and_then(|id| pending.by_id.get(id))
        {
            return Ok(Some(pending.accepted[*index].0.clone()));
        }
        match self.store.get_at(author, seq)? {
            Some(wire) => Ok(Some(Message::from_trusted_bytes(wire)?)),
            None => Ok(None),
        }
    }

    /// Writes what the batch accepted. On failure the membership is reloaded from what the store
    /// actually holds (part of the batch may be written; a message without its version-vector
    /// entry is fetched again by sync) and the error is returned.
    fn write(&mut self, pending: Pending, mut verdicts: Vec<Verdict>) -> Result<Vec<Verdict>> {
        if pending.accepted.is_empty() {
            if pending.noted_acts {
                self.resettle(&InBatch::new())?;
            }
            return Ok(verdicts);
        }
        match self
            .store
            .insert_many(&pending.accepted, pending.now)
            .and_then(|inserted| {
                if self.apply_withdrawals(&pending.accepted)? > 0 || !pending.restoring.is_empty() {
                    self.forget_scored();
                }
                Ok(inserted)
            }) {
            Ok(inserted) => {
                let scored: Vec<(Message, Option<MessageId>)> = pending
                    .accepted
                    .iter()
                    .zip(&inserted)
                    .filter(|((m, _), i)| {
                        **i == Inserted::New
                            && matches!(m.header().kind, Kind::Audit | Kind::Endorsement)
                    })
                    .map(|(entry, _)| entry.clone())
                    .collect();
                self.note_scored(&scored);
                // A message stored by someone else between check and write is a duplicate.
                let raced: HashSet<MessageId> = pending
                    .accepted
                    .iter()
                    .zip(&inserted)
                    .filter(|(_, i)| **i == Inserted::Duplicate)
                    .map(|((m, _), _)| m.id())
                    .collect();
                for verdict in &mut verdicts {
                    if let Verdict::Stored(message) = verdict
                        && raced.contains(&message.id())
                    {
                        *verdict = Verdict::Duplicate;
                    }
                }
                // Counted against what was written: an act whose gap the batch filled now
                // counts, one that rested on a message that was refused no longer does.
                let releases = self.joined.as_ref().is_some_and(|joined| {
                    pending
                        .accepted
                        .iter()
                        .any(|(m, _)| joined.waiting_on.contains(&m.header().author))
                });
                if pending.noted_acts || releases {
                    self.resettle(&InBatch::new())?;
                }
                Ok(verdicts)
            }
            Err(error) => {
                tracing::warn!("could not store a batch of messages: {error}");
                self.forget_unwritten();
                Err(error)
            }
        }
    }

    /// Reloads the membership from the store, forgetting changes made by a batch that was not
    /// written.
    fn forget_unwritten(&mut self) {
        if let Some(genesis) = self.joined.as_ref().map(|j| j.genesis.clone()) {
            match Joined::load(&self.store, genesis) {
                Ok(joined) => self.joined = Some(joined),
                Err(error) => tracing::warn!("could not reload the membership: {error}"),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use sangam_protocol::kinds::{Admit, Announcement, MentoringRequest, Offer, Urgency};
    use sangam_protocol::{Body, Draft, Keypair, Role};

    use super::*;
    use crate::ledger::testing::{NOW, founded};

    fn post(
        network: NetworkId,
        key: &Keypair,
        seq: u64,
        prev: Option<&Message>,
        body: Body,
    ) -> Message {
        Draft {
            network,
            seq,
            prev: prev.map(Message::id),
            timestamp: NOW,
            body,
        }
        .sign(key)
        .unwrap()
    }

    fn note(title: &str) -> Body {
        Body::Announcement(Announcement {
            title: title.into(),
            body: String::new(),
            tags: vec![],
            expires_at: None,
        })
    }

    #[test]
    fn a_batch_builds_on_itself_and_refuses_only_what_is_bad() {
        let temp = tempfile::tempdir().unwrap();
        let founder = Keypair::from_secret_bytes(&[1; 32]);
        let member = Keypair::from_secret_bytes(&[2; 32]);
        let mut ledger = founded(temp.path(), &founder);
        let network = ledger.network().unwrap();
        let genesis_id = ledger.joined().unwrap().genesis.id();
        let genesis =
            Message::from_trusted_bytes(ledger.store().get(&genesis_id).unwrap().unwrap()).unwrap();
        // The admission comes last in the batch but must be applied first.
        let admit = post(
            network,
            &founder,
            2,
            Some(&genesis),
            Body::Admit(Admit {
                member: member.author(),
                role: Role::Member,
                name: "A".into(),
            }),
        );
        let request = post(
            network,
            &member,
            1,
            None,
            Body::MentoringRequest(MentoringRequest {
                topic: "victim_compensation".into(),
                title: "Help with a bank account".into(),
                description: String::new(),
                region: "Bihar".into(),
                language: "hi".into(),
                urgency: Urgency::High,
                expires_at: None,
            }),
        );
        let second = post(
            network,
            &member,
            2,
            Some(&request),
            note("Meeting on Friday"),
        );
        let offer = post(
            network,
            &founder,
            3,
            Some(&admit),
            Body::Offer(Offer {
                request: request.id(),
                body: "We can go with you".into(),
            }),
        );
        let mut forged = post(network, &member, 3, Some(&second), note("forged")).into_wire();
        let last = forged.len() - 1;
        forged[last] ^= 1;
        let batch = vec![
            request.wire().to_vec(),
            second.wire().to_vec(),
            forged,
            offer.wire().to_vec(),
            second.wire().to_vec(),
            admit.wire().to_vec(),
        ];
        let results = ledger.ingest_batch(&batch, NOW).unwrap();
        assert!(matches!(results[0], Verdict::Stored(_)), "{:?}", results[0]);
        assert!(matches!(results[1], Verdict::Stored(_)));
        assert!(
            matches!(results[2], Verdict::Refused(_)),
            "{:?}",
            results[2]
        );
        assert!(matches!(results[3], Verdict::Stored(_)), "{:?}", results[3]);
        assert!(matches!(results[4], Verdict::Duplicate));
        assert!(matches!(results[5], Verdict::Stored(_)));
        // All of it is on disk, indexed, and the offer is counted against the request.
        assert_eq!(ledger.store().contiguous(&member.author()).unwrap(), 2);
        assert_eq!(ledger.item(&request.id()).unwrap().unwrap().offers, 1);
        assert_eq!(ledger.role_of(&member.author()), Some(Role::Member));
        // Sending the batch again changes nothing.
        let again = ledger.ingest_batch(&batch, NOW).unwrap();
        assert!(
            again
                .iter()
                .enumerate()
                .all(|(i, r)| i == 2 || matches!(r, Verdict::Duplicate))
        );
    }

    #[test]
    fn a_large_batch_is_checked_in_parallel_with_the_same_outcome() {
        let temp = tempfile::tempdir().unwrap();
        let founder = Keypair::from_secret_bytes(&[1; 32]);
        let mut ledger = founded(temp.path(), &founder);
        let network = ledger.network().unwrap();
        let genesis_id = ledger.joined().unwrap().genesis.id();
        let mut prev =
            Message::from_trusted_bytes(ledger.store().get(&genesis_id).unwrap().unwrap()).unwrap();
        let mut batch = Vec::new();
        for seq in 2..=(PARALLEL_FROM as u64 * 4) {
            let next = post(
                network,
                &founder,
                seq,
                Some(&prev),
                note(&format!("post {seq}")),
            );
            batch.push(next.wire().to_vec());
            prev = next;
        }
        // Every tenth message is tampered with: exactly those are refused, and the chain stops there.
        for wire in batch.iter_mut().skip(9).step_by(10) {
            let last = wire.len() - 1;
            wire[last] ^= 1;
        }
        let results = ledger.ingest_batch(&batch, NOW).unwrap();
        assert!(
            matches!(results[9], Verdict::Refused(Rule::BodyMismatch)),
            "{:?}",
            results[9]
        );
        assert!(results[..9].iter().all(|r| matches!(r, Verdict::Stored(_))));
        assert_eq!(ledger.store().contiguous(&founder.author()).unwrap(), 10);
    }
}
