//! The hello exchange and the membership gate, as the event loop carries them out: what
//! [`super::Admission`] decides about a hello, with the ledger's part (storing a proof's
//! admissions, asking who is a member) done here.

use std::collections::HashSet;
use std::time::Instant;

use libp2p::PeerId;
use libp2p::request_response;
use sangam_protocol::transport::{Hello, HelloReply};

use super::EventLoop;
use super::admission::Check;

impl EventLoop {
    /// Recomputes who may pass the gate and hands the change to the peer machine.
    pub(super) fn refresh_gate(&mut self) {
        let me = self.keypair.author().peer_id();
        let members: HashSet<PeerId> = self
            .ledger
            .membership()
            .map(|m| {
                m.members()
                    .map(|(author, _)| author.peer_id())
                    .filter(|p| *p != me)
                    .collect()
            })
            .unwrap_or_default();
        let actions = self.peers.on_membership(&members);
        self.apply(actions);
        self.drop_revoked_bodies();
    }

    /// Drops what this node holds of revoked keys' words once their grace period is over
    /// (checked whenever membership changes and after every sync, so also on a quiet network).
    pub(super) fn drop_revoked_bodies(&mut self) {
        let now = self.now();
        let own = self.keypair.author();
        match self.ledger.drop_revoked_bodies(now, &own) {
            Ok(0) => {}
            Ok(dropped) => tracing::info!(dropped, "dropped the text of revoked members' posts"),
            Err(error) => tracing::warn!("could not drop revoked members' text: {error}"),
        }
    }

    /// Drops the words of messages whose expiry passed (every second; one seek when none is
    /// due), so no node serves them afterwards.
    pub(super) fn drop_expired_bodies(&mut self) {
        let now = self.now();
        match self.ledger.drop_expired_bodies(now) {
            Ok(0) => {}
            Ok(dropped) => tracing::info!(dropped, "dropped the text of expired posts"),
            Err(error) => tracing::warn!("could not drop expired posts' text: {error}"),
        }
    }

    pub(super) fn send_hello(&mut self, peer: PeerId) {
        let me = self.keypair.author();
        let proof = match self.ledger.membership() {
            Some(m) if m.founder() == me => None,
            _ => self.ledger.admission_proof(&me).ok(),
        };
        let hello = Hello {
            network: self.network,
            proof,
        };
        self.swarm.behaviour_mut().hello.send_request(&peer, hello);
    }

    fn answer_hello(&mut self, peer: PeerId, hello: Hello) -> HelloReply {
        let open_member = self.peers.is_member(&peer) && !self.peers.is_hidden(&peer);
        let now = self.now();
        match self
            .admission
            .check(&peer, hello, &self.network, open_member, now)
        {
            Check::Welcome => HelloReply::Welcome,
            Check::Refuse(None) => HelloReply::Refused,
            Check::Refuse(Some(rule)) => {
                self.count_rejection(&rule, Some(peer));
                HelloReply::Refused
            }
            Check::Store { author, admits } => {
                match self.ledger.stale_act_in_proof(&admits) {
                    Ok(None) => {}
                    Ok(Some(rule)) => {
                        self.count_rejection(&rule, Some(peer));
                        return HelloReply::Refused;
                    }
                    Err(error) => {
                        tracing::warn!("could not check a hello's proof: {error}");
                        return HelloReply::Refused;
                    }
                }
                let stored = self.ledger.ingest_batch(&admits, now);
                let actions = super::verdicts::after_intake(&mut self.ledger, None, stored);
                self.apply(actions);
                if self.ledger.role_of(&author).is_some() {
                    self.refresh_gate();
                    HelloReply::Admitted
                } else {
                    HelloReply::Refused
                }
            }
        }
    }

    pub(super) fn on_hello_event(&mut self, event: request_response::Event<Hello, HelloReply>) {
        use request_response::{Event as E, Message as M};
        match event {
            E::Message {
                peer,
                message: M::Request {
                    request, channel, ..
                },
                ..
            } => {
                let reply = self.answer_hello(peer, request);
                let _ = self
                    .swarm
                    .behaviour_mut()
                    .hello
                    .send_response(channel, reply);
                if reply == HelloReply::Refused {
                    let actions = self.admission.on_refused(peer, Instant::now());
                    self.apply(actions);
                }
            }
            E::Message {
                peer,
                message:
                    M::Response {
                        response: HelloReply::Admitted,
                        ..
                    },
                ..
            } => {
                let actions = self.peers.on_admitted_by(peer);
                self.apply(actions);
            }
            E::Message {
                peer,
                message:
                    M::Response {
                        response: HelloReply::Refused,
                        ..
                    },
                ..
            } => {
                tracing::warn!(%peer, "a peer does not accept this node as a member");
                self.peers.on_refused_by(peer, Instant::now());
            }
            _ => {}
        }
    }
}
