//! Ingesting messages from anywhere: signatures checked in parallel and only for messages not
//! already held, every rule applied in order, and the whole batch written in one transaction.

use std::collections::{HashMap, HashSet};

use sangam_protocol::envelope::{Envelope, message_id_for};
use sangam_protocol::membership::Act;
use sangam_protocol::validate::{
    reference_of, validate_body, validate_chain, validate_envelope, validate_permission,
    validate_reference,
};
use sangam_protocol::{AuthorId, Error as Rule, Kind, Message, MessageId, NetworkId};

use super::{Accepted, Joined, Ledger};
use crate::error::{NodeError, Result};
use crate::store::{Inserted, Store};

/// Below this many messages a batch is verified on the calling thread: starting threads would
/// cost more than it saves.
const PARALLEL_FROM: usize = 16;

/// A message after the signature stage.
#[allow(clippy::large_enum_variant)] // Short-lived, one per message in a batch; boxing costs more.
enum Verified {
    /// Already stored; nothing more to check.
    Held,
    /// Signature and envelope are valid.
    Valid(Message),
    /// Refused by an envelope rule.
    Invalid(Rule),
}

/// What a batch has accepted so far but not yet written, so later messages in the same batch can
/// build on earlier ones (a chain of posts, an offer answering a request in the same batch).
#[derive(Default)]
struct Pending {
    at: HashMap<(AuthorId, u64), MessageId>,
    by_id: HashMap<MessageId, usize>,
    accepted: Vec<(Message, Option<MessageId>)>,
}

/// Checks one envelope unless its id is already stored (duplicates cost a hash, not a signature).
fn verify(store: &Store, wire: &[u8], network: &NetworkId, now: u64) -> Verified {
    if let Ok(envelope) = Envelope::parse(wire)
        && store
            .contains(&message_id_for(envelope.header_bytes))
            .unwrap_or(false)
    {
        return Verified::Held;
    }
    match validate_envelope(wire, network, now) {
        Ok(message) => Verified::Valid(message),
        Err(rule) => Verified::Invalid(rule),
    }
}

