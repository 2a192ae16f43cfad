//! Admission: the hello exchange on a connection whose peer is not yet known as a member. Such
//! a peer has [`HELLO_TIMEOUT`] to prove membership; a proof is checked here (time passed in)
//! and its admissions handed back for the ledger to store. Touches no socket.

use std::collections::{HashMap, HashSet};
use std::time::{Duration, Instant};

use libp2p::PeerId;
use sangam_protocol::transport::Hello;
use sangam_protocol::{AuthorId, Error as Rule, NetworkId};

use super::action::Action;
use super::peers::insert_bounded;
use crate::error::PeerRefusal;

/// How long a peer that is not a known member has to prove membership before it is dropped.
pub const HELLO_TIMEOUT: Duration = Duration::from_secs(15);

/// How long a peer whose hello was refused stays connected, so the answer reaches it.
pub const REFUSED_GRACE: Duration = Duration::from_millis(300);

/// What to do with a hello that came in.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Check {
    /// The peer is already a member with its protocols open.
    Welcome,
    /// Not a member of this network, or no proof; `Some` when the proof was bad.
    Refuse(Option<Rule>),
    /// The proof holds: store these admissions, then admit the author if they make it a member.
    Store {
        /// Who proved membership.
        author: AuthorId,
        /// The `admit` messages of the proof, as they came.
        admits: Vec<Vec<u8>>,
    },
}

/// The admission machine: hello deadlines and the check of a hello.
#[derive(Default)]
pub(super) struct Admission {
    deadlines: HashMap<PeerId, Instant>,
    /// Peers whose hello was refused (already counted): they are disconnected a moment later,
    /// so the `Refused` answer reaches them instead of a closed stream.
    refused: HashSet<PeerId>,
}

impl Admission {
    /// A peer not known as a member connected: start its clock. A peer we chose to dial (a
    /// bootstrap address, an invite's inviter) gets our proof even before we know it; peers that
    /// dialled us must prove themselves first.
    pub(super) fn on_stranger(&mut self, peer: PeerId, dialled: bool, now: Instant) -> Vec<Action> {
        let until = now + HELLO_TIMEOUT;
        insert_bounded(&mut self.deadlines, peer, until, |at| *at);
        if dialled {
            vec![Action::SendHello(peer)]
        } else {
            Vec::new()
        }
    }

    /// The peer's last connection closed. One that left without proving membership (`member`
    /// false) and was not refused already counts as an outsider's connection: a stranger that
    /// tries a protocol, is met with silence and leaves is still seen.
    pub(super) fn forget(&mut self, peer: &PeerId, member: bool) -> Vec<Action> {
        let waiting = self.deadlines.remove(peer).is_some();
        let refused = self.refused.remove(peer);
        if waiting && !refused && !member {
            vec![Action::Count(PeerRefusal::OutsiderConnection)]
        } else {
            Vec::new()
        }
    }

    /// A `Refused` answer to `peer` is on its way: count it, and drop the peer after
    /// [`REFUSED_GRACE`] (the next [`Admission::tick`] after it).
    pub(super) fn on_refused(&mut self, peer: PeerId, now: Instant) -> Vec<Action> {
        if self.refused.len() >= super::peers::MAX_TRACKED {
            return vec![
                Action::Count(PeerRefusal::OutsiderConnection),
                Action::Disconnect(peer),
            ];
        }
        self.refused.insert(peer);
        insert_bounded(&mut self.deadlines, peer, now + REFUSED_GRACE, |at| *at);
        vec![Action::Count(PeerRefusal::OutsiderConnection)]
    }

    /// Checks a hello from `peer`. `open_member`: it is already a member with protocols open.
    pub(super) fn check(
        &self,
        peer: &PeerId,
        hello: Hello,
        network: &NetworkId,
        open_member: bool,
        now_ms: u64,
    ) -> Check {
        if hello.network != *network {
            return Check::Refuse(None);
        }
        if open_member {
            return Check::Welcome;
        }
        let (Some(author), Some(proof)) = (AuthorId::from_peer_id(peer), hello.proof) else {
            return Check::Refuse(None);
        };
        match proof.verify(&author, now_ms) {
            Ok(proven) if proven.network == *network => Check::Store {
                author,
                admits: proof.admits,
            },
            Ok(_) => Check::Refuse(None),
            Err(rule) => Check::Refuse(Some(rule)),
        }
    }

