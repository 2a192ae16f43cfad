//! Connections and addresses as the event loop carries them out: a connection opening, this
//! node's own listen addresses, and the addresses members say they listen on — kept only where
//! [`super::address::worth_dialling`] says a dial would reach that member.

use std::time::Instant;

use libp2p::core::ConnectedPoint;
use libp2p::multiaddr::Protocol;
use libp2p::{Multiaddr, PeerId, identify, relay};

use super::EventLoop;

impl EventLoop {
    /// This node listens on a new address.
    pub(super) fn on_listening(&mut self, address: Multiaddr) {
        // A node started with `--relay` says it can be dialled where it listens (a public
        // address or a forwarded port): libp2p's relay offers its service only on addresses
        // confirmed that way.
        let circuit = address.iter().any(|p| matches!(p, Protocol::P2pCircuit));
        if self.swarm.behaviour().relay.is_enabled() && !circuit {
            self.swarm.add_external_address(address.clone());
        }
        // Relayed listen addresses already end in this node's id.
        let full = match address.iter().last() {
            Some(Protocol::P2p(_)) => address,
            _ => address.with(Protocol::P2p(*self.swarm.local_peer_id())),
        };
        self.listen_tx.send_modify(|addrs| addrs.push(full));
        self.peers.set_own(self.listen_tx.borrow().clone());
        let _ = self.ledger.save_listen_addresses(&self.invite_addresses());
    }

    /// A connection opened (`first`: the only one with this peer).
    pub(super) fn on_connection(&mut self, peer: PeerId, endpoint: ConnectedPoint, first: bool) {
        self.peers
            .note_remote(peer, endpoint.get_remote_address().clone());
        let dialled = match endpoint {
            ConnectedPoint::Dialer { address, .. } => Some(address),
            ConnectedPoint::Listener { .. } => None,
        };
        let was_dialled = dialled.is_some();
        let wall = self.now();
        let actions = self
            .peers
            .on_connected(peer, dialled, first, Instant::now(), wall);
        self.apply(actions);
        if first && self.peers.is_hidden(&peer) {
            let actions = self
                .admission
                .on_stranger(peer, was_dialled, Instant::now());
            self.apply(actions);
        }
    }

    /// A member said (identify) where it listens and what it speaks: the addresses worth
    /// dialling go to the address book and to Kademlia (which passes them on to other members);
    /// a member that relays is asked for a reservation if this node cannot be dialled directly.
    pub(super) fn on_identified(&mut self, peer: PeerId, info: identify::Info) {
        if info.protocols.contains(&relay::HOP_PROTOCOL_NAME)
            && let Some(circuit) = self.peers.reservation_on(peer)
        {
            match self.swarm.listen_on(circuit) {
                Ok(_) => tracing::info!(%peer, "asking a member relay for a reservation"),
                Err(error) => {
                    tracing::warn!(%peer, "cannot listen through a member relay: {error}")
                }
            }
        }
        let kept: Vec<Multiaddr> = info
            .listen_addrs
            .into_iter()
            .filter(|address| self.peers.worth_dialling(&peer, address))
            .collect();
        let kad = self.swarm.behaviour_mut().kad.inner();
        for address in &kept {
            kad.add_address(&peer, address.clone());
        }
        let mut actions = self.peers.on_addresses(peer, kept.iter());
        actions.extend(self.peers.look_for_members(Instant::now()));
        self.apply(actions);
    }
}
