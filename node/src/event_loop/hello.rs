//! The hello exchange as the event loop carries it out: what [`super::Admission`] decides
//! about a hello, with the ledger's part (storing a proof's admissions, asking who is a member)
//! done here.

use std::time::Instant;

use libp2p::PeerId;
use libp2p::request_response;
use sangam_protocol::transport::{Hello, HelloReply};

use super::EventLoop;
use super::admission::Check;

impl EventLoop {
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