    /// Drops strangers whose time to prove membership is up. `is_member`: proven since.
    pub(super) fn tick(
        &mut self,
        now: Instant,
        is_member: impl Fn(&PeerId) -> bool,
    ) -> Vec<Action> {
        let mut actions = Vec::new();
        self.deadlines.retain(|peer, until| {
            if is_member(peer) {
                return false;
            }
            if *until > now {
                return true;
            }
            tracing::info!(%peer, "dropping a peer that did not prove membership");
            if !self.refused.remove(peer) {
                actions.push(Action::Count(PeerRefusal::OutsiderConnection));
            }
            actions.push(Action::Disconnect(*peer));
            false
        });
        actions
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use sangam_protocol::Keypair;

    use super::*;

    fn hello(network: NetworkId) -> Hello {
        Hello {
            network,
            proof: None,
        }
    }

    #[test]
    fn a_stranger_that_does_not_prove_itself_in_time_is_dropped_and_counted() {
        let (silent, proven) = (PeerId::random(), PeerId::random());
        let mut admission = Admission::default();
        let now = Instant::now();
        assert!(admission.on_stranger(silent, false, now).is_empty());
        assert_eq!(
            admission.on_stranger(proven, true, now),
            vec![Action::SendHello(proven)]
        );
        assert!(
            admission
                .tick(now + Duration::from_secs(14), |_| false)
                .is_empty()
        );
        let actions = admission.tick(now + HELLO_TIMEOUT, |p| *p == proven);
        assert_eq!(
            actions,
            vec![
                Action::Count(PeerRefusal::OutsiderConnection),
                Action::Disconnect(silent)
            ]
        );
        assert!(admission.deadlines.is_empty());
    }

    #[test]
    fn a_stranger_that_leaves_before_its_time_is_up_is_counted_too() {
        let (stranger, member, refused) = (PeerId::random(), PeerId::random(), PeerId::random());
        let mut admission = Admission::default();
        let now = Instant::now();
        for peer in [stranger, member, refused] {
            admission.on_stranger(peer, false, now);
        }
        admission.on_refused(refused, now);
        assert_eq!(
            admission.forget(&stranger, false),
            vec![Action::Count(PeerRefusal::OutsiderConnection)]
        );
        assert!(admission.forget(&member, true).is_empty(), "proved itself");
        assert!(admission.forget(&refused, false).is_empty(), "counted once");
        assert!(
            admission.forget(&stranger, false).is_empty(),
            "already gone"
        );
    }

    #[test]
    fn a_refused_peer_gets_a_moment_to_read_the_answer_and_is_counted_once() {
        let peer = PeerId::random();
        let mut admission = Admission::default();
        let now = Instant::now();
        admission.on_stranger(peer, false, now);
        assert_eq!(
            admission.on_refused(peer, now),
            vec![Action::Count(PeerRefusal::OutsiderConnection)]
        );
        assert!(
            admission.tick(now, |_| false).is_empty(),
            "not cut off at once"
        );
        assert_eq!(
            admission.tick(now + REFUSED_GRACE, |_| false),
            vec![Action::Disconnect(peer)]
        );
    }

    #[test]
    fn a_hello_from_another_network_or_without_proof_is_refused() {
        let admission = Admission::default();
        let peer = Keypair::from_secret_bytes(&[3; 32]).author().peer_id();
        let ours = NetworkId([1; 32]);
        let theirs = NetworkId([2; 32]);
        assert_eq!(
            admission.check(&peer, hello(theirs), &ours, true, 0),
            Check::Refuse(None)
        );
        assert_eq!(
            admission.check(&peer, hello(ours), &ours, true, 0),
            Check::Welcome
        );
        assert_eq!(
            admission.check(&peer, hello(ours), &ours, false, 0),
            Check::Refuse(None)
        );
    }

    #[test]
    fn a_forged_proof_is_refused_with_its_reason() {
        let admission = Admission::default();
        let peer = Keypair::from_secret_bytes(&[3; 32]).author().peer_id();
        let ours = NetworkId([1; 32]);
        let forged = Hello {
            network: ours,
            proof: Some(sangam_protocol::membership::AdmissionProof {
                genesis: vec![0xde, 0xad],
                admits: Vec::new(),
            }),
        };
        assert!(matches!(
            admission.check(&peer, forged, &ours, false, 0),
            Check::Refuse(Some(_))
        ));
    }
}
