//! Connections and addresses as the event loop carries them out: a connection opening, this
//! node's own listen addresses, and the addresses members say they listen on — kept only where
//! [`super::address::worth_dialling`] says a dial would reach that member.

use std::time::Instant;

use libp2p::core::ConnectedPoint;
use libp2p::multiaddr::Protocol;
use libp2p::swarm::ConnectionId;
use libp2p::swarm::dial_opts::{DialOpts, PeerCondition};
use libp2p::{Multiaddr, PeerId, autonat, dcutr, identify, relay};

use super::EventLoop;
use crate::error::PeerRefusal;

impl EventLoop {
    /// This node listens on a new address.
    pub(super) fn on_listening(&mut self, address: Multiaddr) {
        tracing::debug!(%address, "listening");
        // A node started with `--relay` says it can be dialled where it listens (a public
        // address or a forwarded port): libp2p's relay offers its service only on addresses
        // confirmed that way.
        if self.relays.by_hand() && !super::paths::is_relayed(&address) {
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
    pub(super) fn on_connection(
        &mut self,
        peer: PeerId,
        connection: ConnectionId,
        endpoint: ConnectedPoint,
        first: bool,
    ) {
        let remote = endpoint.get_remote_address();
        // The listening end of a relayed connection sees no circuit in the remote address
        // (only the dialler's id); its own address says it.
        let relayed = endpoint.is_relayed();
        if relayed {
            tracing::debug!(%peer, "connected through a relay");
        }
        for retired in self.peers.paths.opened(peer, connection, relayed) {
            tracing::info!(%peer, "a direct connection is open; closing the relayed one");
            self.swarm.close_connection(retired);
        }
        // Where this peer is reached: through a relay, that is where the relay is.
        let seen_at = match &endpoint {
            ConnectedPoint::Listener { local_addr, .. } if relayed => local_addr,
            _ => remote,
        };
        self.peers.note_remote(peer, seen_at.clone());
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

    /// A connection closed (`last`: none is left with this peer).
    pub(super) fn on_connection_closed(
        &mut self,
        peer: PeerId,
        connection: ConnectionId,
        last: bool,
    ) {
        self.peers.paths.closed(peer, connection);
        if last {
            self.relays.lost(&peer);
            let member = self.peers.is_member(&peer);
            let counted = self.admission.forget(&peer, member);
            self.apply(counted);
            self.sync.forget(&peer);
            let actions = self.peers.on_closed(peer, Instant::now());
            self.apply(actions);
        }
    }

    /// A member said (identify) where it listens and what it speaks: the addresses worth
    /// dialling go to the address book and to Kademlia (which passes them on to other members);
    /// a member that relays is asked for a reservation if this node cannot be dialled directly.
    pub(super) fn on_identified(&mut self, peer: PeerId, info: identify::Info) {
        let relay = info.protocols.contains(&relay::HOP_PROTOCOL_NAME);
        if relay
            && self.relays.wanted_on(&peer, self.reachable())
            && let Some(via) = self.peers.dialled_at(peer)
        {
            match self.swarm.listen_on(via.with(Protocol::P2pCircuit)) {
                Ok(listener) => {
                    self.relays.asked(peer, listener);
                    tracing::info!(%peer, "asking a member relay for a reservation");
                }
                Err(error) => {
                    tracing::warn!(%peer, "cannot listen through a member relay: {error}")
                }
            }
        }
        let kept = super::address::one_circuit_per_relay(
            info.listen_addrs
                .into_iter()
                .filter(|address| self.peers.worth_dialling(&peer, address))
                .collect(),
        );
        if relay && !self.reachable() {
            self.second_transport(peer, &kept);
        }
        let kad = self.swarm.behaviour_mut().kad.inner();
        for address in &kept {
            kad.add_address(&peer, address.clone());
        }
        let mut actions = self.peers.on_addresses(peer, kept.iter());
        actions.extend(self.peers.look_for_members(Instant::now()));
        self.apply(actions);
    }
}

impl EventLoop {
    /// Hole punching needs the address this node's NAT shows for the transport the other side
    /// punches with, and members only see the one this node reached them over. A second
    /// connection to a relay it dialled, over the other transport (TCP or QUIC), gets that one
    /// observed too. Once per relay connection.
    fn second_transport(&mut self, peer: PeerId, addresses: &[Multiaddr]) {
        let Some(via) = self.peers.dialled_at(peer) else {
            return;
        };
        let quic = |a: &Multiaddr| a.iter().any(|p| matches!(p, Protocol::QuicV1));
        let family = |a: &Multiaddr| matches!(a.iter().next(), Some(Protocol::Ip6(_)));
        let other: Vec<Multiaddr> = addresses
            .iter()
            .filter(|a| !super::paths::is_relayed(a) && family(a) == family(&via))
            .filter(|a| quic(a) != quic(&via))
            .cloned()
            .collect();
        if !other.is_empty() && self.relays.second_path(peer) {
            let opts = DialOpts::peer_id(peer)
                .condition(PeerCondition::Always)
                .addresses(other)
                .build();
            let _ = self.swarm.dial(opts);
        }
    }

    /// What this node's relay did: reservations held by members are counted for `status`; a
    /// refused request is counted among the refusals.
    pub(super) fn on_relay_event(&mut self, event: relay::Event) {
        match event {
            relay::Event::ReservationReqAccepted { src_peer_id, .. } => {
                tracing::debug!(peer = %src_peer_id, "a member holds a reservation on this relay");
                self.relays.serving(src_peer_id);
            }
            relay::Event::ReservationClosed { src_peer_id }
            | relay::Event::ReservationTimedOut { src_peer_id } => {
                self.relays.stopped_serving(&src_peer_id);
            }
            relay::Event::CircuitReqAccepted {
                src_peer_id,
                dst_peer_id,
            } => {
                tracing::debug!(peer = %src_peer_id, to = %dst_peer_id, "relaying between two members");
                self.relays.circuit_opened();
            }
            relay::Event::ReservationReqDenied {
                src_peer_id,
                status,
            } => {
                tracing::info!(peer = %src_peer_id, ?status, "refused a reservation on this relay");
                self.apply(vec![super::Action::Count(PeerRefusal::RelayRefused)]);
            }
            relay::Event::CircuitReqDenied {
                src_peer_id,
                dst_peer_id,
                status,
            } => {
                tracing::info!(peer = %src_peer_id, to = %dst_peer_id, ?status, "refused a circuit through this relay");
                self.apply(vec![super::Action::Count(PeerRefusal::RelayRefused)]);
            }
            _ => {}
        }
    }

    /// The outcome of a hole punch (a relayed connection turned direct, or not).
    pub(super) fn on_hole_punch(&mut self, event: dcutr::Event) {
        match event.result {
            Ok(connection) => {
                tracing::info!(peer = %event.remote_peer_id, ?connection, "hole punch worked: connected directly")
            }
            Err(error) => {
                tracing::info!(peer = %event.remote_peer_id, "hole punch failed, staying relayed: {error}")
            }
        }
    }
}

impl EventLoop {
    /// Whether others can dial this node directly: it was told so (`--relay`), or AutoNAT
    /// confirmed a public address (members dialled it back there).
    pub(super) fn reachable(&self) -> bool {
        use super::address::{Reach, reach};
        self.relays.by_hand()
            || self
                .swarm
                .external_addresses()
                .any(|a| reach(a) == Reach::Public && !super::paths::is_relayed(a))
    }

    /// AutoNAT confirmed that members can dial this node at `address`. A public address makes
    /// the reservations on member relays unnecessary (and lets this node relay for others); a
    /// loopback or private one says nothing about the world outside, so it is not kept.
    pub(super) fn on_confirmed(&mut self, address: Multiaddr) {
        use super::address::{Reach, reach};
        if super::paths::is_relayed(&address) {
            // The relay client confirms its relayed addresses itself. They are announced as
            // listen addresses anyway, and kept as external ones they would make this node's
            // relay offer itself: a relay behind a relay.
            self.swarm.remove_external_address(&address);
        } else if reach(&address) == Reach::Public {
            tracing::info!(%address, "members can dial this node directly");
            for listener in self.relays.release_all() {
                self.swarm.remove_listener(listener);
            }
        } else if !self.relays.by_hand() {
            self.swarm.remove_external_address(&address);
        }
    }

    /// A member tested whether it can dial this node at an address.
    pub(super) fn on_reachability_test(&mut self, event: autonat::v2::client::Event) {
        match event.result {
            Ok(()) => {
                tracing::debug!(address = %event.tested_addr, "a member could dial this node")
            }
            Err(error) => {
                tracing::debug!(address = %event.tested_addr, "a member could not dial this node: {error}")
            }
        }
    }
}
