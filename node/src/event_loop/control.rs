//! Control requests from the API socket: [`Service`] answers every one of them; the running
//! node lends it its live parts (connections, counters, listen addresses, dialling) through
//! [`Live`].

use std::collections::BTreeMap;

use libp2p::gossipsub::IdentTopic;
use libp2p::multiaddr::Protocol;
use libp2p::{Multiaddr, Swarm};
use sangam_protocol::api::{PeerView, Status};

use super::EventLoop;
use super::own_posts::OwnPost;
use super::peers::Peers;
use crate::api::Command;
use crate::error::{NodeError, Result};
use crate::network::{Behaviour, GossipMeter};
use crate::service::{Live, Service};

/// The running node's live parts, borrowed for one request.
struct Running<'a> {
    swarm: &'a mut Swarm<Behaviour>,
    peers: &'a Peers,
    rejected: &'a BTreeMap<String, u64>,
    meter: &'a GossipMeter,
    topic: &'a IdentTopic,
    listen: Vec<String>,
}

impl Live for Running<'_> {
    fn fill_status(&self, status: &mut Status) {
        status.running = true;
        status.announcing_on_lan = self.swarm.behaviour().mdns.is_enabled();
        status.listen = self.listen.clone();
        status.connected = self.peers().into_iter().filter(|p| p.connected).collect();
        status.rejected = self.rejected.clone();
        status.gossip_mesh = self
            .swarm
            .behaviour()
            .gossip
            .inner_ref()
            .mesh_peers(&self.topic.hash())
            .count() as u64;
        let tally = self.meter.tally();
        status.gossip_copies = tally.copies;
        status.gossip_distinct = tally.distinct;
        (status.connected_directly, status.connected_via_relay) = self.peers.connection_kinds();
        let own = self.swarm.listeners().cloned().collect::<Vec<_>>();
        status.public_address = own
            .iter()
            .any(|a| super::address::reach(a) == super::address::Reach::Public && !is_circuit(a));
        status.relays = own.iter().filter_map(relay_of).collect();
    }

    fn peers(&self) -> Vec<PeerView> {
        self.peers
            .known()
            .into_iter()
            .map(|(peer, entry, connected)| PeerView {
                peer: peer.to_string(),
                name: None,
                connected,
                addresses: entry.addresses,
                last_seen: entry.last_seen,
                last_sync: entry.last_sync,
            })
            .collect()
    }

    fn connect(&mut self, address: &str) -> Result<String> {
        let multiaddr: Multiaddr = address.parse().map_err(|_| NodeError::Refused {
            reason: "bad_address".into(),
            message: format!(
                "`{address}` is not a network address like /ip4/1.2.3.4/tcp/7117/p2p/12D3KooW…"
            ),
        })?;
        self.swarm.dial(multiaddr).map_err(|e| NodeError::Refused {
            reason: "cannot_dial".into(),
            message: format!("cannot connect to {address}: {e}"),
        })?;
        Ok(address.to_string())
    }

    fn addresses(&self) -> Vec<String> {
        self.listen.clone()
    }
}

/// Whether `address` is a relayed one.
fn is_circuit(address: &Multiaddr) -> bool {
    address.iter().any(|p| matches!(p, Protocol::P2pCircuit))
}

/// The relay a relayed listen address goes through (the PeerId before `/p2p-circuit`).
fn relay_of(address: &Multiaddr) -> Option<String> {
    let mut relay = None;
    for part in address.iter() {
        match part {
            Protocol::P2p(peer) => relay = Some(peer.to_string()),
            Protocol::P2pCircuit => return relay,
            _ => {}
        }
    }
    None
}

impl EventLoop {
    /// The addresses this node listens on that another laptop could reach, each ending in
    /// `/p2p/<id>`: never loopback or link-local ones — unless loopback is all there is (a mesh
    /// on one machine: the demo, tests).
    pub(super) fn invite_addresses(&self) -> Vec<String> {
        use super::address::{Reach, reach};
        let all = self.listen_tx.borrow();
        let reachable: Vec<String> = all
            .iter()
            .filter(|a| !matches!(reach(a), Reach::Loopback | Reach::Nowhere))
            .map(|a| a.to_string())
            .collect();
        if reachable.is_empty() {
            all.iter().map(|a| a.to_string()).collect()
        } else {
            reachable
        }
    }

    pub(super) fn on_command(&mut self, command: Command) {
        let Command { request, reply } = command;
        let now = self.now();
        let mut live = Running {
            listen: self.invite_addresses(),
            swarm: &mut self.swarm,
            peers: &self.peers,
            rejected: &self.rejected,
            meter: &self.meter,
            topic: &self.topic,
        };
        let outcome = Service {
            ledger: &mut self.ledger,
            keypair: &self.keypair,
            settings: &self.settings,
            live: &mut live,
        }
        .handle(request, now);
        match outcome.published {
            Some(message) => self.await_flush(OwnPost {
                message,
                response: outcome.response,
                reply,
            }),
            None => {
                let _ = reply.send(outcome.response);
            }
        }
    }
}