/// The machine's cores, read once (asking the system reads cgroup files every time).
fn cores() -> usize {
    static CORES: std::sync::OnceLock<usize> = std::sync::OnceLock::new();
    *CORES.get_or_init(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
}

/// Verifies every envelope, spread over the machine's cores for large batches.
fn verify_all(store: &Store, wires: &[Vec<u8>], network: &NetworkId, now: u64) -> Vec<Verified> {
    if wires.len() < PARALLEL_FROM || cores() < 2 {
        return wires
            .iter()
            .map(|w| verify(store, w, network, now))
            .collect();
    }
    let chunk = wires.len().div_ceil(cores());
    std::thread::scope(|scope| {
        let workers: Vec<_> = wires
            .chunks(chunk)
            .map(|part| {
                scope.spawn(move || {
                    part.iter()
                        .map(|w| verify(store, w, network, now))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|worker| {
                worker.join().unwrap_or_else(|_| vec![]) // a panicking check refuses its part below
            })
            .collect()
    })
}

impl Ledger {
    /// Validates a message from anywhere and stores it if it passes every rule. A rejection is
    /// `NodeError::Protocol` with the rule that failed.
    pub fn ingest(&mut self, wire: &[u8], now: u64) -> Result<Accepted> {
        self.ingest_batch(&[wire.to_vec()], now)
            .pop()
            .unwrap_or(Err(NodeError::Corrupt("batch")))
    }

    /// Ingests many messages: admissions and revocations first, so members admitted in the same
    /// batch are recognised, then everything else in the order given. Everything accepted is
    /// written in one transaction. Returns one result per input, in the input's order.
    pub fn ingest_batch(&mut self, wires: &[Vec<u8>], now: u64) -> Vec<Result<Accepted>> {
        let network = match self.joined() {
            Ok(joined) => joined.genesis.header().network,
            Err(_) => return wires.iter().map(|_| Err(NodeError::NoNetwork)).collect(),
        };
        let mut verified = verify_all(&self.store, wires, &network, now);
        // A verifier thread that died leaves its part out: refuse those rather than guess.
        verified.resize_with(wires.len(), || {
            Verified::Invalid(Rule::Malformed("unchecked"))
        });
        let mut results: Vec<Option<Result<Accepted>>> = wires.iter().map(|_| None).collect();
        let mut pending = Pending::default();
        let is_membership = |v: &Verified| matches!(v, Verified::Valid(m) if matches!(m.header().kind, Kind::Admit | Kind::Revoke));
        for first in [true, false] {
            for (i, entry) in verified.iter_mut().enumerate() {
                if results[i].is_some() || is_membership(entry) != first {
                    continue;
                }
                let outcome = match std::mem::replace(entry, Verified::Held) {
                    Verified::Held => Ok(Accepted::Duplicate),
                    Verified::Invalid(rule) => Err(rule.into()),
                    Verified::Valid(message) => self.check(message, &mut pending),
                };
                results[i] = Some(outcome);
            }
        }
        if let Err(error) = self.write(&pending, &mut results) {
            // Nothing of the batch was written: forget the membership changes it made.
            tracing::warn!("could not store a batch of messages: {error}");
            if let Some(genesis) = self.joined.as_ref().map(|j| j.genesis.clone()) {
                match Joined::load(&self.store, genesis) {
                    Ok(joined) => self.joined = Some(joined),
                    Err(error) => tracing::warn!("could not reload the membership: {error}"),
                }
            }
        }
        results
            .into_iter()
            .map(|r| r.unwrap_or(Err(NodeError::Corrupt("batch"))))
            .collect()
    }

    /// Applies every rule after the signature to one message, against the store and what the
    /// batch accepted before it. Membership changes take effect at once for the rest of the batch.
    fn check(&mut self, message: Message, pending: &mut Pending) -> Result<Accepted> {
        let id = message.id();
        // The store was asked at the signature stage; only the batch itself can repeat it now.
        if pending.by_id.contains_key(&id) {
            return Ok(Accepted::Duplicate);
        }
        let body = validate_body(&message)?;
        let joined = self.joined()?;
        validate_permission(&joined.membership, message.header())?;
        let header = message.header();
        let id_at = |seq: u64| -> Result<Option<MessageId>> {
            match pending.at.get(&(header.author, seq)) {
                Some(id) => Ok(Some(*id)),
                None => self.store.id_at(&header.author, seq),
            }
        };
        let existing = id_at(header.seq)?;
        let previous = match header.seq {
            1 => None,
            seq => id_at(seq - 1)?,
        };
        match validate_chain(&message, existing, previous) {
            Err(fork @ Rule::Fork { .. }) => {
                self.store.record_fork(&message)?;
                return Err(fork.into());
            }
            other => other?,
        }
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
        if let Some(act) = Act::from_message(&message)?
            && let Some(joined) = self.joined.as_mut()
        {
            joined.acts.push(act);
            joined.membership.apply(&joined.acts);
        }
        pending.at.insert((header.author, header.seq), id);
        pending.by_id.insert(id, pending.accepted.len());
        pending.accepted.push((message.clone(), reply_to));
        Ok(Accepted::New(message))
    }

    /// Writes what the batch accepted in one transaction. On failure every accepted message's
    /// result becomes the storage error; nothing of the batch is stored.
    fn write(&self, pending: &Pending, results: &mut [Option<Result<Accepted>>]) -> Result<()> {
        let error = match self.store.insert_many(&pending.accepted) {
            Ok(inserted) => {
                // A message stored by someone else between check and write is a duplicate.
                let raced: HashSet<MessageId> = pending
                    .accepted
                    .iter()
                    .zip(&inserted)
                    .filter(|(_, i)| **i == Inserted::Duplicate)
                    .map(|((m, _), _)| m.id())
                    .collect();
                for slot in results.iter_mut() {
                    if let Some(Ok(Accepted::New(message))) = slot
                        && raced.contains(&message.id())
                    {
                        *slot = Some(Ok(Accepted::Duplicate));
                    }
                }
                return Ok(());
            }
            Err(error) => error,
        };
        for slot in results.iter_mut() {
            if let Some(Ok(Accepted::New(_))) = slot {
                *slot = Some(Err(match &error {
                    NodeError::Store(e) => NodeError::Store(e.clone()),
                    _ => NodeError::Corrupt("a batch of messages could not be written"),
                }));
            }
        }
        Err(error)
    }
}

#[cfg(test)]
mod tests {
    use sangam_protocol::kinds::{Admit, Announcement, MentoringRequest, Offer, Urgency};
    use sangam_protocol::{Body, Draft, Keypair, Role};

    use super::*;

    const NOW: u64 = 1_780_000_000_000;

    fn founded(dir: &std::path::Path, founder: &Keypair) -> Ledger {
        let mut ledger = Ledger::open(Store::open(dir).unwrap()).unwrap();
        ledger.found(founder, "Sangam", "Forum", NOW).unwrap();
        ledger
    }

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
        let results = ledger.ingest_batch(&batch, NOW);
        assert!(
            matches!(results[0], Ok(Accepted::New(_))),
            "{:?}",
            results[0]
        );
        assert!(matches!(results[1], Ok(Accepted::New(_))));
        assert!(
            matches!(results[2], Err(NodeError::Protocol(_))),
            "{:?}",
            results[2]
        );
        assert!(
            matches!(results[3], Ok(Accepted::New(_))),
            "{:?}",
            results[3]
        );
        assert!(matches!(results[4], Ok(Accepted::Duplicate)));
        assert!(matches!(results[5], Ok(Accepted::New(_))));
        // All of it is on disk, indexed, and the offer is counted against the request.
        assert_eq!(ledger.store().contiguous(&member.author()).unwrap(), 2);
        assert_eq!(ledger.item(&request.id()).unwrap().unwrap().offers, 1);
        assert_eq!(ledger.role_of(&member.author()), Some(Role::Member));
        // Sending the batch again changes nothing.
        let again = ledger.ingest_batch(&batch, NOW);
        assert!(
            again
                .iter()
                .enumerate()
                .all(|(i, r)| i == 2 || matches!(r, Ok(Accepted::Duplicate)))
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
        let results = ledger.ingest_batch(&batch, NOW);
        assert!(
            matches!(results[9], Err(NodeError::Protocol(Rule::BodyMismatch))),
            "{:?}",
            results[9]
        );
        assert!(
            results[..9]
                .iter()
                .all(|r| matches!(r, Ok(Accepted::New(_))))
        );
        assert_eq!(ledger.store().contiguous(&founder.author()).unwrap(), 10);
    }
}
