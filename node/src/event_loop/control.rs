//! Control requests from the API socket: [`Service`] answers every one of them; the running
//! node lends it its live parts (connections, counters, listen addresses, dialling) through
//! [`Live`].

use std::collections::BTreeMap;

use libp2p::gossipsub::IdentTopic;
use libp2p::multiaddr::Protocol;
use libp2p::{Multiaddr, Swarm};
use sangam_protocol::api::{PeerView, Response, Status};

use super::EventLoop;
use super::own_posts::OwnPost;
use super::peers::Peers;
use super::relays::Relays;
use crate::api::ControlCall;
use crate::error::{NodeError, Result};
use crate::network::{Behaviour, GossipMeter};
use crate::service::{Live, Service};

/// Most addresses an invite carries (it is pasted by hand; a few good ones are enough).
pub(super) const MAX_INVITE_ADDRESSES: usize = 6;

/// The running node's live parts, borrowed for one request.
struct Running<'a> {
    swarm: &'a mut Swarm<Behaviour>,
    peers: &'a Peers,
    rejected: &'a BTreeMap<String, u64>,
    meter: &'a GossipMeter,
    topic: &'a IdentTopic,
    listen: Vec<String>,
    relays: &'a Relays,
    reachable: bool,
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
        (status.connected_directly, status.connected_via_relay) = self.peers.paths.kinds();
        // libp2p's relay offers itself only on confirmed external addresses.
        status.relaying = self.swarm.behaviour().relay.is_enabled()
            && self.swarm.external_addresses().next().is_some();
        status.relay_serving = self.relays.served();
        status.relay_circuits = self.relays.circuits();
        status.public_address = self.reachable;
        let own = self.swarm.listeners().cloned().collect::<Vec<_>>();
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
                relayed: self.peers.paths.only_relayed(&peer),
                addresses: entry.addresses,
                last_seen: entry.last_seen,
                last_sync: entry.last_sync,
            })
            .collect()
    }

    fn connect(&mut self, address: &str) -> Result<String> {
        let multiaddr: Multiaddr = address
            .parse()
            .map_err(|_| NodeError::BadAddress(address.to_string()))?;
        self.swarm
            .dial(multiaddr)
            .map_err(|e| NodeError::CannotDial {
                address: address.to_string(),
                why: e.to_string(),
            })?;
        Ok(address.to_string())
    }

    fn addresses(&self) -> Vec<String> {
        self.listen.clone()
    }
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
    /// The addresses another laptop could reach this node at, best first, each ending in
    /// `/p2p/<id>`: addresses members confirmed they can dial, other public ones, relayed ones,
    /// then private ones (a joiner on the same network) — never loopback or link-local ones,
    /// unless loopback is all there is (a mesh on one machine: the demo, tests) — and no more
    /// than [`MAX_INVITE_ADDRESSES`].
    pub(super) fn invite_addresses(&self) -> Vec<String> {
        use super::address::{Reach, reach};
        let me = Protocol::P2p(*self.swarm.local_peer_id());
        let confirmed = self.swarm.external_addresses().filter_map(|a| {
            let full = match a.iter().last() {
                Some(Protocol::P2p(_)) => a.clone(),
                _ => a.clone().with(me.clone()),
            };
            (reach(a) == Reach::Public).then_some(full)
        });
        let all = self.listen_tx.borrow();
        let rank = |a: &Multiaddr| match reach(a) {
            Reach::Public if super::paths::is_relayed(a) => 1,
            Reach::Public => 0,
            _ => 2,
        };
        let mut listening: Vec<Multiaddr> = all
            .iter()
            .filter(|a| !matches!(reach(a), Reach::Loopback | Reach::Nowhere))
            .cloned()
            .collect();
        listening.sort_by_key(rank);
        let mut chosen: Vec<String> = Vec::new();
        for address in confirmed.chain(listening) {
            let text = address.to_string();
            if !chosen.contains(&text) && chosen.len() < MAX_INVITE_ADDRESSES {
                chosen.push(text);
            }
        }
        if chosen.is_empty() {
            all.iter().map(|a| a.to_string()).collect()
        } else {
            chosen
        }
    }

    pub(super) fn on_command(&mut self, command: ControlCall) {
        let ControlCall { request, reply } = command;
        let now = self.now();
        let reachable = self.reachable();
        let mut live = Running {
            listen: self.invite_addresses(),
            relays: &self.relays,
            reachable,
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
        // A bundle read in may hold admissions and news: let the gate know, and offer what
        // arrived to every member connected (each pulls what it lacks).
        if matches!(outcome.response, Response::BundleImported { stored, .. } if stored > 0) {
            self.refresh_gate();
            for member in self.peers.open_members() {
                self.start_sync(member);
            }
        }
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
